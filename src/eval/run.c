/* le_bench_run: for every task and split, BM25 once (it needs no model),
 * then per extension method the documents and queries are embedded (through
 * the embedding cache) and searched densely; the hybrid retrievers fuse the
 * two rankings. Every configuration's rankings are scored with every metric;
 * the rows, times and embedding statistics go into the result. */
#include "eval/run.h"

#include "base/array.h"
#include "base/clock.h"
#include "base/cpu.h"
#include "base/mapfile.h"
#include "base/outfile.h"
#include "base/options.h"
#include "base/wheel.h"
#include "eval/cache.h"
#include "eval/m3rank.h"
#include "eval/metrics.h"
#include "base/sbuf.h"
#include "index/bm25.h"
#include "index/dense.h"
#include "index/fusion.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EMBED_GROUP 8     /* texts per le_embed call (cache writes in between) */
#define FUSION_DEPTH 1000 /* documents each list brings to a fusion */
#define EMBED_GROUP_BYTES (1 << 20)

typedef struct run_ctx {
    le_model *m;
    const le_bench_options *o;
    const le_bench_plan *p;
    le_bench_result *r;
    le_error *err;
    int dim, window;
    le_kctx kc;
    le_embcache cache[8]; /* per extension method, as in p->extend */
    const char *qprefix, *dprefix;
    le_bm25_params bm25;
    le_analyzer_options analyzer;
    double work_done, work_total;
    double call_base, call_cost; /* the le_embed call in progress */
    le_bench_progress prog;
    le_sbuf *runs; /* per configuration, for the task in progress */
} run_ctx;

static le_status oom(le_error *err) { return le_fail(err, LE_ERR_NOMEM, "out of memory"); }

/* ---------------------------------------------------------------- progress */

/* Work units of embedding one text: about its tokens times the span its
 * attention covers (the whole text for gp/rp/pi, one window for none and
 * pcw), so the ETA weighs long texts right. Whole texts are cut at the
 * limit; passages (mode not LE_BENCH_WHOLE) embed every token, in windows
 * of the limit. */
static double text_cost(const run_ctx *c, size_t bytes, le_extend e, int mode) {
    double tokens = (double)bytes / 4.0 + 2;
    double limit = e == LE_EXTEND_NONE ? c->window : c->o->max_tokens ? c->o->max_tokens : 4096;
    if (mode == LE_PASSAGE_CHUNK) limit = c->window;
    double span = e == LE_EXTEND_NONE || e == LE_EXTEND_PCW ? c->window : limit;
    if (mode == LE_BENCH_WHOLE && tokens > limit) tokens = limit;
    if (span > tokens) span = tokens;
    return tokens * (128 + span) / 128e3;
}

/* The work units of embedding split sp's documents and queries with method
 * number m. */
static double split_cost(const run_ctx *c, const le_split *sp, size_t m) {
    le_extend e = le_bench_method_extend(c->p, m);
    int mode = le_bench_method_mode(c->p, m);
    double w = 0;
    for (size_t d = 0; d < sp->docs->n; d++) w += text_cost(c, sp->docs->lens[d], e, mode);
    for (size_t q = 0; q < sp->queries.n; q++)
        w += text_cost(c, sp->queries.lens[q], e, LE_BENCH_WHOLE);
    return w;
}

/* BM25's work units for a split: small next to any embedding. */
static double bm25_cost(const le_split *sp) {
    double bytes = 0;
    for (size_t d = 0; d < sp->docs->n; d++) bytes += (double)sp->docs->lens[d];
    return bytes * 1e-7 + 1e-3;
}

static void report(run_ctx *c, const char *stage) {
    if (!c->o->progress) return;
    c->prog.stage = stage;
    c->prog.done = c->work_done;
    c->prog.total = c->work_total;
    c->o->progress(&c->prog, c->o->progress_user);
}

static void on_tokens(size_t done, size_t total, void *user) {
    run_ctx *c = user;
    double frac = total ? (double)done / (double)total : 1;
    c->work_done = c->call_base + c->call_cost * frac;
    report(c, c->prog.stage);
}

/* --------------------------------------------------------------- embedding */

/* Bumped whenever a change of the engine changes some format's vectors
 * (2: int8's fast GELU, 2026-12-06), so vectors cached before it are not
 * reused: LE_VERSION alone does not move with such changes. */
#define EMBEDDING_NUMERICS 2

/* The cache configuration of extension method number e: everything but
 * the text that changes its vectors. The methods that share it (whole
 * documents and their passage modes) share its cache: queries are embedded
 * once, and a document's passage vectors are keyed apart (passage_key). */
static void cache_config(const run_ctx *c, size_t e, char *cfg, size_t cap) {
    const le_model_info *mi = &c->r->model;
    le_extend ext = c->p->extend[e];
    int max_tokens = ext == LE_EXTEND_NONE ? mi->window : c->o->max_tokens;
    snprintf(cfg, cap,
             "longembed embedding cache 1\nversion=%s\nnumerics=%d\nmodel=%s\ndirectory=%s\n"
             "architecture=%s\nhidden=%d\nlayers=%d\nheads=%d\nvocab=%d\nwindow=%d\n"
             "pooling=%s\nisa=%s\nprecision=%s\nextend=%s\nmax_tokens=%d\nattn_scale=log\n"
             "normalize=1\n",
             LE_VERSION, EMBEDDING_NUMERICS, mi->name, mi->directory, mi->architecture, mi->hidden_size,
             mi->num_layers, mi->num_heads, mi->vocab_size, mi->window, mi->pooling, mi->isa,
             mi->precision, le_extend_name(ext), max_tokens);
}

