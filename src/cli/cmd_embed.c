/* longembed embed: texts → JSONL embeddings, one line per input, in order. */
#include "cli.h"
#include "input.h"
#include "progress.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GROUP_TEXTS 64
#define GROUP_BYTES ((size_t)4 << 20)

static const char *USAGE =
    "usage: longembed embed -m MODEL [OPTIONS] [FILE...]\n"
    "Embeds each FILE as one document, or else each line of standard input (plain\n"
    "text, or JSONL objects with \"text\" and an optional \"id\"). Writes one JSON line\n"
    "per input, in input order: {\"id\", \"tokens\", \"truncated\", \"extend\", \"embedding\"};\n"
    "with --passages also \"passages\": [{\"start\", \"end\" (characters), \"byte_start\",\n"
    "\"byte_end\", \"token_start\", \"token_end\", \"embedding\"}], and the embedding is then\n"
    "the mean of the passage vectors.\n\n"
    "Options:\n" CLI_COMMON_HELP
    CLI_EMBED_HELP
    "      --input FORMAT    stdin format: auto (default), lines, jsonl\n"
    "      --keep-going      write {\"id\", \"error\"} for bad inputs (texts, JSONL lines,\n"
    "                        files that are missing or no text) and go on (exit 1 at end)\n"
    "      --passages N      also embed passages of at most N tokens (0: the model's window\n"
    "                        minus its special tokens); every token is embedded, none cut\n"
    "      --passage-overlap K  tokens consecutive passages share (default: an eighth of a\n"
    "                        passage, 32 of MiniLM's 254; 0: none)\n"
    "      --passage-mode M  chunk (default): each passage on its own; late: late chunking,\n"
    "                        passages pooled from windows of up to --max-tokens (with --extend)\n"
    "      --output LIST     dense (default), sparse, colbert, comma-separated: BGE-M3's outputs\n"
    "                        (the model needs sparse_linear.pt and colbert_linear.pt): sparse\n"
    "                        writes \"lexical_weights\" {\"token id\": weight} and \"lexical_tokens\"\n"
    "                        {piece: weight}, colbert \"colbert_vecs\" [[...], ...]\n";

typedef struct embed_cli {
    cli_common common;
    le_embed_options eo;
    const char *prefix_arg;
    input_format format;
    int keep_going;
    le_model *m;
    int dim;
    float *vecs;
    int failures;
    cli_progress *progress;
    int passages; /* 1: --passages given */
    le_passage_options po;
    le_passages *pres; /* the passages of the last call */
    unsigned outputs;  /* OUT_* bits of --output */
    le_m3_output *m3;  /* BGE-M3 outputs of the last call (sparse or colbert asked) */
} embed_cli;

enum { OUT_DENSE = 1, OUT_SPARSE = 2, OUT_COLBERT = 4 };

/* --output dense,sparse,colbert → OUT_* bits; 0 on a bad list. */
static unsigned parse_outputs(const char *arg) {
    unsigned bits = 0;
    const char *p = arg;
    while (*p) {
        size_t n = strcspn(p, ",");
        unsigned b = n == 5 && !strncmp(p, "dense", 5)     ? OUT_DENSE
                     : n == 6 && !strncmp(p, "sparse", 6)  ? OUT_SPARSE
                     : n == 7 && !strncmp(p, "colbert", 7) ? OUT_COLBERT
                                                           : 0;
        if (!b) return 0;
        bits |= b;
        p += n + (p[n] == ',');
    }
    return bits;
}

