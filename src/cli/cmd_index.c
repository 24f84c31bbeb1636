/* longembed index add|delete|compact|info|verify: build and look after a
 * retrieval index file. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "base/clock.h"
#include "input.h"
#include "progress.h"

#define GROUP_TEXTS 16
#define GROUP_BYTES ((size_t)2 << 20)

static const char *USAGE =
    "usage: longembed index add|delete|compact|info|verify --index FILE [OPTIONS]\n\n"
    "  index add --index FILE [-m MODEL] [OPTIONS] [FILE...]\n"
    "      Adds each FILE as one document (id: the path as given), or else each line of\n"
    "      standard input (plain text, or JSONL {\"text\", \"id\"}). A document\n"
    "      whose id is already in the index replaces it. The index is created on first\n"
    "      use and remembers the model and method; a different one is refused.\n"
    "  index delete --index FILE ID...     deletes documents by id\n"
    "  index compact --index FILE          rewrites the index without deleted documents\n"
    "  index info --index FILE [--json] [--docs]   model, settings, sizes (and documents)\n"
    "  index verify --index FILE [--deep]  checks every checksum and structure\n\n"
    "Options of add:\n" CLI_COMMON_HELP
    "                        (default for an existing index: the model it was built with)\n"
    "      --bm25-only       no model: an index for BM25 search only\n"
    "      --extend METHOD   none, pcw, gp, rp, pi: how documents past the window are embedded\n"
    "      --max-tokens N    most tokens per document (default: what the method allows)\n"
    "      --truncate        cut longer documents to --max-tokens instead of failing\n"
    "      --prefix P        text put before every document, or a preset as for embed\n"
    "                        (default: the model's passage prefix)\n"
    "      --pooling P       cls, mean or max (default: as the model declares)\n"
    "      --batch-tokens N  token budget of one forward batch (default 8192)\n"
    "      --passages N      each document is also cut into passages of about N tokens, each\n"
    "                        with its own vector; search scores a document by its best\n"
    "                        passage and shows it (default for a new index: the model's\n"
    "                        window less its special tokens; 0: that default)\n"
    "      --passage-overlap K  tokens consecutive passages share (default: an eighth of a\n"
    "                        passage, 32 of MiniLM's 254; 0: none)\n"
    "      --passage-mode M  chunk (each passage embedded alone, default) or late (late\n"
    "                        chunking: pooled from the whole document's windows)\n"
    "      --no-passages     one vector per document, no passages (new index only)\n"
    "      --int8            store vectors as int8 with a scale each (new index only)\n"
    "      --hnsw-m N        HNSW links per node (default 32; new index only)\n"
    "      --ef-construction N  HNSW build beam (default 200; new index only)\n"
    "      --ef-search N     default HNSW search beam (default: calibrated per graph for\n"
    "                        recall@10 >= 0.99 on the index's own vectors; new index only)\n"
    "      --hnsw-min-docs N segments smaller than this are searched exactly (default 10000)\n"
    "      --no-store-text   keep only the source path and offsets, not the text\n"
    "      --no-stopwords    BM25 keeps English stop words (new index only)\n"
    "      --checkpoint S    commit at least every S seconds of a long add (default 300; 0: at end)\n"
    "      --keep-going      skip documents that fail (too long, invalid UTF-8, bad JSONL\n"
    "                        lines, missing files, directories) and go on (exit 1 at end)\n"
    "      --input FORMAT    stdin format: auto (default), lines, jsonl\n";

typedef struct index_cli {
    cli_common common;
    const char *index;
    le_embed_options eo;
    int given_extend, given_max_tokens, given_pooling, given_prefix;
    const char *prefix;
    le_passage_options po;
    int given_passages, no_passages; /* --passages/-overlap/-mode; --no-passages */
    le_index_options io;
    int bm25_only, json, docs, deep, keep_going;
    int checkpoint;
    input_format format;
    size_t existing_docs; /* add: the live documents of the index before the run */
} index_cli;

/* Handles the options of how documents are embedded: 1 when ch was one,
 * 0 when not, -1 on a bad value (message printed). */
