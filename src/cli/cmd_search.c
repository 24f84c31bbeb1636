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
    "with tab-separated lines, the first field is the query).\n\n"
    "Options:\n" CLI_COMMON_HELP
    "                        (default: the model the index was built with)\n"
    "  -i, --index FILE      the index (required)\n"
    "  -k N                  documents per query (default 10)\n"
    "      --mode M          dense (default with a model), bm25, hybrid, sparse, multi\n"
    "      --json            one JSON object per query\n"
    "      --exact           exact dense search even where there is an HNSW graph\n"
    "      --hnsw            the HNSW graph wherever there is one (default: the graph\n"
    "                        when its beam is cheaper than a scan, or when --ef is given)\n"
    "      --ef N            HNSW beam (default: the index's)\n"
    "      --fuse F          hybrid fusion: weighted (min-max normalised scores, default) or rrf\n"
    "      --dense-weight W  hybrid weight of dense scores (default 0.5)\n"
    "      --bm25-weight W   hybrid weight of BM25 scores (default 0.5)\n"
    "      --rrf-k K         the RRF constant (default 60)\n"
    "      --candidates N    hits per list before fusion (default max(k, 100))\n"
    "      --bm25-k1 X, --bm25-b X   BM25 parameters (default 1.2, 0.75)\n";

static void print_hits(const char *query, int show_query, const le_search_options *so,
                       le_index *ix, const le_index_hit *hits, int n, int json) {
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
            printf(",\"score\":%.6g", (double)hits[i].score);
            if (!isnan(hits[i].dense)) printf(",\"dense\":%.6g", (double)hits[i].dense);
            if (!isnan(hits[i].bm25)) printf(",\"bm25\":%.6g", (double)hits[i].bm25);
            if (!isnan(hits[i].sparse)) printf(",\"sparse\":%.6g", (double)hits[i].sparse);
            if (!isnan(hits[i].multi)) printf(",\"multi\":%.6g", (double)hits[i].multi);
            fputs(",\"title\":", stdout);
            cli_json_string(stdout, d.title, strlen(d.title));
            fputs(",\"source\":", stdout);
            cli_json_string(stdout, d.source, strlen(d.source));
            printf(",\"tokens\":%d}", d.tokens);
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
    }
}

int cmd_search(int argc, char **argv) {
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
                                         {0, 0, 0, 0}};
    cli_common common;
    cli_common_init(&common);
    le_search_options so;
    le_search_options_init(&so);
    const char *index = NULL;
    int json = 0, mode_given = 0;
    le_error err;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, CLI_COMMON_SHORT "i:k:", opts, NULL)) != -1) {
        int r = cli_common_option(&common, ch, optarg);
        if (r < 0) return CLI_USAGE;
        if (r) continue;
        switch (ch) {
        case 'h': fputs(USAGE, stdout); return CLI_OK;
        case 'i': index = optarg; break;
        case 'k':
            if (cli_parse_int("-k", optarg, 1, 1 << 20, &so.k)) return CLI_USAGE;
            break;
        case 4001:
            if (le_search_mode_parse(optarg, &so.mode, &err)) {
                cli_error("--mode: %s", err.message);
                return CLI_USAGE;
            }
            mode_given = 1;
            break;
        case 4002: json = 1; break;
        case 4003: so.exact = 1; break;
        case 4013: so.exact = -1; break;
        case 4004:
            if (cli_parse_int("--ef", optarg, 1, 1 << 20, &so.ef)) return CLI_USAGE;
            break;
        case 4005:
            if (!strcmp(optarg, "weighted")) so.fuse = LE_FUSE_WEIGHTED;
            else if (!strcmp(optarg, "rrf")) so.fuse = LE_FUSE_RRF;
            else {
                cli_error("--fuse: expected weighted or rrf, got \"%s\"", optarg);
                return CLI_USAGE;
            }
            break;
        case 4006:
            if (cli_parse_double("--dense-weight", optarg, 0, 1e6, &so.dense_weight)) return CLI_USAGE;
            break;
        case 4007:
            if (cli_parse_double("--bm25-weight", optarg, 0, 1e6, &so.bm25_weight)) return CLI_USAGE;
            break;
        case 4008:
            if (cli_parse_double("--rrf-k", optarg, 0, 1e9, &so.rrf_k)) return CLI_USAGE;
            break;
        case 4009:
            if (cli_parse_int("--candidates", optarg, 1, 1 << 20, &so.candidates)) return CLI_USAGE;
            break;
        case 4010:
            if (cli_parse_double("--bm25-k1", optarg, 0, 1e6, &so.bm25_k1)) return CLI_USAGE;
            break;
        case 4011:
            if (cli_parse_double("--bm25-b", optarg, 0, 1, &so.bm25_b)) return CLI_USAGE;
            break;
        default: fputs(USAGE, stderr); return CLI_USAGE;
        }
    }
    if (!index) {
        cli_error("no index given: use --index FILE");
        return CLI_USAGE;
    }
    cli_setup_logging(&common);
    le_index *ix;
    if (le_index_open(index, NULL, &ix, &err) != LE_OK) {
        cli_error("%s", err.message);
        return CLI_FAIL;
    }
    le_index_info info;
    le_index_get_info(ix, &info);
    if (!mode_given) so.mode = info.model.dim ? LE_SEARCH_DENSE : LE_SEARCH_BM25;
    le_model *m = NULL;
    int rc = CLI_OK;
    int need_model = so.mode == LE_SEARCH_DENSE || (so.mode == LE_SEARCH_HYBRID && info.model.dim);
    if (need_model) {
        if (!info.model.dim) {
            cli_error("%s has no dense vectors (built without a model): use --mode bm25", index);
            le_index_close(ix);
            return CLI_FAIL;
        }
        if (!common.model) common.model = info.model.model;
        if (!(m = cli_open_model(&common))) {
            le_index_close(ix);
            return CLI_FAIL;
        }
    }
    le_index_hit *hits = malloc((size_t)so.k * sizeof *hits);
    char *line = NULL;
    size_t cap = 0;
    int from_stdin = optind >= argc;
    for (int qi = optind;; qi++) {
        const char *query;
        if (from_stdin) {
            ssize_t got = getline(&line, &cap, stdin);
            if (got < 0) break;
            line[strcspn(line, "\t\r\n")] = 0;
            if (!line[0]) continue;
            query = line;
        } else {
            if (qi >= argc) break;
            query = argv[qi];
        }
        int n = 0;
        if (!hits) {
            cli_error("out of memory");
            rc = CLI_FAIL;
            break;
        }
        if (le_index_search_text(ix, m, query, &so, hits, &n, &err) != LE_OK) {
            cli_error("%s", err.message);
            rc = CLI_FAIL;
            break;
        }
        print_hits(query, from_stdin || argc - optind > 1, &so, ix, hits, n, json);
    }
    if (fflush(stdout) != 0) {
        cli_error("cannot write the output");
        rc = CLI_FAIL;
    }
    free(line);
    free(hits);
    le_model_close(m);
    le_index_close(ix);
    return rc;
}
