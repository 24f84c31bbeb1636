/* Row operations: dispatch on kc->isa, rows split over kc->pool. */
#include "kernels/ops.h"

#include "kernels/gemm_quant.h"
#include "kernels/ops_internal.h"

#include <math.h>

static const le_ops_kernels *ops_for(le_isa isa) {
    const le_cpu_features *f = le_cpu_detect();
    if (isa == LE_ISA_AVX512 && f->avx512) return &le_ops_avx512;
    if (isa >= LE_ISA_AVX2 && f->avx2) return &le_ops_avx2;
    return &le_ops_scalar;
}

typedef struct ops_job {
    const le_ops_kernels *k;
    int op;
    const float *x, *y;
    size_t ldx, ldy;
    float *out;
    size_t ldo;
    size_t rows, chunk;
    int dim;
    const float *gamma, *beta;
    float eps;
    const le_gemm_qrows *q; /* layernorm: the rows also rounded to int8 here */
    le_act act;
    /* rope */
    int n_heads, head_dim, rotate_half;
    const float *cos, *sin;
    const double *pos, *inv_freq;
} ops_job;

enum { OP_LAYERNORM, OP_RMSNORM, OP_ACTIVATE, OP_GATED, OP_ROPE_TABLE, OP_ROPE };

enum { ROPE_CHUNK = 256 }; /* angles computed per token in chunks of this many */

static void rope_token(const ops_job *j, float *x, double pos) {
    const int half = j->head_dim / 2;
    float c[ROPE_CHUNK], s[ROPE_CHUNK];
    if (half <= ROPE_CHUNK) {
        for (int i = 0; i < half; i++) {
            double angle = pos * j->inv_freq[i];
            c[i] = (float)cos(angle);
            s[i] = (float)sin(angle);
        }
        j->k->rope_row(x, j->n_heads, j->head_dim, c, s, j->rotate_half);
        return;
    }
    /* wide heads: rotate pair by pair (same arithmetic as the row kernels) */
    for (int h = 0; h < j->n_heads; h++) {
        float *v = x + (size_t)h * j->head_dim;
        for (int i = 0; i < half; i++) {
            double angle = pos * j->inv_freq[i];
            float ci = (float)cos(angle), si = (float)sin(angle);
            float *p1 = j->rotate_half ? v + i : v + 2 * i;
            float *p2 = j->rotate_half ? v + half + i : v + 2 * i + 1;
            float x1 = *p1, x2 = *p2;
            *p1 = x1 * ci - x2 * si;
            *p2 = x2 * ci + x1 * si;
        }
    }
}

static void ops_task(void *ctx, size_t index, int thread) {
    (void)thread;
    const ops_job *j = ctx;
    size_t r0 = index * j->chunk, r1 = r0 + j->chunk < j->rows ? r0 + j->chunk : j->rows;
    const int half = j->head_dim / 2;
    for (size_t r = r0; r < r1; r++) {
        switch (j->op) {
        case OP_LAYERNORM:
            j->k->layernorm_row(j->x + r * j->ldx, j->dim, j->gamma, j->beta, j->eps,
                                j->out + r * j->ldo);
            if (j->q) /* while the row is in L1 */
                j->q->scale[r] = le_quant_row_s8(j->out + r * j->ldo, j->dim, j->q->q + r * j->dim);
            break;
        case OP_RMSNORM:
            j->k->rmsnorm_row(j->x + r * j->ldx, j->dim, j->gamma, j->eps, j->out + r * j->ldo);
            break;
        case OP_GATED:
            j->k->gated_row(j->x + r * j->ldx, j->y + r * j->ldy, j->dim, j->act,
                            j->out + r * j->ldo);
            break;
        case OP_ROPE_TABLE:
            j->k->rope_row(j->out + r * j->ldo, j->n_heads, j->head_dim, j->cos + r * half,
                           j->sin + r * half, j->rotate_half);
            break;
        case OP_ROPE: rope_token(j, j->out + r * j->ldo, j->pos[r]); break;
        default: break;
        }
    }
    if (j->op == OP_ACTIVATE) j->k->activate(j->out + r0, r1 - r0, j->act);
}

/* rows split into tasks of about min_work elements each, at most 8 per thread */
static void ops_run(const le_kctx *kc, ops_job *j, size_t work_per_row, size_t min_work) {
    if (j->rows == 0) return;
    le_pool *pool = kc ? kc->pool : NULL;
    size_t threads = (size_t)le_pool_threads(pool);
    size_t per = min_work / (work_per_row ? work_per_row : 1);
    if (per < 1) per = 1;
    size_t max_tasks = threads * 8;
    size_t tasks = (j->rows + per - 1) / per;
    if (tasks > max_tasks) tasks = max_tasks;
    if (tasks < 1) tasks = 1;
    j->chunk = (j->rows + tasks - 1) / tasks;
    tasks = (j->rows + j->chunk - 1) / j->chunk;
    le_pool_run(threads > 1 ? pool : NULL, tasks, ops_task, j);
}

