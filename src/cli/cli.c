#include "cli.h"

#include "base/json.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void cli_common_init(cli_common *c) {
    memset(c, 0, sizeof *c);
    le_model_options_init(&c->mo);
    /* the library's default is fp32 (the reference's numbers); the command
     * line runs the fastest format within the error rule (docs/speed.md) */
    c->mo.precision = "auto";
}

void cli_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("longembed: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_output_failed(void) { return ferror(stdout) != 0; }

/* the reason of the first failed flush of stdout: stdio keeps only the
 * error flag, and a later flush of the emptied buffer succeeds */
static int g_output_errno;

int cli_flush_output(void) {
    if (fflush(stdout) == 0) return 0;
    if (!g_output_errno) g_output_errno = errno;
    return -1;
}

int cli_finish_output(int rc) {
    int bad = cli_flush_output() != 0 || ferror(stdout), e = g_output_errno;
    if (fclose(stdout) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (!bad) return rc;
    if (e)
        cli_error("cannot write the output: %s", strerror(e));
    else
        cli_error("cannot write the output");
    return rc == CLI_OK ? CLI_FAIL : rc;
}

le_status cli_parse_int(const char *opt, const char *s, int lo, int hi, int *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        cli_error("%s: expected an integer from %d to %d, got \"%s\"", opt, lo, hi, s);
        return LE_ERR_ARG;
    }
    *out = (int)v;
    return LE_OK;
}

le_status cli_parse_double(const char *opt, const char *s, double lo, double hi, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi)) {
        cli_error("%s: expected a number from %g to %g, got \"%s\"", opt, lo, hi, s);
        return LE_ERR_ARG;
    }
    *out = v;
    return LE_OK;
}

int cli_common_option(cli_common *c, int code, const char *arg) {
    switch (code) {
    case 'm': c->model = arg; return 1;
    case 1001: return cli_parse_int("--threads", arg, 0, 1024, &c->mo.threads) ? -1 : 1;
    case 1002: /* one this CPU lacks is no usage error: le_model_open says so */
        if (strcmp(arg, "auto") && strcmp(arg, "scalar") && strcmp(arg, "avx2") &&
            strcmp(arg, "avx512")) {
            cli_error("--isa: expected auto, scalar, avx2 or avx512, got \"%s\"", arg);
            return -1;
        }
        c->mo.isa = arg;
        return 1;
    case 1003: c->mo.cache_dir = arg; return 1;
    case 1004:
        if (strcmp(arg, "fp32") && strcmp(arg, "bf16") && strcmp(arg, "int8") &&
            strcmp(arg, "auto")) {
            cli_error("--precision: expected fp32, bf16, int8 or auto, got \"%s\"", arg);
            return -1;
        }
        c->mo.precision = arg;
        return 1;
    case 'q': c->quiet = 1; return 1;
    case 'v': c->verbose = 1; return 1;
    default: return 0;
    }
}

int cli_passage_option(le_passage_options *po, int which, const char *arg) {
    le_error err;
    if (which == 0) return cli_parse_int("--passages", arg, 0, 1 << 20, &po->tokens) ? -1 : 1;
    if (which == 1)
        return cli_parse_int("--passage-overlap", arg, 0, 1 << 20, &po->overlap) ? -1 : 1;
    if (le_passage_mode_parse(arg, &po->mode, &err)) {
        cli_error("--passage-mode: %s", err.message);
        return -1;
    }
    return 1;
}

int cli_pooling_option(const char *arg, const char **out) {
    if (strcmp(arg, "cls") && strcmp(arg, "mean") && strcmp(arg, "max")) {
        cli_error("--pooling: expected cls, mean or max, got \"%s\"", arg);
        return -1;
    }
    *out = arg;
    return 1;
}

int cli_option_end(int r, int ch, const char *usage) {
    if (r) return r < 0 ? -1 : 0;
    if (ch == 'h') {
        fputs(usage, stdout);
        return 1;
    }
    fputs(usage, stderr);
    return -1;
}

