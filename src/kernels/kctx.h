/* What every kernel call needs: the ISA to run and the pool to run on. */
#ifndef LE_KERNELS_KCTX_H
#define LE_KERNELS_KCTX_H

#include "base/cpu.h"
#include "base/pool.h"

typedef struct le_kctx {
    le_isa isa;
    le_pool *pool; /* NULL: run on the calling thread */
} le_kctx;

#endif
