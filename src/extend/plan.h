/* Position plans: how the tokens of one input map onto a model's trained
 * position table, for each training-free extension method of LongEmbed
 * (docs/longembed.md §2). A plan is data handed to the one forward pass:
 * per token a table row and an interpolation weight, plus the attention
 * scale. PCW is a plan of several windows, laid out by the pipeline. */
#ifndef LE_EXTEND_PLAN_H
#define LE_EXTEND_PLAN_H

#include <stdint.h>

#include "base/error.h"

/* The longest input any extension method takes (memory grows linearly). */
#define LE_PLAN_MAX_TOKENS (1 << 18)

typedef struct le_plan_params {
    le_extend method;
    le_attn_scale attn_scale;
    int table_rows; /* rows of the model's position table */
    int stride;     /* position stride (E5-Base-4k: 8), 1 otherwise */
} le_plan_params;

/* The trained window Lo: table_rows / stride. */
int le_plan_window(const le_plan_params *p);

/* The most tokens (special tokens included) one input may have under p. */
int le_plan_max_tokens(const le_plan_params *p);

/* Fills rows[n] (and frac[n] for PI; frac may be NULL for other methods)
 * and *attn_scale for one sequence of n tokens. Fails with LE_ERR_TOO_LONG
 * when n exceeds what the method allows. PCW sequences are planned per
 * window with method none. */
le_status le_plan_positions(const le_plan_params *p, int n, int32_t *rows, float *frac,
                            float *attn_scale, le_error *err);

#endif
