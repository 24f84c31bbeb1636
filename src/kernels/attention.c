/* Attention driver: one task per (head, query tile). A task packs its
 * queries transposed ([d][BQ], zero padded), walks the key tiles with an
 * online softmax and writes its rows of the output. Per-thread scratch (the
 * transposed queries, up to three score tiles, the output accumulator) is
 * allocated once per call: memory is O(threads · tile), never O(n²).
 *
 * Causal: key tiles past the tile's last query are never visited.
 * P·V keeps a contiguous copy of the tile's V rows for its later passes.
 * SelfExtend: a key tile computes only the score sets its distances need:
 * near the diagonal q·k, farther q_lo·k_g (left) or q_up·k_g (right).
 * In-kernel RoPE: a task rotates its queries once per position set it
 * needs, and each key tile by the sets that tile needs, into scratch; the
 * score kernels then read the rotated copies. */
#include "kernels/attention.h"

#include "base/arena.h"
#include "kernels/attention_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const le_attn_kernels *attn_for(le_isa isa, int bf16, int head_dim) {
    const le_cpu_features *f = le_cpu_detect();
    if (bf16 && le_attention_bf16_runs(isa, head_dim)) return &le_attn_avx512bf16;
    if (isa == LE_ISA_AVX512 && f->avx512) return &le_attn_avx512;
    if (isa >= LE_ISA_AVX2 && f->avx2) return &le_attn_avx2;
    return &le_attn_scalar;
}

typedef struct attn_job {
    const le_attn_args *a;
    const le_attn_kernels *k;
    int q_tiles;
    size_t scratch_floats; /* per thread */
    float *scratch;
    /* bf16 kernels: each kv head's keys (unless rotated per tile) and values
     * converted once, in the layouts of pack_k / pack_v; NULL otherwise */
    uint32_t *kp, *vp;
    size_t kp_head, vp_head; /* words per kv head */
} attn_job;

int le_attention_bf16_runs(le_isa isa, int head_dim) {
    const le_cpu_features *f = le_cpu_detect();
    return isa == LE_ISA_AVX512 && f->avx512 && f->avx512_bf16 && head_dim % 32 == 0 &&
           head_dim <= 256;
}

/* q rows [i0, i0 + nq) of head h → qt in the layout of k's scores: fp32
 * [d][BQ], or bf16 pairs [d/2][BQ] (32-bit words); lanes past nq zero */
static void pack_qt(const le_attn_kernels *k, const float *q, size_t stride, int i0, int nq, int d,
                    float *qt) {
    /* the fp32 gathers take int32 offsets; the bf16 packing gathers from its own copy */
    if (k->pack_q && (k->bf16 || stride <= (size_t)INT32_MAX / LE_ATTN_BQ)) {
        k->pack_q(q + (size_t)i0 * stride, stride, nq, d, qt);
        return;
    }
    const int lanes = le_attn_live_lanes(nq);
    for (int dd = 0; dd < d; dd++) memset(qt + (size_t)dd * LE_ATTN_BQ, 0, sizeof(float) * lanes);
    for (int i = 0; i < nq; i++) {
        const float *row = q + (size_t)(i0 + i) * stride;
        for (int dd = 0; dd < d; dd++) qt[(size_t)dd * LE_ATTN_BQ + i] = row[dd];
    }
}

/* y = x rotated by one table row (see le_attn_rope); y must not alias x */
static void rope_vec(const float *x, float *y, int d, const float *c, const float *s,
                     int rotate_half) {
    const int half = d / 2;
    if (rotate_half) {
        for (int j = 0; j < half; j++) {
            const float x1 = x[j], x2 = x[j + half];
            y[j] = x1 * c[j] - x2 * s[j];
            y[j + half] = x2 * c[j] + x1 * s[j];
        }
    } else {
        for (int j = 0; j < half; j++) {
            const float x1 = x[2 * j], x2 = x[2 * j + 1];
            y[2 * j] = x1 * c[j] - x2 * s[j];
            y[2 * j + 1] = x2 * c[j] + x1 * s[j];
        }
    }
}