static int embed_option(index_cli *c, int ch, const char *arg) {
    le_error err;
    switch (ch) {
    case 3002:
        if (le_extend_parse(arg, &c->eo.extend, &err)) {
            cli_error("--extend: %s", err.message);
            return -1;
        }
        c->given_extend = 1;
        return 1;
    case 3003:
        if (cli_parse_int("--max-tokens", arg, 1, 1 << 30, &c->eo.max_tokens)) return -1;
        c->given_max_tokens = 1;
        return 1;
    case 3004: c->eo.truncate = 1; return 1;
    case 3005:
        c->prefix = arg;
        c->given_prefix = 1;
        return 1;
    case 3006:
        c->given_pooling = 1;
        return cli_pooling_option(arg, &c->eo.pooling);
    case 3007:
        return cli_parse_int("--batch-tokens", arg, 1, 1 << 30, &c->eo.batch_tokens) ? -1 : 1;
    default: return 0;
    }
}

/* Handles how documents are cut into passages: 1 when ch was one, 0 when
 * not, -1 on a bad value (message printed). */
static int passage_option(index_cli *c, int ch, const char *arg) {
    if (ch == 3024) {
        c->no_passages = 1;
        return 1;
    }
    if (ch < 3021 || ch > 3023) return 0;
    c->given_passages = 1;
    return cli_passage_option(&c->po, ch - 3021, arg);
}

/* Handles the settings of a new index: 1 when ch was one, 0 when not, -1
 * on a bad value (message printed). */
static int setting_option(le_index_options *io, int ch, const char *arg) {
    le_status bad;
    switch (ch) {
    case 3008: io->encoding = LE_VEC_I8; return 1;
    case 3009: bad = cli_parse_int("--hnsw-m", arg, 2, 256, &io->hnsw_m); break;
    case 3010:
        bad = cli_parse_int("--ef-construction", arg, 1, 65536, &io->hnsw_ef_construction);
        break;
    case 3011: bad = cli_parse_int("--ef-search", arg, 0, 1 << 20, &io->hnsw_ef_search); break;
    case 3012: bad = cli_parse_int("--hnsw-min-docs", arg, 0, INT_MAX, &io->hnsw_min_docs); break;
    case 3013: io->store_text = 0; return 1;
    case 3014: io->stopwords = 0; return 1;
    default: return 0;
    }
    return bad ? -1 : 1;
}

/* Handles the options of the run itself (the index, input, checkpoints,
 * what info and verify show): 1 when ch was one, 0 when not, -1 on a bad
 * value (message printed). */
static int run_option(index_cli *c, int ch, const char *arg) {
    switch (ch) {
    case 'i': c->index = arg; return 1;
    case 3001: c->bm25_only = 1; return 1;
    case 3015: return cli_parse_int("--checkpoint", arg, 0, INT_MAX, &c->checkpoint) ? -1 : 1;
    case 3016: c->keep_going = 1; return 1;
    case 3017: return cli_input_option(arg, &c->format) ? -1 : 1;
    case 3018: c->json = 1; return 1;
    case 3019: c->docs = 1; return 1;
    case 3020: c->deep = 1; return 1;
    default: return 0;
    }
}

/* Parses the options of an index subcommand into c: 0 to go on, 1 after
 * printing the help, -1 on bad usage (message printed). Arguments start at
 * optind. */
