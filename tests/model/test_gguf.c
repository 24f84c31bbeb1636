/* GGUF reader: a small file written here (every value type, F32/F16/BF16/
 * Q8_0/Q4_0/Q4_1 tensors with known values), truncation at every byte, and
 * each kind of corrupt header, count, string, type, alignment and offset. */
#include "base/arena.h"
#include "check.h"
#include "model/dtype.h"
#include "model/gguf.h"
#include "model/quant.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/* ------------------------------------------------------------ the writer */

typedef struct buf {
    unsigned char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *src, size_t n) {
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    if (n) memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void put_le(buf *b, uint64_t v, int bytes) {
    unsigned char t[8];
    for (int i = 0; i < bytes; i++) t[i] = (unsigned char)(v >> (8 * i));
    put(b, t, (size_t)bytes);
}

static void put_u32(buf *b, uint32_t v) { put_le(b, v, 4); }
static void put_u64(buf *b, uint64_t v) { put_le(b, v, 8); }

static void put_str(buf *b, const char *s) {
    put_u64(b, strlen(s));
    put(b, s, strlen(s));
}

static void put_f32(buf *b, float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    put_u32(b, u);
}

static void header(buf *b, uint32_t version, uint64_t n_tensors, uint64_t n_kv) {
    put(b, "GGUF", 4);
    put_u32(b, version);
    put_u64(b, n_tensors);
    put_u64(b, n_kv);
}

static void kv_head(buf *b, const char *key, uint32_t type) {
    put_str(b, key);
    put_u32(b, type);
}

static void kv_u32(buf *b, const char *key, uint32_t v) {
    kv_head(b, key, LE_GGUF_U32);
    put_u32(b, v);
}

static void kv_str(buf *b, const char *key, const char *v) {
    kv_head(b, key, LE_GGUF_STRING);
    put_str(b, v);
}

static void tensor_info(buf *b, const char *name, int ndim, const uint64_t *ne, uint32_t type,
                        uint64_t offset) {
    put_str(b, name);
    put_u32(b, (uint32_t)ndim);
    for (int i = 0; i < ndim; i++) put_u64(b, ne[i]);
    put_u32(b, type);
    put_u64(b, offset);
}

static void pad_to(buf *b, size_t align) {
    while (b->n % align) put_le(b, 0, 1);
}

static void put_half(buf *b, uint16_t h) { put_le(b, h, 2); }

/* ------------------------------------------------------------ the good file */

#define ALIGN 64
static const float g_f32[6] = {1.5f, -2.0f, 3.25f, 0.0f, 1e-30f, -7.0f};
static const uint16_t g_f16[4] = {0x3c00, 0xc100, 0x7bff, 0x0001};

/* q8: 2 blocks, d = 0.5 and 0.25, q = j − 16 and 127 − 8j (wraps as int8) */
static int8_t q8_val(int blk, int j) { return blk == 0 ? (int8_t)(j - 16) : (int8_t)(127 - 8 * j); }
/* q4 blocks: qs[j] low nibble j, high nibble 15 − j; d = 0.25 (0x3400), m = −1.5 (0xbe00) */
static unsigned char q4_byte(int j) { return (unsigned char)(j | (15 - j) << 4); }

static void good_file(buf *b, uint32_t version) {
    header(b, version, 7, 17);
    kv_str(b, "general.architecture", "llama");
    kv_u32(b, "general.alignment", ALIGN);
    kv_u32(b, "llama.block_count", 2);
    kv_head(b, "llama.rope.freq_base", LE_GGUF_F32);
    put_f32(b, 10000.5f);
    kv_head(b, "test.i32", LE_GGUF_I32);
    put_u32(b, (uint32_t)-7);
    kv_head(b, "test.bool", LE_GGUF_BOOL);
    put_le(b, 1, 1);
    kv_head(b, "test.u64big", LE_GGUF_U64);
    put_u64(b, (uint64_t)1 << 40);
    kv_head(b, "test.u8", LE_GGUF_U8);
    put_le(b, 200, 1);
    kv_head(b, "test.f64", LE_GGUF_F64);
    double dv = 0.1;
    uint64_t du;
    memcpy(&du, &dv, 8);
    put_u64(b, du);
    kv_head(b, "test.i16", LE_GGUF_I16);
    put_le(b, (uint16_t)-300, 2);
    /* tokens with an empty string and one holding a NUL byte */
    kv_head(b, "tokenizer.ggml.tokens", LE_GGUF_ARRAY);
    put_u32(b, LE_GGUF_STRING);
    put_u64(b, 4);
    put_str(b, "a");
    put_str(b, "bb");
    put_str(b, "");
    put_u64(b, 3);
    put(b, "d\0e", 3);
    kv_head(b, "tokenizer.ggml.scores", LE_GGUF_ARRAY);
    put_u32(b, LE_GGUF_F32);
    put_u64(b, 3);
    put_f32(b, -1.0f);
    put_f32(b, 0.5f);
    put_f32(b, 2.0f);
    kv_head(b, "tokenizer.ggml.token_type", LE_GGUF_ARRAY);
    put_u32(b, LE_GGUF_I32);
    put_u64(b, 2);
    put_u32(b, 1);
    put_u32(b, (uint32_t)-3);
    kv_head(b, "test.bools", LE_GGUF_ARRAY);
    put_u32(b, LE_GGUF_BOOL);
    put_u64(b, 3);
    put(b, "\1\0\1", 3);
    kv_head(b, "test.empty", LE_GGUF_ARRAY);
    put_u32(b, LE_GGUF_U64);
    put_u64(b, 0);
    /* an array of two arrays of u16 */
    kv_head(b, "test.nested", LE_GGUF_ARRAY);
    put_u32(b, LE_GGUF_ARRAY);
    put_u64(b, 2);
    put_u32(b, LE_GGUF_U16);
    put_u64(b, 1);
    put_le(b, 5, 2);
    put_u32(b, LE_GGUF_STRING);
    put_u64(b, 1);
    put_str(b, "x");
    kv_head(b, "test.i64", LE_GGUF_I64);
    put_u64(b, (uint64_t)-5);

    /* tensor infos; offsets are multiples of ALIGN */
    tensor_info(b, "f32", 2, (uint64_t[]){3, 2}, LE_GGML_F32, 0);
    tensor_info(b, "f16", 1, (uint64_t[]){4}, LE_GGML_F16, 64);
    tensor_info(b, "bf16", 1, (uint64_t[]){2}, LE_GGML_BF16, 128);
    tensor_info(b, "q8", 2, (uint64_t[]){32, 2}, LE_GGML_Q8_0, 192);
    tensor_info(b, "q4_0", 1, (uint64_t[]){32}, LE_GGML_Q4_0, 320);
    tensor_info(b, "q6k", 1, (uint64_t[]){256}, LE_GGML_Q6_K, 384);
    tensor_info(b, "q4_1", 3, (uint64_t[]){64, 1, 1}, LE_GGML_Q4_1, 640);
    pad_to(b, ALIGN);
    size_t base = b->n;
    for (int i = 0; i < 6; i++) put_f32(b, g_f32[i]);
    pad_to(b, ALIGN);
    for (int i = 0; i < 4; i++) put_half(b, g_f16[i]);
    pad_to(b, ALIGN);
    put_half(b, 0x3f80);
    put_half(b, 0xc0a0);
    pad_to(b, ALIGN);
    for (int blk = 0; blk < 2; blk++) {
        put_half(b, blk == 0 ? 0x3800 : 0x3400);
        for (int j = 0; j < 32; j++) put_le(b, (uint8_t)q8_val(blk, j), 1);
    }
    pad_to(b, ALIGN);
    put_half(b, 0x3400); /* q4_0: d = 0.25 */
    for (int j = 0; j < 16; j++) put_le(b, q4_byte(j), 1);
    pad_to(b, ALIGN);
    for (int j = 0; j < 210; j++) put_le(b, (unsigned)j, 1); /* q6k: opaque */
    pad_to(b, ALIGN);
    CHECK_EQ_INT(b->n - base, 640);
    for (int blk = 0; blk < 2; blk++) {
        put_half(b, 0x3400);
        put_half(b, blk == 0 ? 0xbe00 : 0x4000); /* m = −1.5, then 2 */
        for (int j = 0; j < 16; j++) put_le(b, q4_byte(j), 1);
    }
}

static void check_good(le_gguf *g, uint32_t version) {
    le_error e = {0};
    CHECK_EQ_INT(le_gguf_version(g), version);
    CHECK_EQ_INT(le_gguf_alignment(g), ALIGN);
    CHECK_EQ_INT(le_gguf_data_offset(g) % ALIGN, 0);
    CHECK_EQ_INT(le_gguf_kv_count(g), 17);
    CHECK(strcmp(le_gguf_kv_at(g, 0)->key, "general.architecture") == 0);
    CHECK(le_gguf_kv_at(g, 17) == NULL);

    /* getters */
    const char *s;
    uint32_t u32;
    int32_t i32;
    uint64_t u64;
    float f;
    int bv;
    CHECK_EQ_INT(le_gguf_get_str(g, "general.architecture", &s, &e), LE_OK);
    CHECK(strcmp(s, "llama") == 0);
    CHECK_EQ_INT(le_gguf_get_u32(g, "llama.block_count", &u32, &e), LE_OK);
    CHECK_EQ_INT(u32, 2);
    CHECK_EQ_INT(le_gguf_get_f32(g, "llama.rope.freq_base", &f, &e), LE_OK);
    CHECK(f == 10000.5f);
    CHECK_EQ_INT(le_gguf_get_f32(g, "test.f64", &f, &e), LE_OK);
    CHECK(f == 0.1f);
    CHECK_EQ_INT(le_gguf_get_i32(g, "test.i32", &i32, &e), LE_OK);
    CHECK_EQ_INT(i32, -7);
    CHECK_EQ_INT(le_gguf_get_i32(g, "test.i16", &i32, &e), LE_OK);
    CHECK_EQ_INT(i32, -300);
    CHECK_EQ_INT(le_gguf_get_i32(g, "test.u8", &i32, &e), LE_OK);
    CHECK_EQ_INT(i32, 200);
    CHECK_EQ_INT(le_gguf_get_u32(g, "test.u8", &u32, &e), LE_OK);
    CHECK_EQ_INT(u32, 200);
    CHECK_EQ_INT(le_gguf_get_u64(g, "test.u64big", &u64, &e), LE_OK);
    CHECK(u64 == (uint64_t)1 << 40);
    CHECK_EQ_INT(le_gguf_get_bool(g, "test.bool", &bv, &e), LE_OK);
    CHECK_EQ_INT(bv, 1);
    const le_gguf_kv *kv = le_gguf_find_kv(g, "test.i64");
    CHECK(kv && kv->type == LE_GGUF_I64 && kv->num.i == -5);

    /* getter mismatches name the key and what was found */
    CHECK_EQ_INT(le_gguf_get_u32(g, "test.i32", &u32, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "key \"test.i32\": expected u32, found i32 -7");
    CHECK_STR_CONTAINS(e.message, le_gguf_path(g));
    CHECK_EQ_INT(le_gguf_get_u32(g, "test.u64big", &u32, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "expected u32, found u64 1099511627776");
    CHECK_EQ_INT(le_gguf_get_u64(g, "test.i64", &u64, &e), LE_ERR_FORMAT);
    CHECK_EQ_INT(le_gguf_get_i32(g, "general.architecture", &i32, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "expected i32, found string \"llama\"");
    CHECK_EQ_INT(le_gguf_get_bool(g, "test.u8", &bv, &e), LE_ERR_FORMAT);
    CHECK_EQ_INT(le_gguf_get_f32(g, "test.i32", &f, &e), LE_ERR_FORMAT);
    CHECK_EQ_INT(le_gguf_get_str(g, "test.bool", &s, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "expected string, found bool 1");
    CHECK_EQ_INT(le_gguf_get_u32(g, "llama.context_length", &u32, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "missing key \"llama.context_length\"");

    /* arrays */
    const char *const *toks;
    size_t n;
    CHECK_EQ_INT(le_gguf_get_str_array(g, "tokenizer.ggml.tokens", &toks, &n, &e), LE_OK);
    CHECK_EQ_INT(n, 4);
    if (n == 4) {
        CHECK(strcmp(toks[0], "a") == 0 && strcmp(toks[1], "bb") == 0 && toks[2][0] == 0);
        kv = le_gguf_find_kv(g, "tokenizer.ggml.tokens");
        CHECK(kv->str_lens[3] == 3 && memcmp(toks[3], "d\0e", 4) == 0);
    }
    const float *scores;
    CHECK_EQ_INT(le_gguf_get_f32_array(g, "tokenizer.ggml.scores", &scores, &n, &e), LE_OK);
    CHECK(n == 3 && scores[0] == -1.0f && scores[1] == 0.5f && scores[2] == 2.0f);
    const int32_t *types;
    CHECK_EQ_INT(le_gguf_get_i32_array(g, "tokenizer.ggml.token_type", &types, &n, &e), LE_OK);
    CHECK(n == 2 && types[0] == 1 && types[1] == -3);
    CHECK_EQ_INT(le_gguf_get_i32_array(g, "tokenizer.ggml.scores", &types, &n, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "expected array of i32, found array of 3 f32");
    CHECK_EQ_INT(le_gguf_get_str_array(g, "test.u8", &toks, &n, &e), LE_ERR_FORMAT);
    kv = le_gguf_find_kv(g, "test.bools");
    CHECK(kv && kv->count == 3 && memcmp(kv->array, "\1\0\1", 3) == 0);
    kv = le_gguf_find_kv(g, "test.empty");
    CHECK(kv && kv->type == LE_GGUF_ARRAY && kv->elem_type == LE_GGUF_U64 && kv->count == 0);
    kv = le_gguf_find_kv(g, "test.nested");
    CHECK(kv && kv->elem_type == LE_GGUF_ARRAY && kv->count == 2 && kv->array == NULL);

    /* tensors */
    CHECK_EQ_INT(le_gguf_tensor_count(g), 7);
    CHECK(strcmp(le_gguf_tensor_at(g, 0)->name, "f32") == 0);
    CHECK(le_gguf_tensor_at(g, 7) == NULL);
    const le_gguf_tensor *t = le_gguf_find_tensor(g, "f32");
    CHECK(t && t->ndim == 2 && t->ne[0] == 3 && t->ne[1] == 2 && t->ne[2] == 1 && t->numel == 6);
    float out[64];
    CHECK_EQ_INT(le_gguf_read_f32(g, "f32", 2, (int64_t[]){2, 3}, out, &e), LE_OK);
    CHECK(memcmp(out, g_f32, sizeof g_f32) == 0);
    CHECK_EQ_INT(le_gguf_read_f32(g, "f32", 2, (int64_t[]){3, 2}, out, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "tensor \"f32\": expected shape [3, 2], found [2, 3] (ggml ne "
                                  "[3, 2])");
    CHECK_EQ_INT(le_gguf_read_f32(g, "f16", 1, (int64_t[]){4}, out, &e), LE_OK);
    CHECK(out[0] == 1.0f && out[1] == -2.5f && out[2] == 65504.0f && out[3] == 0x1p-24f);
    CHECK_EQ_INT(le_gguf_read_f32(g, "bf16", 1, (int64_t[]){2}, out, &e), LE_OK);
    CHECK(out[0] == 1.0f && out[1] == -5.0f);

    CHECK_EQ_INT(le_gguf_read_f32(g, "q8", 2, (int64_t[]){2, 32}, out, &e), LE_OK);
    int ok = 1;
    for (int blk = 0; blk < 2; blk++)
        for (int j = 0; j < 32; j++)
            ok &= out[blk * 32 + j] == (blk == 0 ? 0.5f : 0.25f) * (float)q8_val(blk, j);
    CHECK(ok);
    CHECK(out[32 + 31] == 0.25f * -121.0f); /* 127 − 248 wraps to 8-bit −121 */
    CHECK_EQ_INT(le_gguf_read_f32(g, "q4_0", 1, (int64_t[]){32}, out, &e), LE_OK);
    ok = 1;
    for (int j = 0; j < 16; j++) {
        ok &= out[j] == 0.25f * (float)(j - 8);
        ok &= out[j + 16] == 0.25f * (float)(15 - j - 8);
    }
    CHECK(ok);
    /* q4_1: weight j < 16 is the low nibble of qs[j], weight j + 16 its high nibble */
    float *q41;
    CHECK_EQ_INT(le_gguf_load_f32(g, "q4_1", 3, (int64_t[]){1, 1, 64}, &q41, &e), LE_OK);
    if (q41) {
        ok = 1;
        for (int blk = 0; blk < 2; blk++) {
            float m = blk == 0 ? -1.5f : 2.0f;
            for (int j = 0; j < 16; j++) {
                ok &= q41[blk * 32 + j] == 0.25f * (float)j + m;
                ok &= q41[blk * 32 + j + 16] == 0.25f * (float)(15 - j) + m;
            }
        }
        CHECK(ok);
        CHECK(q41[0] == -1.5f && q41[16] == 2.25f && q41[63] == 2.0f);
        CHECK(((uintptr_t)q41 % 64) == 0);
        le_free_aligned(q41);
    }
    /* a valid type we do not dequantise */
    t = le_gguf_find_tensor(g, "q6k");
    CHECK(t && t->type == LE_GGML_Q6_K && t->nbytes == 210);
    CHECK_EQ_INT(le_gguf_read_f32(g, "q6k", 0, NULL, out, &e), LE_ERR_UNSUPPORTED);
    CHECK_STR_CONTAINS(e.message, "tensor \"q6k\": ggml type Q6_K cannot be dequantised");
    float *none = (float *)1;
    CHECK_EQ_INT(le_gguf_load_f32(g, "q6k", 0, NULL, &none, &e), LE_ERR_UNSUPPORTED);
    CHECK(none == NULL);
    CHECK_EQ_INT(le_gguf_read_f32(g, "nothing", 0, NULL, out, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "no tensor \"nothing\"");
}

static void test_quant_table(void) {
    const le_ggml_type_info *t = le_ggml_type_get(LE_GGML_Q4_1);
    CHECK(t && t->block == 32 && t->bytes == 20 && strcmp(t->name, "Q4_1") == 0);
    t = le_ggml_type_get(LE_GGML_Q8_0);
    CHECK(t && t->bytes == 34);
    CHECK(le_ggml_type_get(4) == NULL && le_ggml_type_get(5) == NULL); /* removed ids */
    CHECK(le_ggml_type_get(LE_GGML_TYPE_LIMIT) == NULL && le_ggml_type_get(UINT32_MAX) == NULL);
    CHECK(strcmp(le_ggml_type_name(99), "unknown") == 0);
    CHECK(le_ggml_can_dequantize(LE_GGML_Q4_1) && !le_ggml_can_dequantize(LE_GGML_Q4_K));
    float out[32];
    CHECK_EQ_INT(le_ggml_to_f32(LE_GGML_Q5_0, "", out, 0), -1);
}

static char g_dir[64];

static void write_bytes(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    if (n) fwrite(p, 1, n, f);
    fclose(f);
}

static void test_good(void) {
    for (uint32_t version = 2; version <= 3; version++) {
        buf b = {0};
        good_file(&b, version);
        char path[128];
        snprintf(path, sizeof path, "%s/good-v%u.gguf", g_dir, version);
        write_bytes(path, b.p, b.n);
        le_gguf *g = NULL;
        le_error e = {0};
        CHECK_EQ_INT(le_gguf_open(path, &g, &e), LE_OK);
        if (g) {
            CHECK(strcmp(le_gguf_path(g), path) == 0);
            CHECK(strcmp(le_gguf_find_tensor(g, "f32")->file, path) == 0);
            check_good(g, version);
            le_gguf_close(g);
        }
        /* from memory, at an odd address */
        unsigned char *odd = malloc(b.n + 1);
        memcpy(odd + 1, b.p, b.n);
        CHECK_EQ_INT(le_gguf_open_memory(odd + 1, b.n, "odd.gguf", &g, &e), LE_OK);
        if (g) {
            check_good(g, version);
            le_gguf_close(g);
        }
        free(odd);
        free(b.p);
    }
    le_gguf_close(NULL);
}

static void test_truncated(void) {
    buf b = {0};
    good_file(&b, 3);
    /* the last tensor ends at the end of the file, so every cut is an error */
    int all_fail = 1, all_named = 1, all_format = 1;
    for (size_t cut = 0; cut < b.n; cut++) {
        le_gguf *g = NULL;
        le_error e = {0};
        le_status s = le_gguf_open_memory(b.p, cut, "cut.gguf", &g, &e);
        all_fail &= s != LE_OK && g == NULL;
        all_format &= s == LE_ERR_FORMAT;
        all_named &= strncmp(e.message, "cut.gguf: ", 10) == 0;
        if (s == LE_OK) le_gguf_close(g);
    }
    CHECK(all_fail);
    CHECK(all_format);
    CHECK(all_named);
    size_t tokens = 0; /* where the key "tokenizer.ggml.tokens" starts */
    while (tokens < b.n && memcmp(b.p + tokens, "tokenizer.ggml.tokens", 21) != 0) tokens++;
    tokens -= 8;
    const struct {
        size_t cut;
        const char *needle;
    } cuts[] = {
        {0, "not a GGUF file"},
        {6, "header: needs 4 bytes at byte 4, but the file ends at byte 6"},
        {30, "the header claims 17 key/values, more than the 6 bytes left can hold (is the "
             "file truncated?)"},
        {tokens + 8 + 21 + 4 + 4 + 2, "key \"tokenizer.ggml.tokens\": needs 8 bytes"},
        {tokens + 10, "key/value 10: string length 21 at byte"},
        {b.n - 1, "tensor \"q4_1\": 40 bytes at data offset 640 run beyond the end of the file"},
    };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/cut%zu.gguf", g_dir, cuts[i].cut);
        write_bytes(path, b.p, cuts[i].cut);
        le_gguf *g = NULL;
        le_error e = {0};
        CHECK_EQ_INT(le_gguf_open(path, &g, &e), LE_ERR_FORMAT);
        CHECK(g == NULL);
        CHECK_STR_CONTAINS(e.message, path);
        CHECK_STR_CONTAINS(e.message, cuts[i].needle);
    }
    free(b.p);
}

static void expect_fail(buf *b, le_status want, const char *needle) {
    le_gguf *g = (le_gguf *)1;
    le_error e = {0};
    le_status s = le_gguf_open_memory(b->p, b->n, "bad.gguf", &g, &e);
    CHECK_MSG(s == want, "status %d, want %d: %s", s, want, e.message);
    CHECK(g == NULL);
    CHECK_STR_CONTAINS(e.message, "bad.gguf: ");
    CHECK_STR_CONTAINS(e.message, needle);
    if (s == LE_OK) le_gguf_close(g);
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* A file with one u32 key/value and one F32 tensor [4] at offset 0. */
static void one_tensor(buf *b, uint32_t type, int ndim, const uint64_t *ne, uint64_t offset,
                       size_t data_bytes) {
    header(b, 3, 1, 1);
    kv_u32(b, "k", 1);
    tensor_info(b, "w", ndim, ne, type, offset);
    pad_to(b, 32);
    for (size_t i = 0; i < data_bytes; i++) put_le(b, 0, 1);
}

static void test_bad(void) {
    buf b = {0};
    /* magic and version */
    put(&b, "GGUG\3\0\0\0", 8);
    expect_fail(&b, LE_ERR_FORMAT, "not a GGUF file");
    header(&b, 1, 0, 0);
    expect_fail(&b, LE_ERR_UNSUPPORTED, "GGUF version 1 is not supported (2 and 3 are)");
    header(&b, 4, 0, 0);
    expect_fail(&b, LE_ERR_UNSUPPORTED, "GGUF version 4 is not supported");
    header(&b, 0x03000000, 0, 0);
    expect_fail(&b, LE_ERR_UNSUPPORTED, "big-endian GGUF");
    /* counts past what the file can hold */
    header(&b, 3, 0, UINT64_MAX);
    expect_fail(&b, LE_ERR_FORMAT, "the header claims 18446744073709551615 key/values");
    header(&b, 3, (uint64_t)1 << 40, 0);
    expect_fail(&b, LE_ERR_FORMAT, "the header claims 1099511627776 tensors");
    /* strings */
    header(&b, 3, 0, 1);
    put_u64(&b, (uint64_t)1 << 62);
    put(&b, "abcdefghijklmnop", 16);
    expect_fail(&b, LE_ERR_FORMAT,
                "key/value 0: string length 4611686018427387904 at byte 24 "
                "runs past the end");
    header(&b, 3, 0, 1);
    kv_head(&b, "", LE_GGUF_U8);
    put(&b, "\0\0\0\0\0\0\0\0\0", 9);
    expect_fail(&b, LE_ERR_FORMAT, "key/value 0: empty key");
    header(&b, 3, 0, 1);
    put_u64(&b, 3);
    put(&b, "a\0b", 3);
    put_u32(&b, LE_GGUF_U8);
    put(&b, "\0\0\0\0\0\0\0\0\0", 9);
    expect_fail(&b, LE_ERR_FORMAT, "key holds a NUL byte");
    /* value types */
    header(&b, 3, 0, 1);
    kv_head(&b, "general.x", 13);
    put(&b, "\0\0\0\0\0\0\0\0\0", 9);
    expect_fail(&b, LE_ERR_FORMAT, "key \"general.x\": unknown value type 13");
    header(&b, 3, 0, 1);
    kv_head(&b, "t.b", LE_GGUF_BOOL);
    put(&b, "\2\0\0\0\0\0\0\0\0\0\0\0\0", 13);
    expect_fail(&b, LE_ERR_FORMAT, "key \"t.b\": bool value 2 is not 0 or 1");
    header(&b, 3, 0, 1);
    kv_head(&b, "t.arr", LE_GGUF_ARRAY);
    put_u32(&b, 77);
    put_u64(&b, 1);
    put(&b, "\0\0\0\0\0\0\0\0", 8);
    expect_fail(&b, LE_ERR_FORMAT, "key \"t.arr\": unknown array element type 77");
    header(&b, 3, 0, 1);
    kv_head(&b, "t.arr", LE_GGUF_ARRAY);
    put_u32(&b, LE_GGUF_U32);
    put_u64(&b, (uint64_t)1 << 61);
    put(&b, "\0\0\0\0\0\0\0\0", 8);
    expect_fail(&b, LE_ERR_FORMAT,
                "key \"t.arr\": array of 2305843009213693952 u32 needs more "
                "than the 8 bytes left");
    header(&b, 3, 0, 1);
    kv_head(&b, "t.arr", LE_GGUF_ARRAY);
    put_u32(&b, LE_GGUF_STRING);
    put_u64(&b, 1000);
    put_str(&b, "abc");
    expect_fail(&b, LE_ERR_FORMAT, "array of 1000 string needs more than the 11 bytes left");
    header(&b, 3, 0, 1);
    kv_head(&b, "t.arr", LE_GGUF_ARRAY);
    put_u32(&b, LE_GGUF_STRING);
    put_u64(&b, 2);
    put_str(&b, "abc");
    put_u64(&b, 100);
    put(&b, "xyzxyzxyzxyzxyzxyz", 18);
    expect_fail(&b, LE_ERR_FORMAT, "key \"t.arr\": string length 100 at byte");
    header(&b, 3, 0, 1); /* arrays nested too deep */
    kv_head(&b, "t.deep", LE_GGUF_ARRAY);
    for (int i = 0; i < 12; i++) {
        put_u32(&b, LE_GGUF_ARRAY);
        put_u64(&b, 1);
    }
    put_u32(&b, LE_GGUF_U8);
    put_u64(&b, 0);
    expect_fail(&b, LE_ERR_UNSUPPORTED, "key \"t.deep\": arrays nested deeper than 8");
    header(&b, 3, 0, 2);
    kv_u32(&b, "dup", 1);
    kv_u32(&b, "dup", 2);
    expect_fail(&b, LE_ERR_FORMAT, "duplicate key \"dup\"");
    /* alignment */
    header(&b, 3, 0, 1);
    kv_head(&b, "general.alignment", LE_GGUF_U64);
    put_u64(&b, 64);
    expect_fail(&b, LE_ERR_FORMAT, "key \"general.alignment\": expected u32, found u64");
    header(&b, 3, 0, 1);
    kv_u32(&b, "general.alignment", 48);
    expect_fail(&b, LE_ERR_FORMAT, "key \"general.alignment\": 48 is not a power of two");
    header(&b, 3, 0, 1);
    kv_u32(&b, "general.alignment", 0);
    expect_fail(&b, LE_ERR_FORMAT, "0 is not a power of two");
    /* tensor infos */
    one_tensor(&b, LE_GGML_F32, 5, (uint64_t[]){1, 1, 1, 1, 4}, 0, 16);
    expect_fail(&b, LE_ERR_FORMAT, "tensor \"w\": 5 dimensions, more than the 4 ggml allows");
    one_tensor(&b, 99, 1, (uint64_t[]){4}, 0, 16);
    expect_fail(&b, LE_ERR_UNSUPPORTED, "tensor \"w\": unknown ggml type 99");
    one_tensor(&b, 4, 1, (uint64_t[]){4}, 0, 16);
    expect_fail(&b, LE_ERR_UNSUPPORTED, "unknown ggml type 4");
    one_tensor(&b, LE_GGML_Q4_1, 1, (uint64_t[]){31}, 0, 20);
    expect_fail(&b, LE_ERR_FORMAT,
                "tensor \"w\": dimension 0 (31) is not a multiple of the Q4_1 "
                "block size 32");
    one_tensor(&b, LE_GGML_F32, 1, (uint64_t[]){4}, 16, 32);
    expect_fail(&b, LE_ERR_FORMAT, "tensor \"w\": offset 16 is not a multiple of the alignment 32");
    one_tensor(&b, LE_GGML_F32, 1, (uint64_t[]){4}, 32, 32);
    expect_fail(&b, LE_ERR_FORMAT,
                "tensor \"w\": 16 bytes at data offset 32 run beyond the end "
                "of the file (the data section at byte 96 holds 32 bytes");
    one_tensor(&b, LE_GGML_F32, 1, (uint64_t[]){4}, (uint64_t)1 << 63, 32);
    expect_fail(&b, LE_ERR_FORMAT, "run beyond the end of the file");
    one_tensor(&b, LE_GGML_F32, 3, (uint64_t[]){(uint64_t)1 << 32, (uint64_t)1 << 32, 1 << 8}, 0,
               32);
    expect_fail(&b, LE_ERR_FORMAT, "tensor \"w\": too many elements");
    one_tensor(&b, LE_GGML_F32, 1, (uint64_t[]){(uint64_t)1 << 63}, 0, 32);
    expect_fail(&b, LE_ERR_FORMAT, "dimension 0 (9223372036854775808) is too large");
    one_tensor(&b, LE_GGML_F32, 2, (uint64_t[]){(uint64_t)1 << 62, 1}, 0, 32);
    expect_fail(&b, LE_ERR_FORMAT, "too many bytes");
    header(&b, 3, 1, 0);
    tensor_info(&b, "", 1, (uint64_t[]){4}, LE_GGML_F32, 0);
    expect_fail(&b, LE_ERR_FORMAT, "tensor info 0: empty tensor name");
    header(&b, 3, 2, 0);
    tensor_info(&b, "a", 1, (uint64_t[]){4}, LE_GGML_F32, 0);
    tensor_info(&b, "b", 1, (uint64_t[]){16}, LE_GGML_F16, 0);
    pad_to(&b, 32);
    put(&b, "0123456789abcdef0123456789abcdef", 32);
    expect_fail(&b, LE_ERR_FORMAT, "tensor \"b\": data at offset 0 overlaps tensor \"a\" [0, +16)");
    header(&b, 3, 2, 0);
    tensor_info(&b, "a", 1, (uint64_t[]){4}, LE_GGML_F32, 0);
    tensor_info(&b, "a", 1, (uint64_t[]){4}, LE_GGML_F32, 32);
    pad_to(&b, 32);
    put(&b, "0123456789abcdef0123456789abcdef0123456789abcdef", 48);
    expect_fail(&b, LE_ERR_FORMAT, "tensor \"a\": duplicate tensor name");

    /* no tensors and no data section is a valid file; so is an empty tensor */
    header(&b, 3, 0, 0);
    le_gguf *g;
    le_error e;
    CHECK_EQ_INT(le_gguf_open_memory(b.p, b.n, "empty.gguf", &g, &e), LE_OK);
    if (g) {
        CHECK_EQ_INT(le_gguf_tensor_count(g), 0);
        CHECK_EQ_INT(le_gguf_alignment(g), LE_GGUF_DEFAULT_ALIGNMENT);
        le_gguf_close(g);
    }
    free(b.p);
    memset(&b, 0, sizeof b);
    one_tensor(&b, LE_GGML_F32, 2, (uint64_t[]){4, 0}, 0, 0);
    CHECK_EQ_INT(le_gguf_open_memory(b.p, b.n, "zero.gguf", &g, &e), LE_OK);
    if (g) {
        float *p;
        CHECK(le_gguf_find_tensor(g, "w")->numel == 0);
        CHECK_EQ_INT(le_gguf_load_f32(g, "w", 2, (int64_t[]){0, 4}, &p, &e), LE_OK);
        le_free_aligned(p);
        le_gguf_close(g);
    }
    free(b.p);

    /* files */
    char path[128];
    snprintf(path, sizeof path, "%s/missing.gguf", g_dir);
    g = (le_gguf *)1;
    CHECK_EQ_INT(le_gguf_open(path, &g, &e), LE_ERR_IO);
    CHECK(g == NULL);
    CHECK_STR_CONTAINS(e.message, path);
    CHECK_EQ_INT(le_gguf_open("", &g, &e), LE_ERR_ARG);
    snprintf(path, sizeof path, "%s/empty.gguf", g_dir);
    write_bytes(path, "", 0);
    CHECK_EQ_INT(le_gguf_open(path, &g, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "not a GGUF file");
}

int main(void) {
    snprintf(g_dir, sizeof g_dir, "/tmp/le_test_gguf_XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_quant_table();
    test_good();
    test_truncated();
    test_bad();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
    return check_report("gguf");
}