/* The position sets of in-kernel RoPE: the true position, and SelfExtend's
 * grouped ones with and without the shift sh. */
enum { POS_NEAR, POS_GROUP, POS_GROUP_SHIFT };

static inline int rope_row(int pos, int set, int g, int sh) {
    return set == POS_NEAR ? pos : set == POS_GROUP ? pos / g : pos / g + sh;
}

/* like pack_qt, each row rotated by the table row of its position in set;
 * tmp: [BQ][d] */
static void pack_qt_rope(const le_attn_kernels *k, const float *q, size_t stride, int i0, int nq,
                         int d, const le_attn_rope *r, int q_offset, int set, int sh, int *rows,
                         float *tmp, float *qt) {
    for (int i = 0; i < nq; i++) rows[i] = rope_row(i0 + i + q_offset, set, r->se_group, sh);
    k->rope(q + (size_t)i0 * stride, stride, tmp, (size_t)d, nq, d, r->cos, r->sin, rows,
            r->rotate_half);
    pack_qt(k, tmp, (size_t)d, 0, nq, d, qt);
}

/* keys [j0, j0 + nk) of one head rotated into kr ([nk][d]) */
static void rope_keys(const le_attn_kernels *k, const float *kv, size_t stride, int j0, int nk,
                      int d, const le_attn_rope *r, int set, int sh, int *rows, float *kr) {
    for (int j = 0; j < nk; j++) rows[j] = rope_row(j0 + j, set, r->se_group, sh);
    k->rope(kv + (size_t)j0 * stride, stride, kr, (size_t)d, nk, d, r->cos, r->sin, rows,
            r->rotate_half);
}

int le_attn_rope_rows(int n_q, int q_offset, int n_kv, int se_window, int se_group) {
    long long qmax = (long long)n_q - 1 + q_offset, kmax = (long long)n_kv - 1;
    long long top = qmax > kmax ? qmax : kmax, rows = top + 1;
    if (se_window > 0) {
        const long long g = se_group > 1 ? se_group : 1, sh = se_window - se_window / g;
        if (top / g + sh + 1 > rows) rows = top / g + sh + 1;
    }
    return rows < 0 ? 0 : rows > 0x7fffffff ? 0x7fffffff : (int)rows;
}

/* One task's view of its per-thread scratch and of the tile it computes. */
typedef struct attn_tile_state {
    const le_attn_args *a;
    const le_attn_kernels *k;
    const le_attn_rope *rope;
    int d, bk, w, g, sh;           /* head dim, keys per tile, SelfExtend window, group, shift */
    int h, i0, nq;                 /* head, first query, queries in the tile */
    const uint32_t *kp, *vp;       /* the kv head's converted keys / values, or NULL */
    size_t qoff, koff;             /* column of the head in q/out and of its kv head in k/v */
    float *qt, *qt_lo, *qt_up;     /* packed queries [d][BQ] per score set */
    float *s_near, *s_lo, *s_up;   /* score tiles [bk][BQ] */
    float *o, *m, *l, *alpha, *vt; /* output accumulator and softmax state */
    float *s_max;                  /* [BQ] s_near's maximum per lane (scores_packed) */
    float *kr_near, *kr_g, *kr_up; /* in-kernel RoPE: rotated key tiles [bk][d] */
    float *row_tmp;                /* in-kernel RoPE: rotated query rows [BQ][d] */
    int *rows;                     /* in-kernel RoPE: the table rows of a tile */
} attn_tile_state;

/* Which score sets a key tile needs (SelfExtend picks by distance). */
typedef struct attn_key_tile {
    int j0, nk, dist0, dmin;
    int need_near, need_lo, need_up;
} attn_key_tile;

/* Task index → (head, query tile) and the task's scratch carved into its
 * buffers, in the layout le_attention sized. */