static le_status open_caches(run_ctx *c) {
    if (!c->p->need_dense || !c->o->cache) return LE_OK;
    char *root = le_cache_root(c->o->cache_dir);
    if (!root) return oom(c->err);
    le_status s = LE_OK;
    for (size_t e = 0; e < c->p->n_extend && !s; e++) {
        char cfg[6000];
        cache_config(c, e, cfg, sizeof cfg);
        s = le_embcache_open(&c->cache[e], root, cfg, c->dim, c->err);
    }
    free(root);
    return s;
}

/* The cache key prefix of a document's passage vectors: the passage
 * settings, then the text's prefix (malloc'd; NULL when out of memory). */
static char *passage_key(const run_ctx *c, int mode, const char *prefix) {
    const char *p = prefix ? prefix : "";
    size_t cap = strlen(p) + 96;
    char *key = malloc(cap);
    if (key)
        snprintf(key, cap, "\001passages mode=%s tokens=%d overlap=%d\001%s",
                 le_passage_mode_name((le_passage_mode)mode), c->o->passage_tokens,
                 c->o->passage_overlap, p);
    return key;
}

/* One call of embed_texts: the texts of one role of a split under one
 * method, their vectors, and the statistics gathered on the way. */
typedef struct embed_job {
    run_ctx *c;
    size_t e; /* the method's extension method number: its cache */
    le_extend ext;
    const le_texts *x;
    const char *prefix;
    float *out;  /* [x->n][dim] (whole texts) */
    float *vecs; /* [EMBED_GROUP][dim]: one call's vectors */
    le_embed_options eo;
    le_bench_embed_stat st; /* also names the task, split and role */
    /* passages (mode not LE_BENCH_WHOLE): each text's passage vectors */
    int mode;
    le_passage_options po;
    float **rows;     /* [x->n], malloc'd each */
    size_t *n_rows;   /* [x->n] */
    char *key_prefix; /* the cache key's prefix: passage entries apart from whole ones */
} embed_job;

/* The texts of one le_embed call: cache misses, in order. */
typedef struct embed_group {
    size_t n;
    size_t miss[EMBED_GROUP]; /* their numbers in x */
    const char *ptrs[EMBED_GROUP];
    size_t lens[EMBED_GROUP];
    double cost; /* their work units */
} embed_group;

/* Counts one text's embedding (from the cache or from the model) in the
 * statistics. */
static void count_text(le_bench_embed_stat *st, const le_text_result *r) {
    st->truncated += r->truncated != 0;
    st->tokens += r->tokens;
    st->tokens_in_text += r->tokens_in_text;
}

/* 1 when text i's vector (or passage vectors) came from the cache, with
 * its result in r. */
static int from_cache(embed_job *j, size_t i, le_text_result *r) {
    le_embcache *cache = &j->c->cache[j->e];
    const le_texts *x = j->x;
    if (j->mode == LE_BENCH_WHOLE)
        return le_embcache_get(cache, j->prefix, x->texts[i], x->lens[i],
                               j->out + i * (size_t)j->c->dim, r);
    return le_embcache_get_rows(cache, j->key_prefix, x->texts[i], x->lens[i], &j->rows[i],
                                &j->n_rows[i], r);
}

/* Walks the texts from i: those in the cache are copied out and counted,
 * the others join g until it holds EMBED_GROUP texts or EMBED_GROUP_BYTES
 * bytes. Returns where the next group starts. */
static size_t next_group(embed_job *j, size_t i, embed_group *g) {
    run_ctx *c = j->c;
    const le_texts *x = j->x;
    size_t bytes = 0;
    g->n = 0;
    g->cost = 0;
    for (; i < x->n && g->n < EMBED_GROUP && (g->n == 0 || bytes < EMBED_GROUP_BYTES); i++) {
        le_text_result r1;
        if (from_cache(j, i, &r1)) {
            j->st.cached++;
            count_text(&j->st, &r1);
            c->work_done += text_cost(c, x->lens[i], j->ext, j->mode);
            continue;
        }
        g->miss[g->n] = i;
        g->ptrs[g->n] = x->texts[i];
        g->lens[g->n] = x->lens[i];
        bytes += x->lens[i];
        g->cost += text_cost(c, x->lens[i], j->ext, j->mode);
        g->n++;
    }
    return i;
}

/* Rewrites the error of le_embed (status s) to name the task, split, role
 * and the failing text's id (or, when no one text failed, the method). */
static void explain_embed_error(embed_job *j, const embed_group *g, le_status s) {
    le_error *err = j->c->err;
    if (err && err->text_index >= 0 && (size_t)err->text_index < g->n) {
        size_t bad = g->miss[err->text_index];
        const char *why = err->message;
        char idx[32];
        int il = snprintf(idx, sizeof idx, "text %ld: ", err->text_index);
        if (il > 0 && !strncmp(why, idx, (size_t)il)) why += il;
        char msg[sizeof err->message];
        snprintf(msg, sizeof msg, "%s", why);
        le_fail(err, s, "%s %s: %s %s (%s): %s", j->st.task, j->st.split, j->st.role,
                j->x->ids[bad], le_extend_name(j->ext), msg);
    } else {
        le_error_wrap(err, s, "%s %s: embedding %s (%s)", j->st.task, j->st.split, j->st.role,
                      le_extend_name(j->ext));
    }
}

