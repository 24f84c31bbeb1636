/* longembed search: ranked documents of an index for text queries. */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *USAGE =
    "usage: longembed search --index FILE [OPTIONS] [QUERY...]\n"
    "Ranks the index's documents for each QUERY (or each line of standard input;\n"
    "with tab-separated lines, the first field is the query). In an index with\n"
    "passages, each hit also shows where it matches: its best passage (character\n"
    "and token span, and a snippet).\n\n"
    "Options:\n" CLI_COMMON_HELP
    "                        (default: the model the index was built with)\n"
    "  -i, --index FILE      the index (required)\n"
    "  -k N                  documents per query (default 10)\n"
    "      --mode M          dense (default with a model), bm25, hybrid; with a BGE-M3\n"
    "                        index also sparse, colbert (or multi) and m3 (compute_score's\n"
    "                        weighted mean of the dense, sparse and colbert scores)\n"
    "      --m3-weights D,S,C  m3: the weights of dense, sparse, colbert (default\n"
    "                        0.4,0.2,0.4)\n"
    "      --json            one JSON object per query\n"
    "      --exact           exact dense search even where there is an HNSW graph\n"
    "      --hnsw            the HNSW graph wherever there is one (default: the graph\n"
    "                        when its beam is cheaper than a scan, or when --ef is given)\n"
    "      --ef N            HNSW beam (default: the index's)\n"
    "      --fuse F          hybrid fusion: zscore ((s - min) / sd per list, default), weighted\n"
    "                        (min-max normalised scores) or rrf\n"
    "      --dense-weight W  hybrid weight of dense scores (default 0.3)\n"
    "      --bm25-weight W   hybrid weight of BM25 scores (default 0.7)\n"
    "      --rrf-k K         the RRF constant (default 60)\n"
    "      --candidates N    hits per list before fusion (default max(k, 100))\n"
    "      --bm25-k1 X, --bm25-b X   BM25 parameters (default 1.2, 0.75)\n"
    "      --truncate        cut a query longer than the index's token limit to it\n"
    "                        (default: such a query is an error, as for embed)\n"
    "      --passage-topk N  an index with passages: a document's dense score is the mean\n"
    "                        of its best N passage scores (default 1: the best)\n";

/* Writes ,"key":v; JSON has no NaN or infinity, so one (which the index
 * never gives for a hit) is written as null rather than as invalid JSON. */
static void json_score(const char *key, float v) {
    if (isfinite(v)) printf(",\"%s\":%.6g", key, (double)v);
    else printf(",\"%s\":null", key);
}

/* The longest snippet of a passage, in characters. */
#define SNIPPET_CHARS 160

/* The passage p of document d as JSON: its number, character span (null
 * when the text is not stored), bytes, tokens, score and whole text. */
static void json_passage(const le_index_doc_info *d, const le_hit_passage *p) {
    printf(",\"passage\":{\"index\":%ld,", p->passage);
    if (d->text)
        printf("\"start\":%zu,\"end\":%zu,", cli_utf8_chars(d->text, p->byte_start),
               cli_utf8_chars(d->text, p->byte_end));
    else
        fputs("\"start\":null,\"end\":null,", stdout);
    printf("\"byte_start\":%zu,\"byte_end\":%zu,\"token_start\":%d,\"token_end\":%d",
           p->byte_start, p->byte_end, p->token_start, p->token_end);
    json_score("score", p->score);
    fputs(",\"text\":", stdout);
    if (d->text) cli_json_string(stdout, d->text + p->byte_start, p->byte_end - p->byte_start);
    else fputs("null", stdout);
    putchar('}');
}

/* The passage p of document d as one indented line: its number, character
 * span (bytes when the text is not stored), tokens and a snippet. */
static void text_passage(const le_index_doc_info *d, const le_hit_passage *p) {
    printf("      passage %ld: ", p->passage);
    if (d->text)
        printf("characters %zu-%zu", cli_utf8_chars(d->text, p->byte_start),
               cli_utf8_chars(d->text, p->byte_end));
    else
        printf("bytes %zu-%zu", p->byte_start, p->byte_end);
    printf(", tokens %d-%d", p->token_start, p->token_end);
    if (d->text) {
        fputs(": ", stdout);
        cli_snippet(stdout, d->text + p->byte_start, p->byte_end - p->byte_start, SNIPPET_CHARS);
    }
    putchar('\n');
}

