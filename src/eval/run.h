/* The benchmark run: tasks × splits × extension methods × retrievers, and
 * the result object behind the public le_bench_result. */
#ifndef LE_EVAL_RUN_H
#define LE_EVAL_RUN_H

#include "base/arena.h"
#include "eval/metrics.h"
#include "eval/task.h"
#include "index/fusion.h"
#include "longembed.h"

#include <stddef.h>

enum {
    LE_RETR_DENSE = 0,
    LE_RETR_BM25,
    LE_RETR_HYBRID,
    LE_RETR_RRF,
    LE_RETR_SPARSE,  /* BGE-M3: the lexical matching score */
    LE_RETR_COLBERT, /* BGE-M3: MaxSim */
    LE_RETR_M3,      /* BGE-M3: compute_score's weighted mean (eval/m3rank.h) */
    LE_N_RETR
};
extern const char *const le_retriever_names[LE_N_RETR];

/* The options, parsed and checked. */
typedef struct le_bench_plan {
    int synth[2]; /* passkey, needle: 1 when they run */
    const char *synth_order[2];
    size_t n_synth;
    char **task_dirs;
    size_t n_task_dirs, cap_task_dirs;
    int lengths[LE_SYNTH_N_LENGTHS];
    size_t n_lengths;
    le_extend extend[8];
    size_t n_extend;
    int retr[LE_N_RETR]; /* in the order given */
    size_t n_retr;
    int need_dense; /* a model and the methods (every retriever but bm25) */
    int need_bm25;  /* bm25, hybrid, rrf */
    int need_dense_rank, need_m3; /* dense, hybrid, rrf; sparse, colbert, m3 */
    /* how documents are embedded: LE_BENCH_WHOLE or a le_passage_mode, in the order given.
       A method is one extension method with one of these: number m is extend[m / n_modes]
       with modes[m % n_modes], named method_names[m] ("pi", or "pi+chunk" for passages) */
    int modes[3];
    size_t n_modes;
    char method_names[8 * 3][24];
    le_fusion_kind fusion; /* hybrid's normalisation */
} le_bench_plan;

#define LE_BENCH_WHOLE (-1)

/* "whole", or the passage mode's name. */
static inline const char *le_bench_mode_name(int mode) {
    return mode == LE_BENCH_WHOLE ? "whole" : le_passage_mode_name((le_passage_mode)mode);
}

static inline size_t le_bench_n_methods(const le_bench_plan *p) {
    return p->n_extend * p->n_modes;
}
static inline le_extend le_bench_method_extend(const le_bench_plan *p, size_t m) {
    return p->extend[m / p->n_modes];
}
static inline int le_bench_method_mode(const le_bench_plan *p, size_t m) {
    return p->modes[m % p->n_modes];
}

le_status le_bench_plan_parse(const le_bench_options *o, int have_model, le_bench_plan *p,
                              le_error *err);
void le_bench_plan_free(le_bench_plan *p);

/* Generates or reads every task of the plan (in order: synthetic tasks,
 * then directories). */
le_status le_bench_load_tasks(const le_bench_options *o, const le_bench_plan *p, le_task **out,
                              size_t *n_out, char **haystack_used, le_error *err);

/* Time and embedding statistics of one split under one method and role. */
typedef struct le_bench_embed_stat {
    const char *task, *split, *extend, *role; /* role: "documents" or "queries" */
    size_t texts, cached, truncated;
    double tokens, tokens_in_text; /* sums */
    double seconds;
} le_bench_embed_stat;

/* The time of one configuration on one split. */
typedef struct le_bench_time {
    const char *task, *split, *retriever, *extend;
    double seconds;
} le_bench_time;

typedef struct le_bench_split_info {
    const char *task, *name;
    int length, by_length;
    size_t docs, queries, judged, skipped;
} le_bench_split_info;

struct le_bench_result {
    le_arena arena;
    le_bench_row *rows;
    size_t n_rows, cap_rows;
    le_bench_time *times;
    size_t n_times, cap_times;
    le_bench_embed_stat *embed;
    size_t n_embed, cap_embed;
    le_bench_split_info *splits;
    size_t n_splits, cap_splits;
    /* tasks in order, with whether their splits are lengths (le_task.by_length) */
    const char **tasks;
    int *task_by_length;
    size_t n_tasks;
    /* configurations in order: retriever index and extend name (NULL: bm25) */
    const char **conf_retriever;
    const char **conf_extend;
    size_t n_conf;
    int k;
    const char *metric_names[LE_N_METRICS]; /* "ndcg@10", … */
    /* the run */
    le_bench_options opt; /* strings point into arena */
    le_bench_plan plan;
    int have_model;
    le_model_info model; /* strings point into arena */
    int model_dim;
    const char *haystack;
    const char *revision;
    const char *started; /* UTC, ISO 8601 */
    double wall_seconds;
    size_t cache_hits, cache_misses, cache_writes;
};

/* Appends a row (strings must live in r->arena); -1 when out of memory. */
int le_bench_add_row(le_bench_result *r, const char *task, const char *split, int length,
                     const char *retriever, const char *extend, const char *metric, double value);
/* An arena copy of s (NULL stays NULL). */
const char *le_bench_str(le_bench_result *r, const char *s);
/* The main metric name of a task: "acc@1" when its splits are lengths (the
 * synthetic tasks), else "ndcg@<k>". */
const char *le_bench_main_metric(const le_bench_result *r, int by_length);

/* The source revision (git) of this build, or "unknown". */
const char *le_bench_revision(void);

#endif