static void tile_state_init(const attn_job *job, size_t index, int thread, attn_tile_state *s) {
    const le_attn_args *a = job->a;
    s->a = a;
    s->k = job->k;
    s->rope = a->rope;
    s->d = a->head_dim, s->bk = s->k->bk, s->w = a->se_window;
    /* head by head, so the threads share one head's K and V in cache; the
     * latest query tiles first: under a causal mask they have the most keys */
    s->h = (int)(index / job->q_tiles);
    const int qtile = job->q_tiles - 1 - (int)(index % job->q_tiles);
    const int kvh = s->h / (a->n_heads / a->n_kv_heads);
    s->i0 = qtile * LE_ATTN_BQ;
    s->nq = a->n_q - s->i0 < LE_ATTN_BQ ? a->n_q - s->i0 : LE_ATTN_BQ;
    s->g = s->rope && s->rope->se_group > 1 ? s->rope->se_group : 1;
    s->sh = s->w - s->w / s->g;
    s->qoff = (size_t)s->h * s->d, s->koff = (size_t)kvh * s->d;
    s->kp = job->kp ? job->kp + (size_t)kvh * job->kp_head : NULL;
    s->vp = job->vp ? job->vp + (size_t)kvh * job->vp_head : NULL;

    const int d = s->d, bk = s->bk;
    float *mem = job->scratch + (size_t)thread * job->scratch_floats;
    const size_t qt_size = (size_t)d * LE_ATTN_BQ, st_size = (size_t)bk * LE_ATTN_BQ;
    s->qt = mem, s->qt_lo = s->qt + qt_size, s->qt_up = s->qt_lo + qt_size;
    s->s_near = s->qt_up + qt_size, s->s_lo = s->s_near + st_size, s->s_up = s->s_lo + st_size;
    s->o = s->s_up + st_size, s->m = s->o + (size_t)LE_ATTN_BQ * d;
    s->l = s->m + LE_ATTN_BQ, s->alpha = s->l + LE_ATTN_BQ, s->s_max = s->alpha + LE_ATTN_BQ;
    s->vt = s->s_max + LE_ATTN_BQ;
    s->kr_near = s->vt + (size_t)bk * d, s->kr_g = s->kr_near + (size_t)bk * d;
    s->kr_up = s->kr_g + (size_t)bk * d, s->row_tmp = s->kr_up + (size_t)bk * d;
    s->rows = (int *)(s->row_tmp + (size_t)LE_ATTN_BQ * d);
}

/* Packs the tile's queries for every score set it may need (rotated first
 * under in-kernel RoPE). */
static void tile_pack_queries(const attn_tile_state *s) {
    const le_attn_args *a = s->a;
    const float *q = a->q + s->qoff;
    if (s->rope) {
        pack_qt_rope(s->k, q, a->q_stride, s->i0, s->nq, s->d, s->rope, a->q_offset, POS_NEAR,
                     s->sh, s->rows, s->row_tmp, s->qt);
        if (s->w > 0) {
            /* keys to the left: query shifted; to the right: query grouped only */
            pack_qt_rope(s->k, q, a->q_stride, s->i0, s->nq, s->d, s->rope, a->q_offset,
                         POS_GROUP_SHIFT, s->sh, s->rows, s->row_tmp, s->qt_lo);
            pack_qt_rope(s->k, q, a->q_stride, s->i0, s->nq, s->d, s->rope, a->q_offset, POS_GROUP,
                         s->sh, s->rows, s->row_tmp, s->qt_up);
        }
    } else {
        pack_qt(s->k, q, a->q_stride, s->i0, s->nq, s->d, s->qt);
        if (s->w > 0) {
            pack_qt(s->k, a->q_lo + s->qoff, a->q_stride, s->i0, s->nq, s->d, s->qt_lo);
            pack_qt(s->k, a->q_up + s->qoff, a->q_stride, s->i0, s->nq, s->d, s->qt_up);
        }
    }
}

/* Zero output, running max −inf, running sum 0 (the live lanes only). */
static void tile_reset_softmax(const attn_tile_state *s) {
    memset(s->o, 0, sizeof(float) * (size_t)s->nq * s->d);
    for (int i = 0; i < le_attn_live_lanes(s->nq); i++) {
        s->m[i] = -INFINITY;
        s->l[i] = 0;
    }
}

