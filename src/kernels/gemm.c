/* GEMM driver: packing W into panels, blocking C into tasks for the pool,
 * and the k-blocked loop around a family's micro-kernel (gemm_internal.h).
 *
 * A task owns a block of C (about mc_mrows micro-rows × all of N, or a part
 * of N when M is too short to feed the threads) and computes it completely,
 * so no two threads touch one element. It packs its rows of A once for all
 * of K (per-thread scratch, kscratch.h); then for chunks of nc_panels W
 * panels and k blocks of kc, every W micro-panel (kc × nr, L1) meets every
 * packed micro-row of A (L2). Partial sums between k blocks go to a
 * per-thread buffer and come back exactly, so no blocking choice (which
 * depends on M and the thread count) ever changes a result. */
#include "base/arena.h"
#include "kernels/gemm_dnnl.h"
#include "kernels/gemm_internal.h"
#include "kernels/gemm_quant.h"
#include "kernels/kscratch.h"
#include "kernels/ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const le_gemm_kernels *kernels_for(le_isa isa, le_gemm_dtype dtype) {
    const le_cpu_features *f = le_cpu_detect();
    if (dtype == LE_GEMM_F32) {
        if (isa == LE_ISA_SCALAR) return &le_gemm_scalar_f32;
        if (isa == LE_ISA_AVX2 && f->avx2) return &le_gemm_avx2_f32;
        if (isa == LE_ISA_AVX512 && f->avx512) return &le_gemm_avx512_f32;
    } else if (dtype == LE_GEMM_BF16) {
        if (isa == LE_ISA_SCALAR) return &le_gemm_scalar_bf16;
        if (isa == LE_ISA_AVX512 && f->avx512_bf16) return &le_gemm_avx512_bf16;
    }
    return NULL;
}

/* LONGEMBED_GEMM_BACKEND=own|dnnl, or AUTO when unset or unknown. */
static le_gemm_backend env_backend(void) {
    const char *e = getenv("LONGEMBED_GEMM_BACKEND");
    if (e && !strcasecmp(e, "own")) return LE_GEMM_OWN;
    if (e && !strcasecmp(e, "dnnl")) return LE_GEMM_DNNL;
    return LE_GEMM_AUTO;
}

/* 1 when backend be can run (isa, dtype) on this CPU. */
static int backend_runs(le_gemm_backend be, le_isa isa, le_gemm_dtype dtype) {
    const le_cpu_features *f = le_cpu_detect();
    if (be == LE_GEMM_OWN)
        return dtype == LE_GEMM_INT8 ? isa == LE_ISA_SCALAR : kernels_for(isa, dtype) != NULL;
    /* oneDNN: bf16 and int8 on AVX-512 CPUs (its fp32 is no faster than ours) */
    return dtype != LE_GEMM_F32 && isa == LE_ISA_AVX512 && f->avx512 && le_dnnl_available();
}

le_gemm_backend le_gemm_auto_backend(le_isa isa, le_gemm_dtype dtype) {
    le_gemm_backend forced = env_backend();
    if (forced != LE_GEMM_AUTO && backend_runs(forced, isa, dtype)) return forced;
    const le_cpu_features *f = le_cpu_detect();
    le_gemm_backend first = LE_GEMM_OWN, second = LE_GEMM_DNNL;
    if (dtype == LE_GEMM_INT8 || (dtype == LE_GEMM_BF16 && f->amx_bf16)) {
        first = LE_GEMM_DNNL;
        second = LE_GEMM_OWN;
    }
    if (backend_runs(first, isa, dtype)) return first;
    return backend_runs(second, isa, dtype) ? second : LE_GEMM_AUTO;
}

int le_gemm_supported(le_isa isa, le_gemm_dtype dtype) {
    return le_gemm_auto_backend(isa, dtype) != LE_GEMM_AUTO;
}

const char *le_gemm_backend_name(le_gemm_backend be) {
    return be == LE_GEMM_DNNL ? "onednn" : be == LE_GEMM_OWN ? "own" : "auto";
}

const char *le_gemm_backend_describe(void) { return le_dnnl_describe(); }

