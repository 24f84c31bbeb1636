#include "base/cpu.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define LE_X86 1
#endif

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

static le_cpu_features g_feat;
static char g_summary[128];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

#ifdef LE_X86
static unsigned long long xgetbv0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}
#endif

static void detect(void) {
#ifdef LE_X86
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    int osxsave = (c >> 27) & 1, fma = (c >> 12) & 1, avx = (c >> 28) & 1;
    unsigned long long xcr0 = osxsave ? xgetbv0() : 0;
    int ymm_os = (xcr0 & 0x6) == 0x6;
    int zmm_os = (xcr0 & 0xe6) == 0xe6;
    unsigned int max_leaf = __get_cpuid_max(0, NULL);
    if (max_leaf < 7) return;
    __cpuid_count(7, 0, a, b, c, d);
    int avx2 = (b >> 5) & 1;
    int f = (b >> 16) & 1, dq = (b >> 17) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1;
    g_feat.avx2 = avx && avx2 && fma && ymm_os;
    g_feat.avx512 = g_feat.avx2 && f && dq && bw && vl && zmm_os;
    g_feat.avx512_vnni = g_feat.avx512 && ((c >> 11) & 1);
    g_feat.amx_bf16 = (d >> 22) & 1;
    g_feat.amx_tile = (d >> 24) & 1;
    g_feat.amx_int8 = (d >> 25) & 1;
    unsigned int a1, b1, c1, d1;
    __cpuid_count(7, 1, a1, b1, c1, d1);
    g_feat.avx512_bf16 = g_feat.avx512 && ((a1 >> 5) & 1);
    g_feat.avx_vnni = g_feat.avx2 && ((a1 >> 4) & 1);
#endif
    snprintf(g_summary, sizeof g_summary, "%s%s%s%s%s%s%s", g_feat.avx2 ? "avx2 " : "",
             g_feat.avx512 ? "avx512 " : "", g_feat.avx512_bf16 ? "avx512_bf16 " : "",
             g_feat.avx512_vnni ? "avx512_vnni " : "", g_feat.avx_vnni ? "avx_vnni " : "",
             g_feat.amx_bf16 ? "amx_bf16 " : "", g_feat.amx_int8 ? "amx_int8 " : "");
    size_t n = strlen(g_summary);
    if (n) g_summary[n - 1] = 0;
    else snprintf(g_summary, sizeof g_summary, "scalar");
}

const le_cpu_features *le_cpu_detect(void) {
    pthread_once(&g_once, detect);
    return &g_feat;
}

const char *le_cpu_summary(void) {
    le_cpu_detect();
    return g_summary;
}

static le_isa hw_best(void) {
    const le_cpu_features *f = le_cpu_detect();
    return f->avx512 ? LE_ISA_AVX512 : f->avx2 ? LE_ISA_AVX2 : LE_ISA_SCALAR;
}

const char *le_isa_name(le_isa isa) {
    switch (isa) {
    case LE_ISA_AVX512: return "avx512";
    case LE_ISA_AVX2: return "avx2";
    default: return "scalar";
    }
}

static le_status name_to_isa(const char *name, le_isa *out) {
    if (!strcmp(name, "scalar")) *out = LE_ISA_SCALAR;
    else if (!strcmp(name, "avx2")) *out = LE_ISA_AVX2;
    else if (!strcmp(name, "avx512")) *out = LE_ISA_AVX512;
    else return LE_ERR_ARG;
    return LE_OK;
}

le_isa le_cpu_best_isa(void) {
    le_isa best = hw_best(), want;
    const char *env = getenv("LONGEMBED_ISA");
    if (env && *env && strcmp(env, "auto") && name_to_isa(env, &want) == LE_OK && want < best)
        return want;
    return best;
}

le_status le_isa_parse(const char *name, le_isa *out) {
    if (!name || !*name || !strcmp(name, "auto")) {
        *out = le_cpu_best_isa();
        return LE_OK;
    }
    le_isa want;
    if (name_to_isa(name, &want)) return LE_ERR_ARG;
    if (want > hw_best()) return LE_ERR_UNSUPPORTED;
    *out = want;
    return LE_OK;
}

int le_cpu_enable_amx(void) {
#if defined(__linux__) && defined(LE_X86)
    const le_cpu_features *f = le_cpu_detect();
    if (!f->amx_tile) return 0;
    /* ARCH_REQ_XCOMP_PERM = 0x1023, XFEATURE_XTILEDATA = 18 */
    return syscall(SYS_arch_prctl, 0x1023, 18) == 0;
#else
    return 0;
#endif
}
