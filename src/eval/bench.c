/* The public benchmark API: options, their parsing, task loading, export and
 * access to results. The run itself is in run.c, the reports in report.c. */
#include "base/array.h"
#include "base/mapfile.h"
#include "base/options.h"
#include "eval/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const le_retriever_names[LE_N_RETR] = {"dense",  "bm25",    "hybrid", "rrf",
                                                   "sparse", "colbert", "m3"};

void le_bench_options_init_size(le_bench_options *opt, size_t size) {
    le_bench_options d;
    memset(&d, 0, sizeof d);
    d.seed = 42;
    d.n_queries = 50;
    d.n_docs = 100;
    d.k = 10;
    d.bm25_k1 = 1.2;
    d.bm25_b = 0.75;
    d.stopwords = 1;
    d.dense_weight = 0.3; /* docs/retrieval.md: the fusion experiment */
    d.passage_overlap = -1; /* an eighth of the passage, as le_passage_options */
    d.rrf_k = 60;
    d.max_tokens = 4096;
    d.cache = 1;
    d.allow_fetch = 1;
    le_options_init(opt, size, &d, sizeof d);
}

/* ------------------------------------------------------------ option lists */

/* Calls fn for each comma-separated item of list (trimmed); stops at the
 * first failure. An empty item is an error. */
typedef le_status (*item_fn)(const char *item, void *ctx, le_error *err);

static le_status for_items(const char *what, const char *list, item_fn fn, void *ctx,
                           le_error *err) {
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        while (n && (*p == ' ' || *p == '\t')) p++, n--;
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
        if (n == 0) return le_fail(err, LE_ERR_ARG, "%s: an empty item in \"%s\"", what, list);
        char item[4096];
        if (n >= sizeof item) return le_fail(err, LE_ERR_ARG, "%s: an item is too long", what);
        memcpy(item, p, n);
        item[n] = 0;
        le_status s = fn(item, ctx, err);
        if (s) return s;
        if (!comma) return LE_OK;
        p = comma + 1;
    }
}

static le_status task_item(const char *item, void *ctx, le_error *err) {
    le_bench_plan *p = ctx;
    int i = !strcmp(item, "passkey") ? 0 : !strcmp(item, "needle") ? 1 : -1;
    if (i < 0)
        return le_fail(err, LE_ERR_ARG,
                       "unknown task \"%s\" (synthetic tasks: passkey, needle; real tasks come "
                       "from a task directory)",
                       item);
    if (p->synth[i]) return le_fail(err, LE_ERR_ARG, "task %s is listed twice", item);
    p->synth[i] = 1;
    p->synth_order[p->n_synth++] = i ? "needle" : "passkey";
    return LE_OK;
}

static le_status dir_item(const char *item, void *ctx, le_error *err) {
    le_bench_plan *p = ctx;
    char *d = strdup(item);
    if (!d || le_array_push(p->task_dirs, p->n_task_dirs, p->cap_task_dirs, d)) {
        free(d);
        return le_fail(err, LE_ERR_NOMEM, "out of memory");
    }
    return LE_OK;
}

static le_status length_item(const char *item, void *ctx, le_error *err) {
    le_bench_plan *p = ctx;
    char *end;
    long v = strtol(item, &end, 10);
    int ok = *end == 0;
    for (int i = 0; ok && i < LE_SYNTH_N_LENGTHS; i++)
        if (v == le_synth_lengths[i]) ok = 2;
    if (ok != 2)
        return le_fail(err, LE_ERR_ARG,
                       "length \"%s\" is not one of 256, 512, 1024, 2048, 4096, 8192, 16384, 32768",
                       item);
    for (size_t i = 0; i < p->n_lengths; i++)
        if (p->lengths[i] == v) return le_fail(err, LE_ERR_ARG, "length %ld is listed twice", v);
    p->lengths[p->n_lengths++] = (int)v;
    return LE_OK;
}

