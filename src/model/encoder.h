/* Encoders of the BERT family (post-LayerNorm transformers): the weights as
 * read from a Hugging Face checkpoint, and one forward pass over a batch of
 * sequences packed without padding.
 *
 * Every architecture is data for the same forward pass: BERT (learned
 * absolute position table), E5-RoPE (no table, RoPE on q and k), nomic-bert
 * (RoPE, fused QKV, no biases, gated MLP) and jina-bert-v2 (ALiBi, gated
 * MLP). Each architecture's file (bert.c, e5rope.c, nomic_bert.c,
 * jina_bert.c) reads its config.json fields and names its tensors; the
 * skeleton in encoder_forward.c runs them all:
 *
 *   x = LN_emb(word[id] + position(t) + type[0])        position: tables only
 *   per layer:
 *     q, k, v = x·Wqkv (+ b)
 *     c = attention(q, k, v)                            RoPE / ALiBi / plain,
 *                                                       with the sequence's plan
 *     x = LN_1(x + c·Wo (+ b))
 *     h = act(x·W1 (+ b))   or   act(x·Wg (+ b)) ⊙ (x·Wu (+ b))   (gated)
 *     x = LN_2(x + h·W2 (+ b))
 *
 * Three parts, kept apart as in llama2.c: the config (config.h), the
 * weights (le_encoder, read-only after load, shared by all calls) and the
 * run state (le_encoder_scratch, the buffers of one forward call). */
#ifndef LE_MODEL_ENCODER_H
#define LE_MODEL_ENCODER_H

#include "base/arena.h"
#include "base/error.h"
#include "kernels/gemm.h"
#include "kernels/kctx.h"
#include "model/config.h"

#include <stdint.h>

typedef struct le_encoder_layer {
    le_gemm_weight *qkv;      /* [3H][H]: query, key, value rows stacked */
    const float *qkv_bias;    /* [3H] or NULL */
    le_gemm_weight *attn_out; /* [H][H] */
    const float *attn_out_bias;
    const float *ln_attn_gamma, *ln_attn_beta;
    le_gemm_weight *ffn_in; /* [I][H], or [2I][H] gated: the gate rows, then the up rows */
    const float *ffn_in_bias;
    le_gemm_weight *ffn_out; /* [H][I] */
    const float *ffn_out_bias;
    const float *ln_ffn_gamma, *ln_ffn_beta;
} le_encoder_layer;

typedef struct le_encoder {
    le_model_config cfg;
    le_isa isa;            /* the weights are packed for this ISA */
    le_gemm_dtype dtype;   /* and in this number format (fp32 or bf16) */
    const float *word_emb; /* [vocab][H] */
    const float *pos_emb;  /* [max_positions][H], learned tables only */
    const float *type_emb; /* [type_vocab][H] (row 0 is used), or a zero row */
    const float *ln_emb_gamma, *ln_emb_beta;
    const float *alibi_slopes; /* [heads], ALiBi only */
    le_encoder_layer *layers;
    le_arena arena;            /* small tensors and converted tables */
    struct le_safetensors *st; /* the open checkpoint (mapped tables point into it) */
    float *owned[8];           /* converted tables (F16/BF16 checkpoints) */
    size_t packed_bytes;
} le_encoder;

/* One sequence of a batch, with its position plan (base/posplan.h, made by
 * extend/plan.h): learned tables read plan.rows (and plan.frac), RoPE
 * models rotate q and k as the plan says, ALiBi models add their bias;
 * plan.attn_scale multiplies the attention logits. */
typedef struct le_seq {
    const int32_t *ids;
    int n;
    le_pos_plan plan;
} le_seq;

typedef struct le_encoder_scratch {
    float *x, *qkv, *ctx, *ffn;
    le_gemm_qrows xq; /* int8 models: x's rows rounded for the products that read them */
    size_t cap_tokens;
    float *rope_tab; /* cos and sin tables of the batch's sequences */
    size_t cap_rope;
} le_encoder_scratch;

le_status le_encoder_load(const char *dir, const le_model_config *cfg, le_isa isa,
                          le_gemm_dtype dtype, le_encoder *out, le_error *err);
void le_encoder_free(le_encoder *m);

/* Runs the encoder on n_seqs sequences; *hidden points at the final token
 * states, [Σ n][H] in sequence order, inside s (valid until s is reused).
 * Token ids and position rows are checked against the tables. */
le_status le_encoder_forward(const le_encoder *m, const le_kctx *kc, const le_seq *seqs, int n_seqs,
                             le_encoder_scratch *s, const float **hidden, le_error *err);

void le_encoder_scratch_free(le_encoder_scratch *s);

#endif