/* The group's passages (one le_embed_passages call) into j->rows. */
static le_status embed_passages(embed_job *j, const embed_group *g, le_text_result *res) {
    run_ctx *c = j->c;
    le_passages *ps = NULL;
    le_status s = le_embed_passages(c->m, g->n, g->ptrs, g->lens, &j->eo, &j->po, &ps, res, c->err);
    size_t dim = (size_t)c->dim;
    for (size_t k = 0; k < g->n && !s; k++) {
        size_t first, count, t = g->miss[k];
        le_passages_of(ps, k, &first, &count);
        j->rows[t] = malloc((count ? count : 1) * dim * sizeof(float));
        if (!j->rows[t]) s = oom(c->err);
        else memcpy(j->rows[t], le_passages_vectors(ps) + first * dim, count * dim * sizeof(float));
        j->n_rows[t] = count;
    }
    le_passages_free(ps);
    return s;
}

/* Embeds the group with one le_embed call (progress reported within it)
 * into j->vecs and res. */
static le_status embed_group_now(embed_job *j, const embed_group *g, le_text_result *res) {
    run_ctx *c = j->c;
    c->call_base = c->work_done;
    c->call_cost = g->cost;
    le_status s = j->mode == LE_BENCH_WHOLE
                      ? le_embed(c->m, g->n, g->ptrs, g->lens, &j->eo, j->vecs, res, c->err)
                      : embed_passages(j, g, res);
    if (s) {
        explain_embed_error(j, g, s);
        return s;
    }
    c->work_done = c->call_base + g->cost;
    c->prog.texts_embedded += g->n;
    for (size_t k = 0; k < g->n; k++) c->prog.tokens_embedded += res[k].tokens;
    return LE_OK;
}

/* Copies the group's vectors to their places in j->out, counts them and
 * puts them into the cache. */
static le_status keep_group(embed_job *j, const embed_group *g, const le_text_result *res) {
    run_ctx *c = j->c;
    const le_texts *x = j->x;
    le_status s = LE_OK;
    for (size_t k = 0; k < g->n && !s; k++) {
        size_t t = g->miss[k];
        count_text(&j->st, &res[k]);
        if (j->mode != LE_BENCH_WHOLE) {
            s = le_embcache_put_rows(&c->cache[j->e], j->key_prefix, x->texts[t], x->lens[t],
                                     j->rows[t], j->n_rows[t], &res[k], c->err);
            continue;
        }
        memcpy(j->out + t * (size_t)c->dim, j->vecs + k * (size_t)c->dim,
               (size_t)c->dim * sizeof *j->vecs);
        s = le_embcache_put(&c->cache[j->e], j->prefix, x->texts[t], x->lens[t],
                            j->vecs + k * c->dim, &res[k], c->err);
    }
    return s;
}

/* Appends st to the result's embedding statistics. */
static le_status add_embed_stat(run_ctx *c, const le_bench_embed_stat *st) {
    le_bench_result *r = c->r;
    return le_array_push(r->embed, r->n_embed, r->cap_embed, *st) ? oom(c->err) : LE_OK;
}

/* The embedding options of method ext with prefix: cut to max_tokens,
 * normalised, progress into c. */
static void embed_options(run_ctx *c, le_extend ext, const char *prefix, le_embed_options *eo) {
    le_embed_options_init(eo);
    eo->prefix = prefix;
    eo->max_tokens = ext == LE_EXTEND_NONE ? 0 : c->o->max_tokens;
    eo->truncate = 1;
    eo->normalize = 1;
    eo->extend = ext;
    eo->batch_tokens = c->o->batch_tokens;
    eo->progress = on_tokens;
    eo->progress_user = c;
}

/* Where embed_texts puts its vectors: whole texts into out ([n][dim]);
 * passages (rows given: documents of a passage method) each text's passage
 * vectors into rows[i] (malloc'd) and their number into n_rows[i]. */
typedef struct embed_target {
    float *out;
    float **rows;
    size_t *n_rows;
} embed_target;

/* Embeds x's texts (prefix in front) with method number m: from the cache
 * where it holds them, else in groups of cache misses. names: the task,
 * split and role for the statistics and messages. */
static le_status embed_texts(run_ctx *c, size_t m, const le_texts *x, const char *prefix,
                             const char *const names[3], const embed_target *to) {
    le_extend ext = le_bench_method_extend(c->p, m);
    int mode = to->rows ? le_bench_method_mode(c->p, m) : LE_BENCH_WHOLE;
    embed_job j = {.c = c, .e = m / c->p->n_modes, .ext = ext,
                   .x = x, .prefix = prefix, .out = to->out, .mode = mode,
                   .rows = to->rows, .n_rows = to->n_rows};
    embed_options(c, ext, prefix, &j.eo);
    le_passage_options_init(&j.po);
    j.po.tokens = c->o->passage_tokens;
    j.po.overlap = c->o->passage_overlap;
    j.po.mode = mode == LE_PASSAGE_LATE ? LE_PASSAGE_LATE : LE_PASSAGE_CHUNK;
    j.st = (le_bench_embed_stat){names[0], names[1], c->p->method_names[m], names[2], x->n,
                                 0, 0, 0, 0, 0};
    double t0 = le_now_seconds();
    j.vecs = malloc((size_t)EMBED_GROUP * (size_t)c->dim * sizeof *j.vecs);
    j.key_prefix = passage_key(c, mode, prefix);
    le_status s = j.vecs && j.key_prefix ? LE_OK : oom(c->err);
    for (size_t i0 = 0; i0 < x->n && !s;) {
        embed_group g;
        le_text_result res[EMBED_GROUP];
        i0 = next_group(&j, i0, &g);
        if (g.n == 0) {
            report(c, c->prog.stage);
            continue;
        }
        s = embed_group_now(&j, &g, res);
        if (!s) s = keep_group(&j, &g, res);
    }
    free(j.vecs);
    free(j.key_prefix);
    j.st.seconds = le_now_seconds() - t0;
    return s ? s : add_embed_stat(c, &j.st);
}

