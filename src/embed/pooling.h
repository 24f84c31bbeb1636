/* Pooling: how the token states of one window become one vector. */
#ifndef LE_EMBED_POOLING_H
#define LE_EMBED_POOLING_H

#include "model/config.h"

/* hidden: [n][dim] token states of one sequence (special tokens included, as
 * sentence-transformers counts them). out[dim] += pooled vector.
 * Returns LE_ERR_NOMEM when out of memory. */
le_status le_pooling_add(const float *hidden, int n, int dim, le_pooling p, float *out);

#endif