/* BGE-M3's lexical weights (by id and by piece) and ColBERT vectors. */
static void write_m3(const embed_cli *e, const le_m3_output *o) {
    if (e->outputs & OUT_SPARSE) {
        fputs(",\"lexical_weights\":{", stdout);
        for (size_t i = 0; i < o->n_lexical; i++)
            printf("%s\"%d\":%.9g", i ? "," : "", o->lexical_ids[i], (double)o->lexical_weights[i]);
        fputs("},\"lexical_tokens\":{", stdout);
        for (size_t i = 0; i < o->n_lexical; i++) {
            const char *piece = le_token_piece(e->m, o->lexical_ids[i]);
            if (i) fputc(',', stdout);
            cli_json_string(stdout, piece ? piece : "", piece ? strlen(piece) : 0);
            printf(":%.9g", (double)o->lexical_weights[i]);
        }
        fputc('}', stdout);
    }
    if (e->outputs & OUT_COLBERT) {
        fputs(",\"colbert_vecs\":[", stdout);
        for (size_t i = 0; i < o->n_colbert; i++) {
            const float *v = o->colbert + i * (size_t)o->colbert_dim;
            fputs(i ? ",[" : "[", stdout);
            for (int d = 0; d < o->colbert_dim; d++) printf(d ? ",%.9g" : "%.9g", (double)v[d]);
            fputc(']', stdout);
        }
        fputc(']', stdout);
    }
}

static int resolve_prefix(embed_cli *e) {
    if (e->prefix_arg) e->eo.prefix = le_prefix_resolve(e->m, e->prefix_arg);
    return 0;
}

/* The passages of text k of the last call, as a JSON array. */
static void write_passages(const embed_cli *e, const cli_text *t, size_t k) {
    size_t first, count, at = 0, chars = 0;
    le_passages_of(e->pres, k, &first, &count);
    const le_passage *sp = le_passages_spans(e->pres);
    const float *v = le_passages_vectors(e->pres);
    fputs(",\"passages\":[", stdout);
    for (size_t j = first; j < first + count; j++) {
        size_t start = cli_count_chars(t->text, &at, &chars, sp[j].byte_start);
        size_t end_at = 0, end_chars = 0;
        size_t end = start + cli_count_chars(t->text + sp[j].byte_start, &end_at, &end_chars,
                                             sp[j].byte_end - sp[j].byte_start);
        printf("%s{\"start\":%zu,\"end\":%zu,\"byte_start\":%zu,\"byte_end\":%zu,"
               "\"token_start\":%d,\"token_end\":%d,\"embedding\":[",
               j > first ? "," : "", start, end, sp[j].byte_start, sp[j].byte_end,
               sp[j].token_start, sp[j].token_end);
        for (int d = 0; d < e->dim; d++)
            printf(d ? ",%.9g" : "%.9g", (double)v[j * (size_t)e->dim + d]);
        fputs("]}", stdout);
    }
    fputc(']', stdout);
}

/* One output line; k is the text's place in the last call (for passages). */
static void write_vector(const embed_cli *e, const cli_text *t, const le_text_result *r,
                         const float *v, size_t k) {
    printf("{\"id\":%s,\"tokens\":%d,\"truncated\":%s,\"extend\":\"%s\"", t->id_json, r->tokens,
           r->truncated ? "true" : "false", le_extend_name(e->eo.extend));
    if (e->passages)
        printf(",\"passage_mode\":\"%s\",\"windows\":%d", le_passage_mode_name(e->po.mode),
               r->chunks);
    else if (r->chunks > 1)
        printf(",\"chunks\":%d", r->chunks);
    if (e->outputs & OUT_DENSE) {
        fputs(",\"embedding\":[", stdout);
        for (int d = 0; d < e->dim; d++) printf(d ? ",%.9g" : "%.9g", (double)v[d]);
        fputc(']', stdout);
    }
    if (e->m3) write_m3(e, &e->m3[k]);
    if (e->passages) write_passages(e, t, k);
    fputs("}\n", stdout);
}

/* Embeds n texts into e->vecs (and their passages into e->pres). */
static le_status embed_texts(embed_cli *e, size_t n, const char **ptrs, const size_t *lens,
                             le_text_result *res, le_error *err) {
    if (e->m3) {
        le_m3_output_free(e->m3, GROUP_TEXTS);
        le_status s = le_embed_m3(e->m, n, ptrs, lens, &e->eo, e->m3, res, err);
        for (size_t i = 0; !s && i < n; i++)
            memcpy(e->vecs + i * (size_t)e->dim, e->m3[i].dense, (size_t)e->dim * sizeof(float));
        return s;
    }
    if (!e->passages) return le_embed(e->m, n, ptrs, lens, &e->eo, e->vecs, res, err);
    le_passages_free(e->pres);
    e->pres = NULL;
    le_status s = le_embed_passages(e->m, n, ptrs, lens, &e->eo, &e->po, &e->pres, res, err);
    if (!s) memcpy(e->vecs, le_passages_documents(e->pres), n * (size_t)e->dim * sizeof(float));
    return s;
}