/* ------------------------------------------------------------------ scoring */

static int conf_index(const le_bench_result *r, const char *retriever, const char *extend) {
    for (size_t i = 0; i < r->n_conf; i++)
        if (!strcmp(r->conf_retriever[i], retriever) &&
            (r->conf_extend[i] == extend ||
             (extend && r->conf_extend[i] && !strcmp(r->conf_extend[i], extend))))
            return (int)i;
    return -1;
}

static le_status add_time(le_bench_result *r, const char *task, const char *split,
                          const char *retriever, const char *extend, double seconds) {
    le_bench_time t = {task, split, retriever, extend, seconds};
    return le_array_push(r->times, r->n_times, r->cap_times, t);
}

/* Scores one configuration's rankings of a split and records everything. */
static le_status score(run_ctx *c, const le_task *t, const le_split *sp, const char *task,
                       const char *split, const char *retriever, const char *extend,
                       const le_hit *hits, size_t stride, const int *counts, double seconds) {
    le_bench_result *r = c->r;
    le_metrics mv;
    le_metrics_split(sp, hits, stride, counts, c->o->k, &mv);
    for (int m = 0; m < LE_N_METRICS; m++)
        if (le_bench_add_row(r, task, split, sp->length, retriever, extend, r->metric_names[m],
                             100.0 * mv.value[m]))
            return oom(c->err);
    if (add_time(r, task, split, retriever, extend, seconds)) return oom(c->err);
    /* split facts, once */
    int known = 0;
    for (size_t i = 0; i < r->n_splits && !known; i++)
        known = r->splits[i].task == task && r->splits[i].name == split;
    if (!known) {
        le_bench_split_info info = {task,        split,         sp->length, t->by_length,
                                    sp->docs->n, sp->queries.n, mv.queries, mv.skipped};
        if (le_array_push(r->splits, r->n_splits, r->cap_splits, info)) return oom(c->err);
    }
    /* the ranked lists, for other tools */
    int ci = conf_index(r, retriever, extend);
    if (c->runs && ci >= 0) {
        le_sbuf *b = &c->runs[ci];
        char tag[96];
        snprintf(tag, sizeof tag, "%s", split);
        for (size_t q = 0; q < sp->queries.n; q++) {
            int n = counts[q] < c->o->k ? counts[q] : c->o->k;
            for (int i = 0; i < n; i++) {
                const le_hit *h = &hits[q * stride + (size_t)i];
                le_sbuf_printf(b, "%s Q0 %s %d %.9g %s\n", sp->queries.ids[q],
                               sp->docs->ids[h->doc], i + 1, (double)h->score, tag);
            }
        }
    }
    c->prog.retriever = retriever;
    c->prog.extend = extend;
    c->prog.metric = le_bench_main_metric(r, t->by_length);
    c->prog.value = 100.0 * mv.value[t->by_length ? LE_METRIC_ACC1 : LE_METRIC_NDCG];
    c->prog.seconds = seconds;
    report(c, "done");
    c->prog.retriever = c->prog.metric = NULL;
    c->prog.value = c->prog.seconds = 0;
    return LE_OK;
}

static int wants(const le_bench_plan *p, int retr) {
    for (size_t i = 0; i < p->n_retr; i++)
        if (p->retr[i] == retr) return 1;
    return 0;
}

/* One split's run: BM25 once, then per extension method the dense ranking
 * and the fusions; each list holds depth hits per query. */
typedef struct split_run {
    run_ctx *c;
    const le_task *t;
    const le_split *sp;
    const char *task, *split; /* arena copies of the names */
    size_t nd, nq, depth;
    le_hit *bm_hits, *de_hits, *fu_hits; /* [nq][depth] */
    int *bm_n, *de_n, *fu_n;             /* [nq] */
    float *dvec, *qvec;                  /* document and query vectors */
    double t_bm25;
    le_hit *m3_hits[LE_M3_N]; /* BGE-M3's retrievers: [nq][depth] each (eval/m3rank.h) */
    int *m3_n[LE_M3_N];
} split_run;

static void split_run_free(split_run *s) {
    free(s->bm_hits);
    free(s->bm_n);
    free(s->de_hits);
    free(s->de_n);
    free(s->fu_hits);
    free(s->fu_n);
    free(s->dvec);
    free(s->qvec);
    for (int r = 0; r < LE_M3_N; r++) {
        free(s->m3_hits[r]);
        free(s->m3_n[r]);
    }
}

/* Ranks the split's documents for every query with BM25 into bm_hits. */
static le_status bm25_rank(split_run *s) {
    run_ctx *c = s->c;
    const le_split *sp = s->sp;
    le_bm25 ix;
    le_status st = le_bm25_build(&ix, s->nd, sp->docs->texts, sp->docs->lens, &c->analyzer, c->err);
    if (st) return st;
    le_bm25_scratch scratch = {0};
    for (size_t q = 0; q < s->nq && !st; q++)
        st = le_bm25_search(&ix, &c->bm25, sp->queries.texts[q], sp->queries.lens[q], (int)s->depth,
                            &scratch, s->bm_hits + q * s->depth, &s->bm_n[q], c->err);
    le_bm25_scratch_free(&scratch);
    le_bm25_free(&ix);
    return st;
}

