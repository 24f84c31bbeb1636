/* longembed serve: the HTTP server (src/server, docs/server.md). The CLI
 * reads the options, opens the model and hands both to le_srv_run. */
#include "cli.h"

#include "server/server.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char *USAGE =
    "usage: longembed serve -m MODEL [OPTIONS]\n"
    "Serves embeddings (OpenAI POST /v1/embeddings; TEI POST /embed, /tokenize) and\n"
    "search over indexes (POST /search, /index/add, /index/delete, /index/reload) on\n"
    "HTTP, with GET /health, /v1/models, /info and /metrics (docs/server.md). Concurrent\n"
    "requests are batched together. SIGHUP re-opens the indexes; SIGTERM stops after\n"
    "the requests in flight.\n\n"
    "Options:\n" CLI_COMMON_HELP
    "      --host ADDR       address to listen on (default 127.0.0.1)\n"
    "      --port N          port (default 8080; 0: any free one, printed on stderr)\n"
    "      --index [NAME=]FILE  an index to search and update (repeatable; NAME defaults to\n"
    "                        the file name without .lei); created empty when missing\n"
    "      --api-key KEY     every request (but /health) needs Authorization: Bearer KEY\n"
    "      --api-key-file F  the key is the first line of F\n"
    "      --max-request-bytes N  largest request body (default 16MiB; K, M, KiB, MiB ...)\n"
    "      --max-queue N     embedding requests waiting before 429 (default 256)\n"
    "      --max-batch-tokens N  tokens of one forward batch shared by requests (default 8192)\n"
    "      --max-tokens-per-text N  longer inputs are refused (413) unless truncated\n"
    "                        (default 32768)\n"
    "      --http-threads N  threads reading and writing connections (default 4)\n"
    "      --timeout S       close connections idle or stalled for S seconds (default 30)\n"
    "      --shutdown-timeout S  on SIGTERM, wait at most S seconds for requests (default 30)\n"
    "      --matryoshka      the model is Matryoshka-trained: 'dimensions' below its own\n"
    "                        truncate and renormalise\n"
    "      --llm MODEL       also a decoder (a GGUF file or alias: smollm2) for POST\n"
    "                        /v1/completions, /v1/chat/completions and /ask\n"
    "      --llm-precision P the decoder's activations: exact (default) or q8\n"
    "      --llm-ctx N       the decoder's context in tokens (default: the model's)\n"
    "      --llm-max-queue N generation requests waiting before 429 (default 16)\n"
    "      --llm-prefix-cache-mb N  memory for copies of earlier prompts' KV cache, so a\n"
    "                        prompt sharing its start with any of them (another chat, a\n"
    "                        document asked again) skips that prefill (default 1024; 0: none)\n"
    "      --memory-dir DIR  /ask's MemoRAG memory on disk (default ~/.cache/longembed/memory)\n"
    "      --no-memory-cache /ask keeps no MemoRAG memory on disk\n"
    "Defaults of every embedding request (a request may override them):\n" CLI_EMBED_HELP;

typedef struct serve_cli {
    cli_common common;
    le_srv_config cfg;
    const char *prefix_arg, *key_file;
    const char *llm;   /* --llm: the decoder to open, NULL: none */
    le_llm_options lo; /* its options */
    le_srv_index_spec *indexes;
    char **names; /* the names made from file names (freed at the end), else NULL */
    size_t n_indexes;
} serve_cli;

/* A byte count with an optional K, M, G (x1000) or KiB, MiB, GiB suffix. */
static int parse_bytes(const char *s, size_t *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    static const struct { const char *suffix; double mul; } units[] = {
        {"", 1}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"KiB", 1024.0}, {"MiB", 1048576.0},
        {"GiB", 1073741824.0}};
    for (size_t i = 0; !errno && end != s && i < sizeof units / sizeof *units; i++)
        if (!strcmp(end, units[i].suffix) && v * units[i].mul >= 1 && v * units[i].mul <= 1e12) {
            *out = (size_t)(v * units[i].mul);
            return 0;
        }
    cli_error("--max-request-bytes: expected a size such as 16MiB, got \"%s\"", s);
    return -1;
}