const char *le_gemm_dtype_name(le_gemm_dtype dt) {
    return dt == LE_GEMM_INT8 ? "int8" : dt == LE_GEMM_BF16 ? "bf16" : "fp32";
}

float le_bf16_round(float x) { return le_bf16_to_f32(le_f32_to_bf16(x)); }

/* a: rows × kc (stride lda) → dst [kc][mr] */
void le_gemm_pack_a_f32(const float *a, size_t lda, int rows, int mr, int kc, void *dst) {
    float *d = dst;
    for (int r = 0; r < rows; r++) {
        const float *src = a + (size_t)r * lda;
        for (int k = 0; k < kc; k++) d[(size_t)k * mr + r] = src[k];
    }
}

/* a: rows × kc (stride lda) → dst [ceil(kc/2)][mr][2] bf16, odd kc padded with 0 */
void le_gemm_pack_a_bf16(const float *a, size_t lda, int rows, int mr, int kc, void *dst) {
    uint16_t *d = dst;
    for (int r = 0; r < rows; r++) {
        const float *src = a + (size_t)r * lda;
        for (int k = 0; k < kc; k++)
            d[(size_t)(k >> 1) * mr * 2 + r * 2 + (k & 1)] = le_f32_to_bf16(src[k]);
        if (kc & 1) d[(size_t)(kc >> 1) * mr * 2 + r * 2 + 1] = 0;
    }
}

/* Own fp32/bf16 panels: W into [panels][k_pad/kstep][nr][kstep]. */
static le_status pack_panels(const le_gemm_kernels *kern, const float *w, int n, int k,
                             le_gemm_weight **out, le_error *err) {
    le_gemm_dtype dtype = kern->dtype;
    le_gemm_weight *pw = calloc(1, sizeof *pw);
    if (!pw) return le_fail(err, LE_ERR_NOMEM, "gemm pack: out of memory");
    const int nr = kern->nr, ks = kern->kstep;
    pw->kern = kern;
    pw->backend = LE_GEMM_OWN;
    pw->dtype = dtype;
    pw->isa = kern->isa;
    pw->n = n;
    pw->k = k;
    pw->k_pad = (k + ks - 1) / ks * ks;
    pw->panels = (n + nr - 1) / nr;
    pw->bytes = (size_t)pw->panels * pw->k_pad * nr * kern->elem_size;
    pw->data = le_alloc_aligned(pw->bytes ? pw->bytes : 64);
    if (!pw->data) {
        free(pw);
        return le_fail(err, LE_ERR_NOMEM, "gemm pack: out of memory for a [%d][%d] weight", n, k);
    }
    memset(pw->data, 0, pw->bytes);
    /* panel p, value (k, column j) at [(k/ks)·nr + j]·ks + k%ks */
    for (int p = 0; p < pw->panels; p++) {
        size_t base = (size_t)p * pw->k_pad * nr;
        for (int j = 0; j < nr && p * nr + j < n; j++) {
            const float *row = w + (size_t)(p * nr + j) * k;
            for (int kk = 0; kk < k; kk++) {
                size_t at = base + ((size_t)(kk / ks) * nr + j) * ks + kk % ks;
                if (dtype == LE_GEMM_BF16)
                    ((uint16_t *)pw->data)[at] = le_f32_to_bf16(row[kk]);
                else
                    ((float *)pw->data)[at] = row[kk];
            }
        }
    }
    *out = pw;
    return LE_OK;
}

static const char *needs(le_gemm_dtype dtype, le_isa isa) {
    switch (dtype) {
    case LE_GEMM_BF16: return "AVX512_BF16, or oneDNN (libdnnl-dev) on an AVX-512 CPU";
    case LE_GEMM_INT8: return "oneDNN (libdnnl-dev) on an AVX-512 CPU";
    default: return le_isa_name(isa);
    }
}

