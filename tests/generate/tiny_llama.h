/* Tiny random-weight llama-family GGUF files written in memory for the
 * decoder tests: the metadata keys and tensor names of llama.cpp's
 * converter, F32 weights drawn from a seeded generator (uniform, scaled
 * by 1/sqrt(fan-in)), norms around 1. Knobs break one thing at a time
 * (an unknown architecture, a missing tensor, an odd tensor type). */
#ifndef LE_TESTS_TINY_LLAMA_H
#define LE_TESTS_TINY_LLAMA_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/gguf.h"

typedef struct tiny_cfg {
    const char *arch; /* "llama", "qwen2" (biases) or anything else */
    int layers, hidden, ffn, heads, kv_heads, vocab, context;
    float theta;
    uint64_t seed;
    int tied;                /* no output.weight */
    const char *omit;        /* a tensor name left out, or NULL */
    uint32_t wq_type;        /* type id written for blk.0.attn_q.weight (F32 = 0) */
    const char *scaling;     /* rope.scaling.type or NULL */
    float scaling_factor;
} tiny_cfg;

static inline tiny_cfg tiny_default(void) {
    tiny_cfg c = {"llama", 2, 64, 96, 4, 2, 97, 64, 10000.0f, 1, 1, NULL, 0, NULL, 0};
    return c;
}

typedef struct tiny_buf {
    unsigned char *p;
    size_t n, cap;
} tiny_buf;

static inline void tb_put(tiny_buf *b, const void *src, size_t n) {
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 256;
        b->p = realloc(b->p, b->cap);
    }
    if (n) memcpy(b->p + b->n, src, n);
    b->n += n;
}
static inline void tb_u32(tiny_buf *b, uint32_t v) { tb_put(b, &v, 4); }
static inline void tb_u64(tiny_buf *b, uint64_t v) { tb_put(b, &v, 8); }
static inline void tb_str(tiny_buf *b, const char *s) {
    tb_u64(b, strlen(s));
    tb_put(b, s, strlen(s));
}
static inline void tb_kv_u32(tiny_buf *b, const char *arch, const char *k, uint32_t v) {
    char key[128];
    snprintf(key, sizeof key, "%s.%s", arch, k);
    tb_str(b, key);
    tb_u32(b, LE_GGUF_U32);
    tb_u32(b, v);
}
static inline void tb_kv_f32(tiny_buf *b, const char *arch, const char *k, float v) {
    char key[128];
    snprintf(key, sizeof key, "%s.%s", arch, k);
    tb_str(b, key);
    tb_u32(b, LE_GGUF_F32);
    tb_put(b, &v, 4);
}

typedef struct tiny_tensor {
    char name[64];
    int ndim;
    uint64_t ne[2]; /* ggml order */
    float scale, offset;
} tiny_tensor;

