/* oneDNN as a GEMM backend (optional at build time: LE_HAVE_DNNL). Weights
 * are reordered once into the layout oneDNN's matmul picks for this CPU
 * (AMX tiles where the CPU has AMX-BF16/AMX-INT8, AVX-512 BF16/VNNI blocks
 * elsewhere); one primitive per (weight, rows) is created on first use and
 * kept. Every call runs on the calling thread (OpenMP held at one thread per
 * caller), so longembed's own pool does the parallel split and no second
 * thread team competes for the cores.
 *
 * Number formats: bf16 × bf16 → f32, and s8 × s8 → s32 (exact integer sums,
 * so int8 results do not depend on blocking or thread count). */
#ifndef LE_KERNELS_GEMM_DNNL_H
#define LE_KERNELS_GEMM_DNNL_H

#include "base/error.h"
#include "kernels/gemm.h"

#include <stddef.h>

typedef struct le_dnnl_weight le_dnnl_weight;
typedef struct le_dnnl_call le_dnnl_call;

/* 1 when the library was built with oneDNN and it found a CPU engine. */
int le_dnnl_available(void);
/* "oneDNN 2.6.3 (avx512_core_amx)" or "oneDNN not built in". */
const char *le_dnnl_describe(void);
/* Reorders W ([N][K] row-major, bf16 as uint16_t or int8) for matmul. */
le_status le_dnnl_pack(le_gemm_dtype dtype, const void *w, int n, int k, le_dnnl_weight **out,
                       le_error *err);
void le_dnnl_weight_free(le_dnnl_weight *w);
size_t le_dnnl_weight_bytes(const le_dnnl_weight *w);
/* The row stride (in elements) of le_dnnl_exec's results: N rounded up to 16. */
size_t le_dnnl_ldd(const le_dnnl_weight *w);
/* The call for `rows` (1..64) rows of A, made on first use and kept; its
 * scratch size in *scratch_bytes. NULL when oneDNN refuses the shape. */
le_dnnl_call *le_dnnl_prepare(le_dnnl_weight *w, int rows, size_t *scratch_bytes);
/* dst[r][0..N) (row stride le_dnnl_ldd, f32 or s32) = src[r] (K contiguous
 * bf16 or s8 values per row) · Wᵀ for the call's rows. 0 on success. */
int le_dnnl_exec(le_dnnl_call *call, le_dnnl_weight *w, const void *src, void *dst, void *scratch);

#endif
