/* A decoder step's attention: one query per head against the whole KV
 * cache (le_attention hands such calls here). The tile driver would pack
 * a tile of queries per head, so a step would compute a vector of lanes
 * for its one query and read each kv head's keys and values once per
 * query head sharing them (GQA). Here one task takes one kv head with all
 * of its query heads, walks the key tiles in order and keys are the lanes
 * (attn_decode in attention_simd.inc): the same operations in the same
 * order as the tiles, so the same bits, whatever the threads. */
#include "base/arena.h"
#include "base/pool.h"
#include "kernels/attention.h"
#include "kernels/attention_internal.h"

#include <math.h>
#include <string.h>

typedef struct decode_job {
    const le_attn_args *a;
    const le_attn_kernels *k;
    int group, n_keys;
    float *scratch; /* per thread: kt [d][BQ], s [group][BQ], m, l [group], o [group][d] */
    size_t scratch_floats;
} decode_job;

static void decode_task(void *ctx, size_t index, int thread) {
    const decode_job *job = ctx;
    const le_attn_args *a = job->a;
    const int g = job->group, d = a->head_dim, bk = job->k->bk, kvh = (int)index;
    float *kt = job->scratch + (size_t)thread * job->scratch_floats;
    float *s = kt + (size_t)d * LE_ATTN_BQ, *m = s + (size_t)g * LE_ATTN_BQ, *l = m + g,
          *o = l + g;
    for (int r = 0; r < g; r++) m[r] = -INFINITY, l[r] = 0;
    memset(o, 0, sizeof(float) * (size_t)g * d);
    const size_t col = (size_t)kvh * d;
    const float *q = a->q + (size_t)kvh * g * d;
    for (int j0 = 0; j0 < job->n_keys; j0 += bk) {
        const int nk = job->n_keys - j0 < bk ? job->n_keys - j0 : bk;
        job->k->decode(q, (size_t)d, g, d, a->k + (size_t)j0 * a->k_stride + col, a->k_stride,
                       a->v + (size_t)j0 * a->v_stride + col, a->v_stride, nk, a->scale, kt, s,
                       m, l, o);
    }
    for (int r = 0; r < g; r++)
        le_attn_write_row(a->out + col * g + (size_t)r * d, o + (size_t)r * d, l[r], d);
}

int le_attention_decode(const le_attn_args *a, const le_attn_kernels *k, le_pool *pool) {
    if (a->n_q != 1 || a->rope || a->se_window || a->alibi_slopes || a->bf16 || !k->decode ||
        k->bk > LE_ATTN_BQ || a->n_kv_heads <= 0 || a->n_heads % a->n_kv_heads)
        return 0;
    decode_job job = {.a = a, .k = k, .group = a->n_heads / a->n_kv_heads, .n_keys = a->n_kv};
    if (a->causal && a->q_offset + 1 < job.n_keys) job.n_keys = a->q_offset + 1;
    const size_t d = (size_t)a->head_dim, g = (size_t)job.group;
    job.scratch_floats = (d * LE_ATTN_BQ + g * LE_ATTN_BQ + 2 * g + g * d + 15) & ~(size_t)15;
    const int threads = le_pool_threads(pool);
    job.scratch = le_alloc_aligned(sizeof(float) * job.scratch_floats * (size_t)threads);
    if (!job.scratch) return -1;
    le_pool_run(pool, (size_t)a->n_kv_heads, decode_task, &job);
    le_free_aligned(job.scratch);
    return 1;
}
