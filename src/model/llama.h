/* Llama-family decoders from GGUF files: the shapes and RoPE settings of
 * the metadata (<arch>.block_count, embedding_length, ...) and the weights
 * as views into the mapped file (kernels/qmatmul.h: quantized rows are used
 * as stored, never dequantized at load). Architectures:
 *   llama : Llama, SmolLM2, Mistral. The converter (convert_hf_to_gguf.py)
 *           permutes the rows of attn_q/attn_k so that ggml's NORMAL RoPE
 *           (adjacent pairs 2j, 2j+1) equals Hugging Face's rotate_half:
 *           rotate_half 0 here.
 *   qwen2 : Qwen2 (biases on q, k, v), NEOX RoPE: rotate_half 1.
 * Tied embeddings (no output.weight): the output head is token_embd.
 * Norms and biases must be F32 (they are read in place). The generation
 * loop (generate/llm_*.c) runs the forward pass. */
#ifndef LE_MODEL_LLAMA_H
#define LE_MODEL_LLAMA_H

#include "base/error.h"
#include "base/posplan.h"
#include "kernels/qmatmul.h"
#include "model/gguf.h"

#define LE_LLAMA_MAX_HEAD_DIM 512

typedef struct le_llama_layer {
    const float *attn_norm, *ffn_norm; /* [hidden] */
    const float *bq, *bk, *bv;         /* qwen2: [q_dim], [kv_dim], [kv_dim]; else NULL */
    le_qmat wq, wk, wv, wo;            /* [q_dim][hidden], [kv_dim][hidden] x2, [hidden][q_dim] */
    le_qmat gate, up, down;            /* [ffn][hidden] x2, [hidden][ffn] */
} le_llama_layer;

typedef struct le_llama_config {
    char arch[16]; /* "llama" or "qwen2" */
    int layers, hidden, ffn, heads, kv_heads, head_dim, vocab;
    int context; /* <arch>.context_length: the trained window */
    float eps;   /* attention.layer_norm_rms_epsilon */
    double rope_theta;
    int rotate_half;            /* 1: pairs (j, j + d/2) (NEOX); 0: (2j, 2j+1) */
    le_rope_kind rope_scaling;  /* the file's rope.scaling.type: none, linear, yarn */
    double rope_factor;         /* rope.scaling.factor */
    int rope_orig_context;      /* rope.scaling.original_context_length (yarn) */
    const float *freq_factors;  /* rope_freqs.weight [head_dim/2] (llama3 scaling), or NULL */
} le_llama_config;

typedef struct le_llama {
    le_gguf *gguf; /* owned: the weights point into its mapping */
    le_llama_config c;
    le_qmat tok_embd;      /* [vocab][hidden] */
    le_qmat output;        /* [vocab][hidden]; = tok_embd when tied */
    const float *out_norm; /* [hidden] */
    le_llama_layer *layer; /* [layers] */
} le_llama;

/* Opens a GGUF file and loads it. Unknown architecture or tensor type,
 * missing tensors, wrong shapes, a truncated file: LE_ERR_UNSUPPORTED or
 * LE_ERR_FORMAT naming the file and key or tensor. */
le_status le_llama_open(const char *path, le_llama **out, le_error *err);
/* The same from an open GGUF, which the model then owns (closed on failure too). */
le_status le_llama_from_gguf(le_gguf *g, le_llama **out, le_error *err);
void le_llama_close(le_llama *m);

/* Activations of every matrix product: 0 quantized per block as ggml does
 * (le_qmat's default), 1 kept in fp32 (le_qmat.f32_act: the products of
 * transformers on the dequantized weights, slower in prefill). */
void le_llama_set_f32_act(le_llama *m, int on);

/* Query and key/value widths: heads·head_dim and kv_heads·head_dim. */
int le_llama_q_dim(const le_llama_config *c);
int le_llama_kv_dim(const le_llama_config *c);

#endif