/* The end of the keys the tile visits: under a causal mask, the keys up
 * to its last query. */
static int tile_key_end(const attn_tile_state *s) {
    const le_attn_args *a = s->a;
    int j_end = a->n_kv;
    if (a->causal) {
        long long last =
            (long long)s->i0 + s->nq - 1 + a->q_offset + 1; /* keys <= the last query */
        if (last < j_end) j_end = last < 0 ? 0 : (int)last;
    }
    return j_end;
}

/* The key tile [j0, j0 + nk) and the score sets its distances need. */
static attn_key_tile key_tile_at(const attn_tile_state *s, int j0, int j_end) {
    attn_key_tile kt = {.j0 = j0, .need_near = 1};
    kt.nk = j_end - j0 < s->bk ? j_end - j0 : s->bk;
    kt.dist0 = s->i0 + s->a->q_offset - j0;
    kt.dmin = kt.dist0 - (kt.nk - 1);
    const int dmax = kt.dist0 + (s->nq - 1);
    if (s->w > 0) {
        kt.need_near = dmax > -s->w && kt.dmin < s->w;
        kt.need_lo = dmax >= s->w;
        kt.need_up = kt.dmin <= -s->w && !s->a->causal;
    }
    return kt;
}

/* Long sequences keep K and V in L3 at best: fetches the rows of the key
 * tile starting at j1 into L2 while the current one computes. */
static void prefetch_key_tile(const attn_tile_state *s, int j1, int j_end) {
    const le_attn_args *a = s->a;
    const int d = s->d, next = j_end - j1 < s->bk ? j_end - j1 : s->bk;
    const float *kn = (s->w > 0 && !s->rope ? a->k_g : a->k) + (size_t)j1 * a->k_stride + s->koff;
    const float *vn = a->v + (size_t)j1 * a->v_stride + s->koff;
    for (int j = 0; j < next; j++)
        for (int dd = 0; dd < d; dd += 16) {
            __builtin_prefetch(kn + (size_t)j * a->k_stride + dd, 0, 2);
            __builtin_prefetch(vn + (size_t)j * a->v_stride + dd, 0, 2);
        }
}

/* The score tiles the key tile needs into t (the keys each set reads:
 * rotated here under in-kernel RoPE, else the caller's). */
static void key_tile_scores(const attn_tile_state *s, const attn_key_tile *kt, le_attn_tile *t) {
    const le_attn_args *a = s->a;
    const le_attn_kernels *k = s->k;
    const int d = s->d, j0 = kt->j0, nk = kt->nk;
    t->s_near = t->s_lo = t->s_up = NULL;
    t->s_max = NULL;
    const float *k_near = a->k + (size_t)j0 * a->k_stride + s->koff, *k_lo = NULL, *k_up = NULL;
    size_t ks_near = a->k_stride, ks_far = a->k_stride;
    if (s->rope) {
        const float *kh = a->k + s->koff;
        if (kt->need_near)
            rope_keys(k, kh, a->k_stride, j0, nk, d, s->rope, POS_NEAR, s->sh, s->rows, s->kr_near);
        if (kt->need_lo)
            rope_keys(k, kh, a->k_stride, j0, nk, d, s->rope, POS_GROUP, s->sh, s->rows, s->kr_g);
        if (kt->need_up)
            rope_keys(k, kh, a->k_stride, j0, nk, d, s->rope, POS_GROUP_SHIFT, s->sh, s->rows,
                      s->kr_up);
        k_near = s->kr_near, k_lo = s->kr_g, k_up = s->kr_up;
        ks_near = ks_far = (size_t)d;
    } else if (s->w > 0) {
        k_lo = k_up = a->k_g + (size_t)j0 * a->k_stride + s->koff;
    }
    if (kt->need_near && s->kp) { /* kp is NULL under in-kernel RoPE */
        k->scores_packed(s->qt, d, s->kp + (size_t)j0 * (d / 2), nk, s->nq, s->s_near, s->s_max);
        t->s_near = s->s_near;
        t->s_max = kt->need_lo || kt->need_up ? NULL : s->s_max; /* a max of s_near alone */
    } else if (kt->need_near) {
        k->scores(s->qt, d, k_near, ks_near, nk, s->nq, s->s_near);
        t->s_near = s->s_near;
    }
    if (kt->need_lo) {
        k->scores(s->qt_lo, d, k_lo, ks_far, nk, s->nq, s->s_lo);
        t->s_lo = s->s_lo;
    }
    if (kt->need_up) {
        k->scores(s->qt_up, d, k_up, ks_far, nk, s->nq, s->s_up);
        t->s_up = s->s_up;
    }
}

