/* longembed ask: answers questions about long documents in an index with a
 * decoder LLM, by RAG, MemoRAG, LC-Boost or full context (le_ask,
 * docs/ask.md). */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ask_cli.h"

static const char *USAGE =
    "usage: longembed ask --index FILE [OPTIONS] QUESTION...\n"
    "Answers each QUESTION (or each line of standard input) from the documents of\n"
    "the index with a decoder LLM, and lists the passages the answer was given\n"
    "([n], * when the answer cites it). Per stage, the calls, seconds and tokens\n"
    "read and generated go to stderr.\n\n"
    "Options:\n"
    "  -i, --index FILE      the index (required; it must store its texts)\n"
    "      --mode M          rag (default), memorag, lcboost or full\n"
    "      --llm MODEL       the decoder: a GGUF file or alias (default smollm2)\n"
    "      --generator MODEL memorag: the model that writes the answer (default --llm)\n"
    "  -m, --model MODEL     the index's embedding model (default: the one it was built with)\n"
    "      --search M        retrieval: bm25, dense or hybrid (default hybrid with vectors)\n"
    "      --id-prefix P     only documents whose id starts with P (e.g. one meeting)\n"
    "  -k N                  passages per query (default 3)\n"
    "      --max-new-tokens N  the answer's length limit (default 256)\n"
    "      --prompts FILE    prompt overrides: JSON object name -> template (docs/ask.md)\n"
    "      --draft           memorag: also retrieve with the memory's draft answer\n"
    "      --truncate        full: cut the document to fit the window (said on stderr)\n"
    "      --max-steps N     lcboost: the step limit (default 2 x chunks + 4)\n"
    "      --lcb-fallback A  lcboost: a reply with no readable action: move (default) on,\n"
    "                        or append it to the notes\n"
    "      --llm-precision P the decoder's activations: exact (default) or q8 (faster)\n"
    "                        (fp32: better answers from small models, slower prefill)\n"
    "      --memory-dir DIR  memorag: the memory cache (default ~/.cache/longembed/memory)\n"
    "      --no-memory-cache memorag: do not keep or load the memory on disk\n"
    "      --prefix-cache-mb N  memory for copies of earlier prompts' KV cache, so later\n"
    "                        questions skip prefilling the same document parts (default\n"
    "                        4096 for lcboost with --qa or several questions, else 0)\n"
    "      --threads N       worker threads (default: all cores)\n"
    "      --qa FILE         evaluate instead: each question of a JSONL file of {qid, doc_id,\n"
    "                        question, answer} about the documents whose id starts with\n"
    "                        doc_id + '#', scored by ROUGE-1/2/L; prints the table row\n"
    "      --first N         --qa: only the first N questions\n"
    "      --qa-suffix S     --qa: the id prefix is doc_id + S (default '#')\n"
    "      --rows FILE       --qa: each question's answer, scores and costs as JSONL\n"
    "      --resume          --qa --rows: keep the file's rows, ask only the questions it\n"
    "                        lacks, and give the table over all of them\n"
    "  -q, --quiet           no stage report on stderr\n"
    "  -v, --verbose         also LC-Boost's steps and MemoRAG's retrieval queries\n";

static void trace_line(void *user, const char *line) {
    (void)user;
    fprintf(stderr, "  %s\n", line);
}

/* The options of ask that are not common ones: 1 handled, 0 not one, -1 bad. */
static int ask_option(ask_cli *a, int ch, const char *arg) {
    le_error err;
    le_ask_options *o = &a->ao;
    le_status bad = LE_OK;
    switch (ch) {
    case 'i': a->index = arg; break;
    case 'k': bad = cli_parse_int("-k", arg, 1, 1000, &o->k); break;
    case 5001:
        if ((bad = le_ask_mode_parse(arg, &o->mode, &err))) cli_error("--mode: %s", err.message);
        break;
    case 5002: o->model = arg; break;
    case 5003: o->generator = arg; break;
    case 5004:
        if ((bad = le_search_mode_parse(arg, &o->search_mode, &err)))
            cli_error("--search: %s", err.message);
        o->search_given = 1;
        break;
    case 5005: o->id_prefix = arg; break;
    case 5006: {
        int n = 0;
        bad = cli_parse_int("--max-new-tokens", arg, 1, 1 << 20, &n);
        o->max_new_tokens = (size_t)n;
        break;
    }
    case 5007: o->prompts = arg; break;
    case 5008: o->draft = 1; break;
    case 5009: o->truncate = 1; break;
    case 5010: bad = cli_parse_int("--max-steps", arg, 1, 1 << 20, &o->max_steps); break;
    case 5011: o->precision = arg; break;
    case 5012: a->qa = arg; break;
    case 5013: {
        int n = 0;
        bad = cli_parse_int("--first", arg, 1, 1 << 30, &n);
        a->eo.first = (size_t)n;
        break;
    }
    case 5014: a->eo.id_suffix = arg; break;
    case 5015: a->rows = arg; break;
    case 5016: o->memory_dir = arg; break;
    case 5017: o->memory_dir = ""; break;
    case 5018: o->lcb_fallback = arg; break;
    case 5019: a->resume = 1; break;
    case 5020: bad = cli_parse_int("--prefix-cache-mb", arg, 0, 1 << 22, &a->prefix_mb); break;
    default: return 0;
    }
    return bad ? -1 : 1;
}

