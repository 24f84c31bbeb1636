/* The object behind the public le_model handle: configuration, tokenizer,
 * weights, the threads that run them and the scratch of one call. A model
 * serves one le_embed call at a time. */
#ifndef LE_EMBED_MODEL_H
#define LE_EMBED_MODEL_H

#include "base/arena.h"
#include "base/pool.h"
#include "extend/plan.h"
#include "kernels/kctx.h"
#include "model/config.h"
#include "model/encoder.h"
#include "text/tokenizer.h"

struct le_model {
    char *dir;
    char name[128];
    le_model_config cfg;
    le_tokenizer *tok;
    le_encoder enc;
    le_pool *pool;
    le_kctx kc;
    le_encoder_scratch scratch;
    int position_stride; /* recognised tuned-table stride, 1 otherwise */
    const char *query_prefix, *passage_prefix;
    char methods[LE_PLAN_METHODS_CAP]; /* the extension methods that fit, listed */
    struct le_m3_heads *m3;            /* BGE-M3's heads, read on first use (embed/m3.c) */
};

#endif