/* One online-softmax step over the key tile, then P·V into the accumulator. */
static void key_tile_accumulate(const attn_tile_state *s, const attn_key_tile *kt,
                                le_attn_tile *t) {
    const le_attn_args *a = s->a;
    t->p = s->s_near;
    t->nk = kt->nk;
    /* masks only where some distance in the tile can be negative */
    t->causal = a->causal && kt->dmin < 0;
    t->dist0 = kt->dist0;
    t->nq = s->nq;
    s->k->softmax(t, s->m, s->l, s->alpha);
    if (s->vp)
        s->k->pv_packed(s->s_near, kt->nk, s->vp + (size_t)(kt->j0 / 2) * s->d, s->d, s->o,
                        s->alpha, s->nq);
    else
        s->k->pv(s->s_near, kt->nk, a->v + (size_t)kt->j0 * a->v_stride + s->koff, a->v_stride,
                 s->d, s->o, s->alpha, s->nq, s->vt);
}

/* The tile's output rows: the accumulator over the softmax sum. */
static void tile_write_output(const attn_tile_state *s) {
    const le_attn_args *a = s->a;
    const int d = s->d;
    for (int i = 0; i < s->nq; i++) {
        le_attn_write_row(a->out + (size_t)(s->i0 + i) * a->out_stride + s->qoff,
                          s->o + (size_t)i * d, s->l[i], d);
    }
}

/* One (head, query tile): pack the queries, walk the key tiles with an
 * online softmax, write the tile's output rows. */
static void attn_task(void *ctx, size_t index, int thread) {
    attn_tile_state s;
    tile_state_init(ctx, index, thread, &s);
    tile_pack_queries(&s);
    tile_reset_softmax(&s);
    const int j_end = tile_key_end(&s);
    le_attn_tile t = {.scale = s.a->scale,
                      .slope = s.a->alibi_slopes ? s.a->alibi_slopes[s.h] : 0.0f,
                      .window = s.w};
    for (int j0 = 0; j0 < j_end; j0 += s.bk) {
        const attn_key_tile kt = key_tile_at(&s, j0, j_end);
        if (j0 + s.bk < j_end && !s.vp) prefetch_key_tile(&s, j0 + s.bk, j_end);
        key_tile_scores(&s, &kt, &t);
        key_tile_accumulate(&s, &kt, &t);
    }
    tile_write_output(&s);
}

enum { PACK_KEYS = 512 }; /* keys per conversion task (even: V pairs stay aligned) */

/* Conversion task: one chunk of keys and values of one kv head. */
static void pack_task(void *ctx, size_t index, int thread) {
    (void)thread;
    const attn_job *job = ctx;
    const le_attn_args *a = job->a;
    const int chunks = (a->n_kv + PACK_KEYS - 1) / PACK_KEYS, d = a->head_dim;
    const int kvh = (int)(index / chunks), j0 = (int)(index % chunks) * PACK_KEYS;
    const int nk = a->n_kv - j0 < PACK_KEYS ? a->n_kv - j0 : PACK_KEYS;
    const size_t col = (size_t)kvh * d;
    if (job->kp)
        job->k->pack_k(a->k + (size_t)j0 * a->k_stride + col, a->k_stride, nk, d,
                       job->kp + (size_t)kvh * job->kp_head + (size_t)j0 * (d / 2));
    job->k->pack_v(a->v + (size_t)j0 * a->v_stride + col, a->v_stride, nk, d,
                   job->vp + (size_t)kvh * job->vp_head + (size_t)(j0 / 2) * d);
}

