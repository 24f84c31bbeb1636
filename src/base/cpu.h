/* CPU features, detected once at run time (cpuid + xgetbv). The kernels
 * dispatch on le_cpu_isa(); LONGEMBED_ISA=scalar|avx2|avx512 in the
 * environment lowers the choice (never raises it past what the CPU has). */
#ifndef LE_BASE_CPU_H
#define LE_BASE_CPU_H

#include "longembed.h" /* le_status */

typedef struct le_cpu_features {
    int avx2;        /* AVX2 + FMA + OS support for ymm state */
    int avx512;      /* AVX-512 F/BW/DQ/VL + OS support for zmm state */
    int avx512_bf16; /* AVX512_BF16 (vdpbf16ps) */
    int avx512_vnni;
    int avx_vnni;
    int amx_tile, amx_bf16, amx_int8; /* CPU support; OS permission is requested on first use */
} le_cpu_features;

typedef enum le_isa { LE_ISA_SCALAR = 0, LE_ISA_AVX2 = 1, LE_ISA_AVX512 = 2 } le_isa;

const le_cpu_features *le_cpu_detect(void);
/* Best ISA available, lowered by LONGEMBED_ISA if set. */
le_isa le_cpu_best_isa(void);
const char *le_isa_name(le_isa isa);
/* "auto"/NULL → best; otherwise the named ISA if the CPU has it. Returns
 * LE_ERR_ARG when the name is unknown, LE_ERR_UNSUPPORTED when the CPU lacks it. */
le_status le_isa_parse(const char *name, le_isa *out);
/* Asks the kernel for AMX tile state (Linux ARCH_REQ_XCOMP_PERM); 1 on success. */
int le_cpu_enable_amx(void);
/* A one-line summary such as "avx2 avx512 avx512_bf16 vnni". */
const char *le_cpu_summary(void);

#endif
