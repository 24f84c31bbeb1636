/* Position planning: for each training-free extension method of LongEmbed
 * (docs/longembed.md §2–3, docs/extension-methods.md), how the tokens of
 * one input map onto a model's trained window. The planner turns a spec
 * (the method, once per call) into one le_pos_plan per sequence
 * (base/posplan.h), the data the one forward pass reads. PCW is a plan of
 * several windows, laid out by the pipeline. */
#ifndef LE_EXTEND_PLAN_H
#define LE_EXTEND_PLAN_H

#include "base/error.h"
#include "base/posplan.h"

#include <stddef.h>
#include <stdint.h>

/* The longest input any extension method takes (memory grows linearly). */
#define LE_PLAN_MAX_TOKENS (1 << 18)

/* What to plan, once per call: the method, its parameters and the model's
 * positions (zero parameters: the paper's defaults). */
typedef struct le_plan_spec {
    le_extend method;
    le_attn_scale attn_scale;
    le_pos_kind pos;
    unsigned methods;      /* the methods the model takes (LE_METHOD_BIT set); 0: its kind's */
    int table_rows;        /* rows of the model's position table; RoPE and ALiBi: the window */
    int stride;            /* position stride (E5-Base-4k: 8), 1 otherwise */
    double dynamic_factor; /* > 0: the model scales RoPE itself (nomic's dynamic NTK) */
    int target;            /* the target length Lt (max_tokens); 0: each input's own length */
    double ntk_lambda;     /* ntk: θ × λ; 0: the paper's λ for the target */
    double rope_factor;    /* pi, yarn: the factor s; 0: ceil(Lt / Lo) */
    int se_group;          /* selfextend: g; 0: the paper's for the target */
    int se_window;         /* selfextend: w; 0: likewise */
} le_plan_spec;

/* The trained window Lo: table_rows / stride. */
int le_plan_window(const le_plan_spec *p);

/* The most tokens (special tokens included) one input may have under p:
 * the table (or window) for none, LE_PLAN_MAX_TOKENS for the methods. */
int le_plan_max_tokens(const le_plan_spec *p);

/* Checks that the method fits the model's positions and that its parameters
 * are sane and meant for it; the message names the methods that fit. */
le_status le_plan_check(const le_plan_spec *p, le_error *err);

/* The methods that fit a model: those it takes (methods; 0: all of its
 * position kind's, base/posplan.h), only LE_METHODS_OWN_SCALING when a RoPE
 * model scales its positions itself. */
unsigned le_plan_fitting(unsigned methods, le_pos_kind pos, int model_scaling);

/* A set of methods as a list in le_extend order ("none,pcw,gp,rp,pi"),
 * written to buf (LE_PLAN_METHODS_CAP bytes hold them all); returns buf. */
#define LE_PLAN_METHODS_CAP 64
const char *le_plan_methods(unsigned methods, char *buf, size_t cap);

/* The paper's defaults (LongEmbed Table 6) for a target of lt tokens over a
 * window of lo: NTK λ = 3 / 5 / 10 for s = ⌈lt/lo⌉ <= 2 / 4 / 8 (1.25·s
 * beyond); SelfExtend g = p + 1, w = lo / p with p the power of two >= s
 * (512 → 1k, 2k, 4k: 3/256, 5/128, 9/64). */
double le_plan_ntk_lambda(int lt, int lo);
void le_plan_se_defaults(int lt, int lo, int *group, int *window);

/* The attention logit scale of one sequence of n tokens:
 * max(1, ln n / ln Lo) with log scaling past the window, else 1. */
float le_plan_attn_scale(const le_plan_spec *p, int n);

/* The plan of one sequence (or PCW window, planned with method none) of n
 * tokens, as the model encodes positions: on a learned table rows[n] (and
 * frac[n] for PI) are filled and *out points at them; RoPE and ALiBi leave
 * them unused (they may be NULL). Fails with LE_ERR_TOO_LONG when n exceeds
 * what the method allows (ALiBi: never, its bias extrapolates). */
le_status le_plan_sequence(const le_plan_spec *p, int n, int32_t *rows, float *frac,
                           le_pos_plan *out, le_error *err);

#endif