/* bf16 kernels: K (unless in-kernel RoPE rotates it per tile) and V of every
 * kv head in bf16 pairs, O(n·d) words. Returns -1 when out of memory. */
static int pack_kv(attn_job *job, le_pool *pool) {
    const le_attn_args *a = job->a;
    const size_t d = (size_t)a->head_dim, heads = (size_t)a->n_kv_heads;
    job->kp_head = (size_t)a->n_kv * (d / 2);
    job->vp_head = (size_t)((a->n_kv + 1) / 2) * d;
    job->vp = le_alloc_aligned(sizeof(uint32_t) * job->vp_head * heads + 64);
    if (!a->rope) job->kp = le_alloc_aligned(sizeof(uint32_t) * job->kp_head * heads + 64);
    if (!job->vp || (!a->rope && !job->kp)) return -1;
    const size_t chunks = (size_t)(a->n_kv + PACK_KEYS - 1) / PACK_KEYS;
    le_pool_run(pool, heads * chunks, pack_task, job);
    return 0;
}

int le_attention(const le_kctx *kc, const le_attn_args *a) {
    if (a->n_q <= 0 || a->n_heads <= 0 || a->head_dim <= 0) return 0;
    const le_attn_kernels *k = attn_for(kc ? kc->isa : LE_ISA_SCALAR, a->bf16, a->head_dim);
    le_pool *pool = kc ? kc->pool : NULL;
    const int step = le_attention_decode(a, k, pool); /* one query: a decoder step */
    if (step) return step < 0 ? -1 : 0;
    attn_job job = {.a = a, .k = k};
    job.q_tiles = (a->n_q + LE_ATTN_BQ - 1) / LE_ATTN_BQ;
    const size_t d = (size_t)a->head_dim;
    if (a->rope) {
        const le_attn_rope *r = a->rope;
        if (!r->cos || !r->sin || a->head_dim % 2 || a->q_offset < 0 || r->se_group < 0 ||
            le_attn_rope_rows(a->n_q, a->q_offset, a->n_kv, a->se_window, r->se_group) > r->rows)
            return -1;
    }
    job.scratch_floats = 3 * d * LE_ATTN_BQ + 3 * (size_t)k->bk * LE_ATTN_BQ +
                         (size_t)LE_ATTN_BQ * d + 4 * LE_ATTN_BQ + (size_t)k->bk * d;
    if (a->rope) /* three key tiles, the query rows, the tile's table rows (as floats) */
        job.scratch_floats += 3 * (size_t)k->bk * d + (size_t)LE_ATTN_BQ * d +
                              (size_t)(k->bk > LE_ATTN_BQ ? k->bk : LE_ATTN_BQ);
    job.scratch_floats = (job.scratch_floats + 15) & ~(size_t)15;
    const int threads = le_pool_threads(pool);
    job.scratch = le_alloc_aligned(sizeof(float) * job.scratch_floats * threads);
    if (!job.scratch || (k->bf16 && a->n_kv > 0 && pack_kv(&job, pool))) {
        le_free_aligned(job.scratch), le_free_aligned(job.kp), le_free_aligned(job.vp);
        return -1;
    }
    /* tiles never read a lane they did not write, but keep stray NaNs out */
    memset(job.scratch, 0, sizeof(float) * job.scratch_floats * threads);
    le_pool_run(pool, (size_t)a->n_heads * job.q_tiles, attn_task, &job);
    le_free_aligned(job.scratch), le_free_aligned(job.kp), le_free_aligned(job.vp);
    return 0;
}

