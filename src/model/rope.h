/* Rotary frequencies and cos/sin tables of the RoPE encoders, computed as
 * their PyTorch implementations compute them: inv_freq in float32 (the
 * default, PI's "linear" and YaRN formulas of transformers'
 * modeling_rope_utils, NTK-aware θ·λ, nomic's dynamic NTK), angles in
 * double (E5-RoPE's float64 cache) or float32 (nomic's), cos and sin
 * rounded to float. Long inputs keep parity only with the same roundings. */
#ifndef LE_MODEL_ROPE_H
#define LE_MODEL_ROPE_H

#include "base/posplan.h"
#include "model/config.h"

#define LE_ROPE_MAX_HALF 512 /* head_dim / 2 */

/* The base θ of a sequence of n tokens: the config's, nomic's dynamic NTK
 * past its trained positions, then × theta_scale. */
double le_rope_base(const le_model_config *c, const le_pos_plan *r, int n);

/* inv_freq[j], j < head_dim/2, and the factor cos and sin are multiplied by
 * (YaRN's attention factor, else 1), for a sequence of n tokens. */
void le_rope_inv_freq(const le_model_config *c, const le_pos_plan *r, int n, float *inv_freq,
                      float *cos_scale);

/* Rows 0..rows-1 of the tables ([rows][head_dim/2] each): row p holds the
 * angles of position p, or of ⌊p / pos_div⌋ with grouped positions. */
void le_rope_fill(const le_model_config *c, const le_pos_plan *r, const float *inv_freq,
                  float cos_scale, int rows, float *cos_out, float *sin_out);

#endif