static inline uint64_t tiny_rand(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The tensor list of cfg (names, shapes, value ranges). */
static inline int tiny_tensors(const tiny_cfg *c, tiny_tensor *t) {
    int n = 0, hd = c->hidden / c->heads, qd = c->heads * hd, kvd = c->kv_heads * hd;
#define TT(nm, d, a, bb, sc, off)                                                                 \
    do {                                                                                          \
        snprintf(t[n].name, sizeof t[n].name, "%s", nm);                                          \
        t[n].ndim = d, t[n].ne[0] = a, t[n].ne[1] = bb, t[n].scale = sc, t[n].offset = off;       \
        n++;                                                                                      \
    } while (0)
    TT("token_embd.weight", 2, c->hidden, c->vocab, 1.0f, 0);
    TT("output_norm.weight", 1, c->hidden, 1, 0.2f, 1);
    if (!c->tied) TT("output.weight", 2, c->hidden, c->vocab, 1.0f / sqrtf(c->hidden), 0);
    for (int i = 0; i < c->layers; i++) {
        char nm[64];
#define TL(part, d, a, bb, sc, off)                                                               \
    do {                                                                                          \
        snprintf(nm, sizeof nm, "blk.%d.%s", i, part);                                            \
        TT(nm, d, a, bb, sc, off);                                                                \
    } while (0)
        TL("attn_norm.weight", 1, c->hidden, 1, 0.2f, 1);
        TL("attn_q.weight", 2, c->hidden, qd, 2.0f / sqrtf(c->hidden), 0);
        TL("attn_k.weight", 2, c->hidden, kvd, 2.0f / sqrtf(c->hidden), 0);
        TL("attn_v.weight", 2, c->hidden, kvd, 1.0f / sqrtf(c->hidden), 0);
        if (!strcmp(c->arch, "qwen2")) {
            TL("attn_q.bias", 1, qd, 1, 0.5f, 0);
            TL("attn_k.bias", 1, kvd, 1, 0.5f, 0);
            TL("attn_v.bias", 1, kvd, 1, 0.5f, 0);
        }
        TL("attn_output.weight", 2, qd, c->hidden, 1.0f / sqrtf(qd), 0);
        TL("ffn_norm.weight", 1, c->hidden, 1, 0.2f, 1);
        TL("ffn_gate.weight", 2, c->hidden, c->ffn, 1.0f / sqrtf(c->hidden), 0);
        TL("ffn_up.weight", 2, c->hidden, c->ffn, 1.0f / sqrtf(c->hidden), 0);
        TL("ffn_down.weight", 2, c->ffn, c->hidden, 1.0f / sqrtf(c->ffn), 0);
#undef TL
    }
#undef TT
    return n;
}

/* The metadata of cfg. */
static inline void tiny_metadata(tiny_buf *b, const tiny_cfg *c) {
    tb_str(b, "general.architecture");
    tb_u32(b, LE_GGUF_STRING);
    tb_str(b, c->arch);
    tb_kv_u32(b, c->arch, "block_count", (uint32_t)c->layers);
    tb_kv_u32(b, c->arch, "embedding_length", (uint32_t)c->hidden);
    tb_kv_u32(b, c->arch, "feed_forward_length", (uint32_t)c->ffn);
    tb_kv_u32(b, c->arch, "attention.head_count", (uint32_t)c->heads);
    tb_kv_u32(b, c->arch, "attention.head_count_kv", (uint32_t)c->kv_heads);
    tb_kv_u32(b, c->arch, "context_length", (uint32_t)c->context);
    tb_kv_f32(b, c->arch, "rope.freq_base", c->theta);
    tb_kv_f32(b, c->arch, "attention.layer_norm_rms_epsilon", 1e-5f);
}

static inline int tiny_n_kv(const tiny_cfg *c) { return c->scaling ? 11 : 9; }

/* The whole file into *out (malloc'd, *size bytes). */
static inline void tiny_write(const tiny_cfg *c, unsigned char **out, size_t *size) {
    tiny_tensor t[512];
    int nt = tiny_tensors(c, t), kept = 0;
    for (int i = 0; i < nt; i++) kept += !(c->omit && !strcmp(c->omit, t[i].name));
    tiny_buf b = {0};
    tb_put(&b, "GGUF", 4);
    tb_u32(&b, 3);
    tb_u64(&b, (uint64_t)kept);
    tb_u64(&b, (uint64_t)tiny_n_kv(c));
    tiny_metadata(&b, c);
    if (c->scaling) {
        char key[128];
        snprintf(key, sizeof key, "%s.rope.scaling.type", c->arch);
        tb_str(&b, key);
        tb_u32(&b, LE_GGUF_STRING);
        tb_str(&b, c->scaling);
        tb_kv_f32(&b, c->arch, "rope.scaling.factor", c->scaling_factor);
    }
    uint64_t off = 0;
    for (int i = 0; i < nt; i++) {
        if (c->omit && !strcmp(c->omit, t[i].name)) continue;
        tb_str(&b, t[i].name);
        tb_u32(&b, (uint32_t)t[i].ndim);
        for (int d = 0; d < t[i].ndim; d++) tb_u64(&b, t[i].ne[d]);
        tb_u32(&b, strcmp(t[i].name, "blk.0.attn_q.weight") ? 0 : c->wq_type);
        tb_u64(&b, off);
        off += (t[i].ne[0] * t[i].ne[1] * 4 + 31) / 32 * 32;
    }
    while (b.n % 32) tb_put(&b, "", 1);
    uint64_t s = c->seed;
    for (int i = 0; i < nt; i++) {
        if (c->omit && !strcmp(c->omit, t[i].name)) continue;
        size_t n = (size_t)(t[i].ne[0] * t[i].ne[1]);
        for (size_t j = 0; j < n; j++) {
            float u = (float)((double)(tiny_rand(&s) >> 11) / 9007199254740992.0) * 2 - 1;
            float v = t[i].offset + t[i].scale * u;
            tb_put(&b, &v, 4);
        }
        while (b.n % 32) tb_put(&b, "", 1);
    }
    *out = b.p;
    *size = b.n;
}

#endif