/* The BM25 ranking (timed into t_bm25), scored when bm25 is a retriever. */
static le_status split_bm25(split_run *s) {
    run_ctx *c = s->c;
    report(c, "bm25");
    double t0 = le_now_seconds();
    size_t nq = s->nq ? s->nq : 1;
    s->bm_hits = malloc(nq * s->depth * sizeof *s->bm_hits);
    s->bm_n = calloc(nq, sizeof *s->bm_n);
    if (!s->bm_hits || !s->bm_n) return oom(c->err);
    le_status st = bm25_rank(s);
    if (st) return st;
    s->t_bm25 = le_now_seconds() - t0;
    c->work_done += bm25_cost(s->sp);
    report(c, "bm25");
    if (wants(c->p, LE_RETR_BM25))
        return score(c, s->t, s->sp, s->task, s->split, "bm25", NULL, s->bm_hits, s->depth, s->bm_n,
                     s->t_bm25);
    return LE_OK;
}

/* Allocates the vectors and the dense and fused lists. */
static le_status alloc_dense(split_run *s) {
    size_t nd = s->nd ? s->nd : 1, nq = s->nq ? s->nq : 1, dim = (size_t)s->c->dim;
    s->dvec = malloc(nd * dim * sizeof *s->dvec);
    s->qvec = malloc(nq * dim * sizeof *s->qvec);
    s->de_hits = malloc(nq * s->depth * sizeof *s->de_hits);
    s->fu_hits = malloc(nq * s->depth * sizeof *s->fu_hits);
    s->de_n = calloc(nq, sizeof *s->de_n);
    s->fu_n = calloc(nq, sizeof *s->fu_n);
    if (!s->dvec || !s->qvec || !s->de_hits || !s->fu_hits || !s->de_n || !s->fu_n)
        return oom(s->c->err);
    for (int r = 0; r < LE_M3_N && s->c->p->need_m3; r++) {
        s->m3_hits[r] = malloc(nq * s->depth * sizeof *s->m3_hits[r]);
        s->m3_n[r] = calloc(nq, sizeof *s->m3_n[r]);
        if (!s->m3_hits[r] || !s->m3_n[r]) return oom(s->c->err);
    }
    return LE_OK;
}

/* Ranks the documents by their passages (MaxP): documents embedded as the
 * passages of method m, concatenated per document, then searched as
 * groups. */
static le_status passage_rank(split_run *s, size_t m, const char *const names[3]) {
    run_ctx *c = s->c;
    size_t nd = s->nd, dim = (size_t)c->dim, total = 0;
    float **rows = calloc(nd ? nd : 1, sizeof *rows);
    size_t *n_rows = calloc(nd ? nd : 1, sizeof *n_rows), *first = malloc((nd + 1) * sizeof *first);
    float *pvec = NULL;
    embed_target to = {NULL, rows, n_rows};
    le_status st = rows && n_rows && first ? embed_texts(c, m, s->sp->docs, c->dprefix, names, &to)
                                           : oom(c->err);
    for (size_t d = 0; d < nd && !st; d++) total += n_rows[d];
    if (!st && !(pvec = malloc((total ? total : 1) * dim * sizeof *pvec))) st = oom(c->err);
    for (size_t d = 0, at = 0; d < nd && !st; at += n_rows[d], d++) {
        first[d] = at;
        memcpy(pvec + at * dim, rows[d], n_rows[d] * dim * sizeof *pvec);
    }
    if (!st) first[nd] = total;
    c->prog.stage = "embedding queries";
    const char *qnames[3] = {names[0], names[1], "queries"};
    embed_target qto = {s->qvec, NULL, NULL};
    if (!st) st = embed_texts(c, m, &s->sp->queries, c->qprefix, qnames, &qto);
    report(c, "searching");
    if (!st)
        st = le_dense_search_groups(pvec, first, nd, c->dim, &c->kc, s->qvec, s->nq, (int)s->depth,
                                    s->de_hits, s->de_n, c->err);
    for (size_t d = 0; rows && d < nd; d++) free(rows[d]);
    free(rows);
    free(n_rows);
    free(first);
    free(pvec);
    return st;
}

/* Embeds the documents and queries with method number m and ranks the
 * documents for every query by exact dense search into de_hits. */
static le_status dense_rank(split_run *s, size_t m) {
    run_ctx *c = s->c;
    const le_split *sp = s->sp;
    c->prog.stage = "embedding documents";
    const char *names[3] = {s->task, s->split, "documents"};
    if (le_bench_method_mode(c->p, m) != LE_BENCH_WHOLE) return passage_rank(s, m, names);
    embed_target to = {s->dvec, NULL, NULL};
    le_status st = embed_texts(c, m, sp->docs, c->dprefix, names, &to);
    if (st) return st;
    c->prog.stage = "embedding queries";
    names[2] = "queries";
    to.out = s->qvec;
    st = embed_texts(c, m, &sp->queries, c->qprefix, names, &to);
    if (st) return st;
    report(c, "searching");
    le_dense dx;
    if ((st = le_dense_build(&dx, s->dvec, s->nd, c->dim, c->kc.isa, c->err))) return st;
    st = le_dense_search(&dx, &c->kc, s->qvec, s->nq, (int)s->depth, s->de_hits, s->de_n, c->err);
    le_dense_free(&dx);
    return st;
}

/* Fuses the dense and BM25 lists of every query (retriever kind: hybrid or
 * rrf) and scores them; seconds is the time of both rankings. */