static int parse(index_cli *c, int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_LONG_OPTIONS,
                                         {"index", required_argument, 0, 'i'},
                                         {"bm25-only", no_argument, 0, 3001},
                                         {"extend", required_argument, 0, 3002},
                                         {"max-tokens", required_argument, 0, 3003},
                                         {"truncate", no_argument, 0, 3004},
                                         {"prefix", required_argument, 0, 3005},
                                         {"pooling", required_argument, 0, 3006},
                                         {"batch-tokens", required_argument, 0, 3007},
                                         {"int8", no_argument, 0, 3008},
                                         {"hnsw-m", required_argument, 0, 3009},
                                         {"ef-construction", required_argument, 0, 3010},
                                         {"ef-search", required_argument, 0, 3011},
                                         {"hnsw-min-docs", required_argument, 0, 3012},
                                         {"no-store-text", no_argument, 0, 3013},
                                         {"no-stopwords", no_argument, 0, 3014},
                                         {"checkpoint", required_argument, 0, 3015},
                                         {"keep-going", no_argument, 0, 3016},
                                         {"input", required_argument, 0, 3017},
                                         {"json", no_argument, 0, 3018},
                                         {"docs", no_argument, 0, 3019},
                                         {"deep", no_argument, 0, 3020},
                                         {"passages", required_argument, 0, 3021},
                                         {"passage-overlap", required_argument, 0, 3022},
                                         {"passage-mode", required_argument, 0, 3023},
                                         {"no-passages", no_argument, 0, 3024},
                                         {0, 0, 0, 0}};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, CLI_COMMON_SHORT "i:", opts, NULL)) != -1) {
        int r = cli_common_option(&c->common, ch, optarg);
        if (!r) r = embed_option(c, ch, optarg);
        if (!r) r = passage_option(c, ch, optarg);
        if (!r) r = setting_option(&c->io, ch, optarg);
        if (!r) r = run_option(c, ch, optarg);
        if ((r = cli_option_end(r, ch, USAGE))) return r;
    }
    if (!c->index) {
        cli_error("no index given: use --index FILE");
        return -1;
    }
    if (c->no_passages && c->given_passages) {
        cli_error("--no-passages and --passages/--passage-overlap/--passage-mode exclude each other");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ add */

/* The first non-empty line, trimmed, at most 120 bytes (cut at a character boundary). */
static char *title_of(const char *text, size_t len) {
    size_t i = 0;
    while (i < len) {
        while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
            i++;
        size_t e = i;
        while (e < len && text[e] != '\n') e++;
        size_t t = e;
        while (t > i && (text[t - 1] == ' ' || text[t - 1] == '\t' || text[t - 1] == '\r')) t--;
        if (t > i) {
            size_t n = t - i;
            if (n > 120) {
                n = 120;
                while (n > 0 && ((unsigned char)text[i + n] & 0xC0) == 0x80) n--;
            }
            return strndup(text + i, n);
        }
        i = e;
    }
    return strdup("");
}

/* The raw id of a cli_text (its id is a JSON literal). */
static char *raw_id(const cli_text *t) {
    cJSON *j = cJSON_Parse(t->id_json);
    char *s = NULL;
    if (cJSON_IsString(j)) s = strdup(j->valuestring);
    else s = strdup(t->id_json);
    cJSON_Delete(j);
    return s;
}

typedef struct add_state {
    index_cli *c;
    le_index_writer *w;
    le_model *m;
    cli_progress *prog;
    size_t added, failed;
    double tokens;
    double last_commit;
} add_state;

static void on_tokens(size_t done, size_t total, void *user) { cli_progress_tokens(user, done, total); }

/* Adds texts[0..n); on failure with --keep-going retries them one by one. */
static int add_group(add_state *a, cli_text *texts, const char *const *paths, size_t n) {
    le_index_doc docs[GROUP_TEXTS];
    le_text_result res[GROUP_TEXTS];
    char *ids[GROUP_TEXTS], *titles[GROUP_TEXTS], *sources[GROUP_TEXTS];
    int rc = 0;
    memset(docs, 0, sizeof docs);
    for (size_t i = 0; i < n; i++) {
        ids[i] = raw_id(&texts[i]);
        titles[i] = title_of(texts[i].text, texts[i].len);
        sources[i] = paths[i] ? realpath(paths[i], NULL) : NULL;
        docs[i].id = ids[i];
        docs[i].title = titles[i];
        docs[i].source = sources[i] ? sources[i] : "";
        docs[i].text = texts[i].text;
        docs[i].text_len = texts[i].len;
    }
    le_error err;
    le_status s;
    if (a->m) s = le_index_writer_add_texts(a->w, a->m, &a->c->eo, n, docs, res, &err);
    else s = le_index_writer_add(a->w, n, docs, &err);
    if (s == LE_OK) {
        a->added += n;
        for (size_t i = 0; a->m && i < n; i++) a->tokens += res[i].tokens;
        cli_progress_texts(a->prog, n);
    } else if (!a->c->keep_going || err.text_index < 0 || n == 1) {
        const char *why = err.message;
        long bad = err.text_index;
        if (bad >= 0 && bad < (long)n && !strncmp(why, "text ", 5)) {
            const char *colon = strstr(why, ": ");
            if (colon) why = colon + 2;
        }
        if (bad >= 0 && bad < (long)n && a->c->keep_going) {
            cli_error("%s: skipped: %s", texts[bad].where, why);
            a->failed++;
            cli_progress_texts(a->prog, 1);
        } else if (bad >= 0 && bad < (long)n) {
            cli_error("%s: %s", texts[bad].where, why);
            rc = -1;
        } else {
            cli_error("%s", err.message);
            rc = -1;
        }
    } else {
        for (size_t i = 0; i < n && rc == 0; i++) rc = add_group(a, &texts[i], &paths[i], 1);
    }
    for (size_t i = 0; i < n; i++) {
        free(ids[i]);
        free(titles[i]);
        free(sources[i]);
    }
    return rc;
}

static int commit(add_state *a, const char *why) {
    le_error err;
    size_t pending = le_index_writer_pending(a->w);
    if (le_index_writer_commit(a->w, &err) != LE_OK) {
        cli_error("%s", err.message);
        return -1;
    }
    if (why && !a->c->common.quiet && pending)
        fprintf(stderr, "\nlongembed: %s: %zu documents committed\n", why, pending);
    a->last_commit = le_now_seconds();
    return 0;
}

/* The spec of a model argument as the index should remember it: an alias
 * as given, a directory as an absolute path. */
static char *model_spec(const char *arg) {
    struct stat st;
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
        char *r = realpath(arg, NULL);
        if (r) return r;
    }
    return strdup(arg);
}

