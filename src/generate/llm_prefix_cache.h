/* Copies of the decoder's KV cache in memory, so that a prompt sharing a
 * long beginning with an earlier one (not the last one: the run itself
 * keeps that) skips the shared prefill. LC-Boost reads the same parts of a
 * document for every question about it; each part comes first in its step
 * prompt, so the second question's steps continue after the part.
 *
 * Rules (le_llm_options.prefix_cache_bytes bounds the copies' bytes):
 *   - a prompt mostly prefilled now (its new tokens at least half of it,
 *     and at least LE_PREFIX_MIN of them) is copied after its prefill;
 *   - a prompt that shares more than LE_PREFIX_MIN tokens more with a copy
 *     than with the run continues from that copy, and the copy is cut to
 *     the shared tokens (the part common to several prompts: a document's
 *     part, not the question after it);
 *   - over the budget, the least recently used copies go.
 * A restored prefix continues bit for bit as its prefill would. */
#ifndef LE_GENERATE_LLM_PREFIX_CACHE_H
#define LE_GENERATE_LLM_PREFIX_CACHE_H

#include "generate/llm_run.h"

#include <stddef.h>
#include <stdint.h>

#define LE_PREFIX_MIN 64

typedef struct le_kv_copy {
    int32_t *ids;
    float *kv; /* per layer: keys [n][kv_dim], then values [n][kv_dim] */
    size_t n;
    uint64_t used; /* the cache's clock at the last use */
} le_kv_copy;

typedef struct le_prefix_cache {
    le_kv_copy *c;
    size_t count, cap;
    size_t bytes, budget;
    uint64_t clock;
    size_t hits, restored_tokens; /* for tests and logs */
} le_prefix_cache;

/* The run's cache continued from the copy that shares the most with
 * ids[0..n) when that beats the run's own have tokens by more than
 * LE_PREFIX_MIN; returns the tokens now shared (have when no copy won).
 * Out of memory for the run: no copy is used. */
size_t le_prefix_cache_restore(le_prefix_cache *pc, le_llm_run *r, const int32_t *ids, size_t n,
                               size_t have);

/* After a prefill of n prompt tokens of which fresh were computed now (and
 * restored is 1 when a copy served it): a copy of the run's first n tokens
 * when the rules above ask for one and the budget allows it. */
void le_prefix_cache_note(le_prefix_cache *pc, const le_llm_run *r, size_t n, size_t fresh,
                          int restored);

void le_prefix_cache_free(le_prefix_cache *pc);

#endif
