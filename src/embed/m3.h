/* BGE-M3's heads (the internal side of le_embed_m3): sparse_linear
 * (Linear(H, 1)) and colbert_linear (Linear(H, D)) read from the model
 * directory's torch.save files and packed into one GEMM weight of D + 1
 * rows, so one product over a window's token states gives both. */
#ifndef LE_EMBED_M3_H
#define LE_EMBED_M3_H

#include "kernels/gemm.h"

typedef struct le_m3_heads {
    le_gemm_weight *w; /* row 0: sparse, rows 1..dim: colbert */
    float *bias;       /* dim + 1 */
    int dim;           /* colbert's output size */
    int32_t special[4]; /* ids whose lexical weights are dropped; -1 unused */
} le_m3_heads;

struct le_model;

/* Reads the heads of m's directory (once; later calls return the same). */
le_status le_m3_heads_get(struct le_model *m, const le_m3_heads **out, le_error *err);
void le_m3_heads_free(le_m3_heads *h);

/* le_embed_m3 of token ids, as le_embed_tokens (tests give a passage's). */
le_status le_embed_m3_tokens(struct le_model *m, size_t n, const int32_t *const *ids,
                             const size_t *n_ids, const le_embed_options *opt, le_m3_output *out,
                             le_text_result *results, le_error *err);

/* le_embed_passages (into *ps) with BGE-M3's heads on every window: out[i]
 * gets text i's lexical weights, per token id the maximum over all its
 * passages' tokens, and the ColBERT vectors of every window of it (after
 * each window's <s>), in window order; out[i].dense stays NULL (the passage
 * and document vectors are *ps's). Free both on success; nothing is left
 * on failure. */
le_status le_embed_m3_passages(struct le_model *m, size_t n, const char *const *texts,
                               const size_t *lengths, const le_embed_options *opt,
                               const le_passage_options *popt, le_passages **ps,
                               le_m3_output *out, le_text_result *results, le_error *err);

#endif