static le_status extend_item(const char *item, void *ctx, le_error *err) {
    le_bench_plan *p = ctx;
    le_extend e;
    le_status s = le_extend_parse(item, &e, err);
    if (s) return s;
    for (size_t i = 0; i < p->n_extend; i++)
        if (p->extend[i] == e) return le_fail(err, LE_ERR_ARG, "method %s is listed twice", item);
    if (p->n_extend == sizeof p->extend / sizeof *p->extend)
        return le_fail(err, LE_ERR_ARG, "too many extension methods");
    p->extend[p->n_extend++] = e;
    return LE_OK;
}

static le_status retriever_item(const char *item, void *ctx, le_error *err) {
    le_bench_plan *p = ctx;
    int r = -1;
    for (int i = 0; i < LE_N_RETR; i++)
        if (!strcmp(item, le_retriever_names[i])) r = i;
    if (r < 0)
        return le_fail(err, LE_ERR_ARG,
                       "unknown retriever \"%s\" (dense, bm25, hybrid, rrf; with a BGE-M3 "
                       "model sparse, colbert, m3)",
                       item);
    for (size_t i = 0; i < p->n_retr; i++)
        if (p->retr[i] == r) return le_fail(err, LE_ERR_ARG, "retriever %s is listed twice", item);
    p->retr[p->n_retr++] = r;
    return LE_OK;
}

static le_status mode_item(const char *item, void *ctx, le_error *err) {
    le_bench_plan *p = ctx;
    le_passage_mode pm;
    int mode = LE_BENCH_WHOLE;
    if (strcmp(item, "whole")) {
        if (le_passage_mode_parse(item, &pm, NULL))
            return le_fail(err, LE_ERR_ARG, "unknown passage mode \"%s\" (whole, chunk, late)",
                           item);
        mode = (int)pm;
    }
    for (size_t i = 0; i < p->n_modes; i++)
        if (p->modes[i] == mode)
            return le_fail(err, LE_ERR_ARG, "passage mode %s is listed twice", item);
    p->modes[p->n_modes++] = mode;
    return LE_OK;
}

/* The methods' names, and the fusion: the parts of the plan that follow
 * from the lists. */
static le_status plan_methods(const le_bench_options *o, le_bench_plan *p, le_error *err) {
    for (size_t m = 0; m < le_bench_n_methods(p); m++) {
        int mode = le_bench_method_mode(p, m);
        const char *ext = le_extend_name(le_bench_method_extend(p, m));
        if (mode == LE_BENCH_WHOLE)
            snprintf(p->method_names[m], sizeof p->method_names[m], "%s", ext);
        else
            snprintf(p->method_names[m], sizeof p->method_names[m], "%s+%s", ext,
                     le_bench_mode_name(mode));
    }
    const char *f = o->fusion ? o->fusion : "zscore";
    if (!strcmp(f, "zscore"))
        p->fusion = LE_FUSION_ZSCORE;
    else if (!strcmp(f, "minmax"))
        p->fusion = LE_FUSION_MINMAX;
    else
        return le_fail(err, LE_ERR_ARG, "unknown fusion \"%s\" (zscore, minmax)", f);
    if (o->passage_tokens < 0 || o->passage_overlap < -1)
        return le_fail(err, LE_ERR_ARG, "passage tokens and overlap must be >= 0");
    return LE_OK;
}

/* What the retrievers need (need_*), and that it fits: a model, and for
 * BGE-M3's retrievers whole documents in one window each. */
static le_status plan_needs(le_bench_plan *p, int have_model, le_error *err) {
    for (size_t i = 0; i < p->n_retr; i++) {
        int r = p->retr[i];
        p->need_dense |= r != LE_RETR_BM25;
        p->need_bm25 |= r == LE_RETR_BM25 || r == LE_RETR_HYBRID || r == LE_RETR_RRF;
        p->need_dense_rank |= r == LE_RETR_DENSE || r == LE_RETR_HYBRID || r == LE_RETR_RRF;
        p->need_m3 |= r == LE_RETR_SPARSE || r == LE_RETR_COLBERT || r == LE_RETR_M3;
    }
    if (p->need_dense && !have_model)
        return le_fail(err, LE_ERR_ARG, "the dense, hybrid, rrf, sparse, colbert and m3 "
                                        "retrievers need a model; bm25 runs without one");
    for (size_t i = 0; p->need_m3 && i < p->n_modes; i++)
        if (p->modes[i] != LE_BENCH_WHOLE)
            return le_fail(err, LE_ERR_ARG, "the sparse, colbert and m3 retrievers embed whole "
                                            "documents: use the passage mode whole");
    for (size_t i = 0; p->need_m3 && i < p->n_extend; i++)
        if (p->extend[i] == LE_EXTEND_PCW)
            return le_fail(err, LE_ERR_ARG, "the sparse, colbert and m3 retrievers need each "
                                            "text in one window: pcw does not fit (gp, rp, pi do)");
    return LE_OK;
}

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