/* The model an existing index was built with (*have 0 when there is no
 * index yet); CLI_OK, or CLI_FAIL with the error printed. */
static int read_stored_model(index_cli *c, le_index_model *stored, int *have) {
    *have = 0;
    if (access(c->index, F_OK) != 0) return CLI_OK;
    le_error err;
    le_index_options o;
    le_index_options_init(&o);
    o.verify = 0;
    le_index *ix;
    if (le_index_open(c->index, &o, &ix, &err) != LE_OK) {
        cli_error("%s", err.message);
        return CLI_FAIL;
    }
    le_index_info info;
    le_index_get_info(ix, &info);
    *stored = info.model;
    *have = 1;
    c->existing_docs = info.docs;
    le_index_close(ix);
    return CLI_OK;
}

/* The model to embed with into *spec (NULL: none, a BM25-only index): -m,
 * else the one an existing index was built with. CLI_OK, or CLI_USAGE
 * with the error printed. */
static int choose_model(const index_cli *c, const le_index_model *stored, int have_stored,
                        char **spec) {
    *spec = NULL;
    if (c->bm25_only) {
        if (c->common.model) {
            cli_error("--bm25-only and -m exclude each other");
            return CLI_USAGE;
        }
    } else if (c->common.model) {
        *spec = model_spec(c->common.model);
    } else if (have_stored && stored->dim) {
        *spec = strdup(stored->model);
    } else if (!have_stored) {
        cli_error("no model given: use -m MODEL (e.g. minilm), or --bm25-only for an index "
                  "without vectors");
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* An existing index's method for the options not given, so that new
 * documents are embedded as the ones before (stored outlives c->eo). */
static void inherit_method(index_cli *c, const le_index_model *stored) {
    le_embed_options given = c->eo;
    le_index_model_embed_options(stored, LE_EMBED_DOCUMENTS, &c->eo);
    c->eo.batch_tokens = given.batch_tokens;
    c->eo.truncate = given.truncate;
    if (c->given_extend) c->eo.extend = given.extend;
    if (c->given_max_tokens) c->eo.max_tokens = given.max_tokens;
    if (c->given_pooling) c->eo.pooling = given.pooling;
}

/* The passages of the identity: as given; else an existing index's (or
 * none with --no-passages); else, for a new index, passages of the model's
 * window (docs/retrieval.md: passage vectors are what make dense search
 * add to BM25 on long documents). */
static le_status set_passages(index_cli *c, const le_index_model *stored, le_model *m,
                              le_index_model *ident, le_error *err) {
    if (c->no_passages) return LE_OK;
    if (stored && !c->given_passages) {
        ident->passage_tokens = stored->passage_tokens;
        ident->passage_overlap = stored->passage_overlap;
        ident->passage_mode = stored->passage_mode;
        return LE_OK;
    }
    return le_index_model_set_passages(ident, m, &c->po, err);
}

/* Opens model spec and describes the identity the index records for it
 * (stored: the existing index's, or NULL); prints the error and returns -1
 * on failure. */
static int open_add_model(index_cli *c, const char *spec, const le_index_model *stored,
                          le_model **m, le_index_model *ident) {
    le_error err;
    cli_common mc = c->common;
    mc.model = spec;
    if (!(*m = cli_open_model(&mc))) return -1;
    if (c->given_prefix) c->eo.prefix = le_prefix_resolve(*m, c->prefix);
    if (le_index_model_describe(*m, spec, &c->eo, ident, &err) != LE_OK ||
        set_passages(c, stored, *m, ident, &err) != LE_OK) {
        cli_error("%s", err.message);
        return -1;
    }
    return 0;
}

/* Adds the group texts[0..n) (then frees it) and commits when a checkpoint
 * is due; -1 when the run must stop (error printed). */
static int flush_group(add_state *a, cli_text *texts, const char *const *paths, size_t n) {
    int stop = add_group(a, texts, paths, n);
    for (size_t i = 0; i < n; i++) cli_text_free(&texts[i]);
    if (stop) return -1;
    int checkpoint = a->c->checkpoint;
    if (checkpoint > 0 && le_now_seconds() - a->last_commit >= checkpoint && commit(a, "checkpoint"))
        return -1;
    return 0;
}

/* An input that is no text (t->error): skipped with --keep-going (0),
 * else -1 to stop; the message printed either way. */
static int skip_input(add_state *a, const cli_text *t) {
    if (!a->c->keep_going) {
        cli_error("%s", t->error);
        return -1;
    }
    cli_error("skipped: %s", t->error);
    a->failed++;
    cli_progress_texts(a->prog, 1);
    return 0;
}

/* -1 (message printed) when text t has no id of its own (a plain line, a
 * JSONL line without "id": its line number) and the index holds documents
 * already: its id would replace one of them (the lines of an earlier run
 * had the same numbers); else 0. */
static int needs_own_id(const add_state *a, const cli_text *t) {
    if (t->id_given || a->c->existing_docs == 0) return 0;
    cli_error("%s: no id (it would be its line number, %s), and %s holds %zu documents "
              "already, which a line number could replace: give ids (JSONL {\"id\": ..., "
              "\"text\": ...}) or files",
              t->where, t->id_json, a->c->index, a->c->existing_docs);
    return -1;
}

/* Reads the inputs (the files given, else standard input) and adds them in
 * groups of GROUP_TEXTS texts or GROUP_BYTES bytes; -1 when stopped by an
 * error (printed). */
static int add_inputs(add_state *a, cli_input *in) {
    cli_text group[GROUP_TEXTS], t;
    const char *paths[GROUP_TEXTS];
    size_t n = 0, bytes = 0;
    int got, bad = 0;
    do {
        got = cli_input_next(in, &t);
        if (got == -1) {
            bad = 1;
            break;
        }
        if (got == 1 && (bad = needs_own_id(a, &t)) != 0) {
            cli_text_free(&t);
            break;
        }
        if (got == 1) {
            paths[n] = in->n_files > 0 ? in->files[in->next_file - 1] : NULL;
            bytes += t.len;
            group[n++] = t;
        }
        if (n && (got != 1 || n == GROUP_TEXTS || bytes >= GROUP_BYTES)) {
            bad = flush_group(a, group, paths, n) != 0;
            n = bytes = 0;
        }
        if (got == CLI_INPUT_BAD) {
            if (!bad) bad = skip_input(a, &t);
            cli_text_free(&t);
        }
    } while (got != 0 && !bad);
    for (size_t i = 0; i < n; i++) cli_text_free(&group[i]);
    return bad ? -1 : 0;
}

/* Adds the inputs with writer w (and model m, or none) and commits them;
 * -1 on failure (error printed, with what was not committed). */
static int add_and_commit(index_cli *c, le_index_writer *w, le_model *m, int argc, char **argv,
                          add_state *a) {
    int n_files = argc - optind;
    cli_progress prog;
    cli_progress_start(&prog, "index add", (size_t)n_files, c->common.quiet);
    c->eo.progress = on_tokens;
    c->eo.progress_user = &prog;
    *a = (add_state){c, w, m, &prog, 0, 0, 0, le_now_seconds()};
    cli_input in;
    cli_input_init(&in, argv + optind, n_files, c->format);
    int bad = add_inputs(a, &in);
    cli_input_free(&in);
    cli_progress_finish(&prog);
    a->prog = NULL; /* prog ends here */
    c->eo.progress = NULL;
    c->eo.progress_user = NULL;
    if (bad) {
        size_t lost = le_index_writer_pending(w);
        if (lost) cli_error("%zu documents of this run were not committed", lost);
        return -1;
    }
    return commit(a, NULL);
}

/* Prints what the run added in el seconds and what the index holds now. */
static void print_added(const index_cli *c, const add_state *a, double el) {
    le_error err;
    le_index *ix;
    size_t total = 0;
    if (le_index_open(c->index, NULL, &ix, &err) == LE_OK) {
        total = le_index_count(ix);
        le_index_close(ix);
    }
    printf("added %zu documents", a->added);
    if (a->m) printf(" (%.0f tokens)", a->tokens);
    printf(" in %.1f s: %.2f documents/s", el, el > 0 ? a->added / el : 0);
    if (a->m) printf(", %.0f tokens/s", el > 0 ? a->tokens / el : 0);
    printf("; %s holds %zu documents\n", c->index, total);
    if (a->failed) printf("skipped %zu documents that failed\n", a->failed);
}

static int cmd_add(index_cli *c, int argc, char **argv) {
    le_index_model stored;
    int have_stored;
    char *spec = NULL;
    int rc = read_stored_model(c, &stored, &have_stored);
    if (rc == CLI_OK) rc = choose_model(c, &stored, have_stored, &spec);
    if (rc != CLI_OK) return rc;
    if (have_stored && stored.dim && spec) inherit_method(c, &stored);
    cli_setup_logging(&c->common);
    le_model *m = NULL;
    le_index_model ident;
    le_index_model_init(&ident);
    le_index_writer *w = NULL;
    le_error err;
    add_state a;
    double t0;
    rc = CLI_FAIL;
    if (spec && open_add_model(c, spec, have_stored && stored.dim ? &stored : NULL, &m, &ident))
        goto done;
    c->io.threads = c->common.mo.threads;
    if (le_index_writer_open(c->index, &ident, &c->io, &w, &err) != LE_OK) {
        cli_error("%s", err.message);
        goto done;
    }
    t0 = le_now_seconds();
    if (add_and_commit(c, w, m, argc, argv, &a)) goto done;
    print_added(c, &a, le_now_seconds() - t0);
    rc = a.failed ? CLI_FAIL : CLI_OK;
done:
    le_index_writer_close(w);
    le_model_close(m);
    free(spec);
    return rc;
}

/* -------------------------------------------------------- delete, compact */

static int cmd_delete(index_cli *c, int argc, char **argv) {
    le_error err;
    le_index_writer *w;
    if (optind >= argc) {
        cli_error("index delete: give the ids to delete");
        return CLI_USAGE;
    }
    if (access(c->index, F_OK) != 0) {
        cli_error("%s: no such index", c->index);
        return CLI_FAIL;
    }
    le_index_options o;
    le_index_options_init(&o);
    if (le_index_writer_open(c->index, NULL, &o, &w, &err) != LE_OK) {
        cli_error("%s", err.message);
        return CLI_FAIL;
    }
    size_t found = 0;
    int rc = CLI_OK;
    if (le_index_writer_delete(w, (size_t)(argc - optind), (const char *const *)argv + optind,
                               &found, &err) != LE_OK ||
        le_index_writer_commit(w, &err) != LE_OK) {
        cli_error("%s", err.message);
        rc = CLI_FAIL;
    } else {
        printf("deleted %zu of %d ids\n", found, argc - optind);
    }
    le_index_writer_close(w);
    return rc;
}

static int cmd_compact(index_cli *c) {
    le_error err;
    le_index_writer *w;
    if (access(c->index, F_OK) != 0) {
        cli_error("%s: no such index", c->index);
        return CLI_FAIL;
    }
    struct stat before;
    stat(c->index, &before);
    le_index_options o;
    le_index_options_init(&o);
    o.threads = c->common.mo.threads;
    if (le_index_writer_open(c->index, NULL, &o, &w, &err) != LE_OK) {
        cli_error("%s", err.message);
        return CLI_FAIL;
    }
    double t0 = le_now_seconds();
    int rc = CLI_OK;
    if (le_index_writer_compact(w, &err) != LE_OK) {
        cli_error("%s", err.message);
        rc = CLI_FAIL;
    }
    le_index_writer_close(w);
    struct stat after;
    if (rc == CLI_OK && stat(c->index, &after) == 0)
        printf("compacted %s: %lld -> %lld bytes in %.1f s\n", c->index, (long long)before.st_size,
               (long long)after.st_size, le_now_seconds() - t0);
    return rc;
}

/* ----------------------------------------------------------- info, verify */

static const char *enc_name(le_vec_encoding e) { return e == LE_VEC_I8 ? "int8" : "f32"; }

static void print_info_text(const le_index_info *i) {
    const le_index_model *m = &i->model;
    if (m->dim) {
        printf("model          %s (%s)\n", m->name, m->model);
        printf("architecture   %s: %d layers, hidden %d, vocabulary %d, window %d\n",
               m->architecture, m->num_layers, m->hidden_size, m->vocab_size, m->window);
        printf("vectors        %d dims, %s pooling%s, %s\n", m->dim, m->pooling,
               m->normalize ? ", L2-normalised" : "", enc_name(i->encoding));
        char mt[32];
        if (m->max_tokens) snprintf(mt, sizeof mt, "%d", m->max_tokens);
        else snprintf(mt, sizeof mt, "the method's default");
        printf("method         extend %s, max tokens %s, attention scaling %s, stride %d\n",
               le_extend_name(m->extend), mt,
               m->attn_scale == LE_ATTN_SCALE_LOG ? "log" : "none", m->position_stride);
        printf("prefixes       query \"%s\", passage \"%s\"\n", m->query_prefix, m->passage_prefix);
    } else {
        printf("model          none (BM25 only)\n");
    }
    if (m->sparse_vocab) printf("learned sparse vocabulary of %d\n", m->sparse_vocab);
    if (m->multi_dim) printf("multi-vectors  %d dims\n", m->multi_dim);
    if (m->passage_tokens)
        printf("passages       %llu (%d tokens, overlap %d, %s), %llu bytes\n",
               (unsigned long long)i->passages, m->passage_tokens, m->passage_overlap,
               le_passage_mode_name(m->passage_mode), (unsigned long long)i->bytes_passages);
    printf("documents      %zu (%zu deleted, not yet compacted), %llu tokens\n", i->docs,
           i->deleted, (unsigned long long)i->tokens);
    printf("segments       %d (%d with an HNSW graph)\n", i->segments, i->segments_with_graph);
    char efs[64];
    if (i->hnsw_ef_search) snprintf(efs, sizeof efs, "%d", i->hnsw_ef_search);
    else if (i->hnsw_ef_calibrated) snprintf(efs, sizeof efs, "calibrated (%d)", i->hnsw_ef_calibrated);
    else snprintf(efs, sizeof efs, "calibrated");
    printf("hnsw           M %d, ef_construction %d, ef_search %s, graph from %d documents\n",
           i->hnsw_m, i->hnsw_ef_construction, efs, i->hnsw_min_docs);
    printf("bm25           %llu terms, %llu postings, stop words %s\n",
           (unsigned long long)i->terms, (unsigned long long)i->postings,
           i->stopwords ? "dropped" : "kept");
    printf("text           %s\n", i->store_text ? "stored" : "not stored (source offsets)");
    printf("file           %llu bytes, format %u, generation %llu\n",
           (unsigned long long)i->file_size, i->format_version, (unsigned long long)i->generation);
    printf("bytes          documents %llu, text %llu, dense %llu, bm25 %llu, hnsw %llu, sparse "
           "%llu, multi %llu\n",
           (unsigned long long)i->bytes_docs, (unsigned long long)i->bytes_text,
           (unsigned long long)i->bytes_dense, (unsigned long long)i->bytes_bm25,
           (unsigned long long)i->bytes_hnsw, (unsigned long long)i->bytes_sparse,
           (unsigned long long)i->bytes_multi);
}

static void json_str(const char *key, const char *v, int comma) {
    printf("\"%s\":", key);
    cli_json_string(stdout, v, strlen(v));
    if (comma) putchar(',');
}

static void print_info_json(const le_index_info *i, le_index *ix) {
    const le_index_model *m = &i->model;
    putchar('{');
    printf("\"model\":{");
    json_str("model", m->model, 1);
    json_str("name", m->name, 1);
    json_str("architecture", m->architecture, 1);
    printf("\"dim\":%d,", m->dim);
    json_str("pooling", m->pooling, 1);
    printf("\"normalize\":%s,\"extend\":\"%s\",\"max_tokens\":%d,", m->normalize ? "true" : "false",
           le_extend_name(m->extend), m->max_tokens);
    json_str("query_prefix", m->query_prefix, 1);
    json_str("passage_prefix", m->passage_prefix, 1);
    printf("\"sparse_vocab\":%d,\"multi_dim\":%d,\"passage_tokens\":%d,\"passage_overlap\":%d,"
           "\"passage_mode\":\"%s\"},\"passages\":%llu,",
           m->sparse_vocab, m->multi_dim, m->passage_tokens, m->passage_overlap,
           le_passage_mode_name(m->passage_mode), (unsigned long long)i->passages);
    printf("\"documents\":%zu,\"deleted\":%zu,\"tokens\":%llu,\"segments\":%d,"
           "\"segments_with_graph\":%d,\"encoding\":\"%s\",\"hnsw_m\":%d,"
           "\"hnsw_ef_construction\":%d,\"hnsw_ef_search\":%d,\"hnsw_ef_calibrated\":%d,"
           "\"hnsw_min_docs\":%d,"
           "\"store_text\":%s,\"stopwords\":%s,\"terms\":%llu,\"postings\":%llu,"
           "\"file_size\":%llu,\"generation\":%llu,\"format_version\":%u",
           i->docs, i->deleted, (unsigned long long)i->tokens, i->segments,
           i->segments_with_graph, enc_name(i->encoding), i->hnsw_m, i->hnsw_ef_construction,
           i->hnsw_ef_search, i->hnsw_ef_calibrated, i->hnsw_min_docs, i->store_text ? "true" : "false",
           i->stopwords ? "true" : "false", (unsigned long long)i->terms,
           (unsigned long long)i->postings, (unsigned long long)i->file_size,
           (unsigned long long)i->generation, i->format_version);
    if (ix) {
        printf(",\"docs\":[");
        for (size_t d = 0; d < le_index_count(ix); d++) {
            le_index_doc_info di;
            le_index_get_doc(ix, d, &di, NULL);
            printf(d ? ",{" : "{");
            json_str("id", di.id, 1);
            json_str("source", di.source, 1);
            json_str("title", di.title, 1);
            printf("\"tokens\":%d,\"truncated\":%s,\"text_bytes\":%zu}", di.tokens,
                   di.truncated ? "true" : "false", di.text_len);
        }
        putchar(']');
    }
    puts("}");
}

static int cmd_index_info(index_cli *c) {
    le_error err;
    le_index *ix;
    if (le_index_open(c->index, NULL, &ix, &err) != LE_OK) {
        cli_error("%s", err.message);
        return CLI_FAIL;
    }
    le_index_info info;
    le_index_get_info(ix, &info);
    if (c->json) {
        print_info_json(&info, c->docs ? ix : NULL);
    } else {
        print_info_text(&info);
        if (c->docs) {
            printf("\n   # %-40s %7s  title\n", "id", "tokens");
            for (size_t d = 0; d < le_index_count(ix); d++) {
                le_index_doc_info di;
                le_index_get_doc(ix, d, &di, NULL);
                printf("%4zu %-40s %7d%s %s\n", d, di.id, di.tokens, di.truncated ? "*" : " ",
                       di.title);
            }
        }
    }
    le_index_close(ix);
    return CLI_OK;
}

static int cmd_verify(index_cli *c) {
    le_error err;
    le_index_info info;
    if (le_index_verify(c->index, c->deep, &info, &err) != LE_OK) {
        cli_error("%s", err.message);
        return CLI_FAIL;
    }
    printf("ok: %s: %zu documents (%zu deleted) in %d segments, generation %llu; every "
           "checksum matches%s\n",
           c->index, info.docs, info.deleted, info.segments, (unsigned long long)info.generation,
           c->deep ? ", every vector is finite, and the stored texts analyse to the stored "
                     "postings"
                   : "");
    return CLI_OK;
}

int cmd_index(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const char *sub = argv[1];
    index_cli c;
    memset(&c, 0, sizeof c);
    cli_common_init(&c.common);
    le_embed_options_init(&c.eo);
    le_passage_options_init(&c.po);
    le_index_options_init(&c.io);
    c.checkpoint = 300;
    int r = parse(&c, argc - 1, argv + 1);
    if (r) return r > 0 ? CLI_OK : CLI_USAGE;
    argc--;
    argv++;
    if (!strcmp(sub, "add")) return cmd_add(&c, argc, argv);
    if (!strcmp(sub, "delete")) return cmd_delete(&c, argc, argv);
    if (!strcmp(sub, "compact")) return cmd_compact(&c);
    if (!strcmp(sub, "info")) return cmd_index_info(&c);
    if (!strcmp(sub, "verify")) return cmd_verify(&c);
    cli_error("index: unknown subcommand \"%s\" (add, delete, compact, info, verify)", sub);
    return CLI_USAGE;
}