le_status le_gemm_pack_with(le_gemm_backend be, le_isa isa, le_gemm_dtype dtype, const float *w,
                            int n, int k, le_gemm_weight **out, le_error *err) {
    *out = NULL;
    if (n < 0 || k < 0 || (!w && n > 0 && k > 0))
        return le_fail(err, LE_ERR_ARG, "gemm pack: invalid weight shape [%d][%d]", n, k);
    if (be == LE_GEMM_AUTO) be = le_gemm_auto_backend(isa, dtype);
    if (be == LE_GEMM_AUTO || !backend_runs(be, isa, dtype))
        return le_fail(err, LE_ERR_UNSUPPORTED, "gemm pack: %s weights need %s",
                       le_gemm_dtype_name(dtype), needs(dtype, isa));
    if (be == LE_GEMM_OWN && dtype != LE_GEMM_INT8)
        return pack_panels(kernels_for(isa, dtype), w, n, k, out, err);
    le_gemm_weight *pw = calloc(1, sizeof *pw);
    if (!pw) return le_fail(err, LE_ERR_NOMEM, "gemm pack: out of memory");
    le_status s = le_gemm_rows_pack(be, isa, dtype, w, n, k, pw, err);
    if (s != LE_OK) {
        le_gemm_weight_free(pw);
        return s;
    }
    *out = pw;
    return LE_OK;
}

le_status le_gemm_pack_as(le_isa isa, le_gemm_dtype dtype, const float *w, int n, int k,
                          le_gemm_weight **out, le_error *err) {
    return le_gemm_pack_with(LE_GEMM_AUTO, isa, dtype, w, n, k, out, err);
}

le_status le_gemm_pack(le_isa isa, const float *w, int n, int k, le_gemm_weight **out,
                       le_error *err) {
    return le_gemm_pack_as(isa, LE_GEMM_F32, w, n, k, out, err);
}

void le_gemm_weight_free(le_gemm_weight *w) {
    if (!w) return;
    le_gemm_rows_free(w);
    le_free_aligned(w->data);
    free(w);
}
int le_gemm_weight_n(const le_gemm_weight *w) { return w->n; }
int le_gemm_weight_k(const le_gemm_weight *w) { return w->k; }
size_t le_gemm_weight_bytes(const le_gemm_weight *w) { return w->bytes + sizeof *w; }
le_gemm_dtype le_gemm_weight_dtype(const le_gemm_weight *w) { return w->dtype; }
le_isa le_gemm_weight_isa(const le_gemm_weight *w) { return w->isa; }
le_gemm_backend le_gemm_weight_backend(const le_gemm_weight *w) { return w->backend; }

typedef struct gemm_job {
    const le_gemm_kernels *kern;
    const float *a;
    size_t lda, m;
    const le_gemm_weight *w;
    le_gemm_epilogue ep;
    float *c;
    size_t ldc;
    int mrows, tm, tn; /* micro-rows of C; tasks down and across */
    int kc;            /* k block, a multiple of kstep */
} gemm_job;

/* C rows of micro-rows [r0, r1) × columns of panels [p0, p1). A's rows are
 * packed once for all of K (apack: (r1 − r0)·mr·k_pad values); then for
 * chunks of nc panels, k blocks of kc, every W micro-panel meets every
 * micro-row. partial holds (r1 − r0)·nc tiles when K spans more than one
 * block, else one tile. */
static void gemm_block(const gemm_job *job, int r0, int r1, int p0, int p1, int kc, int nc,
                       char *apack, float *partial) {
    const le_gemm_kernels *kern = job->kern;
    const le_gemm_weight *w = job->w;
    const int mr = kern->mr, nr = kern->nr, es = kern->elem_size;
    const int K = w->k, nkb = K ? (K + kc - 1) / kc : 1;
    const size_t a_stride = (size_t)mr * w->k_pad * es; /* bytes per packed micro-row */
    const size_t tile_floats = (size_t)mr * nr;
    for (int r = r0; r < r1; r++) {
        size_t row = (size_t)r * mr;
        int rows = job->m - row < (size_t)mr ? (int)(job->m - row) : mr;
        kern->pack_a(job->a + row * job->lda, job->lda, rows, mr, K, apack + (r - r0) * a_stride);
    }
    for (int pc = p0; pc < p1; pc += nc) {
        const int pe = pc + nc < p1 ? pc + nc : p1;
        for (int kb = 0; kb < nkb; kb++) {
            const int k0 = kb * kc, kn = K - k0 < kc ? K - k0 : kc;
            const int last = kb == nkb - 1;
            for (int p = pc; p < pe; p++) {
                const char *bpanel =
                    (const char *)w->data + ((size_t)p * w->k_pad + k0) * (size_t)nr * es;
                const int col = p * nr, cols = w->n - col < nr ? w->n - col : nr;
                for (int r = r0; r < r1; r++) {
                    size_t row = (size_t)r * mr;
                    int rows = job->m - row < (size_t)mr ? (int)(job->m - row) : mr;
                    float *tile = nkb > 1
                                      ? partial + ((size_t)(r - r0) * nc + (p - pc)) * tile_floats
                                      : partial;
                    kern->tile(rows, kn, apack + (r - r0) * a_stride + (size_t)k0 * mr * es, bpanel,
                               tile, kb > 0);
                    if (last)
                        kern->epilogue(tile, nr, rows, cols,
                                       job->ep.bias ? job->ep.bias + col : NULL, job->ep.act,
                                       job->ep.accumulate, job->c + row * job->ldc + col, job->ldc);
                }
            }
        }
    }
}

