/* oneDNN matmul behind the GEMM interface (gemm_dnnl.h). */
#include "kernels/gemm_dnnl.h"

#ifdef LE_HAVE_DNNL

#include "base/arena.h"
#include "base/cpu.h"

#include <dlfcn.h>
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ROWS_MAX = 64 }; /* the row-wise driver's chunk: calls for 1..64 rows */

struct le_dnnl_call {
    int rows;
    dnnl_primitive_t prim;
    dnnl_memory_desc_t src_md, dst_md, scratch_md;
};

struct le_dnnl_weight {
    le_gemm_dtype dtype;
    int n, k;
    size_t ldd;            /* the row stride of results, fixed per weight */
    dnnl_memory_desc_t md; /* the matmul's own layout, found for a reference row count */
    void *data;
    size_t bytes;
    pthread_mutex_t lock;       /* guards creating calls; a made call never changes */
    le_dnnl_call *calls[ROWS_MAX + 1]; /* by row count, made on first use */
};

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static dnnl_engine_t g_engine;
static pthread_key_t g_stream_key;

static void stream_free(void *st) { dnnl_stream_destroy(st); }
static char g_describe[96] = "oneDNN not available";

static void engine_init(void) {
    const le_cpu_features *f = le_cpu_detect();
    if (f->amx_tile) le_cpu_enable_amx(); /* oneDNN asks too; asking twice is harmless */
    if (pthread_key_create(&g_stream_key, stream_free) != 0) return;
    if (dnnl_engine_create(&g_engine, dnnl_cpu, 0) != dnnl_success) {
        g_engine = NULL;
        return;
    }
    const dnnl_version_t *v = dnnl_version();
    const char *isa = "?";
    switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_avx512_core_amx: isa = "avx512_core_amx"; break;
    case dnnl_cpu_isa_avx512_core_bf16: isa = "avx512_core_bf16"; break;
    case dnnl_cpu_isa_avx512_core_vnni: isa = "avx512_core_vnni"; break;
    case dnnl_cpu_isa_avx512_core: isa = "avx512_core"; break;
    case dnnl_cpu_isa_avx2_vnni: isa = "avx2_vnni"; break;
    case dnnl_cpu_isa_avx2: isa = "avx2"; break;
    default: isa = "older ISA"; break;
    }
    snprintf(g_describe, sizeof g_describe, "oneDNN %d.%d.%d (%s)", v->major, v->minor, v->patch,
             isa);
}

int le_dnnl_available(void) {
    pthread_once(&g_once, engine_init);
    return g_engine != NULL;
}

const char *le_dnnl_describe(void) {
    pthread_once(&g_once, engine_init);
    return g_describe;
}

/* oneDNN (Debian's build) runs on OpenMP. Each of longembed's pool threads
 * calls it on its own rows, so OpenMP must use one thread per caller: set
 * this thread's nthreads-var once. The symbol comes from the libgomp that
 * libdnnl loads; looked up at run time so the build does not depend on
 * which OpenMP library oneDNN was built with. */
static void omp_one_thread(void) {
    static _Thread_local int done;
    if (done) return;
    done = 1;
    void (*set)(int) = (void (*)(int))dlsym(RTLD_DEFAULT, "omp_set_num_threads");
    if (set) set(1);
}

static dnnl_data_type_t src_type(le_gemm_dtype d) { return d == LE_GEMM_INT8 ? dnnl_s8 : dnnl_bf16; }
static dnnl_data_type_t dst_type(le_gemm_dtype d) { return d == LE_GEMM_INT8 ? dnnl_s32 : dnnl_f32; }

/* A matmul primitive for rows × K · (K × N) → rows × N with row stride ldd,
 * weights in layout wmd (NULL: the implementation's choice). */