static void log_to_stderr(int level, const char *msg, void *user) {
    const cli_common *c = user;
    if (level > (c->verbose ? 3 : c->quiet ? 1 : 2)) return;
    fprintf(stderr, "longembed: %s%s\n",
            level == 0   ? "error: "
            : level == 1 ? "warning: "
                         : "",
            msg);
}

void cli_setup_logging(const cli_common *c) { le_set_log(log_to_stderr, (void *)c); }

le_model *cli_open_model(const cli_common *c) {
    if (!c->model) {
        cli_error("no model given: use -m MODEL (an alias such as minilm, or a model directory)");
        return NULL;
    }
    le_model *m = NULL;
    le_error err;
    if (le_model_open(c->model, &c->mo, &m, &err) != LE_OK) {
        cli_error("%s", err.message);
        return NULL;
    }
    return m;
}

static void put_file(void *f, const char *bytes, size_t n) { fwrite(bytes, 1, n, f); }

void cli_json_string(FILE *f, const char *s, size_t len) {
    le_json_write_string(s, len, 0, put_file, f); /* DEL as it is, as the CLI always wrote it */
}

size_t cli_count_chars(const char *s, size_t *at, size_t *chars, size_t upto) {
    for (; *at < upto; ++*at) *chars += ((unsigned char)s[*at] & 0xC0) != 0x80;
    return *chars;
}

/* The extension method and its parameters: 1 when c was one, 0 when not,
 * -1 on a bad value (message printed). */
static int method_option(le_embed_options *eo, int c, const char *arg) {
    le_error err;
    switch (c) {
    case 2003:
        if (le_extend_parse(arg, &eo->extend, &err)) {
            cli_error("--extend: %s", err.message);
            return -1;
        }
        return 1;
    case 2004:
        if (!strcmp(arg, "log"))
            eo->attn_scale = LE_ATTN_SCALE_LOG;
        else if (!strcmp(arg, "none"))
            eo->attn_scale = LE_ATTN_SCALE_NONE;
        else {
            cli_error("--attn-scale: expected log or none, got \"%s\"", arg);
            return -1;
        }
        return 1;
    case 2005:
        return cli_parse_int("--position-stride", arg, 1, 1 << 20, &eo->position_stride) ? -1 : 1;
    case 2012: return cli_parse_double("--ntk-lambda", arg, 1, 1e6, &eo->ntk_lambda) ? -1 : 1;
    case 2013: return cli_parse_double("--rope-factor", arg, 1, 1e6, &eo->rope_factor) ? -1 : 1;
    case 2014: return cli_parse_int("--se-group", arg, 1, 1 << 20, &eo->se_group) ? -1 : 1;
    case 2015: return cli_parse_int("--se-window", arg, 1, 1 << 18, &eo->se_window) ? -1 : 1;
    case 2016:
        if (cli_parse_double("--rotary-scaling-factor", arg, -1, 1e6, &eo->rotary_scaling_factor))
            return -1;
        if (eo->rotary_scaling_factor < 0) eo->rotary_scaling_factor = -1;
        return 1;
    default: return 0;
    }
}

int cli_embed_option(le_embed_options *eo, const char **prefix_arg, int c, const char *arg) {
    switch (c) {
    case 'p': *prefix_arg = arg; return 1;
    case 2001: return cli_parse_int("--max-tokens", arg, 1, 1 << 30, &eo->max_tokens) ? -1 : 1;
    case 2002: eo->truncate = 1; return 1;
    case 2006: return cli_pooling_option(arg, &eo->pooling);
    case 2007: eo->normalize = 0; return 1;
    case 2008: eo->normalize = 1; return 1;
    case 2009: return cli_parse_int("--batch-tokens", arg, 1, 1 << 30, &eo->batch_tokens) ? -1 : 1;
    default: return method_option(eo, c, arg);
    }
}
