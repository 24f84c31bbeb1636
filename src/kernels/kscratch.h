/* Per-thread scratch memory for the kernels, kept from call to call so that
 * hot paths do not allocate: it grows on demand and is freed when its
 * thread exits. */
#ifndef LE_KERNELS_KSCRATCH_H
#define LE_KERNELS_KSCRATCH_H

#include <stddef.h>

/* At least bytes of 64-byte aligned memory owned by the calling thread, valid
 * until its next call; NULL when out of memory. */
void *le_kscratch(size_t bytes);

#endif