static le_status score_fused(split_run *s, int kind, const char *ext, double seconds) {
    run_ctx *c = s->c;
    double t1 = le_now_seconds();
    /* hybrid: w and 1 − w; RRF: 2w and 2(1 − w), so that w = 0.5 gives
     * the plain reciprocal rank sum */
    double w = c->o->dense_weight, scale = kind == LE_RETR_HYBRID ? 1 : 2;
    double weights[2] = {scale * w, scale * (1.0 - w)};
    double floors[2] = {NAN, 0}; /* dense: its lowest hit; BM25: 0, no query term */
    le_fusion_kind fk = kind == LE_RETR_HYBRID ? c->p->fusion : LE_FUSION_RRF;
    le_status st = LE_OK;
    for (size_t q = 0; q < s->nq && !st; q++) {
        const le_hit *lists[2] = {s->de_hits + q * s->depth, s->bm_hits + q * s->depth};
        int counts[2] = {s->de_n[q], s->bm_n[q]};
        st = le_fuse(fk, 2, lists, counts, weights, floors, c->o->rrf_k, (int)s->depth,
                     s->fu_hits + q * s->depth, &s->fu_n[q], c->err);
    }
    if (st) return st;
    return score(c, s->t, s->sp, s->task, s->split, le_retriever_names[kind], ext, s->fu_hits,
                 s->depth, s->fu_n, seconds + (le_now_seconds() - t1));
}

/* BGE-M3's three rankings of the split with method number m (whole
 * documents, extension method ext) into m3_hits. */
static le_status m3_rank(split_run *s, size_t m) {
    run_ctx *c = s->c;
    le_extend ext = le_bench_method_extend(c->p, m);
    le_embed_options deo, qeo;
    embed_options(c, ext, c->dprefix, &deo);
    embed_options(c, ext, c->qprefix, &qeo);
    deo.progress = qeo.progress = NULL; /* the split's work counts once it is done */
    c->prog.stage = "embedding documents and queries (BGE-M3)";
    report(c, c->prog.stage);
    le_status st = le_bench_m3_rank(c->m, &deo, &qeo, s->sp->docs, &s->sp->queries, s->depth,
                                    s->m3_hits, s->m3_n, c->err);
    if (st)
        return le_error_wrap(c->err, st, "%s %s: BGE-M3 outputs (%s)", s->task, s->split,
                             c->p->method_names[m]);
    c->work_done += split_cost(c, s->sp, m);
    return LE_OK;
}

/* Scores retriever kind (not bm25) of method ext from the lists made. */
static le_status score_kind(split_run *s, int kind, const char *ext, double t_dense,
                            double t_m3) {
    run_ctx *c = s->c;
    if (kind == LE_RETR_DENSE)
        return score(c, s->t, s->sp, s->task, s->split, "dense", ext, s->de_hits, s->depth,
                     s->de_n, t_dense);
    if (kind == LE_RETR_HYBRID || kind == LE_RETR_RRF)
        return score_fused(s, kind, ext, t_dense + s->t_bm25);
    int r = kind == LE_RETR_SPARSE ? LE_M3_SPARSE : kind == LE_RETR_COLBERT ? LE_M3_COLBERT
                                                                         : LE_M3_COMBINED;
    return score(c, s->t, s->sp, s->task, s->split, le_retriever_names[kind], ext, s->m3_hits[r],
                 s->depth, s->m3_n[r], t_m3);
}

/* Method number e: the dense ranking and BGE-M3's (those asked for), then
 * every retriever but bm25 scored in the order asked for. */
static le_status split_method(split_run *s, size_t e) {
    run_ctx *c = s->c;
    const char *ext = c->p->method_names[e];
    c->prog.extend = ext;
    double t0 = le_now_seconds(), t_dense = 0, t_m3 = 0;
    le_status st = c->p->need_dense_rank ? dense_rank(s, e) : LE_OK;
    t_dense = le_now_seconds() - t0;
    t0 = le_now_seconds();
    if (!st && c->p->need_m3) st = m3_rank(s, e);
    t_m3 = le_now_seconds() - t0;
    for (size_t ri = 0; ri < c->p->n_retr && !st; ri++)
        if (c->p->retr[ri] != LE_RETR_BM25) st = score_kind(s, c->p->retr[ri], ext, t_dense, t_m3);
    return st;
}

/* Runs every configuration of the plan on split sp of task t. */
static le_status run_split(run_ctx *c, const le_task *t, const le_split *sp) {
    const le_bench_plan *p = c->p;
    split_run s = {.c = c, .t = t, .sp = sp};
    s.task = le_bench_str(c->r, t->name);
    s.split = le_bench_str(c->r, sp->name);
    if (!s.task || !s.split) return oom(c->err);
    s.nd = sp->docs->n;
    s.nq = sp->queries.n;
    s.depth = s.nd < FUSION_DEPTH ? s.nd : FUSION_DEPTH;
    if (s.depth < (size_t)c->o->k) s.depth = (size_t)c->o->k;
    c->prog.task = s.task;
    c->prog.split = s.split;
    c->prog.extend = NULL;
    le_status st = LE_OK;
    if (p->need_bm25) st = split_bm25(&s);
    if (!st && p->need_dense) st = alloc_dense(&s);
    for (size_t m = 0; !st && p->need_dense && m < le_bench_n_methods(p); m++)
        st = split_method(&s, m);
    split_run_free(&s);
    return st;
}