/* --index [NAME=]FILE */
static int add_index(serve_cli *sv, char *arg) {
    char *eq = strchr(arg, '='), *base = NULL;
    const char *path = eq ? eq + 1 : arg, *name = arg;
    if (eq) *eq = 0;
    else {
        const char *slash = strrchr(arg, '/');
        if (!(base = strdup(slash ? slash + 1 : arg))) return -1;
        char *dot = strrchr(base, '.');
        if (dot && dot != base) *dot = 0;
        name = base;
    }
    char **names = realloc(sv->names, (sv->n_indexes + 1) * sizeof *names);
    if (names) sv->names = names;
    if (!names) {
        free(base);
        return -1;
    }
    sv->names[sv->n_indexes] = base; /* kept (and freed at the end) once the index is */
    const char *why = !*name || !*path ? "--index: expected [NAME=]FILE" : NULL;
    for (size_t i = 0; !why && i < sv->n_indexes; i++)
        if (!strcmp(sv->indexes[i].name, name))
            why = "--index: two indexes have the same name: name them (NAME=FILE)";
    if (why) {
        cli_error("%s", why);
        free(base);
        return -1;
    }
    le_srv_index_spec *p = realloc(sv->indexes, (sv->n_indexes + 1) * sizeof *p);
    if (!p) {
        free(base);
        return -1;
    }
    sv->indexes = p;
    sv->indexes[sv->n_indexes++] = (le_srv_index_spec){name, path};
    return 0;
}

/* The options of the server itself: 1 taken, 0 not one, -1 a bad value. */
static int server_option(serve_cli *sv, int c, char *arg) {
    le_srv_config *g = &sv->cfg;
    switch (c) {
    case 5001: g->host = arg; return 1;
    case 5002: return cli_parse_int("--port", arg, 0, 65535, &g->port) ? -1 : 1;
    case 5003: return add_index(sv, arg) ? -1 : 1;
    case 5004: g->api_key = arg; return 1;
    case 5005: sv->key_file = arg; return 1;
    case 5006: return parse_bytes(arg, &g->max_request_bytes) ? -1 : 1;
    case 5007: return cli_parse_int("--max-queue", arg, 1, 1 << 20, &g->max_queue) ? -1 : 1;
    case 5008:
        return cli_parse_int("--max-batch-tokens", arg, 16, 1 << 24, &g->max_batch_tokens) ? -1
                                                                                              : 1;
    case 5009:
        return cli_parse_int("--max-tokens-per-text", arg, 1, 1 << 24, &g->max_tokens_per_text)
                   ? -1
                   : 1;
    case 5010: return cli_parse_int("--http-threads", arg, 1, 256, &g->http_threads) ? -1 : 1;
    case 5011: return cli_parse_int("--timeout", arg, 1, 86400, &g->timeout_seconds) ? -1 : 1;
    case 5012:
        return cli_parse_int("--shutdown-timeout", arg, 0, 86400, &g->shutdown_seconds) ? -1 : 1;
    case 5013: g->matryoshka = 1; return 1;
    case 5014: sv->llm = arg; return 1;
    case 5015:
        if (strcmp(arg, "q8") && strcmp(arg, "exact")) {
            cli_error("--llm-precision: expected exact or q8, got \"%s\"", arg);
            return -1;
        }
        sv->lo.precision = arg;
        return 1;
    case 5016: return cli_parse_int("--llm-ctx", arg, 16, 1 << 20, &sv->lo.max_tokens) ? -1 : 1;
    case 5017: return cli_parse_int("--llm-max-queue", arg, 1, 1 << 16, &g->llm_max_queue) ? -1 : 1;
    case 5018: g->ask_memory_dir = arg; return 1;
    case 5019: g->ask_memory_dir = ""; return 1;
    case 5020: {
        int mb = 0;
        if (cli_parse_int("--llm-prefix-cache-mb", arg, 0, 1 << 22, &mb)) return -1;
        sv->lo.prefix_cache_bytes = (size_t)mb << 20;
        return 1;
    }
    default: return 0;
    }
}