void le_bench_plan_free(le_bench_plan *p) {
    for (size_t i = 0; i < p->n_task_dirs; i++) free(p->task_dirs[i]);
    free(p->task_dirs);
    memset(p, 0, sizeof *p);
}

le_status le_bench_plan_parse(const le_bench_options *o, int have_model, le_bench_plan *p,
                              le_error *err) {
    memset(p, 0, sizeof *p);
    le_status s = LE_OK;
    if (o->task_dir) /* "" is an empty list, not "no directories": refused */
        s = for_items("task directories", o->task_dir, dir_item, p, err);
    const char *tasks = o->tasks ? o->tasks : p->n_task_dirs ? "none" : "passkey,needle";
    if (!s && *tasks && strcmp(tasks, "none")) s = for_items("tasks", tasks, task_item, p, err);
    if (!s && p->n_synth == 0 && p->n_task_dirs == 0)
        s = le_fail(err, LE_ERR_ARG, "no tasks: name synthetic tasks or a task directory");
    if (!s)
        s = for_items("lengths",
                      o->lengths ? o->lengths : "256,512,1024,2048,4096,8192,16384,32768",
                      length_item, p, err);
    if (!s) qsort(p->lengths, p->n_lengths, sizeof *p->lengths, cmp_int);
    if (!s) s = for_items("extension methods", o->extend ? o->extend : "none", extend_item, p, err);
    if (!s)
        s = for_items("passage modes", o->passage_modes ? o->passage_modes : "whole", mode_item,
                      p, err);
    if (!s) s = plan_methods(o, p, err);
    if (!s)
        s = for_items("retrievers",
                      o->retrievers ? o->retrievers
                      : have_model  ? "dense"
                                    : "bm25",
                      retriever_item, p, err);
    if (!s) s = plan_needs(p, have_model, err);
    if (!s && (o->k < 1 || o->k > 10000))
        s = le_fail(err, LE_ERR_ARG, "k must be 1 to 10000 (got %d)", o->k);
    if (!s && !(o->bm25_k1 >= 0 && o->bm25_k1 <= 1000))
        s = le_fail(err, LE_ERR_ARG, "BM25 k1 must be >= 0 (got %g)", o->bm25_k1);
    if (!s && !(o->bm25_b >= 0 && o->bm25_b <= 1))
        s = le_fail(err, LE_ERR_ARG, "BM25 b must be in [0, 1] (got %g)", o->bm25_b);
    if (!s && !(o->dense_weight >= 0 && o->dense_weight <= 1))
        s = le_fail(err, LE_ERR_ARG, "the dense weight must be in [0, 1] (got %g)",
                    o->dense_weight);
    if (!s && !(o->rrf_k >= 0 && o->rrf_k <= 1e9))
        s = le_fail(err, LE_ERR_ARG, "the RRF constant must be >= 0 (got %g)", o->rrf_k);
    if (!s && o->max_tokens < 0)
        s = le_fail(err, LE_ERR_ARG, "max_tokens must be >= 0 (got %d)", o->max_tokens);
    if (!s && o->batch_tokens < 0)
        s = le_fail(err, LE_ERR_ARG, "batch_tokens must be >= 0 (got %d)", o->batch_tokens);
    if (s) le_bench_plan_free(p);
    return s;
}