/* Writes the task's ranked lists: <runs_dir>/<task>.<retriever>[.<extend>].trec */
static le_status write_runs(run_ctx *c, const char *task) {
    le_bench_result *r = c->r;
    le_status s = LE_OK;
    if (le_mkdir_p(c->o->runs_dir))
        return le_fail(c->err, LE_ERR_IO, "%s: cannot create the directory: %s", c->o->runs_dir,
                       strerror(errno));
    for (size_t i = 0; i < r->n_conf && !s; i++) {
        if (c->runs[i].failed) return oom(c->err);
        char name[512];
        if (r->conf_extend[i])
            snprintf(name, sizeof name, "%s.%s.%s.trec", task, r->conf_retriever[i],
                     r->conf_extend[i]);
        else
            snprintf(name, sizeof name, "%s.%s.trec", task, r->conf_retriever[i]);
        char *path = le_path_join(c->o->runs_dir, name);
        if (!path) return oom(c->err);
        s = le_write_file_atomic(path, c->runs[i].p ? c->runs[i].p : "", c->runs[i].n, c->err);
        free(path);
        c->runs[i].n = 0;
    }
    return s;
}

/* Copies the options' strings into the result, so it outlives the caller's. */
static void keep_options(le_bench_result *r, const le_bench_options *o) {
    r->opt = *o;
    r->opt.tasks = le_bench_str(r, o->tasks);
    r->opt.task_dir = le_bench_str(r, o->task_dir);
    r->opt.lengths = le_bench_str(r, o->lengths);
    r->opt.extend = le_bench_str(r, o->extend);
    r->opt.retrievers = le_bench_str(r, o->retrievers);
    r->opt.haystack_dir = le_bench_str(r, o->haystack_dir);
    r->opt.query_prefix = le_bench_str(r, o->query_prefix);
    r->opt.doc_prefix = le_bench_str(r, o->doc_prefix);
    r->opt.cache_dir = le_bench_str(r, o->cache_dir);
    r->opt.runs_dir = le_bench_str(r, o->runs_dir);
    r->opt.passage_modes = le_bench_str(r, o->passage_modes);
    r->opt.fusion = le_bench_str(r, o->fusion);
    r->opt.progress = NULL;
    r->opt.progress_user = NULL;
}

static void keep_model(le_bench_result *r, const le_model_info *in) {
    le_model_info *m = &r->model;
    *m = *in;
    m->name = le_bench_str(r, in->name);
    m->directory = le_bench_str(r, in->directory);
    m->architecture = le_bench_str(r, in->architecture);
    m->pooling = le_bench_str(r, in->pooling);
    m->tokenizer = le_bench_str(r, in->tokenizer);
    m->query_prefix = le_bench_str(r, in->query_prefix);
    m->passage_prefix = le_bench_str(r, in->passage_prefix);
    m->isa = le_bench_str(r, in->isa);
    m->methods = le_bench_str(r, in->methods);
}

static le_status plan_configurations(le_bench_result *r) {
    const le_bench_plan *p = &r->plan;
    size_t most = p->n_retr * (le_bench_n_methods(p) ? le_bench_n_methods(p) : 1);
    r->conf_retriever = calloc(most ? most : 1, sizeof *r->conf_retriever);
    r->conf_extend = calloc(most ? most : 1, sizeof *r->conf_extend);
    if (!r->conf_retriever || !r->conf_extend) return LE_ERR_NOMEM;
    for (size_t i = 0; i < p->n_retr; i++) {
        const char *name = le_retriever_names[p->retr[i]];
        if (p->retr[i] == LE_RETR_BM25) {
            r->conf_retriever[r->n_conf] = name;
            r->conf_extend[r->n_conf++] = NULL;
            continue;
        }
        for (size_t m = 0; m < le_bench_n_methods(p); m++) {
            r->conf_retriever[r->n_conf] = name;
            r->conf_extend[r->n_conf++] = p->method_names[m];
        }
    }
    return LE_OK;
}

/* Records in r what the run is: its options, metric names, source revision
 * and start time. */
static void describe_run(le_bench_result *r, const le_bench_options *o) {
    keep_options(r, o);
    r->k = o->k;
    for (int i = 0; i < LE_N_METRICS; i++) {
        char name[32];
        le_metric_name(i, o->k, name, sizeof name);
        r->metric_names[i] = le_bench_str(r, name);
    }
    r->revision = le_bench_str(r, le_bench_revision());
    char iso[32];
    time_t tt = time(NULL);
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    r->started = le_bench_str(r, iso);
}

/* Records model m in the result and sets c's dimensions, window and
 * kernels from it. */
static le_status take_model(run_ctx *c, le_model *m) {
    le_bench_result *r = c->r;
    le_model_info info;
    le_status s = le_model_get_info(m, &info);
    if (s) return s;
    if (c->p->need_m3 && !le_model_has_m3(m))
        return le_fail(c->err, LE_ERR_ARG,
                       "the sparse, colbert and m3 retrievers need a BGE-M3 model (%s has no "
                       "sparse_linear.pt and colbert_linear.pt)",
                       info.directory);
    keep_model(r, &info);
    r->have_model = 1;
    r->model_dim = c->dim = le_model_dim(m);
    c->window = info.window;
    le_isa isa;
    c->kc.isa = le_isa_parse(info.isa, &isa) == LE_OK ? isa : le_cpu_best_isa();
    c->kc.pool = NULL;
    return LE_OK;
}

/* Sets the prefixes (the options', else the model's) and the BM25
 * settings of c. */
static void set_text_options(run_ctx *c) {
    le_bench_result *r = c->r;
    const le_bench_options *o = c->o;
    c->qprefix = o->query_prefix ? o->query_prefix : r->have_model ? r->model.query_prefix : "";
    c->dprefix = o->doc_prefix ? o->doc_prefix : r->have_model ? r->model.passage_prefix : "";
    r->opt.query_prefix = le_bench_str(r, c->qprefix);
    r->opt.doc_prefix = le_bench_str(r, c->dprefix);
    c->bm25.k1 = o->bm25_k1;
    c->bm25.b = o->bm25_b;
    c->analyzer.stopwords = o->stopwords;
}