/* One micro-tile (micro-row r × panel p) with A packed piecewise into buf. */
static void gemm_tile_small(const gemm_job *job, int r, int p, char *buf, size_t size) {
    const le_gemm_kernels *kern = job->kern;
    const le_gemm_weight *w = job->w;
    const int mr = kern->mr, nr = kern->nr, es = kern->elem_size, K = w->k;
    const size_t tile_bytes = ((size_t)mr * nr * sizeof(float) + 63) & ~(size_t)63;
    int kc = (int)((size - tile_bytes) / ((size_t)mr * es));
    kc -= kc % kern->kstep;
    float *tile = (float *)buf;
    char *apack = buf + tile_bytes;
    const size_t row = (size_t)r * mr;
    const int rows = job->m - row < (size_t)mr ? (int)(job->m - row) : mr;
    const int col = p * nr, cols = w->n - col < nr ? w->n - col : nr;
    int k0 = 0;
    do {
        const int kn = K - k0 < kc ? K - k0 : kc;
        kern->pack_a(job->a + row * job->lda + k0, job->lda, rows, mr, kn, apack);
        kern->tile(rows, kn, apack,
                   (const char *)w->data + ((size_t)p * w->k_pad + k0) * (size_t)nr * es, tile,
                   k0 > 0);
        k0 += kn;
    } while (k0 < K);
    kern->epilogue(tile, nr, rows, cols, job->ep.bias ? job->ep.bias + col : NULL, job->ep.act,
                   job->ep.accumulate, job->c + row * job->ldc + col, job->ldc);
}

static void gemm_task(void *ctx, size_t index, int thread) {
    (void)thread;
    const gemm_job *job = ctx;
    const le_gemm_kernels *kern = job->kern;
    const int ti = (int)(index / job->tn), tj = (int)(index % job->tn);
    const int panels = job->w->panels;
    const int r0 = (int)((long long)ti * job->mrows / job->tm);
    const int r1 = (int)((long long)(ti + 1) * job->mrows / job->tm);
    const int p0 = (int)((long long)tj * panels / job->tn);
    const int p1 = (int)((long long)(tj + 1) * panels / job->tn);
    const int K = job->w->k, nkb = K ? (K + job->kc - 1) / job->kc : 1;
    const int nc = kern->nc_panels;
    const size_t tile_bytes = (size_t)kern->mr * kern->nr * sizeof(float);
    size_t a_bytes = (size_t)(r1 - r0) * kern->mr * job->w->k_pad * kern->elem_size;
    a_bytes = (a_bytes + 63) & ~(size_t)63;
    size_t part_bytes = nkb > 1 ? (size_t)(r1 - r0) * nc * tile_bytes : tile_bytes;
    char *mem = le_kscratch(a_bytes + part_bytes);
    if (mem) {
        gemm_block(job, r0, r1, p0, p1, job->kc, nc, mem, (float *)(mem + a_bytes));
        return;
    }
    /* Out of memory: one micro-tile at a time in a stack buffer. Slower, and
     * the same numbers (blocking never changes them). */
    _Alignas(64) char buf[16 * 1024];
    for (int r = r0; r < r1; r++)
        for (int p = p0; p < p1; p++) gemm_tile_small(job, r, p, buf, sizeof buf);
}