static void print_hits(const char *query, int show_query, const le_search_options *so,
                       le_index *ix, const le_index_hit *hits, int n, int json) {
    const le_hit_passage *where = so->passages;
    if (json) {
        fputs("{\"query\":", stdout);
        cli_json_string(stdout, query, strlen(query));
        printf(",\"mode\":\"%s\",\"hits\":[", le_search_mode_name(so->mode));
        for (int i = 0; i < n; i++) {
            le_index_doc_info d;
            le_index_get_doc(ix, hits[i].doc, &d, NULL);
            printf(i ? ",{" : "{");
            printf("\"rank\":%d,\"id\":", i + 1);
            cli_json_string(stdout, d.id, strlen(d.id));
            json_score("score", hits[i].score);
            if (!isnan(hits[i].dense)) json_score("dense", hits[i].dense); /* NaN: not in the list */
            if (!isnan(hits[i].bm25)) json_score("bm25", hits[i].bm25);
            if (!isnan(hits[i].sparse)) json_score("sparse", hits[i].sparse);
            if (!isnan(hits[i].multi)) json_score("multi", hits[i].multi);
            fputs(",\"title\":", stdout);
            cli_json_string(stdout, d.title, strlen(d.title));
            fputs(",\"source\":", stdout);
            cli_json_string(stdout, d.source, strlen(d.source));
            printf(",\"tokens\":%d", d.tokens);
            if (where[i].passage >= 0) json_passage(&d, &where[i]);
            putchar('}');
        }
        puts("]}");
        return;
    }
    if (show_query) printf("? %s\n", query);
    if (n == 0) puts("   (no documents match)");
    for (int i = 0; i < n; i++) {
        le_index_doc_info d;
        le_index_get_doc(ix, hits[i].doc, &d, NULL);
        printf("%4d  %9.4f  %s", i + 1, (double)hits[i].score, d.id);
        if (so->mode == LE_SEARCH_M3)
            printf("  (dense %.4f, sparse %.4f, colbert %.4f)", (double)hits[i].dense,
                   (double)hits[i].sparse, (double)hits[i].multi);
        if (so->mode == LE_SEARCH_HYBRID) {
            fputs("  (", stdout);
            if (isnan(hits[i].dense)) fputs("dense -", stdout);
            else printf("dense %.4f", (double)hits[i].dense);
            if (isnan(hits[i].bm25)) fputs(", bm25 -", stdout);
            else printf(", bm25 %.4f", (double)hits[i].bm25);
            putchar(')');
        }
        if (d.title[0] && strcmp(d.title, d.id)) printf("  \"%s\"", d.title);
        putchar('\n');
        if (where[i].passage >= 0) text_passage(&d, &where[i]);
    }
}

/* The command line of search. */
typedef struct search_cli {
    cli_common common;
    le_search_options so;
    const char *index;
    int json, mode_given;
} search_cli;

/* Handles the options that choose how to search (mode, graph, fusion):
 * 1 when ch was one, 0 when not, -1 on a bad value (message printed). */
static int search_choice(search_cli *s, int ch, const char *arg) {
    le_error err;
    switch (ch) {
    case 'i': s->index = arg; return 1;
    case 4001:
        if (le_search_mode_parse(arg, &s->so.mode, &err)) {
            cli_error("--mode: %s", err.message);
            return -1;
        }
        s->mode_given = 1;
        return 1;
    case 4002: s->json = 1; return 1;
    case 4003: s->so.exact = 1; return 1;
    case 4013: s->so.exact = -1; return 1;
    case 4014: s->so.truncate = 1; return 1;
    case 4005:
        if (!strcmp(arg, "weighted"))
            s->so.fuse = LE_FUSE_WEIGHTED;
        else if (!strcmp(arg, "rrf"))
            s->so.fuse = LE_FUSE_RRF;
        else if (!strcmp(arg, "zscore"))
            s->so.fuse = LE_FUSE_ZSCORE;
        else {
            cli_error("--fuse: expected zscore, weighted or rrf, got \"%s\"", arg);
            return -1;
        }
        return 1;
    default: return 0;
    }
}