/* Parses the command line: 0 go on, 1 help printed, -1 bad usage. */
static int parse_ask(ask_cli *a, int argc, char **argv) {
    static const struct option opts[] = {
        CLI_COMMON_LONG_OPTIONS,           {"index", required_argument, 0, 'i'},
        {"mode", required_argument, 0, 5001}, {"llm", required_argument, 0, 5002},
        {"generator", required_argument, 0, 5003}, {"search", required_argument, 0, 5004},
        {"id-prefix", required_argument, 0, 5005}, {"max-new-tokens", required_argument, 0, 5006},
        {"prompts", required_argument, 0, 5007}, {"draft", no_argument, 0, 5008},
        {"truncate", no_argument, 0, 5009},   {"max-steps", required_argument, 0, 5010},
        {"llm-precision", required_argument, 0, 5011}, {"qa", required_argument, 0, 5012},
        {"first", required_argument, 0, 5013}, {"qa-suffix", required_argument, 0, 5014},
        {"rows", required_argument, 0, 5015}, {"memory-dir", required_argument, 0, 5016},
        {"no-memory-cache", no_argument, 0, 5017},
        {"lcb-fallback", required_argument, 0, 5018}, {"resume", no_argument, 0, 5019},
        {"prefix-cache-mb", required_argument, 0, 5020}, {0, 0, 0, 0}};
    int ch;
    optind = 1;
    a->prefix_mb = -1;
    while ((ch = getopt_long(argc, argv, CLI_COMMON_SHORT "i:k:", opts, NULL)) != -1) {
        int r = cli_common_option(&a->common, ch, optarg);
        if (!r) r = ask_option(a, ch, optarg);
        if ((r = cli_option_end(r, ch, USAGE))) return r;
    }
    if (!a->index) {
        cli_error("no index given: use --index FILE");
        return -1;
    }
    if ((a->rows || a->eo.first || a->eo.id_suffix || a->resume) && !a->qa) {
        cli_error("--first, --qa-suffix, --rows and --resume go with --qa FILE");
        return -1;
    }
    if (a->resume && !a->rows) {
        cli_error("--resume needs --rows FILE (the rows of the run to continue)");
        return -1;
    }
    if (a->qa && optind < argc) {
        cli_error("--qa takes its questions from the file: no QUESTION arguments");
        return -1;
    }
    if (!a->ao.model) a->ao.model = "smollm2";
    if (a->prefix_mb < 0) /* only LC-Boost reads the same long prefixes again */
        a->prefix_mb = a->ao.mode == LE_ASK_LCBOOST && (a->qa || argc - optind != 1) ? 4096 : 0;
    a->ao.prefix_cache_bytes = (size_t)a->prefix_mb << 20;
    a->ao.threads = a->common.mo.threads;
    if (a->common.verbose) a->ao.trace = trace_line;
    return 0;
}

/* The answer, then the passages it was given. */
static void print_result(le_ask_result *r) {
    puts(le_ask_answer(r));
    size_t n = le_ask_passage_count(r);
    if (n) puts("\nPassages:");
    for (size_t i = 0; i < n; i++) {
        le_ask_passage p;
        if (le_ask_get_passage(r, i, &p, NULL)) continue;
        printf("%s[%zu] %s bytes %zu-%zu: ", p.cited ? "*" : " ", i + 1, p.id, p.byte_start,
               p.byte_end);
        cli_snippet(stdout, p.text, p.byte_end - p.byte_start, 100);
        putchar('\n');
    }
}