/* The own fp32/bf16 kernels: blocks of C in parallel. */
static void gemm_packed(const le_kctx *kc, const float *a, size_t lda, size_t m,
                        const le_gemm_weight *w, const le_gemm_epilogue *ep, float *c, size_t ldc) {
    const le_gemm_kernels *kern = w->kern;
    gemm_job job = {.kern = kern, .a = a, .lda = lda, .m = m, .w = w, .c = c, .ldc = ldc};
    if (ep) job.ep = *ep;
    job.mrows = (int)((m + kern->mr - 1) / kern->mr);
    /* balanced k blocks, each a multiple of kstep */
    int nkb = (w->k + kern->kc_max - 1) / kern->kc_max;
    if (nkb < 1) nkb = 1;
    job.kc = (w->k + nkb - 1) / nkb;
    job.kc = (job.kc + kern->kstep - 1) / kern->kstep * kern->kstep;
    if (job.kc < kern->kstep) job.kc = kern->kstep;
    /* tasks: blocks of about mc_mrows micro-rows × all of N (A is packed once
     * per task); N is split only when that gives fewer than 4 tasks per
     * thread; the task count is a multiple of the thread count */
    const int threads = kc ? le_pool_threads(kc->pool) : 1;
    int tm = (job.mrows + kern->mc_mrows - 1) / kern->mc_mrows, tn = 1;
    if (threads > 1) {
        const int want = 4 * threads;
        while (tm * tn < want && (tm < job.mrows || tn < w->panels)) {
            if (tm < job.mrows && (tn >= w->panels || job.mrows / tm >= w->panels / tn))
                tm++;
            else
                tn++;
        }
        while ((tm * tn) % threads && tm < job.mrows) tm++;
    }
    job.tm = tm;
    job.tn = tn;
    le_pool_run(kc ? kc->pool : NULL, (size_t)tm * tn, gemm_task, &job);
}

void le_gemm(const le_kctx *kc, const float *a, size_t lda, size_t m, const le_gemm_weight *w,
             const le_gemm_epilogue *ep, float *c, size_t ldc) {
    if (m == 0 || w->n == 0) return;
    if (w->kern)
        gemm_packed(kc, a, lda, m, w, ep, c, ldc);
    else
        le_gemm_rows(kc, a, lda, m, w, ep, c, ldc); /* rounds int8 weights' qout itself */
    if (!ep || !c || w->dtype == LE_GEMM_INT8 || (!ep->norm && !ep->qout)) return;
    if (ep->norm) /* and qout: le_gemm_rows did neither for these weights */
        le_layernorm_q(kc, c, ldc, m, w->n, ep->norm->gamma, ep->norm->beta, ep->norm->eps, c, ldc,
                       ep->qout);
    else
        for (size_t r = 0; r < m; r++)
            ep->qout->scale[r] = le_quant_row_s8(c + r * ldc, w->n, ep->qout->q + r * (size_t)w->n);
}

static double act_double(double x, le_act act) {
    switch (act) {
    case LE_ACT_GELU_ERF:
    case LE_ACT_GELU_ERF_FAST: return 0.5 * x * (1.0 + erf(x * 0.70710678118654752440));
    case LE_ACT_GELU_TANH:
        return 0.5 * x * (1.0 + tanh(0.79788456080286535588 * (x + 0.044715 * x * x * x)));
    case LE_ACT_SILU: return x / (1.0 + exp(-x));
    case LE_ACT_RELU: return x > 0 ? x : 0.0;
    default: return x;
    }
}

void le_gemm_reference(const float *a, size_t lda, size_t m, const float *w, int n, int k,
                       const le_gemm_epilogue *ep, float *c, size_t ldc) {
    for (size_t i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int kk = 0; kk < k; kk++) s += (double)a[i * lda + kk] * w[(size_t)j * k + kk];
            if (ep && ep->bias) s += ep->bias[j];
            if (ep) s = act_double(s, ep->act);
            if (ep && ep->accumulate) s += c[i * ldc + j];
            c[i * ldc + j] = (float)s;
        }
}