le_status le_bench_load_tasks(const le_bench_options *o, const le_bench_plan *p, le_task **out,
                              size_t *n_out, char **haystack_used, le_error *err) {
    *out = NULL;
    *n_out = 0;
    if (haystack_used) *haystack_used = NULL;
    size_t n = p->n_synth + p->n_task_dirs;
    le_task *tasks = calloc(n, sizeof *tasks);
    if (!tasks) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    le_synth_options so;
    le_synth_options_init(&so);
    so.seed = o->seed;
    so.n_queries = o->n_queries;
    so.n_docs = o->n_docs;
    so.lengths = p->lengths;
    so.n_lengths = p->n_lengths;
    le_status s = LE_OK;
    size_t done = 0;
    for (size_t i = 0; i < p->n_synth && !s; i++) {
        if (!strcmp(p->synth_order[i], "passkey")) {
            s = le_passkey_generate(&so, &tasks[done], err);
        } else {
            char *dir = NULL;
            le_haystack h;
            s = le_haystack_resolve(o->haystack_dir, o->cache_dir, o->allow_fetch, &dir, err);
            if (!s) s = le_haystack_load(&h, dir, err);
            if (!s) {
                s = le_needle_generate(&so, &h, &tasks[done], err);
                le_haystack_free(&h);
            }
            if (!s && haystack_used)
                *haystack_used = dir;
            else
                free(dir);
        }
        if (!s) done++;
    }
    for (size_t i = 0; i < p->n_task_dirs && !s; i++) {
        s = le_task_load_dir(p->task_dirs[i], &tasks[done], err);
        if (s) break;
        /* --lengths picks the lengths of a directory split by lengths too */
        if (o->lengths && tasks[done].by_length) {
            le_task_keep_lengths(&tasks[done], p->lengths, p->n_lengths);
            if (tasks[done].n_splits == 0) {
                s = le_fail(err, LE_ERR_ARG, "%s: none of the lengths %s is in the task",
                            p->task_dirs[i], o->lengths);
                le_task_free(&tasks[done]);
                break;
            }
        }
        done++;
    }
    if (s) {
        for (size_t i = 0; i < done; i++) le_task_free(&tasks[i]);
        free(tasks);
        if (haystack_used) {
            free(*haystack_used);
            *haystack_used = NULL;
        }
        return s;
    }
    *out = tasks;
    *n_out = n;
    return LE_OK;
}

le_status le_bench_export(const le_bench_options *o_in, const char *dir, le_error *err) {
    le_bench_options o;
    le_bench_options_init(&o);
    le_status taken = le_options_take(&o, sizeof o, o_in, "le_bench_options", err);
    if (taken) return taken;
    if (!dir || !*dir) return le_fail(err, LE_ERR_ARG, "export: no directory given");
    if (o.task_dir && *o.task_dir)
        return le_fail(err, LE_ERR_ARG,
                       "export writes the generated tasks; task directories are files already");
    o.retrievers = "bm25"; /* exporting needs no model */
    le_bench_plan p;
    le_status s = le_bench_plan_parse(&o, 0, &p, err);
    if (s) return s;
    le_task *tasks = NULL;
    size_t n = 0;
    s = le_bench_load_tasks(&o, &p, &tasks, &n, NULL, err);
    for (size_t i = 0; i < n; i++) {
        if (!s) s = le_task_export(&tasks[i], dir, err);
        le_task_free(&tasks[i]);
    }
    free(tasks);
    le_bench_plan_free(&p);
    return s;
}

/* ------------------------------------------------------------------ results */

const char *le_bench_str(le_bench_result *r, const char *s) {
    return s ? le_arena_strdup(&r->arena, s) : NULL;
}

int le_bench_add_row(le_bench_result *r, const char *task, const char *split, int length,
                     const char *retriever, const char *extend, const char *metric, double value) {
    le_bench_row row = {task, split, length, retriever, extend, metric, value};
    return le_array_push(r->rows, r->n_rows, r->cap_rows, row) ? -1 : 0;
}