static dnnl_status_t make_matmul(le_gemm_dtype dt, int rows, int n, int k, size_t ldd,
                                 const dnnl_memory_desc_t *wmd, dnnl_primitive_desc_t *pd) {
    dnnl_memory_desc_t a_md, w_md, c_md;
    dnnl_dims_t ad = {rows, k}, wd = {k, n}, cd = {rows, n}, cs = {(dnnl_dim_t)ldd, 1};
    dnnl_status_t s = dnnl_memory_desc_init_by_tag(&a_md, 2, ad, src_type(dt), dnnl_ab);
    if (!s && !wmd) s = dnnl_memory_desc_init_by_tag(&w_md, 2, wd, src_type(dt), dnnl_format_tag_any);
    if (!s) s = dnnl_memory_desc_init_by_strides(&c_md, 2, cd, dst_type(dt), cs);
    dnnl_matmul_desc_t d;
    if (!s) s = dnnl_matmul_desc_init(&d, &a_md, wmd ? wmd : &w_md, NULL, &c_md);
    dnnl_primitive_attr_t attr = NULL;
    if (!s) s = dnnl_primitive_attr_create(&attr);
    if (!s) s = dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
    if (!s) s = dnnl_primitive_desc_create(pd, &d, attr, g_engine, NULL);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (!s) { /* a reference (unoptimised) implementation is no use to us */
        const char *impl = "";
        dnnl_primitive_desc_query(*pd, dnnl_query_impl_info_str, 0, &impl);
        if (!strncmp(impl, "ref", 3)) {
            dnnl_primitive_desc_destroy(*pd);
            return dnnl_unimplemented;
        }
    }
    return s;
}

/* Copies plain [N][K] weights into the primitive's layout (a oneDNN reorder). */
static dnnl_status_t reorder_weights(le_dnnl_weight *pw, const void *w) {
    dnnl_memory_desc_t plain;
    dnnl_dims_t wd = {pw->k, pw->n};
    dnnl_status_t s = dnnl_memory_desc_init_by_tag(&plain, 2, wd, src_type(pw->dtype), dnnl_ba);
    dnnl_primitive_desc_t rpd = NULL;
    dnnl_primitive_t rp = NULL;
    dnnl_memory_t from = NULL, to = NULL;
    dnnl_stream_t st = NULL;
    if (!s) s = dnnl_reorder_primitive_desc_create(&rpd, &plain, g_engine, &pw->md, g_engine, NULL);
    if (!s) s = dnnl_primitive_create(&rp, rpd);
    if (!s) s = dnnl_memory_create(&from, &plain, g_engine, (void *)w);
    if (!s) s = dnnl_memory_create(&to, &pw->md, g_engine, pw->data);
    if (!s) s = dnnl_stream_create(&st, g_engine, dnnl_stream_default_flags);
    if (!s) {
        dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
        s = dnnl_primitive_execute(rp, st, 2, args);
        if (!s) s = dnnl_stream_wait(st);
    }
    if (st) dnnl_stream_destroy(st);
    if (from) dnnl_memory_destroy(from);
    if (to) dnnl_memory_destroy(to);
    if (rp) dnnl_primitive_destroy(rp);
    if (rpd) dnnl_primitive_desc_destroy(rpd);
    return s;
}

le_status le_dnnl_pack(le_gemm_dtype dtype, const void *w, int n, int k, le_dnnl_weight **out,
                       le_error *err) {
    *out = NULL;
    if (!le_dnnl_available())
        return le_fail(err, LE_ERR_UNSUPPORTED, "gemm: oneDNN found no CPU engine");
    omp_one_thread();
    le_dnnl_weight *pw = calloc(1, sizeof *pw);
    if (!pw) return le_fail(err, LE_ERR_NOMEM, "gemm: out of memory");
    pw->dtype = dtype;
    pw->n = n;
    pw->k = k;
    pw->ldd = ((size_t)n + 15) & ~(size_t)15;
    pthread_mutex_init(&pw->lock, NULL);
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t s = make_matmul(dtype, ROWS_MAX, n, k, pw->ldd, NULL, &pd);
    if (!s) {
        pw->md = *dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
        pw->bytes = dnnl_memory_desc_get_size(&pw->md);
        dnnl_primitive_desc_destroy(pd);
        pw->data = le_alloc_aligned(pw->bytes ? pw->bytes : 64);
        if (!pw->data) {
            le_dnnl_weight_free(pw);
            return le_fail(err, LE_ERR_NOMEM, "gemm: out of memory for a [%d][%d] weight", n, k);
        }
        s = reorder_weights(pw, w);
    }
    if (s) {
        le_dnnl_weight_free(pw);
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "gemm: oneDNN has no %s matmul for a [%d][%d] weight here (status %d)",
                       dtype == LE_GEMM_INT8 ? "int8" : "bf16", n, k, (int)s);
    }
    *out = pw;
    return LE_OK;
}

void le_dnnl_weight_free(le_dnnl_weight *w) {
    if (!w) return;
    for (int i = 0; i <= ROWS_MAX; i++)
        if (w->calls[i]) {
            dnnl_primitive_destroy(w->calls[i]->prim);
            free(w->calls[i]);
        }
    pthread_mutex_destroy(&w->lock);
    le_free_aligned(w->data);
    free(w);
}

