/* Attention driver: one task per (head, query tile). A task packs its
 * queries transposed ([d][BQ], zero padded), walks the key tiles with an
 * online softmax and writes its rows of the output. Per-thread scratch (the
 * transposed queries, up to three score tiles, the output accumulator) is
 * allocated once per call: memory is O(threads · tile), never O(n²).
 *
 * Causal: key tiles past the tile's last query are never visited.
 * P·V keeps a contiguous copy of the tile's V rows for its later passes.
 * SelfExtend: a key tile computes only the score sets its distances need:
 * near the diagonal q·k, farther q_lo·k_g (left) or q_up·k_g (right). */
#include "kernels/attention.h"

#include "base/arena.h"
#include "kernels/attention_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const le_attn_kernels *attn_for(le_isa isa) {
    const le_cpu_features *f = le_cpu_detect();
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
} attn_job;

/* q rows [i0, i0 + nq) of head h → qt [d][BQ], lanes past nq zero */
static void pack_qt(const float *q, size_t stride, int i0, int nq, int d, float *qt) {
    memset(qt, 0, sizeof(float) * (size_t)d * LE_ATTN_BQ);
    for (int i = 0; i < nq; i++) {
        const float *row = q + (size_t)(i0 + i) * stride;
        for (int dd = 0; dd < d; dd++) qt[(size_t)dd * LE_ATTN_BQ + i] = row[dd];
    }
}

static void attn_task(void *ctx, size_t index, int thread) {
    const attn_job *job = ctx;
    const le_attn_args *a = job->a;
    const le_attn_kernels *k = job->k;
    const int d = a->head_dim, bk = k->bk, w = a->se_window;
    /* head by head, so the threads share one head's K and V in cache; the
     * latest query tiles first: under a causal mask they have the most keys */
    const int h = (int)(index / job->q_tiles);
    const int qtile = job->q_tiles - 1 - (int)(index % job->q_tiles);
    const int kvh = h / (a->n_heads / a->n_kv_heads);
    const int i0 = qtile * LE_ATTN_BQ;
    const int nq = a->n_q - i0 < LE_ATTN_BQ ? a->n_q - i0 : LE_ATTN_BQ;

    float *mem = job->scratch + (size_t)thread * job->scratch_floats;
    const size_t qt_size = (size_t)d * LE_ATTN_BQ, st_size = (size_t)bk * LE_ATTN_BQ;
    float *qt = mem, *qt_lo = qt + qt_size, *qt_up = qt_lo + qt_size;
    float *s_near = qt_up + qt_size, *s_lo = s_near + st_size, *s_up = s_lo + st_size;
    float *o = s_up + st_size, *m = o + (size_t)LE_ATTN_BQ * d;
    float *l = m + LE_ATTN_BQ, *alpha = l + LE_ATTN_BQ, *vt = alpha + LE_ATTN_BQ;

    const size_t qoff = (size_t)h * d, koff = (size_t)kvh * d;
    pack_qt(a->q + qoff, a->q_stride, i0, nq, d, qt);
    if (w > 0) {
        pack_qt(a->q_lo + qoff, a->q_stride, i0, nq, d, qt_lo);
        pack_qt(a->q_up + qoff, a->q_stride, i0, nq, d, qt_up);
    }
    memset(o, 0, sizeof(float) * (size_t)LE_ATTN_BQ * d);
    for (int i = 0; i < LE_ATTN_BQ; i++) {
        m[i] = -INFINITY;
        l[i] = 0;
    }

    int j_end = a->n_kv;
    if (a->causal) {
        long long last = (long long)i0 + nq - 1 + a->q_offset + 1; /* keys <= the last query */
        if (last < j_end) j_end = last < 0 ? 0 : (int)last;
    }
    le_attn_tile t = {
        .scale = a->scale, .slope = a->alibi_slopes ? a->alibi_slopes[h] : 0.0f, .window = w};
    for (int j0 = 0; j0 < j_end; j0 += bk) {
        const int nk = j_end - j0 < bk ? j_end - j0 : bk;
        const int dist0 = i0 + a->q_offset - j0;
        const int dmin = dist0 - (nk - 1), dmax = dist0 + (nq - 1);
        int need_near = 1, need_lo = 0, need_up = 0;
        if (w > 0) {
            need_near = dmax > -w && dmin < w;
            need_lo = dmax >= w;
            need_up = dmin <= -w && !a->causal;
        }
        /* long sequences keep K and V in L3 at best: fetch the next tile's
         * rows into L2 while this one computes */
        if (j0 + bk < j_end) {
            const int next = j_end - (j0 + bk) < bk ? j_end - (j0 + bk) : bk;
            const float *kn = (w > 0 ? a->k_g : a->k) + (size_t)(j0 + bk) * a->k_stride + koff;
            const float *vn = a->v + (size_t)(j0 + bk) * a->v_stride + koff;
            for (int j = 0; j < next; j++)
                for (int dd = 0; dd < d; dd += 16) {
                    __builtin_prefetch(kn + (size_t)j * a->k_stride + dd, 0, 2);
                    __builtin_prefetch(vn + (size_t)j * a->v_stride + dd, 0, 2);
                }
        }
        t.s_near = t.s_lo = t.s_up = NULL;
        if (need_near) {
            k->scores(qt, d, a->k + (size_t)j0 * a->k_stride + koff, a->k_stride, nk, s_near);
            t.s_near = s_near;
        }
        if (need_lo) {
            k->scores(qt_lo, d, a->k_g + (size_t)j0 * a->k_stride + koff, a->k_stride, nk, s_lo);
            t.s_lo = s_lo;
        }
        if (need_up) {
            k->scores(qt_up, d, a->k_g + (size_t)j0 * a->k_stride + koff, a->k_stride, nk, s_up);
            t.s_up = s_up;
        }
        t.p = s_near;
        t.nk = nk;
        /* masks only where some distance in the tile can be negative */
        t.causal = a->causal && dmin < 0;
        t.dist0 = dist0;
        k->softmax(&t, m, l, alpha);
        k->pv(s_near, nk, a->v + (size_t)j0 * a->v_stride + koff, a->v_stride, d, o, alpha, nq, vt);
    }
    for (int i = 0; i < nq; i++) {
        float *dst = a->out + (size_t)(i0 + i) * a->out_stride + qoff;
        const float *src = o + (size_t)i * d;
        if (l[i] > 0) {
            const float inv = 1.0f / l[i];
            for (int dd = 0; dd < d; dd++) dst[dd] = src[dd] * inv;
        } else {
            memset(dst, 0, sizeof(float) * d); /* no key left unmasked */
        }
    }
}

