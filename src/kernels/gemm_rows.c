/* The row-wise GEMM driver, for int8 weights and for oneDNN's kernels.
 *
 * C is computed in chunks of ROWS rows, one chunk per pool task: the chunk's
 * rows of A are converted (int8 with a scale per row, or bf16), multiplied
 * by W into a per-thread buffer (oneDNN's matmul, or the own scalar int8
 * twin), turned back into fp32 (int8: sum · row scale · column scale) and
 * finished by the fp32 epilogue of the own kernels (bias, activation,
 * residual add), so every backend shares one epilogue. */
#include "base/arena.h"
#include "kernels/gemm_dnnl.h"
#include "kernels/gemm_internal.h"
#include "kernels/gemm_quant.h"
#include "kernels/kscratch.h"
#include "kernels/ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { ROWS = 64 };

static size_t round64(size_t b) { return (b + 63) & ~(size_t)63; }

/* W into int8 rows q with per-row scales; a non-finite weight is an error. */
static le_status quant_weight(const float *w, int n, int k, int8_t *q, float *scales,
                              le_error *err) {
    if (le_quant_weight_s8(w, n, k, q, scales) == 0) return LE_OK;
    return le_fail(err, LE_ERR_FORMAT, "gemm pack: a weight of a [%d][%d] matrix is not finite", n,
                   k);
}

/* The own int8 twin: W as int8 [N][K] in data. */
static le_status pack_own_int8(const float *w, int n, int k, le_gemm_weight *pw, le_error *err) {
    pw->bytes = (size_t)n * k;
    pw->data = le_alloc_aligned(pw->bytes ? pw->bytes : 64);
    if (!pw->data) return le_fail(err, LE_ERR_NOMEM, "gemm pack: out of memory");
    return quant_weight(w, n, k, pw->data, pw->scales, err);
}

/* oneDNN: W converted to int8 (with scales) or bf16, then reordered. */
static le_status pack_dnnl(le_gemm_dtype dtype, const float *w, int n, int k, le_gemm_weight *pw,
                           le_error *err) {
    size_t count = (size_t)n * k;
    void *plain = malloc(count * (dtype == LE_GEMM_INT8 ? 1 : 2) + 1);
    if (!plain) return le_fail(err, LE_ERR_NOMEM, "gemm pack: out of memory");
    le_status s = LE_OK;
    if (dtype == LE_GEMM_INT8) {
        s = quant_weight(w, n, k, plain, pw->scales, err);
    } else {
        le_quant_row_bf16(w, (int)count, plain);
    }
    if (s == LE_OK) s = le_dnnl_pack(dtype, plain, n, k, &pw->dnnl, err);
    free(plain);
    if (s == LE_OK) pw->bytes = le_dnnl_weight_bytes(pw->dnnl);
    return s;
}

le_status le_gemm_rows_pack(le_gemm_backend be, le_isa isa, le_gemm_dtype dtype, const float *w,
                            int n, int k, le_gemm_weight *pw, le_error *err) {
    pw->backend = be;
    pw->dtype = dtype;
    pw->isa = isa;
    pw->n = n;
    pw->k = k;
    if (dtype == LE_GEMM_INT8) {
        pw->scales = malloc(((size_t)n + 16) * sizeof(float));
        if (!pw->scales) return le_fail(err, LE_ERR_NOMEM, "gemm pack: out of memory");
    }
    if (be == LE_GEMM_DNNL) return pack_dnnl(dtype, w, n, k, pw, err);
    return pack_own_int8(w, n, k, pw, err);
}

void le_gemm_rows_free(le_gemm_weight *w) {
    le_dnnl_weight_free(w->dnnl);
    free(w->scales);
}

typedef struct rows_job {
    const float *a; /* fp32 rows, rounded per chunk, or NULL when qa holds them rounded */
    const le_gemm_qrows *qa;
    size_t lda, m;
    const le_gemm_weight *w;
    le_gemm_epilogue ep;
    float *c;        /* NULL: the rows live only in ep.qout */
    size_t ldc, ldd; /* ldd: row stride of the per-thread results */
    const le_gemm_kernels *fin; /* whose fp32 epilogue finishes the rows */
    le_isa norm_isa;            /* whose LayerNorm (le_layernorm's on kc's ISA) */
} rows_job;

/* acc[r][j] = Σ_k q[r][k]·W[j][k] over int8 values (the own twin). */
static void int8_rows_scalar(const le_gemm_weight *w, int rows, const int8_t *q, int32_t *acc,
                             size_t ldd) {
    const int8_t *wq = w->data;
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < w->n; j++) {
            const int8_t *x = q + (size_t)r * w->k, *y = wq + (size_t)j * w->k;
            int32_t s = 0;
            for (int kk = 0; kk < w->k; kk++) s += (int32_t)x[kk] * y[kk];
            acc[(size_t)r * ldd + j] = s;
        }
}

/* Rows [r0, r0 + rows) of A in the weight's format, into src (and their
 * int8 scales into scale); int8 rows already rounded (job->qa) are used
 * where they lie. Returns the rows to multiply. */
static const void *rows_source(const rows_job *job, size_t r0, int rows, void *src, float **scale) {
    const int k = job->w->k;
    if (job->qa) {
        *scale = job->qa->scale + r0;
        return job->qa->q + r0 * (size_t)k;
    }
    for (int r = 0; r < rows; r++) {
        const float *row = job->a + (r0 + r) * job->lda;
        if (job->w->dtype == LE_GEMM_INT8)
            (*scale)[r] = le_quant_row_s8(row, k, (int8_t *)src + (size_t)r * k);
        else
            le_quant_row_bf16(row, k, (uint16_t *)src + (size_t)r * k);
    }
    return src;
}