const char *le_bench_main_metric(const le_bench_result *r, int by_length) {
    return r->metric_names[by_length ? LE_METRIC_ACC1 : LE_METRIC_NDCG];
}

size_t le_bench_result_count(const le_bench_result *r) { return r ? r->n_rows : 0; }

void le_bench_result_row(const le_bench_result *r, size_t i, le_bench_row *out) {
    if (!r || i >= r->n_rows) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = r->rows[i];
}

static int same(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }

static double task_score(const le_bench_result *r, size_t t, const char *retriever,
                         const char *extend) {
    const char *metric = le_bench_main_metric(r, r->task_by_length[t]);
    double sum = 0;
    size_t n = 0;
    for (size_t i = 0; i < r->n_rows; i++) {
        const le_bench_row *w = &r->rows[i];
        if (!strcmp(w->task, r->tasks[t]) && !strcmp(w->retriever, retriever) &&
            same(w->extend, extend) && !strcmp(w->metric, metric)) {
            sum += w->value;
            n++;
        }
    }
    return n ? sum / (double)n : -1;
}

double le_bench_result_score(const le_bench_result *r, const char *task, const char *retriever,
                             const char *extend) {
    if (!r || !task || !retriever) return -1;
    if (!strcmp(retriever, "bm25")) extend = NULL;
    if (strcmp(task, "all")) {
        for (size_t t = 0; t < r->n_tasks; t++)
            if (!strcmp(r->tasks[t], task)) return task_score(r, t, retriever, extend);
        return -1;
    }
    double sum = 0;
    for (size_t t = 0; t < r->n_tasks; t++) {
        double v = task_score(r, t, retriever, extend);
        if (v < 0) return -1;
        sum += v;
    }
    return r->n_tasks ? sum / (double)r->n_tasks : -1;
}

double le_bench_result_seconds(const le_bench_result *r) { return r ? r->wall_seconds : 0; }

void le_bench_result_free(le_bench_result *r) {
    if (!r) return;
    free(r->rows);
    free(r->times);
    free(r->embed);
    free(r->splits);
    free(r->tasks);
    free(r->task_by_length);
    free(r->conf_retriever);
    free(r->conf_extend);
    le_bench_plan_free(&r->plan);
    le_arena_free(&r->arena);
    free(r);
}

/* ----------------------------------------------------------------- revision */

#ifdef LE_GIT_REVISION
const char *le_bench_revision(void) { return LE_GIT_REVISION; }
#else
/* Without a build-time revision, read the source tree's .git (this file's
 * path names it) at run time: right for a developer's build, "unknown" for
 * an installed one. */
static int read_line(const char *path, char *buf, size_t cap) {
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    int ok = fgets(buf, (int)cap, f) != NULL;
    fclose(f);
    if (ok) buf[strcspn(buf, "\r\n")] = 0;
    return ok;
}

const char *le_bench_revision(void) {
    static char rev[64];
    if (rev[0]) return rev;
    snprintf(rev, sizeof rev, "unknown");
    const char *me = __FILE__, *tail = strstr(me, "src/eval/bench.c");
    if (!tail || me[0] != '/') return rev;
    char git[4096], head[512], path[4700];
    snprintf(git, sizeof git, "%.*s.git", (int)(tail - me), me);
    snprintf(path, sizeof path, "%s/HEAD", git);
    if (!read_line(path, head, sizeof head)) return rev;
    if (strncmp(head, "ref: ", 5)) {
        snprintf(rev, sizeof rev, "%.40s", head);
        return rev;
    }
    char sha[128];
    snprintf(path, sizeof path, "%s/%s", git, head + 5);
    if (read_line(path, sha, sizeof sha)) {
        snprintf(rev, sizeof rev, "%.40s", sha);
        return rev;
    }
    snprintf(path, sizeof path, "%s/packed-refs", git);
    FILE *f = fopen(path, "r");
    char line[600];
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        char *sp = strchr(line, ' ');
        if (sp && !strcmp(sp + 1, head + 5)) {
            snprintf(rev, sizeof rev, "%.40s", line);
            break;
        }
    }
    if (f) fclose(f);
    return rev;
}
#endif
