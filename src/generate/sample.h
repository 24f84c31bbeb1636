/* Choosing the next token from the logits: greedy, or sampling with a
 * seeded generator after transformers' logits processors in their order:
 * repetition penalty (CTRL: a seen token's logit divided by the penalty
 * when positive, multiplied when negative), temperature, top-k, top-p
 * (nucleus: the smallest set of most probable tokens whose mass reaches
 * p), min-p (drop tokens below min_p × the top probability). The same
 * seed, parameters and logits give the same token on every machine. */
#ifndef LE_GENERATE_SAMPLE_H
#define LE_GENERATE_SAMPLE_H

#include "base/error.h"
#include "index/topk.h"

#include <stddef.h>
#include <stdint.h>

typedef struct le_sample_params {
    float temperature;    /* <= 0: greedy (argmax after the penalty) */
    int top_k;            /* 0: off */
    float top_p;          /* >= 1: off */
    float min_p;          /* <= 0: off */
    float repeat_penalty; /* 1: off */
    int repeat_last_n;    /* tokens of the history the penalty looks at; -1 all */
    uint64_t seed;
} le_sample_params;

typedef struct le_sampler {
    le_sample_params p;
    uint64_t rng;
    int vocab;
    le_hit *cand;         /* [vocab]: doc is the token id, score the logit */
    double *prob;         /* [vocab] */
} le_sampler;

/* Checks p (LE_ERR_ARG naming the parameter) and allocates for vocab. */
le_status le_sampler_init(le_sampler *s, const le_sample_params *p, int vocab, le_error *err);
void le_sampler_free(le_sampler *s);

/* The next token. logits[vocab] is changed (the penalty); history holds
 * the n_hist tokens so far (prompt and generated). */
int32_t le_sampler_next(le_sampler *s, float *logits, const int32_t *history, size_t n_hist);

/* A uniform double in [0, 1) from the generator (splitmix64). */
double le_sampler_uniform(uint64_t *state);

#endif