int le_attention(const le_kctx *kc, const le_attn_args *a) {
    if (a->n_q <= 0 || a->n_heads <= 0 || a->head_dim <= 0) return 0;
    const le_attn_kernels *k = attn_for(kc ? kc->isa : LE_ISA_SCALAR);
    le_pool *pool = kc ? kc->pool : NULL;
    attn_job job = {.a = a, .k = k};
    job.q_tiles = (a->n_q + LE_ATTN_BQ - 1) / LE_ATTN_BQ;
    const size_t d = (size_t)a->head_dim;
    job.scratch_floats = 3 * d * LE_ATTN_BQ + 3 * (size_t)k->bk * LE_ATTN_BQ +
                         (size_t)LE_ATTN_BQ * d + 3 * LE_ATTN_BQ + (size_t)k->bk * d;
    job.scratch_floats = (job.scratch_floats + 15) & ~(size_t)15;
    const int threads = le_pool_threads(pool);
    job.scratch = le_alloc_aligned(sizeof(float) * job.scratch_floats * threads);
    if (!job.scratch) return -1;
    /* tiles never read a lane they did not write, but keep stray NaNs out */
    memset(job.scratch, 0, sizeof(float) * job.scratch_floats * threads);
    le_pool_run(pool, (size_t)a->n_heads * job.q_tiles, attn_task, &job);
    le_free_aligned(job.scratch);
    return 0;
}

/* The score of query i (row of this call) and key j in double, or -inf. */
static double ref_score(const le_attn_args *a, int h, int i, int j) {
    const int d = a->head_dim, kvh = h / (a->n_heads / a->n_kv_heads);
    const long long ip = (long long)i + a->q_offset, dist = ip - j;
    if (a->causal && dist < 0) return -INFINITY;
    const float *q = a->q, *kk = a->k;
    if (a->se_window > 0 && dist >= a->se_window)
        q = a->q_lo, kk = a->k_g;
    else if (a->se_window > 0 && -dist >= a->se_window)
        q = a->q_up, kk = a->k_g;
    const float *qi = q + (size_t)i * a->q_stride + (size_t)h * d;
    const float *kj = kk + (size_t)j * a->k_stride + (size_t)kvh * d;
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
    for (int h = 0; h < a->n_heads; h++) {
        const int kvh = h / (a->n_heads / a->n_kv_heads);
        for (int i = 0; i < a->n_q; i++) {
            float *dst = a->out + (size_t)i * a->out_stride + (size_t)h * d;
            if (!s || !acc) { /* out of memory: an answer no test accepts */
                for (int dd = 0; dd < d; dd++) dst[dd] = NAN;
                continue;
            }
            double mx = -INFINITY;
            for (int j = 0; j < a->n_kv; j++) {
                s[j] = ref_score(a, h, i, j);
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
}