static void write_error(const cli_text *t, const char *msg) {
    printf("{\"id\":%s,\"error\":", t->id_json);
    cli_json_string(stdout, msg, strlen(msg));
    fputs("}\n", stdout);
}

/* An input that is no text (t->error): with --keep-going its error line,
 * else the message; 0 to go on, -1 to stop. Both count as a failure. */
static int bad_text(embed_cli *e, const cli_text *t) {
    e->failures++;
    cli_progress_texts(e->progress, 1);
    if (!e->keep_going) {
        cli_flush_output();
        cli_error("%s", t->error);
        return -1;
    }
    write_error(t, t->error);
    return 0;
}

static void on_progress(size_t done, size_t total, void *user) {
    cli_progress_tokens(user, done, total);
}

/* Embeds texts[0..n); on a bad text, salvages the others one by one so every
 * good text before it is written. Returns 0, or -1 to stop. */
static int embed_group(embed_cli *e, cli_text *texts, size_t n) {
    const char *ptrs[GROUP_TEXTS];
    size_t lens[GROUP_TEXTS];
    le_text_result res[GROUP_TEXTS];
    for (size_t i = 0; i < n; i++) {
        ptrs[i] = texts[i].text;
        lens[i] = texts[i].len;
    }
    le_error err;
    le_status s = embed_texts(e, n, ptrs, lens, res, &err);
    if (s == LE_OK) {
        for (size_t i = 0; i < n; i++) write_vector(e, &texts[i], &res[i], e->vecs + i * e->dim, i);
        cli_progress_texts(e->progress, n);
        return 0;
    }
    if (err.text_index < 0) { /* not about one text: an option or the machine */
        cli_error("%s", err.message);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        s = embed_texts(e, 1, &ptrs[i], &lens[i], res, &err);
        if (s == LE_OK) {
            write_vector(e, &texts[i], &res[0], e->vecs, 0);
        } else {
            /* "text 0: <why>" → "<where>: <why>" */
            const char *why = err.message;
            if (!strncmp(why, "text 0: ", 8)) why += 8;
            e->failures++;
            if (!e->keep_going || err.text_index < 0) {
                cli_flush_output();
                cli_error("%s (id %s): %s", texts[i].where, texts[i].id_json, why);
                return -1;
            }
            write_error(&texts[i], why);
        }
        cli_progress_texts(e->progress, 1);
    }
    return 0;
}

/* Handles the options of the input and of the embedding (cli_embed_option):
 * 1 when c was one, 0 when not, -1 on a bad value (message printed). */
static int text_option(embed_cli *e, int c, const char *arg) {
    switch (c) {
    case 2010: return cli_input_option(arg, &e->format) ? -1 : 1;
    case 2011: e->keep_going = 1; return 1;
    case 2020:
        if ((e->outputs = parse_outputs(arg))) return 1;
        cli_error("--output: a comma-separated list of dense, sparse, colbert, not \"%s\"", arg);
        return -1;
    default: return cli_embed_option(&e->eo, &e->prefix_arg, c, arg);
    }
}

/* --passages, --passage-overlap, --passage-mode: 1 taken, -1 bad value
 * (message printed), 0 not one of them. */
static int passage_option(embed_cli *e, int c, const char *arg) {
    if (c < 2017 || c > 2019) return 0;
    e->passages |= c == 2017;
    return cli_passage_option(&e->po, c - 2017, arg);
}

/* Parses the command line into e: 0 to go on, 1 after printing the help,
 * -1 on bad usage (message printed). The inputs start at optind. */
