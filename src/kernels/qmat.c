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

enum { MANY = 4 }; /* matrices in one pool run */

typedef struct qmat_one { /* one matrix of a call */
    qdot_job job;
    int col_chunk, row_chunk, col_tasks; /* task t: columns (t % col_tasks), rows (t / col_tasks) */
    size_t tasks;
} qmat_one;

typedef struct qmat_call {
    const qdot_family *fam;
    qmat_one one[MANY];
    int count;
    size_t m;
    int quant_rows; /* rows per quantization task */
} qmat_call;

static void quant_task(void *ctx, size_t index, int thread) {
    (void)thread;
    const qmat_call *c = ctx;
    const qdot_job *job = &c->one[0].job;
    size_t r0 = index * (size_t)c->quant_rows, r1 = r0 + (size_t)c->quant_rows;
    if (r1 > c->m) r1 = c->m;
    qdot_pair *act = (qdot_pair *)job->act;
    for (size_t r = r0; r < r1; r++)
        c->fam->quantize(job->x + r * job->ldx, job->w->k, job->w->type,
                         act + r * (size_t)job->npair);
}

enum { PANEL = 16 }; /* channels dequantized at a time for fp32 activations */

/* Block weights with fp32 activations over many rows: PANEL channels at a
 * time dequantized once into this thread's scratch, then the F32 kernels
 * (the same values and order as dequantizing in registers: the same bits).
 * Returns 0 when out of memory (the caller then takes the direct path). */
static int run_panels(const qdot_family *fam, const qdot_job *job, size_t r0, size_t r1, int c0,
                      int c1) {
    const le_qmat *w = job->w;
    float *panel = le_kscratch((size_t)PANEL * (size_t)w->k * sizeof *panel);
    if (!panel) return 0;
    for (int p = c0; p < c1; p += PANEL) {
        const int cnt = c1 - p < PANEL ? c1 - p : PANEL;
        for (int j = 0; j < cnt; j++) fam->dequant(w, p + j, panel + (size_t)j * w->k);
        le_qmat view = {.type = QT_F32,
                        .n = cnt,
                        .k = w->k,
                        .data = panel,
                        .row_bytes = (size_t)w->k * sizeof *panel};
        qdot_job pj = *job;
        pj.w = &view;
        pj.y = job->y + p;
        fam->run(&pj, r0, r1, 0, cnt);
    }
    return 1;
}

static void dot_task(void *ctx, size_t index, int thread) {
    (void)thread;
    const qmat_call *c = ctx;
    const qmat_one *o = c->one;
    while (index >= o->tasks) index -= o++->tasks;
    const le_qmat *w = o->job.w;
    int c0 = (int)(index % (size_t)o->col_tasks) * o->col_chunk, c1 = c0 + o->col_chunk;
    size_t r0 = index / (size_t)o->col_tasks * (size_t)o->row_chunk, r1 = r0 + (size_t)o->row_chunk;
    if (c1 > w->n) c1 = w->n;
    if (r1 > c->m) r1 = c->m;
    /* the activations' scratch is the caller's only when they are quantized */
    if (w->f32_act && qdot_block_size(w->type) == 32 && r1 - r0 >= 8 &&
        run_panels(c->fam, &o->job, r0, r1, c0, c1))
        return;
    c->fam->run(&o->job, r0, r1, c0, c1);
}

/* Out of scratch memory: every output NaN (the callers' finite checks see it). */
static void fill_nan(float *y, size_t ldy, size_t m, int n) {
    for (size_t r = 0; r < m; r++)
        for (int c = 0; c < n; c++) y[r * ldy + (size_t)c] = NAN;
}

/* Splits one matrix's outputs into tasks: enough for the threads, each a
 * block of channels (a multiple of 16) and, for long inputs, of rows. */
