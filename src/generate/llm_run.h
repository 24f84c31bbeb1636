/* The state of one decoder sequence: the KV cache of every layer (growing
 * with the tokens, up to the run's position limit), the rotary tables of
 * its position plan and the scratch of one forward batch. Tokens are
 * appended in batches (prefill) or one at a time (decode); each call
 * returns the logits of its last positions.
 *
 * The position plan is fixed for the run, since cached keys keep the
 * positions they were computed with: none (the trained window), PI, NTK,
 * YaRN (the rotary frequencies change), SelfExtend (keys are cached
 * unrotated and the attention kernel rotates them with neighbour or
 * grouped positions, causal, LongLM's formulation). A model's own scaling
 * (rope.scaling.type linear/yarn, llama3's rope_freqs) always applies. */
#ifndef LE_GENERATE_LLM_RUN_H
#define LE_GENERATE_LLM_RUN_H

#include "base/error.h"
#include "base/posplan.h"
#include "extend/plan.h"
#include "kernels/kctx.h"
#include "model/llama.h"

#include <stddef.h>
#include <stdint.h>

typedef struct le_llm_run {
    const le_llama *m;
    le_kctx kc;
    le_pos_plan plan;
    int max_tokens; /* positions the run may hold */
    int batch;      /* tokens per forward batch */
    float *cos, *sin; /* [max_tokens][head_dim/2] */
    int n;            /* tokens in the cache */
    int cap;          /* tokens the cache has room for */
    float **k, **v;   /* per layer [cap][kv_dim]; keys rotated unless SelfExtend */
    int32_t *ids;     /* [cap] the cached tokens */
    float *x, *xn, *q, *att, *gate, *up; /* scratch of one batch */
} le_llm_run;

/* The plan of a run of up to max_tokens positions for model config c:
 * spec's method (none, pi, ntk, yarn, selfextend) over the trained window,
 * then the model's own scaling. Past the window without a method, or a
 * method the model's own scaling excludes: an error naming both. */
le_status le_llm_plan(const le_llama_config *c, const le_plan_spec *spec, int max_tokens,
                      le_pos_plan *out, le_error *err);

/* A run of m (borrowed) with the given plan; kc's pool runs the kernels. */
le_status le_llm_run_init(le_llm_run *r, const le_llama *m, const le_pos_plan *plan,
                          int max_tokens, le_kctx kc, le_error *err);
void le_llm_run_free(le_llm_run *r);

/* Appends ids[0..n) to the sequence and writes the logits of its last
 * n_logits positions (n_logits <= n) to logits[n_logits][vocab] (NULL when
 * n_logits is 0). Over max_tokens: LE_ERR_TOO_LONG, the cache unchanged. */
le_status le_llm_run_eval(le_llm_run *r, const int32_t *ids, int n, float *logits, int n_logits,
                          le_error *err);

/* Room in the cache for need tokens (need <= max_tokens; the room grows by
 * doubling, at most max_tokens). */
le_status le_llm_run_reserve(le_llm_run *r, int need, le_error *err);

/* Keeps the first n cached tokens (n <= r->n), to continue after a shared prefix. */
void le_llm_run_keep(le_llm_run *r, int n);

/* The tokens a[0..na) and b[0..nb) share from the start. */
static inline size_t le_ids_shared(const int32_t *a, size_t na, const int32_t *b, size_t nb) {
    size_t c = 0;
    while (c < na && c < nb && a[c] == b[c]) c++;
    return c;
}

#endif