/* Finishes rows [r0, r0 + rows) row by row while each is in L1: the fp32
 * epilogue (for int8, on the sums turned back to fp32 on the way: sum · row
 * scale · column scale), the LayerNorm of ep.norm, the rounding into ep.qout. */
static void rows_finish(const rows_job *job, size_t r0, int rows, float *acc, const float *scale) {
    const le_gemm_weight *w = job->w;
    const le_gemm_epilogue *ep = &job->ep;
    for (int r = 0; r < rows; r++) {
        float *t = acc + (size_t)r * job->ldd;
        float *out = job->c ? job->c + (r0 + r) * job->ldc : t;
        if (w->dtype == LE_GEMM_INT8)
            job->fin->epilogue_s32((const int32_t *)t, scale[r], w->scales, w->n, ep->bias, ep->act,
                                   ep->accumulate, out);
        else
            job->fin->epilogue(t, (int)job->ldd, 1, w->n, ep->bias, ep->act, ep->accumulate, out,
                               job->ldc);
        if (ep->norm)
            le_layernorm_row(job->norm_isa, out, w->n, ep->norm->gamma, ep->norm->beta,
                             ep->norm->eps, out);
        if (ep->qout)
            ep->qout->scale[r0 + r] = le_quant_row_s8(out, w->n, ep->qout->q + (r0 + r) * w->n);
    }
}

/* Rows [r0, r0 + rows) of C. Returns -1 when scratch or oneDNN failed. */
static int rows_chunk(const rows_job *job, size_t r0, int rows) {
    const le_gemm_weight *w = job->w;
    const int k = w->k, int8 = w->dtype == LE_GEMM_INT8;
    le_dnnl_call *call = NULL;
    size_t dnnl_scratch = 0;
    if (w->dnnl && !(call = le_dnnl_prepare(w->dnnl, rows, &dnnl_scratch))) return -1;
    const size_t src_b = job->qa ? 0 : round64((size_t)rows * k * (int8 ? 1 : 2));
    const size_t scale_b = round64((size_t)rows * sizeof(float));
    const size_t acc_b = round64((size_t)rows * job->ldd * 4);
    char *mem = le_kscratch(src_b + scale_b + acc_b + dnnl_scratch);
    if (!mem) return -1;
    float *scale = (float *)(mem + src_b);
    float *acc = (float *)(mem + src_b + scale_b);
    const void *src = rows_source(job, r0, rows, mem, &scale);
    if (call) {
        if (le_dnnl_exec(call, w->dnnl, src, acc, mem + src_b + scale_b + acc_b) != 0) return -1;
    } else {
        int8_rows_scalar(w, rows, src, (int32_t *)acc, job->ldd);
    }
    rows_finish(job, r0, rows, acc, scale);
    return 0;
}

/* The rows of a chunk that failed: NaN in C (or in the scales of ep.qout). */
static void rows_fail(const rows_job *job, size_t r0, int rows) {
    for (int r = 0; r < rows; r++) {
        if (job->ep.qout) job->ep.qout->scale[r0 + r] = NAN;
        if (job->c)
            for (int j = 0; j < job->w->n; j++) job->c[(r0 + r) * job->ldc + j] = NAN;
    }
}

static void rows_task(void *ctx, size_t index, int thread) {
    (void)thread;
    const rows_job *job = ctx;
    const size_t r0 = index * ROWS;
    const int rows = job->m - r0 < ROWS ? (int)(job->m - r0) : ROWS;
    if (rows_chunk(job, r0, rows) == 0) return;
    /* no memory (or oneDNN failed): the rows become NaN, which the callers'
     * non-finite checks turn into an error naming the text, never a wrong
     * number passed on as right */
    rows_fail(job, r0, rows);
}

static void rows_run(const le_kctx *kc, rows_job *job) {
    const le_cpu_features *f = le_cpu_detect();
    /* rows rounded to int8 next (steps of max|row|/127) lose nothing to an erf
     * 1e-6 off: the fast one (measured in docs/speed.md) */
    if (job->ep.qout && job->ep.act == LE_ACT_GELU_ERF) job->ep.act = LE_ACT_GELU_ERF_FAST;
    job->ldd = ((size_t)job->w->n + 15) & ~(size_t)15;
    job->fin = f->avx512 ? &le_gemm_avx512_f32 : f->avx2 ? &le_gemm_avx2_f32 : &le_gemm_scalar_f32;
    job->norm_isa = kc ? kc->isa : LE_ISA_SCALAR;
    le_pool_run(kc ? kc->pool : NULL, (job->m + ROWS - 1) / ROWS, rows_task, job);
}

void le_gemm_rows(const le_kctx *kc, const float *a, size_t lda, size_t m, const le_gemm_weight *w,
                  const le_gemm_epilogue *ep, float *c, size_t ldc) {
    rows_job job = {.a = a, .lda = lda, .m = m, .w = w, .c = c, .ldc = ldc};
    if (ep) job.ep = *ep;
    if (w->dtype != LE_GEMM_INT8) job.ep.norm = NULL, job.ep.qout = NULL; /* le_gemm's part */
    rows_run(kc, &job);
}

void le_gemm_q(const le_kctx *kc, const le_gemm_qrows *a, size_t m, const le_gemm_weight *w,
               const le_gemm_epilogue *ep, float *c, size_t ldc) {
    rows_job job = {.qa = a, .m = m, .w = w, .c = c, .ldc = ldc};
    if (ep) job.ep = *ep;
    if (m == 0 || w->n == 0) return;
    if (w->dtype != LE_GEMM_INT8) { /* not int8 weights: no answer to give */
        for (size_t r = 0; r < m; r++) rows_fail(&job, r, 1);
        return;
    }
    rows_run(kc, &job);
}