static int parse_options(embed_cli *e, int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_LONG_OPTIONS,
                                         CLI_EMBED_LONG_OPTIONS,
                                         {"input", required_argument, 0, 2010},
                                         {"keep-going", no_argument, 0, 2011},
                                         {"passages", required_argument, 0, 2017},
                                         {"passage-overlap", required_argument, 0, 2018},
                                         {"passage-mode", required_argument, 0, 2019},
                                         {"output", required_argument, 0, 2020},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT CLI_EMBED_SHORT, opts, NULL)) != -1) {
        int r = cli_common_option(&e->common, c, optarg);
        if (!r) r = text_option(e, c, optarg);
        if (!r) r = passage_option(e, c, optarg);
        if ((r = cli_option_end(r, c, USAGE))) return r;
    }
    return 0;
}

int cmd_embed(int argc, char **argv) {
    embed_cli e;
    memset(&e, 0, sizeof e);
    cli_common_init(&e.common);
    le_embed_options_init(&e.eo);
    le_passage_options_init(&e.po);
    e.outputs = OUT_DENSE;
    int r = parse_options(&e, argc, argv);
    if (r) return r > 0 ? CLI_OK : CLI_USAGE;
    if (e.passages && (e.outputs & (OUT_SPARSE | OUT_COLBERT))) {
        cli_error("--output sparse and colbert do not combine with --passages");
        return CLI_USAGE;
    }
    if (!e.passages && (e.po.overlap != -1 || e.po.mode != LE_PASSAGE_CHUNK)) {
        cli_error("--passage-overlap and --passage-mode need --passages N");
        return CLI_USAGE;
    }
    cli_setup_logging(&e.common);
    e.m = cli_open_model(&e.common);
    if (!e.m) return CLI_FAIL;
    resolve_prefix(&e);
    e.dim = le_model_dim(e.m);
    e.vecs = malloc(sizeof(float) * (size_t)e.dim * GROUP_TEXTS);
    if (e.outputs & (OUT_SPARSE | OUT_COLBERT) && !(e.m3 = calloc(GROUP_TEXTS, sizeof *e.m3))) {
        free(e.vecs);
        e.vecs = NULL;
    }
    int n_files = argc - optind;
    cli_progress prog;
    cli_progress_start(&prog, "embed", (size_t)n_files, e.common.quiet);
    e.progress = &prog;
    e.eo.progress = on_progress;
    e.eo.progress_user = &prog;
    cli_input in;
    cli_input_init(&in, argv + optind, n_files, e.format);
    cli_text group[GROUP_TEXTS], t;
    size_t n = 0, bytes = 0;
    int rc = CLI_OK, got;
    while (e.vecs) {
        got = cli_input_next(&in, &t);
        if (got == -1) {
            rc = CLI_FAIL;
            break;
        }
        if (got == 1) {
            bytes += t.len;
            group[n++] = t;
        }
        int stop = 0;
        if (n && (got != 1 || n == GROUP_TEXTS || bytes >= GROUP_BYTES)) {
            stop = embed_group(&e, group, n);
            for (size_t i = 0; i < n; i++) cli_text_free(&group[i]);
            n = bytes = 0;
        }
        if (got == CLI_INPUT_BAD) {
            if (!stop) stop = bad_text(&e, &t);
            cli_text_free(&t);
        }
        if (stop || cli_output_failed()) { /* a failed write: main says why */
            rc = CLI_FAIL;
            break;
        }
        if (got == 0) break;
    }
    if (!e.vecs) cli_error("out of memory");
    for (size_t i = 0; i < n; i++) cli_text_free(&group[i]);
    cli_progress_finish(&prog);
    if (e.failures && rc == CLI_OK) rc = CLI_FAIL; /* main checks the output */
    cli_input_free(&in);
    free(e.vecs);
    le_m3_output_free(e.m3, e.m3 ? GROUP_TEXTS : 0);
    free(e.m3);
    le_passages_free(e.pres);
    le_model_close(e.m);
    return e.vecs || rc ? rc : CLI_FAIL;
}