/* The stages (and what else the run says) on stderr. */
static void report(const ask_cli *a, le_ask_result *r) {
    le_ask_summary s;
    le_ask_get_summary(r, &s);
    for (size_t i = 0; i < le_ask_stage_count(r); i++) {
        le_ask_stage st;
        if (le_ask_get_stage(r, i, &st, NULL)) continue;
        fprintf(stderr, "%-9s %3d calls %8.2f s %8zu tokens read %6zu generated\n", st.name,
                st.calls, st.seconds, st.tokens_read, st.tokens_generated);
    }
    if (s.truncated) fprintf(stderr, "the document (%zu tokens) was cut to fit\n", s.doc_tokens);
    if (s.memory_gists)
        fprintf(stderr, "memory: gists of %zu chunks%s\n", s.chunks,
                s.gists_loaded ? " (from the memory cache)" : "");
    if (s.memory_tokens)
        fprintf(stderr, "memory: %zu tokens, %zu prefilled%s\n", s.memory_tokens,
                s.memory_prefilled, s.memory_loaded ? ", loaded from the memory cache" : "");
    if (s.memory_reused) fprintf(stderr, "memory reused by %d calls\n", s.memory_reused);
    if (s.steps)
        fprintf(stderr, "%d steps over %zu chunks, %d unreadable%s\n", s.steps, s.chunks,
                s.fallbacks, s.step_limit ? ", step limit reached" : "");
    if (s.dropped) fprintf(stderr, "%zu passages left out to fit the window\n", s.dropped);
    for (size_t i = 0; a->common.verbose && i < s.clues; i++)
        fprintf(stderr, "  query %zu: %s\n", i + 1, le_ask_clue(r, i));
}

/* Opens the embedding model when the search needs vectors. */
static int open_embedder(ask_cli *a, le_index *ix, le_model **m) {
    le_index_info info;
    le_index_get_info(ix, &info);
    *m = NULL;
    if (!info.model.dim || (a->ao.search_given && a->ao.search_mode == LE_SEARCH_BM25)) return 0;
    cli_common mc = a->common;
    if (!mc.model) mc.model = info.model.model;
    return (*m = cli_open_model(&mc)) ? 0 : -1;
}

static int ask_all(ask_cli *a, le_index *ix, le_model *m, int argc, char **argv) {
    char *line = NULL;
    size_t cap = 0;
    int rc = CLI_OK, from_stdin = optind >= argc;
    le_ask_session *ss = NULL;
    le_error err;
    if (le_ask_session_open(&a->ao, &ss, &err)) {
        cli_error("%s", err.message);
        return CLI_FAIL;
    }
    for (int qi = optind;;) {
        const char *q = NULL;
        if (!from_stdin) q = qi < argc ? argv[qi++] : NULL;
        else if (getline(&line, &cap, stdin) >= 0) q = (line[strcspn(line, "\r\n")] = 0, line);
        if (!q) break;
        if (!*q) continue;
        le_ask_result *r = NULL;
        if (le_ask_session_ask(ss, ix, m, q, &r, &err)) {
            cli_error("%s", err.message);
            rc = CLI_FAIL;
            break;
        }
        if (from_stdin || argc - optind > 1) printf("? %s\n", q);
        print_result(r);
        if (!a->common.quiet) report(a, r);
        le_ask_result_free(r);
        if (cli_output_failed()) {
            rc = CLI_FAIL;
            break;
        }
    }
    free(line);
    le_ask_session_close(ss);
    return rc;
}

int cmd_ask(int argc, char **argv) {
    ask_cli a = {0};
    cli_common_init(&a.common);
    le_ask_options_init(&a.ao);
    le_ask_eval_options_init(&a.eo);
    int r = parse_ask(&a, argc, argv);
    if (r) return r > 0 ? CLI_OK : CLI_USAGE;
    cli_setup_logging(&a.common);
    le_index *ix = NULL;
    le_model *m = NULL;
    le_error err;
    if (le_index_open(a.index, NULL, &ix, &err)) {
        cli_error("%s", err.message);
        return CLI_FAIL;
    }
    int rc = open_embedder(&a, ix, &m) ? CLI_FAIL
             : a.qa                    ? ask_eval_run(&a, ix, m)
                                       : ask_all(&a, ix, m, argc, argv);
    le_model_close(m);
    le_index_close(ix);
    return rc;
}
