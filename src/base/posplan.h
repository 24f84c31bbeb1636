/* The position plan of one sequence: how its tokens map onto the model's
 * trained window. The planner (extend/plan.h) makes it, the encoder's
 * forward pass (model/encoder.h) reads it, unchanged: it is pure data, and
 * it lives in base/ because base is the one layer that both extend/ and
 * model/ may include.
 *
 *   learned table : token t reads table row rows[t], blended towards row
 *                   rows[t] + 1 by frac[t] (linear interpolation, PI);
 *   RoPE          : how q and k rotate (the rotary changes of PI, NTK,
 *                   YaRN and grouped positions, SelfExtend's group and
 *                   window, the model's own dynamic NTK);
 *   ALiBi         : nothing (the bias extrapolates as it is);
 * and for all the attention logit scale. Every field zero (attn_scale 1)
 * is the model as trained. */
#ifndef LE_BASE_POSPLAN_H
#define LE_BASE_POSPLAN_H

#include "longembed.h"

#include <stdint.h>

/* How a model encodes positions. */
typedef enum le_pos_kind {
    LE_POS_TABLE = 0, /* a learned absolute table added to the embeddings */
    LE_POS_ROPE,      /* rotary embedding of q and k */
    LE_POS_ALIBI      /* a linear attention bias −slope·|i − j| */
} le_pos_kind;

/* Sets of extension methods: one bit per le_extend. */
#define LE_METHOD_BIT(e) (1u << (unsigned)(e))
/* The methods each position kind takes (an architecture may take fewer):
 * tables none, pcw, gp, rp, pi; RoPE none, pcw, gp, pi, ntk, yarn,
 * selfextend; ALiBi none, pcw (its bias runs past the window as it is).
 * A RoPE model that scales its positions itself takes only
 * LE_METHODS_OWN_SCALING. */
#define LE_METHODS_TABLE                                                                           \
    (LE_METHOD_BIT(LE_EXTEND_NONE) | LE_METHOD_BIT(LE_EXTEND_PCW) | LE_METHOD_BIT(LE_EXTEND_GP) |  \
     LE_METHOD_BIT(LE_EXTEND_RP) | LE_METHOD_BIT(LE_EXTEND_PI))
#define LE_METHODS_ROPE                                                                            \
    (LE_METHOD_BIT(LE_EXTEND_NONE) | LE_METHOD_BIT(LE_EXTEND_PCW) | LE_METHOD_BIT(LE_EXTEND_GP) |  \
     LE_METHOD_BIT(LE_EXTEND_PI) | LE_METHOD_BIT(LE_EXTEND_NTK) | LE_METHOD_BIT(LE_EXTEND_YARN) |  \
     LE_METHOD_BIT(LE_EXTEND_SELFEXTEND))
#define LE_METHODS_ALIBI (LE_METHOD_BIT(LE_EXTEND_NONE) | LE_METHOD_BIT(LE_EXTEND_PCW))
#define LE_METHODS_OWN_SCALING (LE_METHOD_BIT(LE_EXTEND_NONE) | LE_METHOD_BIT(LE_EXTEND_PCW))

/* How the rotary frequencies change:
 *   LINEAR : PI, inv_freq / rope_factor (transformers' "linear")
 *   YARN   : transformers' "yarn" with rope_factor and the original window
 *            yarn_window (cos and sin carry its attention factor) */
typedef enum le_rope_kind { LE_ROPE_DEFAULT = 0, LE_ROPE_LINEAR, LE_ROPE_YARN } le_rope_kind;

typedef struct le_pos_plan {
    float attn_scale; /* multiplies the attention logits (log-length scaling); 1: none */
    /* learned tables */
    const int32_t *rows; /* [n] table rows; NULL for RoPE and ALiBi */
    const float *frac;   /* [n] interpolation weights (PI), else NULL */
    /* RoPE: the model's frequencies (config θ, its own dynamic NTK), then these */
    le_rope_kind rope_kind;
    double rope_factor;    /* LINEAR and YARN: the factor s */
    int yarn_window;       /* YARN: the original window */
    double theta_scale;    /* NTK-aware base scaling θ·λ; 0 or 1: none */
    int pos_div;           /* grouped positions ⌊t / pos_div⌋; 0 or 1: t */
    int se_group;          /* SelfExtend's group (kernels/attention.h) */
    int se_window;         /* SelfExtend's neighbour window; 0: no SelfExtend */
    double dynamic_factor; /* nomic's rotary_scaling_factor in effect; 0: off */
} le_pos_plan;

#endif
