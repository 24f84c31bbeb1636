/* Position plans: how the tokens of one input map onto a model's trained
 * window, for each training-free extension method of LongEmbed
 * (docs/longembed.md §2–3, docs/extension-methods.md). A plan is data
 * handed to the one forward pass:
 *   learned tables : per token a table row and an interpolation weight;
 *   RoPE           : the rotary changes (PI, NTK, YaRN, grouped positions)
 *                    and SelfExtend's group and window;
 *   ALiBi          : nothing (the bias extrapolates as it is);
 * plus the attention scale. PCW is a plan of several windows, laid out by
 * the pipeline. */
#ifndef LE_EXTEND_PLAN_H
#define LE_EXTEND_PLAN_H

#include "base/error.h"

#include <stdint.h>

/* The longest input any extension method takes (memory grows linearly). */
#define LE_PLAN_MAX_TOKENS (1 << 18)

/* How the model encodes positions. */
typedef enum le_plan_pos {
    LE_PLAN_TABLE = 0, /* a learned absolute table */
    LE_PLAN_ROPE,      /* rotary embedding */
    LE_PLAN_ALIBI      /* ALiBi bias */
} le_plan_pos;

typedef struct le_plan_params {
    le_extend method;
    le_attn_scale attn_scale;
    int table_rows; /* rows of the model's position table; RoPE and ALiBi: the window */
    int stride;     /* position stride (E5-Base-4k: 8), 1 otherwise */
} le_plan_params;

/* What a plan needs beyond the table: how the model encodes positions, and
 * the parameters of the RoPE methods (zero: the defaults). */
typedef struct le_plan_ext {
    le_plan_pos pos;
    int model_scaling;  /* 1: the model scales RoPE itself (nomic's dynamic NTK) */
    int target;         /* the target length Lt (max_tokens); 0: each input's own length */
    double ntk_lambda;  /* ntk: θ × λ; 0: the paper's λ for the target */
    double rope_factor; /* pi, yarn: the factor s; 0: ceil(Lt / Lo) */
    int se_group;       /* selfextend: g; 0: the paper's for the target */
    int se_window;      /* selfextend: w; 0: likewise */
} le_plan_ext;

/* The rotary plan of one sequence (RoPE models); all-neutral when n <= Lo. */
typedef struct le_plan_rope {
    double linear_factor;    /* pi: inv_freq / s; 0: none */
    double ntk_lambda;       /* ntk: θ × λ; 0: none */
    double yarn_factor;      /* yarn: factor; 0: none */
    int yarn_window;         /* yarn: the original window */
    int pos_div;             /* gp: positions ⌊t / s⌋; 1: none */
    int se_group, se_window; /* selfextend; window 0: none */
} le_plan_rope;

/* The trained window Lo: table_rows / stride. */
int le_plan_window(const le_plan_params *p);

/* The most tokens (special tokens included) one input may have under p:
 * the table (or window) for none, LE_PLAN_MAX_TOKENS for the methods. */
int le_plan_max_tokens(const le_plan_params *p);

/* Checks that the method fits the model's positions and that its parameters
 * are sane and meant for it; the message names the methods that fit. */
le_status le_plan_check(const le_plan_params *p, const le_plan_ext *x, le_error *err);

/* The methods that fit, comma-separated ("none,pcw,gp,rp,pi"). */
const char *le_plan_methods(le_plan_pos pos, int model_scaling);

/* The paper's defaults (LongEmbed Table 6) for a target of lt tokens over a
 * window of lo: NTK λ = 3 / 5 / 10 for s = ⌈lt/lo⌉ <= 2 / 4 / 8 (1.25·s
 * beyond); SelfExtend g = p + 1, w = lo / p with p the power of two >= s
 * (512 → 1k, 2k, 4k: 3/256, 5/128, 9/64). */
double le_plan_ntk_lambda(int lt, int lo);
void le_plan_se_defaults(int lt, int lo, int *group, int *window);

/* The attention logit scale of one sequence of n tokens:
 * max(1, ln n / ln Lo) with log scaling past the window, else 1. */
float le_plan_attn_scale(const le_plan_params *p, int n);

/* Fills rows[n] (and frac[n] for PI; frac may be NULL for other methods)
 * and *attn_scale for one sequence of n tokens on a learned table. Fails
 * with LE_ERR_TOO_LONG when n exceeds what the method allows. PCW sequences
 * are planned per window with method none. */
le_status le_plan_positions(const le_plan_params *p, int n, int32_t *rows, float *frac,
                            float *attn_scale, le_error *err);

/* The rotary plan and *attn_scale of one sequence of n tokens (RoPE
 * models); LE_ERR_TOO_LONG as le_plan_positions. */
le_status le_plan_rope_seq(const le_plan_params *p, const le_plan_ext *x, int n, le_plan_rope *out,
                           float *attn_scale, le_error *err);

#endif