static void plan_tasks(qmat_one *o, size_t m, int threads) {
    const int n = o->job.w->n;
    int chunk = (int)((size_t)n / ((size_t)threads * 8) / 16 * 16);
    o->col_chunk = chunk < 64 ? 64 : chunk > 1024 ? 1024 : chunk;
    o->col_tasks = (n + o->col_chunk - 1) / o->col_chunk;
    /* fp32 activations on block weights dequantize each task's weights once:
     * give them more rows */
    const int rows = o->job.w->f32_act && qdot_block_size(o->job.w->type) == 32 ? 256 : 64;
    o->row_chunk = m > (size_t)rows ? rows : (int)m;
    o->tasks = (size_t)o->col_tasks * ((m + (size_t)o->row_chunk - 1) / (size_t)o->row_chunk);
}

/* The activation layout a matrix reads: 0 none (fp32), 1 natural (Q8_0), 2 split (Q4). */
static int act_layout(const le_qmat *w) {
    if (qdot_block_size(w->type) != 32 || w->f32_act) return 0;
    return w->type == QT_Q8_0 ? 1 : 2;
}

/* Quantizes x once for all the call's matrices (they share layout and k).
 * 0 when out of memory. */
static int quantize_x(const le_kctx *kc, qmat_call *c) {
    const le_qmat *w = c->one[0].job.w;
    const int npair = (w->k / 32 + 1) / 2;
    qdot_pair *act = le_kscratch(c->m * (size_t)npair * sizeof *act);
    if (!act) return 0;
    for (int i = 0; i < c->count; i++) {
        c->one[i].job.act = act;
        c->one[i].job.npair = npair;
    }
    c->quant_rows = 16;
    size_t qtasks = (c->m + (size_t)c->quant_rows - 1) / (size_t)c->quant_rows;
    le_pool_run(c->m * (size_t)w->k >= 16384 ? kc->pool : NULL, qtasks, quant_task, c);
    return 1;
}

/* Products this small run on the calling thread: a pool run costs more than
 * it saves (a wake-up is ~10 µs; 2^19 multiply-adds take ~15 µs on one core). */
enum { SERIAL_MACS = 1 << 19 };

/* count (≤ MANY) matrices of one activation layout and k. */
static void run_call(const le_kctx *kc, const le_qmat *const *w, size_t count, const float *x,
                     size_t ldx, size_t m, float *const *y, const size_t *ldy, int accumulate) {
    qmat_call c = {.fam = family_for(kc->isa), .count = (int)count, .m = m};
    const int threads = kc->pool ? le_pool_threads(kc->pool) : 1;
    size_t tasks = 0, macs = 0;
    for (size_t i = 0; i < count; i++) {
        c.one[i].job = (qdot_job){
            .w = w[i], .x = x, .ldx = ldx, .y = y[i], .ldy = ldy[i], .accumulate = accumulate};
        plan_tasks(&c.one[i], m, threads);
        tasks += c.one[i].tasks;
        macs += m * (size_t)w[i]->n * (size_t)w[i]->k;
    }
    if (act_layout(w[0]) && !quantize_x(kc, &c)) {
        for (size_t i = 0; i < count; i++) fill_nan(y[i], ldy[i], m, w[i]->n);
        return;
    }
    le_pool_run(macs < SERIAL_MACS ? NULL : kc->pool, tasks, dot_task, &c);
}

void le_qmatmul_many(const le_kctx *kc, const le_qmat *const *w, size_t count, const float *x,
                     size_t ldx, size_t m, float *const *y, const size_t *ldy, int accumulate) {
    if (m == 0) return;
    size_t i = 0;
    while (i < count) { /* runs of matrices that share the activations */
        size_t j = i + 1;
        while (j < count && j - i < MANY && act_layout(w[j]) == act_layout(w[i]) &&
               w[j]->k == w[i]->k)
            j++;
        run_call(kc, w + i, j - i, x, ldx, m, y + i, ldy + i, accumulate);
        i = j;
    }
}

void le_qmatmul(const le_kctx *kc, const le_qmat *w, const float *x, size_t ldx, size_t m, float *y,
                size_t ldy, int accumulate) {
    le_qmatmul_many(kc, &w, 1, x, ldx, m, &y, &ldy, accumulate);
}

void le_qmat_row_f32(const le_qmat *w, int r, float *dst) {
    family_for(le_cpu_best_isa())->dequant(w, r, dst);
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
