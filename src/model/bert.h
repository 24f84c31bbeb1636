/* BERT encoders (post-LayerNorm, learned absolute positions): the weights
 * as read from a Hugging Face checkpoint, and the forward pass over a batch
 * of sequences packed without padding.
 *
 * Three parts, kept apart as in llama2.c: the config (config.h), the
 * weights (le_bert, read-only after load, shared by all calls) and the run
 * state (le_bert_scratch, the buffers of one forward call). */
#ifndef LE_MODEL_BERT_H
#define LE_MODEL_BERT_H

#include <stdint.h>

#include "base/arena.h"
#include "base/error.h"
#include "kernels/gemm.h"
#include "kernels/kctx.h"
#include "model/config.h"

typedef struct le_bert_layer {
    le_gemm_weight *qkv; /* [3H][H]: query, key, value rows stacked */
    const float *qkv_bias;
    le_gemm_weight *attn_out; /* [H][H] */
    const float *attn_out_bias;
    const float *ln_attn_gamma, *ln_attn_beta;
    le_gemm_weight *ffn_in; /* [I][H] */
    const float *ffn_in_bias;
    le_gemm_weight *ffn_out; /* [H][I] */
    const float *ffn_out_bias;
    const float *ln_ffn_gamma, *ln_ffn_beta;
} le_bert_layer;

typedef struct le_bert {
    le_model_config cfg;
    le_isa isa; /* the weights are packed for this ISA */
    const float *word_emb; /* [vocab][H] */
    const float *pos_emb;  /* [max_positions][H] */
    const float *type_emb; /* [type_vocab][H] (row 0 is used) */
    const float *ln_emb_gamma, *ln_emb_beta;
    le_bert_layer *layers;
    le_arena arena;        /* small tensors and converted tables */
    struct le_safetensors *st; /* the open checkpoint (mapped tables point into it) */
    float *owned[8];       /* converted tables (F16/BF16 checkpoints) */
    size_t packed_bytes;
} le_bert;

/* One sequence of a batch, with its position plan (see extend/plan.h): token
 * t uses position-table row pos_row[t], blended towards row pos_row[t] + 1 by
 * pos_frac[t] when pos_frac is not NULL (linear interpolation). attn_scale
 * multiplies the attention logits (log-length scaling), 1 for none. */
typedef struct le_seq {
    const int32_t *ids;
    int n;
    const int32_t *pos_row;
    const float *pos_frac;
    float attn_scale;
} le_seq;

typedef struct le_bert_scratch {
    float *x, *qkv, *ctx, *ffn;
    size_t cap_tokens;
} le_bert_scratch;

le_status le_bert_load(const char *dir, const le_model_config *cfg, le_isa isa, le_bert *out,
                       le_error *err);
void le_bert_free(le_bert *m);

/* Runs the encoder on n_seqs sequences; *hidden points at the final token
 * states, [Σ n][H] in sequence order, inside s (valid until s is reused).
 * Token ids and position rows are checked against the tables. */
le_status le_bert_forward(const le_bert *m, const le_kctx *kc, const le_seq *seqs, int n_seqs,
                          le_bert_scratch *s, const float **hidden, le_error *err);

void le_bert_scratch_free(le_bert_scratch *s);

#endif