/* --m3-weights D,S,C into w: three numbers >= 0, not all 0; LE_OK or
 * LE_ERR_ARG (message printed). */
static le_status parse_m3_weights(const char *arg, double w[3]) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", arg);
    char *save = NULL, *tok = strtok_r(buf, ",", &save);
    int n = 0;
    for (; tok && n < 3; tok = strtok_r(NULL, ",", &save))
        if (cli_parse_double("--m3-weights", tok, 0, 1e6, &w[n++])) return LE_ERR_ARG;
    if (n != 3 || tok || strlen(arg) >= sizeof buf || w[0] + w[1] + w[2] <= 0) {
        cli_error("--m3-weights: expected three weights D,S,C (>= 0, not all 0), got \"%s\"", arg);
        return LE_ERR_ARG;
    }
    return LE_OK;
}

/* Handles the numeric options of search: 1 when ch was one, 0 when not,
 * -1 on a bad value (message printed). */
static int search_number(search_cli *s, int ch, const char *arg) {
    le_search_options *so = &s->so;
    le_status bad;
    switch (ch) {
    case 'k': bad = cli_parse_int("-k", arg, 1, 1 << 20, &so->k); break;
    case 4004: bad = cli_parse_int("--ef", arg, 1, 1 << 20, &so->ef); break;
    case 4006: bad = cli_parse_double("--dense-weight", arg, 0, 1e6, &so->dense_weight); break;
    case 4007: bad = cli_parse_double("--bm25-weight", arg, 0, 1e6, &so->bm25_weight); break;
    case 4008: bad = cli_parse_double("--rrf-k", arg, 0, 1e9, &so->rrf_k); break;
    case 4009: bad = cli_parse_int("--candidates", arg, 1, 1 << 20, &so->candidates); break;
    case 4010: bad = cli_parse_double("--bm25-k1", arg, 0, 1e6, &so->bm25_k1); break;
    case 4012: bad = cli_parse_int("--passage-topk", arg, 1, 1 << 20, &so->passage_topk); break;
    case 4011: bad = cli_parse_double("--bm25-b", arg, 0, 1, &so->bm25_b); break;
    case 4015: bad = parse_m3_weights(arg, so->m3_weights); break;
    default: return 0;
    }
    return bad ? -1 : 1;
}

/* Parses the command line into s: 0 to go on, 1 after printing the help,
 * -1 on bad usage (message printed); the queries start at optind. */
static int parse_search(search_cli *s, int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_LONG_OPTIONS,
                                         {"index", required_argument, 0, 'i'},
                                         {"mode", required_argument, 0, 4001},
                                         {"json", no_argument, 0, 4002},
                                         {"exact", no_argument, 0, 4003},
                                         {"hnsw", no_argument, 0, 4013},
                                         {"ef", required_argument, 0, 4004},
                                         {"fuse", required_argument, 0, 4005},
                                         {"dense-weight", required_argument, 0, 4006},
                                         {"bm25-weight", required_argument, 0, 4007},
                                         {"rrf-k", required_argument, 0, 4008},
                                         {"candidates", required_argument, 0, 4009},
                                         {"bm25-k1", required_argument, 0, 4010},
                                         {"bm25-b", required_argument, 0, 4011},
                                         {"passage-topk", required_argument, 0, 4012},
                                         {"truncate", no_argument, 0, 4014},
                                         {"m3-weights", required_argument, 0, 4015},
                                         {0, 0, 0, 0}};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, CLI_COMMON_SHORT "i:k:", opts, NULL)) != -1) {
        int r = cli_common_option(&s->common, ch, optarg);
        if (!r) r = search_choice(s, ch, optarg);
        if (!r) r = search_number(s, ch, optarg);
        if ((r = cli_option_end(r, ch, USAGE))) return r;
    }
    if (!s->index) {
        cli_error("no index given: use --index FILE");
        return -1;
    }
    return 0;
}

/* Opens the index of s (and the model when the mode needs vectors: the one
 * given, else the one the index was built with); the mode defaults to
 * dense with vectors, else bm25. Prints the error and returns -1 on
 * failure. */