/* The score of query i (row of this call) and key j in double, or -inf. */
static double ref_score(const le_attn_args *a, int h, int i, int j, float *tmp_q, float *tmp_k) {
    const int d = a->head_dim, kvh = h / (a->n_heads / a->n_kv_heads);
    const long long ip = (long long)i + a->q_offset, dist = ip - j;
    if (a->causal && dist < 0) return -INFINITY;
    const float *q = a->q, *kk = a->k;
    const int far_left = a->se_window > 0 && dist >= a->se_window;
    const int far_right = a->se_window > 0 && -dist >= a->se_window;
    if (!a->rope && far_left)
        q = a->q_lo, kk = a->k_g;
    else if (!a->rope && far_right)
        q = a->q_up, kk = a->k_g;
    const float *qi = q + (size_t)i * a->q_stride + (size_t)h * d;
    const float *kj = kk + (size_t)j * a->k_stride + (size_t)kvh * d;
    if (a->rope) { /* rotate both by the rows of their position sets */
        const le_attn_rope *r = a->rope;
        const int g = r->se_group > 1 ? r->se_group : 1, w = a->se_window, sh = w - w / g;
        const int qset = far_left ? POS_GROUP_SHIFT : far_right ? POS_GROUP : POS_NEAR;
        const int kset = far_left ? POS_GROUP : far_right ? POS_GROUP_SHIFT : POS_NEAR;
        const int qrow = rope_row((int)ip, qset, g, sh), krow = rope_row(j, kset, g, sh);
        rope_vec(qi, tmp_q, d, r->cos + (size_t)qrow * (d / 2), r->sin + (size_t)qrow * (d / 2),
                 r->rotate_half);
        rope_vec(kj, tmp_k, d, r->cos + (size_t)krow * (d / 2), r->sin + (size_t)krow * (d / 2),
                 r->rotate_half);
        qi = tmp_q, kj = tmp_k;
    }
    double s = 0;
    for (int dd = 0; dd < d; dd++) s += (double)qi[dd] * kj[dd];
    s *= a->scale;
    if (a->alibi_slopes) s -= (double)a->alibi_slopes[h] * (double)llabs(dist);
    return s;
}

void le_attention_reference(const le_attn_args *a) {
    const int d = a->head_dim;
    double *s = malloc(sizeof(double) * (a->n_kv > 0 ? a->n_kv : 1));
    double *acc = malloc(sizeof(double) * d);
    float *tmp = malloc(sizeof(float) * 2 * (size_t)d);
    if (a->rope && le_attn_rope_rows(a->n_q, a->q_offset, a->n_kv, a->se_window,
                                     a->rope->se_group) > a->rope->rows) {
        free(tmp); /* a table too short: an answer no test accepts */
        tmp = NULL;
    }
    for (int h = 0; h < a->n_heads; h++) {
        const int kvh = h / (a->n_heads / a->n_kv_heads);
        for (int i = 0; i < a->n_q; i++) {
            float *dst = a->out + (size_t)i * a->out_stride + (size_t)h * d;
            if (!s || !acc || !tmp) { /* out of memory: an answer no test accepts */
                for (int dd = 0; dd < d; dd++) dst[dd] = NAN;
                continue;
            }
            double mx = -INFINITY;
            for (int j = 0; j < a->n_kv; j++) {
                s[j] = ref_score(a, h, i, j, tmp, tmp + d);
                if (s[j] > mx) mx = s[j];
            }
            double sum = 0;
            for (int dd = 0; dd < d; dd++) acc[dd] = 0;
            if (mx > -INFINITY)
                for (int j = 0; j < a->n_kv; j++) {
                    double p = exp(s[j] - mx);
                    sum += p;
                    const float *vj = a->v + (size_t)j * a->v_stride + (size_t)kvh * d;
                    for (int dd = 0; dd < d; dd++) acc[dd] += p * vj[dd];
                }
            for (int dd = 0; dd < d; dd++) dst[dd] = sum > 0 ? (float)(acc[dd] / sum) : 0.0f;
        }
    }
    free(s);
    free(acc);
    free(tmp);
}