void le_layernorm_row(le_isa isa, const float *x, int dim, const float *gamma, const float *beta,
                      float eps, float *out) {
    ops_for(isa)->layernorm_row(x, dim, gamma, beta, eps, out);
}

void le_layernorm(const le_kctx *kc, const float *x, size_t ldx, size_t rows, int dim,
                  const float *gamma, const float *beta, float eps, float *out, size_t ldo) {
    le_layernorm_q(kc, x, ldx, rows, dim, gamma, beta, eps, out, ldo, NULL);
}

void le_layernorm_q(const le_kctx *kc, const float *x, size_t ldx, size_t rows, int dim,
                    const float *gamma, const float *beta, float eps, float *out, size_t ldo,
                    const le_gemm_qrows *q) {
    ops_job j = {.k = ops_for(kc ? kc->isa : LE_ISA_SCALAR),
                 .q = q,
                 .op = OP_LAYERNORM,
                 .x = x,
                 .ldx = ldx,
                 .out = out,
                 .ldo = ldo,
                 .rows = rows,
                 .dim = dim,
                 .gamma = gamma,
                 .beta = beta,
                 .eps = eps};
    ops_run(kc, &j, (size_t)dim * 3, 16384);
}

void le_rmsnorm(const le_kctx *kc, const float *x, size_t ldx, size_t rows, int dim,
                const float *gamma, float eps, float *out, size_t ldo) {
    ops_job j = {.k = ops_for(kc ? kc->isa : LE_ISA_SCALAR),
                 .op = OP_RMSNORM,
                 .x = x,
                 .ldx = ldx,
                 .out = out,
                 .ldo = ldo,
                 .rows = rows,
                 .dim = dim,
                 .gamma = gamma,
                 .eps = eps};
    ops_run(kc, &j, (size_t)dim * 2, 16384);
}

void le_activate(const le_kctx *kc, float *x, size_t n, le_act act) {
    if (act == LE_ACT_NONE) return;
    ops_job j = {.k = ops_for(kc ? kc->isa : LE_ISA_SCALAR),
                 .op = OP_ACTIVATE,
                 .out = x,
                 .rows = n,
                 .act = act};
    ops_run(kc, &j, 16, 16384 * 16);
}

void le_gated_act(const le_kctx *kc, const float *gate, size_t ldg, const float *up, size_t ldu,
                  size_t rows, int dim, le_act act, float *out, size_t ldo) {
    ops_job j = {.k = ops_for(kc ? kc->isa : LE_ISA_SCALAR),
                 .op = OP_GATED,
                 .x = gate,
                 .ldx = ldg,
                 .y = up,
                 .ldy = ldu,
                 .out = out,
                 .ldo = ldo,
                 .rows = rows,
                 .dim = dim,
                 .act = act};
    ops_run(kc, &j, (size_t)dim * 16, 16384 * 16);
}

void le_l2_normalize(float *x, int dim) {
    double s = 0;
    for (int i = 0; i < dim; i++) s += (double)x[i] * x[i];
    if (s <= 0) return;
    double inv = 1.0 / sqrt(s);
    for (int i = 0; i < dim; i++) x[i] = (float)(x[i] * inv);
}

void le_rope_table(const double *pos, size_t n, const double *inv_freq, int half, float *cos_out,
                   float *sin_out) {
    for (size_t t = 0; t < n; t++)
        for (int i = 0; i < half; i++) {
            double angle = pos[t] * inv_freq[i];
            cos_out[t * half + i] = (float)cos(angle);
            sin_out[t * half + i] = (float)sin(angle);
        }
}

void le_rope_apply(const le_kctx *kc, float *x, size_t ld, size_t n, int n_heads, int head_dim,
                   const float *cos_table, const float *sin_table, int rotate_half) {
    ops_job j = {.k = ops_for(kc ? kc->isa : LE_ISA_SCALAR),
                 .op = OP_ROPE_TABLE,
                 .out = x,
                 .ldo = ld,
                 .rows = n,
                 .n_heads = n_heads,
                 .head_dim = head_dim,
                 .cos = cos_table,
                 .sin = sin_table,
                 .rotate_half = rotate_half};
    ops_run(kc, &j, (size_t)n_heads * head_dim * 2, 16384);
}

void le_rope(const le_kctx *kc, float *x, size_t ld, size_t n, int n_heads, int head_dim,
             const double *pos, const double *inv_freq, int rotate_half) {
    ops_job j = {.k = ops_for(kc ? kc->isa : LE_ISA_SCALAR),
                 .op = OP_ROPE,
                 .out = x,
                 .ldo = ld,
                 .rows = n,
                 .n_heads = n_heads,
                 .head_dim = head_dim,
                 .pos = pos,
                 .inv_freq = inv_freq,
                 .rotate_half = rotate_half};
    ops_run(kc, &j, (size_t)head_dim * 40 + (size_t)n_heads * head_dim * 2, 16384);
}