static int parse_serve(serve_cli *sv, int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_LONG_OPTIONS,
                                         CLI_EMBED_LONG_OPTIONS,
                                         {"host", required_argument, 0, 5001},
                                         {"port", required_argument, 0, 5002},
                                         {"index", required_argument, 0, 5003},
                                         {"api-key", required_argument, 0, 5004},
                                         {"api-key-file", required_argument, 0, 5005},
                                         {"max-request-bytes", required_argument, 0, 5006},
                                         {"max-queue", required_argument, 0, 5007},
                                         {"max-batch-tokens", required_argument, 0, 5008},
                                         {"max-tokens-per-text", required_argument, 0, 5009},
                                         {"http-threads", required_argument, 0, 5010},
                                         {"timeout", required_argument, 0, 5011},
                                         {"shutdown-timeout", required_argument, 0, 5012},
                                         {"matryoshka", no_argument, 0, 5013},
                                         {"llm", required_argument, 0, 5014},
                                         {"llm-precision", required_argument, 0, 5015},
                                         {"llm-ctx", required_argument, 0, 5016},
                                         {"llm-max-queue", required_argument, 0, 5017},
                                         {"memory-dir", required_argument, 0, 5018},
                                         {"no-memory-cache", no_argument, 0, 5019},
                                         {"llm-prefix-cache-mb", required_argument, 0, 5020},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT CLI_EMBED_SHORT, opts, NULL)) != -1) {
        int r = cli_common_option(&sv->common, c, optarg);
        if (!r) r = cli_embed_option(&sv->cfg.eo, &sv->prefix_arg, c, optarg);
        if (!r) r = server_option(sv, c, optarg);
        if ((r = cli_option_end(r, c, USAGE))) return r;
    }
    if (optind < argc) {
        cli_error("serve takes no arguments (got \"%s\")", argv[optind]);
        return -1;
    }
    return 0;
}

/* The first line of the key file into *key (malloc'd); -1 (message printed). */
static int read_key(const char *path, char **key) {
    FILE *f = fopen(path, "r");
    if (!f) {
        cli_error("--api-key-file: cannot read %s", path);
        return -1;
    }
    char line[1024];
    *key = NULL;
    if (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[0]) *key = strdup(line);
    }
    fclose(f);
    if (!*key) cli_error("--api-key-file: %s holds no key on its first line", path);
    return *key ? 0 : -1;
}

/* The decoder of --llm into sv->cfg.llm (NULL without --llm); -1 after
 * printing why it cannot be opened. */
static int open_llm(serve_cli *sv) {
    if (!sv->llm) return 0;
    sv->lo.threads = sv->common.mo.threads;
    sv->lo.isa = sv->common.mo.isa;
    sv->lo.cache_dir = sv->common.mo.cache_dir;
    le_error err;
    if (le_llm_open(sv->llm, &sv->lo, &sv->cfg.llm, &err) == LE_OK) return 0;
    cli_error("--llm: %s", err.message);
    return -1;
}

static void free_serve(serve_cli *sv) {
    for (size_t i = 0; i < sv->n_indexes; i++) free(sv->names[i]);
    free(sv->names);
    free(sv->indexes);
}

int cmd_serve(int argc, char **argv) {
    serve_cli sv;
    memset(&sv, 0, sizeof sv);
    cli_common_init(&sv.common);
    le_srv_config_init(&sv.cfg);
    le_llm_options_init(&sv.lo);
    sv.lo.prefix_cache_bytes = (size_t)1024 << 20;
    int r = parse_serve(&sv, argc, argv);
    char *key = NULL;
    if (!r && sv.key_file && sv.cfg.api_key) {
        cli_error("give --api-key or --api-key-file, not both");
        r = -1;
    }
    if (!r && sv.key_file && read_key(sv.key_file, &key)) r = -1;
    if (r) {
        free_serve(&sv);
        return r > 0 ? CLI_OK : CLI_USAGE;
    }
    if (key) sv.cfg.api_key = key;
    cli_setup_logging(&sv.common);
    le_srv_block_signals(); /* before the model's thread pool starts */
    le_model *m = cli_open_model(&sv.common);
    int rc = CLI_FAIL;
    if (m && open_llm(&sv)) {
        le_model_close(m);
        m = NULL;
    }
    if (m) {
        if (sv.prefix_arg) sv.cfg.eo.prefix = le_prefix_resolve(m, sv.prefix_arg);
        sv.cfg.model = m;
        sv.cfg.model_spec = sv.common.model;
        sv.cfg.model_options = &sv.common.mo;
        sv.cfg.indexes = sv.indexes;
        sv.cfg.n_indexes = sv.n_indexes;
        sv.cfg.verbose = sv.common.verbose;
        le_error err;
        if (le_srv_run(&sv.cfg, &err) == LE_OK) rc = CLI_OK;
        else cli_error("%s", err.message);
        le_model_close(m);
        le_llm_close(sv.cfg.llm);
    }
    free(key);
    free_serve(&sv);
    return rc;
}