size_t le_dnnl_weight_bytes(const le_dnnl_weight *w) { return w->bytes + sizeof *w; }

/* A new call for `rows` rows: the primitive and the layouts of its arguments. */
static le_dnnl_call *make_call(le_dnnl_weight *w, int rows) {
    dnnl_primitive_desc_t pd;
    if (make_matmul(w->dtype, rows, w->n, w->k, w->ldd, &w->md, &pd) != dnnl_success) return NULL;
    le_dnnl_call *call = calloc(1, sizeof *call);
    if (call) {
        call->rows = rows;
        call->src_md = *dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
        call->dst_md = *dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
        call->scratch_md = *dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
        if (dnnl_primitive_create(&call->prim, pd) != dnnl_success) {
            free(call);
            call = NULL;
        }
    }
    dnnl_primitive_desc_destroy(pd);
    return call;
}

size_t le_dnnl_ldd(const le_dnnl_weight *w) { return w->ldd; }

le_dnnl_call *le_dnnl_prepare(le_dnnl_weight *w, int rows, size_t *scratch_bytes) {
    if (rows < 1 || rows > ROWS_MAX) return NULL;
    pthread_mutex_lock(&w->lock);
    if (!w->calls[rows]) w->calls[rows] = make_call(w, rows);
    le_dnnl_call *call = w->calls[rows];
    pthread_mutex_unlock(&w->lock);
    if (call) *scratch_bytes = dnnl_memory_desc_get_size(&call->scratch_md);
    return call;
}

/* This thread's stream (streams are not shared between threads); the key's
 * destructor frees it when the thread ends. */
static dnnl_stream_t thread_stream(void) {
    dnnl_stream_t st = pthread_getspecific(g_stream_key);
    if (!st) {
        if (dnnl_stream_create(&st, g_engine, dnnl_stream_default_flags) != dnnl_success)
            return NULL;
        pthread_setspecific(g_stream_key, st);
    }
    return st;
}

int le_dnnl_exec(le_dnnl_call *call, le_dnnl_weight *w, const void *src, void *dst, void *scratch) {
    omp_one_thread();
    dnnl_stream_t st = thread_stream();
    if (!st) return -1;
    dnnl_memory_t m[4] = {NULL, NULL, NULL, NULL};
    dnnl_status_t s = dnnl_memory_create(&m[0], &call->src_md, g_engine, (void *)src);
    if (!s) s = dnnl_memory_create(&m[1], &w->md, g_engine, w->data);
    if (!s) s = dnnl_memory_create(&m[2], &call->dst_md, g_engine, dst);
    if (!s) s = dnnl_memory_create(&m[3], &call->scratch_md, g_engine, scratch);
    if (!s) {
        dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, m[0]},
                                   {DNNL_ARG_WEIGHTS, m[1]},
                                   {DNNL_ARG_DST, m[2]},
                                   {DNNL_ARG_SCRATCHPAD, m[3]}};
        s = dnnl_primitive_execute(call->prim, st, 4, args);
        if (!s) s = dnnl_stream_wait(st);
    }
    for (int i = 0; i < 4; i++)
        if (m[i]) dnnl_memory_destroy(m[i]);
    return s == dnnl_success ? 0 : -1;
}

#else /* built without oneDNN: every entry point says so */

int le_dnnl_available(void) { return 0; }
const char *le_dnnl_describe(void) { return "oneDNN not built in (install libdnnl-dev and rebuild)"; }
le_status le_dnnl_pack(le_gemm_dtype dtype, const void *w, int n, int k, le_dnnl_weight **out,
                       le_error *err) {
    (void)dtype, (void)w, (void)n, (void)k;
    *out = NULL;
    return le_fail(err, LE_ERR_UNSUPPORTED, "gemm: built without oneDNN (libdnnl-dev)");
}
void le_dnnl_weight_free(le_dnnl_weight *w) { (void)w; }
size_t le_dnnl_weight_bytes(const le_dnnl_weight *w) { (void)w; return 0; }
size_t le_dnnl_ldd(const le_dnnl_weight *w) { (void)w; return 0; }
le_dnnl_call *le_dnnl_prepare(le_dnnl_weight *w, int rows, size_t *scratch_bytes) {
    (void)w, (void)rows, (void)scratch_bytes;
    return NULL;
}
int le_dnnl_exec(le_dnnl_call *call, le_dnnl_weight *w, const void *src, void *dst, void *scratch) {
    (void)call, (void)w, (void)src, (void)dst, (void)scratch;
    return -1;
}

#endif