static int open_search(search_cli *s, le_index **ix, le_model **m) {
    le_error err;
    *m = NULL;
    if (le_index_open(s->index, NULL, ix, &err) != LE_OK) {
        cli_error("%s", err.message);
        return -1;
    }
    le_index_info info;
    le_index_get_info(*ix, &info);
    if (!s->mode_given) s->so.mode = info.model.dim ? LE_SEARCH_DENSE : LE_SEARCH_BM25;
    /* a BGE-M3 index: its sparse and multi-vector queries come from the model too */
    int m3 = (s->so.mode == LE_SEARCH_SPARSE && info.model.sparse_vocab) ||
             (s->so.mode == LE_SEARCH_MULTI && info.model.multi_dim) ||
             (s->so.mode == LE_SEARCH_M3 && info.model.multi_dim && info.model.sparse_vocab);
    int need_model = m3 || s->so.mode == LE_SEARCH_DENSE ||
                     (s->so.mode == LE_SEARCH_HYBRID && info.model.dim);
    if (!need_model) return 0;
    if (!info.model.dim && !m3) {
        cli_error("%s has no dense vectors (built without a model): use --mode bm25", s->index);
        le_index_close(*ix);
        return -1;
    }
    cli_common mc = s->common;
    if (!mc.model) mc.model = info.model.model;
    if (!(*m = cli_open_model(&mc))) {
        le_index_close(*ix);
        return -1;
    }
    return 0;
}

/* The next query: the next argument, or with none the next non-empty
 * line of standard input up to its first tab; NULL at the end. where
 * (64 bytes) names it for messages; *bad is set for a line holding a NUL
 * byte, which would cut the query short. */
static const char *next_query(int from_stdin, int *qi, int argc, char **argv, char **line,
                              size_t *cap, char *where, int *bad) {
    static size_t line_no;
    if (!from_stdin) {
        snprintf(where, 64, "query %d", *qi - optind + 1);
        return *qi < argc ? argv[(*qi)++] : NULL;
    }
    for (;;) {
        ssize_t got = getline(line, cap, stdin);
        if (got < 0) return NULL;
        snprintf(where, 64, "stdin line %zu", ++line_no);
        *bad = memchr(*line, 0, (size_t)got) != NULL;
        (*line)[strcspn(*line, "\t\r\n")] = 0;
        if ((*line)[0] || *bad) return *line;
    }
}

/* Searches and prints every query; CLI_OK or CLI_FAIL (message printed). */
static int run_queries(search_cli *s, le_index *ix, le_model *m, int argc, char **argv) {
    le_error err;
    le_index_hit *hits = malloc((size_t)s->so.k * sizeof *hits);
    s->so.passages = malloc((size_t)s->so.k * sizeof *s->so.passages);
    char *line = NULL;
    size_t cap = 0;
    int from_stdin = optind >= argc, qi = optind, rc = CLI_OK, bad = 0;
    char where[64];
    const char *query;
    while ((query = next_query(from_stdin, &qi, argc, argv, &line, &cap, where, &bad))) {
        int n = 0;
        if (!hits || !s->so.passages) {
            cli_error("out of memory");
            rc = CLI_FAIL;
            break;
        }
        if (bad) {
            cli_error("%s: contains a NUL byte", where);
            rc = CLI_FAIL;
            break;
        }
        if (le_index_search_text(ix, m, query, &s->so, hits, &n, &err) != LE_OK) {
            cli_error("%s: %s", where, err.message);
            rc = CLI_FAIL;
            break;
        }
        print_hits(query, from_stdin || argc - optind > 1, &s->so, ix, hits, n, s->json);
        if (cli_output_failed()) { /* nobody reads on: stop (main says why) */
            rc = CLI_FAIL;
            break;
        }
    }
    free(line);
    free(hits);
    free(s->so.passages);
    return rc;
}

int cmd_search(int argc, char **argv) {
    search_cli s = {0};
    cli_common_init(&s.common);
    le_search_options_init(&s.so);
    s.so.truncate = 0; /* a query longer than the limit is an error, as a text for embed */
    int r = parse_search(&s, argc, argv);
    if (r) return r > 0 ? CLI_OK : CLI_USAGE;
    cli_setup_logging(&s.common);
    le_index *ix;
    le_model *m;
    if (open_search(&s, &ix, &m)) return CLI_FAIL;
    int rc = run_queries(&s, ix, m, argc, argv); /* main checks the output (cli_finish_output) */
    le_model_close(m);
    le_index_close(ix);
    return rc;
}