/* Records the tasks' names (which must differ) and kinds in the result. */
static le_status keep_tasks(le_bench_result *r, const le_task *tasks, size_t n_tasks,
                            le_error *err) {
    r->tasks = calloc(n_tasks ? n_tasks : 1, sizeof *r->tasks);
    r->task_by_length = calloc(n_tasks ? n_tasks : 1, sizeof *r->task_by_length);
    if (!r->tasks || !r->task_by_length) return oom(err);
    for (size_t i = 0; i < n_tasks; i++) {
        for (size_t j = 0; j < i; j++)
            if (!strcmp(tasks[i].name, tasks[j].name))
                return le_fail(err, LE_ERR_ARG,
                               "two tasks are named %s (%s and %s); task names must differ",
                               tasks[i].name, tasks[j].source, tasks[i].source);
        r->tasks[i] = le_bench_str(r, tasks[i].name);
        r->task_by_length[i] = tasks[i].by_length;
    }
    r->n_tasks = n_tasks;
    return LE_OK;
}

/* The work ahead, for the ETA (BM25 counts a little, so a BM25-only run
 * has a bar too). */
static double total_work(const run_ctx *c, const le_task *tasks, size_t n_tasks) {
    const le_bench_plan *p = c->p;
    double w = 0;
    for (size_t i = 0; i < n_tasks && p->need_bm25; i++)
        for (size_t j = 0; j < tasks[i].n_splits; j++) w += bm25_cost(&tasks[i].splits[j]);
    int passes = p->need_dense_rank + p->need_m3; /* dense vectors; BGE-M3's outputs */
    for (size_t i = 0; i < n_tasks && passes; i++)
        for (size_t j = 0; j < tasks[i].n_splits; j++)
            for (size_t m = 0; m < le_bench_n_methods(p); m++)
                w += passes * split_cost(c, &tasks[i].splits[j], m);
    return w;
}

/* Loads the plan's tasks into *tasks (the haystack's path into *haystack)
 * and prepares c to run them: caches, the work total, the ranked-list
 * buffers. */
static le_status prepare_tasks(run_ctx *c, le_task **tasks, size_t *n_tasks, char **haystack) {
    le_bench_result *r = c->r;
    le_status s = le_bench_load_tasks(c->o, c->p, tasks, n_tasks, haystack, c->err);
    if (s) return s;
    r->haystack = le_bench_str(r, *haystack);
    if ((s = keep_tasks(r, *tasks, *n_tasks, c->err))) return s;
    if (c->p->need_dense && (s = open_caches(c))) return s;
    c->work_total += total_work(c, *tasks, *n_tasks);
    if (c->o->runs_dir && !(c->runs = calloc(r->n_conf ? r->n_conf : 1, sizeof *c->runs)))
        return oom(c->err);
    return LE_OK;
}

/* Runs every split of every task, writing each task's ranked lists when
 * asked for. */
static le_status run_tasks(run_ctx *c, const le_task *tasks, size_t n_tasks) {
    le_status s = LE_OK;
    for (size_t i = 0; i < n_tasks && !s; i++) {
        for (size_t j = 0; j < tasks[i].n_splits && !s; j++)
            s = run_split(c, &tasks[i], &tasks[i].splits[j]);
        if (!s && c->runs) s = write_runs(c, tasks[i].name);
    }
    return s;
}

/* Closes c's caches (their counts go into the result) and frees its
 * ranked-list buffers. */
static void finish_run(run_ctx *c) {
    le_bench_result *r = c->r;
    for (size_t e = 0; e < sizeof c->cache / sizeof *c->cache; e++) {
        r->cache_hits += c->cache[e].hits;
        r->cache_misses += c->cache[e].misses;
        r->cache_writes += c->cache[e].writes;
        le_embcache_close(&c->cache[e]);
    }
    for (size_t i = 0; c->runs && i < r->n_conf; i++) le_sbuf_free(&c->runs[i]);
    free(c->runs);
}

le_status le_bench_run(le_model *m, const le_bench_options *opt_in, le_bench_result **out,
                       le_error *err) {
    *out = NULL;
    le_bench_options o;
    le_bench_options_init(&o);
    le_status taken = le_options_take(&o, sizeof o, opt_in, "le_bench_options", err);
    if (taken) return taken;
    double t_start = le_now_seconds();
    le_bench_result *r = calloc(1, sizeof *r);
    if (!r) return oom(err);
    le_arena_init(&r->arena, 1 << 16);
    run_ctx c = {.m = m, .o = &o, .p = &r->plan, .r = r, .err = err};
    le_status s = le_bench_plan_parse(&o, m != NULL, &r->plan, err);
    if (s) {
        le_bench_result_free(r);
        return s;
    }
    describe_run(r, &o);
    le_task *tasks = NULL;
    size_t n_tasks = 0;
    char *haystack = NULL;
    if (plan_configurations(r)) s = oom(err);
    if (!s && m) s = take_model(&c, m);
    if (!s) {
        set_text_options(&c);
        s = prepare_tasks(&c, &tasks, &n_tasks, &haystack);
    }
    if (!s) s = run_tasks(&c, tasks, n_tasks);
    finish_run(&c);
    for (size_t i = 0; i < n_tasks; i++) le_task_free(&tasks[i]);
    free(tasks);
    free(haystack);
    if (s) {
        le_bench_result_free(r);
        return s;
    }
    r->wall_seconds = le_now_seconds() - t_start;
    *out = r;
    return LE_OK;
}
