/* le_qmatmul's driver: the view, the choice of kernel family, activations
 * quantized once per call into the caller's scratch, and tasks over blocks of
 * output channels (and rows, for long inputs) on the pool. A task computes
 * its outputs completely, so the partition never changes a result. */
#include "kernels/kscratch.h"
#include "kernels/qdot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int le_qmat_type_supported(uint32_t type) {
    switch (type) {
    case QT_F32:
    case QT_F16:
    case QT_BF16:
    case QT_Q8_0:
    case QT_Q4_0:
    case QT_Q4_1: return 1;
    default: return 0;
    }
}

static const char *type_name(uint32_t type) {
    switch (type) {
    case QT_F32: return "F32";
    case QT_F16: return "F16";
    case QT_BF16: return "BF16";
    case QT_Q8_0: return "Q8_0";
    case QT_Q4_0: return "Q4_0";
    case QT_Q4_1: return "Q4_1";
    default: return "?";
    }
}

le_status le_qmat_init(le_qmat *out, uint32_t type, const void *data, int n, int k, le_error *err) {
    memset(out, 0, sizeof *out);
    if (!le_qmat_type_supported(type))
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "quantized matmul: ggml type %u is not supported (F32, F16, BF16, Q8_0, "
                       "Q4_0, Q4_1 are)",
                       (unsigned)type);
    const int bs = qdot_block_size(type);
    if (n <= 0 || k <= 0 || k % bs || (!data && n > 0))
        return le_fail(err, LE_ERR_ARG,
                       "quantized matmul: a %s weight of %d rows × %d needs rows > 0 and k > 0 "
                       "a multiple of %d",
                       type_name(type), n, k, bs);
    out->type = type;
    out->n = n;
    out->k = k;
    out->data = data;
    out->row_bytes = (size_t)(k / bs) * (size_t)qdot_block_bytes(type);
    return LE_OK;
}

/* The fastest family for isa on this CPU (every family gives the same bits). */
static const qdot_family *family_for(le_isa isa) {
    const le_cpu_features *f = le_cpu_detect();
    if (isa == LE_ISA_AVX512 && f->avx512 && f->avx512_vnni) return &le_qdot_avx512vnni;
    if (isa >= LE_ISA_AVX2 && f->avx2) return &le_qdot_avx2;
    return &le_qdot_scalar;
}

const char *le_qmat_kernel_name(le_isa isa, uint32_t type) {
    (void)type;
    return family_for(isa)->name;
}

typedef struct qmat_call {
    const qdot_family *fam;
    qdot_job job;
    size_t m;
    int col_chunk, row_chunk, col_tasks; /* task t: columns (t % col_tasks), rows (t / col_tasks) */
    int quant_rows;                      /* rows per quantization task */
} qmat_call;

static void quant_task(void *ctx, size_t index, int thread) {
    (void)thread;
    const qmat_call *c = ctx;
    const le_qmat *w = c->job.w;
    size_t r0 = index * (size_t)c->quant_rows, r1 = r0 + (size_t)c->quant_rows;
    if (r1 > c->m) r1 = c->m;
    qdot_pair *act = (qdot_pair *)c->job.act;
    for (size_t r = r0; r < r1; r++)
        c->fam->quantize(c->job.x + r * c->job.ldx, w->k, w->type, act + r * (size_t)c->job.npair);
}

static void dot_task(void *ctx, size_t index, int thread) {
    (void)thread;
    const qmat_call *c = ctx;
    int c0 = (int)(index % (size_t)c->col_tasks) * c->col_chunk, c1 = c0 + c->col_chunk;
    size_t r0 = index / (size_t)c->col_tasks * (size_t)c->row_chunk, r1 = r0 + (size_t)c->row_chunk;
    if (c1 > c->job.w->n) c1 = c->job.w->n;
    if (r1 > c->m) r1 = c->m;
    c->fam->run(&c->job, r0, r1, c0, c1);
}

/* Out of scratch memory: every output NaN (the callers' finite checks see it). */
static void fill_nan(float *y, size_t ldy, size_t m, int n) {
    for (size_t r = 0; r < m; r++)
        for (int c = 0; c < n; c++) y[r * ldy + (size_t)c] = NAN;
}

/* Splits the outputs into tasks: enough for the threads, each a block of
 * channels (a multiple of 16) and, for long inputs, of 64 rows. */
static void plan_tasks(qmat_call *c, int threads) {
    const int n = c->job.w->n;
    int chunk = (int)((size_t)n / ((size_t)threads * 8) / 16 * 16);
    c->col_chunk = chunk < 64 ? 64 : chunk > 1024 ? 1024 : chunk;
    c->col_tasks = (n + c->col_chunk - 1) / c->col_chunk;
    c->row_chunk = c->m > 64 ? 64 : (int)c->m;
    c->quant_rows = 16;
}

void le_qmatmul(const le_kctx *kc, const le_qmat *w, const float *x, size_t ldx, size_t m, float *y,
                size_t ldy, int accumulate) {
    if (m == 0 || w->n == 0) return;
    qmat_call c = {.fam = family_for(kc->isa), .m = m};
    c.job = (qdot_job){.w = w, .x = x, .ldx = ldx, .y = y, .ldy = ldy, .accumulate = accumulate};
    if (!c.fam->quantize) c.fam = &le_qdot_scalar; /* cannot happen; keeps the twin honest */
    plan_tasks(&c, kc->pool ? le_pool_threads(kc->pool) : 1);
    if (qdot_block_size(w->type) == 32 && !w->f32_act) {
        c.job.npair = (w->k / 32 + 1) / 2;
        qdot_pair *act = le_kscratch(m * (size_t)c.job.npair * sizeof *act);
        if (!act) {
            fill_nan(y, ldy, m, w->n);
            return;
        }
        c.job.act = act;
        size_t qtasks = (m + (size_t)c.quant_rows - 1) / (size_t)c.quant_rows;
        le_pool_run(m * (size_t)w->k >= 16384 ? kc->pool : NULL, qtasks, quant_task, &c);
    }
    size_t tasks = (size_t)c.col_tasks * ((m + (size_t)c.row_chunk - 1) / (size_t)c.row_chunk);
    le_pool_run(kc->pool, tasks, dot_task, &c);
}

void le_qmat_row_f32(const le_qmat *w, int r, float *dst) {
    const unsigned char *row = (const unsigned char *)w->data + (size_t)r * w->row_bytes;
    for (int j = 0; j < w->k; j++) dst[j] = le_qdot_weight(w->type, row, j);
}

void le_qmatmul_reference(const le_qmat *w, const float *x, size_t ldx, size_t m, float *y,
                          size_t ldy) {
    float *row = malloc((size_t)w->k * sizeof *row);
    if (!row) {
        fill_nan(y, ldy, m, w->n);
        return;
    }
    for (int c = 0; c < w->n; c++) {
        le_qmat_row_f32(w, c, row); /* exact: d·q is exact in fp32, + m rounds once */
        for (size_t r = 0; r < m; r++) {
            double s = 0;
            for (int j = 0; j < w->k; j++) s += (double)x[r * ldx + (size_t)j] * row[j];
            y[r * ldy + (size_t)c] = (float)s;
        }
    }
    free(row);
}
