/* Options shared by longembed generate and chat (llm_cli.h). */
#include "llm_cli.h"

#include <stdio.h>
#include <string.h>

void llm_cli_init(llm_cli *l) {
    memset(l, 0, sizeof *l);
    cli_common_init(&l->c);
    le_llm_options_init(&l->lo);
    le_llm_gen_options_init(&l->go);
    l->go.stop = l->stop;
}

/* Sampling options into l->go. */
static int sampling_option(llm_cli *l, int ch, const char *arg) {
    le_llm_gen_options *g = &l->go;
    double d;
    switch (ch) {
    case 3001: g->temperature = 0; return 1;
    case 3002:
        if (cli_parse_double("--temperature", arg, 0, 1e6, &d)) return -1;
        g->temperature = (float)d;
        return 1;
    case 3003: return cli_parse_int("--top-k", arg, 0, 1 << 24, &g->top_k) ? -1 : 1;
    case 3004:
        if (cli_parse_double("--top-p", arg, 1e-9, 1, &d)) return -1;
        g->top_p = (float)d;
        return 1;
    case 3005:
        if (cli_parse_double("--min-p", arg, 0, 0.999999, &d)) return -1;
        g->min_p = (float)d;
        return 1;
    case 3006:
        if (cli_parse_double("--repeat-penalty", arg, 1e-6, 1e6, &d)) return -1;
        g->repeat_penalty = (float)d;
        return 1;
    case 3007: return cli_parse_int("--repeat-last-n", arg, -1, 1 << 24, &g->repeat_last_n) ? -1 : 1;
    case 3008:
        if (cli_parse_double("--seed", arg, 0, 9007199254740992.0, &d)) return -1;
        g->seed = (uint64_t)d;
        return 1;
    case 3009: return cli_parse_int("--max-new-tokens", arg, 0, 1 << 24, &g->max_new_tokens) ? -1 : 1;
    case 3010:
        if (g->n_stop == LLM_CLI_MAX_STOP || !*arg) {
            cli_error("--stop: at most %d non-empty strings", LLM_CLI_MAX_STOP);
            return -1;
        }
        l->stop[g->n_stop++] = arg;
        return 1;
    case 3017: g->ignore_eos = 1; return 1;
    default: return 0;
    }
}

/* Context options into l->lo. */
static int context_option(llm_cli *l, int ch, const char *arg) {
    le_llm_options *o = &l->lo;
    le_error err;
    switch (ch) {
    case 3011:
        if (le_extend_parse(arg, &o->extend, &err)) {
            cli_error("--extend: %s", err.message);
            return -1;
        }
        return 1;
    case 3012: return cli_parse_int("--max-tokens", arg, 1, 1 << 18, &o->max_tokens) ? -1 : 1;
    case 3013: return cli_parse_double("--ntk-lambda", arg, 1, 1e6, &o->ntk_lambda) ? -1 : 1;
    case 3014: return cli_parse_double("--rope-factor", arg, 1, 1e6, &o->rope_factor) ? -1 : 1;
    case 3015: return cli_parse_int("--se-group", arg, 1, 1 << 20, &o->se_group) ? -1 : 1;
    case 3016: return cli_parse_int("--se-window", arg, 1, 1 << 18, &o->se_window) ? -1 : 1;
    case 3018: o->chat_template = arg; return 1;
    default: return 0;
    }
}

int llm_cli_option(llm_cli *l, int ch, const char *arg) {
    if (ch == 1004) {
        if (strcmp(arg, "q8") && strcmp(arg, "exact")) {
            cli_error("--precision: expected q8 or exact for a decoder, got \"%s\"", arg);
            return -1;
        }
        l->lo.precision = arg;
        return 1;
    }
    int r = cli_common_option(&l->c, ch, arg);
    if (!r) r = sampling_option(l, ch, arg);
    if (!r) r = context_option(l, ch, arg);
    return r;
}

le_llm *llm_cli_open(llm_cli *l) {
    if (!l->c.model) {
        cli_error("no model given: use -m MODEL (a GGUF file, or an alias such as smollm2)");
        return NULL;
    }
    l->lo.threads = l->c.mo.threads;
    l->lo.isa = l->c.mo.isa;
    l->lo.cache_dir = l->c.mo.cache_dir;
    le_llm *m = NULL;
    le_error err;
    if (le_llm_open(l->c.model, &l->lo, &m, &err) != LE_OK) {
        cli_error("%s", err.message);
        return NULL;
    }
    return m;
}

int llm_cli_print(const char *text, size_t len, void *user) {
    (void)user;
    fwrite(text, 1, len, stdout);
    return cli_flush_output() != 0;
}

void llm_cli_report(const llm_cli *l, const le_llm_result *r) {
    if (!l->c.verbose) return;
    const int fresh = r->prompt_tokens - r->cached_tokens;
    fprintf(stderr,
            "longembed: prompt %d tokens (%d cached), %.1f tokens/s; generated %d tokens, "
            "%.1f tokens/s\n",
            r->prompt_tokens, r->cached_tokens,
            r->prompt_seconds > 0 ? fresh / r->prompt_seconds : 0.0, r->new_tokens,
            r->gen_seconds > 0 ? r->new_tokens / r->gen_seconds : 0.0);
}
