/* safetensors reader: good files (F32/F16/BF16 converted exactly), prefix
 * lookup, sharded checkpoints, every kind of corrupt header and truncation,
 * and the real all-MiniLM-L6-v2 checkpoint. Files are written from C into a
 * temporary directory. */
#include "base/arena.h"
#include "check.h"
#include "model/dtype.h"
#include "model/safetensors.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_dir[64];

static char *tmp_path(const char *name) {
    static char buf[8][512];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, 512, "%s/%s", g_dir, name);
    return p;
}

static void write_bytes(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    if (n) fwrite(p, 1, n, f);
    fclose(f);
}

/* A safetensors image: u64 header length, header padded with spaces to a
 * multiple of 8, then the data. The caller frees it. */
static unsigned char *st_image(const char *header, const void *data, size_t dlen, size_t *len) {
    size_t h = strlen(header), hp = (h + 7) / 8 * 8;
    unsigned char *img = malloc(8 + hp + dlen + 1);
    uint64_t n = hp;
    for (int i = 0; i < 8; i++) img[i] = (unsigned char)(n >> (8 * i));
    memcpy(img + 8, header, h);
    memset(img + 8 + h, ' ', hp - h);
    if (dlen) memcpy(img + 8 + hp, data, dlen);
    *len = 8 + hp + dlen;
    return img;
}

static void write_st(const char *path, const char *header, const void *data, size_t dlen) {
    size_t n;
    unsigned char *img = st_image(header, data, dlen, &n);
    write_bytes(path, img, n);
    free(img);
}

/* Opens header+data as a file and from memory; both must fail with want and
 * a message holding the file name and each needle. */
static void expect_fail(const char *label, const char *header, const void *data, size_t dlen,
                        le_status want, const char *needle1, const char *needle2) {
    char name[128];
    snprintf(name, sizeof name, "%s.safetensors", label);
    const char *path = tmp_path(name);
    size_t n;
    unsigned char *img = st_image(header, data, dlen, &n);
    write_bytes(path, img, n);
    for (int mem = 0; mem < 2; mem++) {
        le_safetensors *st = (le_safetensors *)1;
        le_error e = {0};
        le_status s = mem ? le_st_open_memory(img, n, path, &st, &e) : le_st_open(path, &st, &e);
        CHECK_MSG(s == want, "%s: status %d, want %d (%s)", label, s, want, e.message);
        CHECK(st == NULL);
        CHECK_STR_CONTAINS(e.message, path);
        if (needle1) CHECK_STR_CONTAINS(e.message, needle1);
        if (needle2) CHECK_STR_CONTAINS(e.message, needle2);
        if (s == LE_OK) le_st_close(st);
    }
    free(img);
}

static uint32_t f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static float bits_f32(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static void test_half(void) {
    int roundtrip_ok = 1;
    for (uint32_t h = 0; h < 65536; h++) {
        float f = le_f16_to_f32((uint16_t)h);
        if (isnan(f)) {
            roundtrip_ok &= (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0;
            roundtrip_ok &= isnan(le_f16_to_f32(le_f32_to_f16(f)));
            continue;
        }
        roundtrip_ok &= le_f32_to_f16(f) == h;
    }
    CHECK(roundtrip_ok);
    CHECK(le_f16_to_f32(0x3c00) == 1.0f);
    CHECK(le_f16_to_f32(0xc100) == -2.5f);
    CHECK(le_f16_to_f32(0x7bff) == 65504.0f);
    CHECK(le_f16_to_f32(0x0001) == 0x1p-24f);
    CHECK(le_f16_to_f32(0x8000) == 0.0f && signbit(le_f16_to_f32(0x8000)));
    CHECK(isinf(le_f16_to_f32(0xfc00)) && le_f16_to_f32(0xfc00) < 0);
    /* round to nearest even, at ties and at the edges */
    CHECK_EQ_INT(le_f32_to_f16(1.0f + 0x1p-11f), 0x3c00);
    CHECK_EQ_INT(le_f32_to_f16(1.0f + 3 * 0x1p-11f), 0x3c02);
    CHECK_EQ_INT(le_f32_to_f16(65519.0f), 0x7bff);
    CHECK_EQ_INT(le_f32_to_f16(65520.0f), 0x7c00);
    CHECK_EQ_INT(le_f32_to_f16(1e10f), 0x7c00);
    CHECK_EQ_INT(le_f32_to_f16(0x1p-25f), 0x0000);
    CHECK_EQ_INT(le_f32_to_f16(1.5f * 0x1p-25f), 0x0001);
    CHECK_EQ_INT(le_f32_to_f16(3 * 0x1p-25f), 0x0002);
    CHECK_EQ_INT(le_f32_to_f16(-0x1p-14f), 0x8400);
    CHECK_EQ_INT(le_f32_to_f16(0x1p-14f - 0x1p-25f), 0x0400); /* rounds up into the normals */
    CHECK((le_f32_to_f16(NAN) & 0x7e00) == 0x7e00);
    /* bf16 */
    CHECK(le_bf16_to_f32(0x3f80) == 1.0f);
    CHECK(le_bf16_to_f32(0xc0a0) == -5.0f);
    CHECK_EQ_INT(le_f32_to_bf16(1.0f), 0x3f80);
    CHECK_EQ_INT(le_f32_to_bf16(bits_f32(0x3f808000)), 0x3f80);
    CHECK_EQ_INT(le_f32_to_bf16(bits_f32(0x3f818000)), 0x3f82);
    CHECK_EQ_INT(le_f32_to_bf16(bits_f32(0x3f808001)), 0x3f81);
    CHECK(isnan(le_bf16_to_f32(le_f32_to_bf16(bits_f32(0x7f800001)))));
    /* rows read unaligned little-endian bytes */
    unsigned char raw[9] = {0xff, 0x00, 0x3c, 0x00, 0xc1, 0x80, 0x3f, 0xa0, 0xc0};
    float out[2];
    le_f16_to_f32_row(raw + 1, out, 2);
    CHECK(out[0] == 1.0f && out[1] == -2.5f);
    le_bf16_to_f32_row(raw + 5, out, 2);
    CHECK(out[0] == 1.0f && out[1] == -5.0f);
    char buf[64];
    CHECK(strcmp(le_shape_format(buf, sizeof buf, 2, (int64_t[]){384, 385}), "[384, 385]") == 0);
    CHECK(strcmp(le_shape_format(buf, sizeof buf, 0, NULL), "[]") == 0);
    le_dtype dt;
    CHECK(le_dtype_parse("BF16", &dt) == LE_OK && dt == LE_DTYPE_BF16 && le_dtype_size(dt) == 2);
    CHECK(le_dtype_parse("F7", &dt) == LE_ERR_UNSUPPORTED);
}

/* The good file: a F32 [2,3], b F16 [4], c BF16 [2], d I64 [1] (after a
 * 4-byte hole), e F32 [0,3] (empty). */
static const char *g_good_header =
    "{\"__metadata__\":{\"format\":\"pt\"},"
    "\"c\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[32,36]},"
    "\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
    "\"b\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[24,32]},"
    "\"d\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[40,48]},"
    "\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[48,48]}}";
static const float g_a[6] = {1.5f, -2.0f, 3.25f, 0.0f, 1e-30f, -65504.5f};
static const uint16_t g_b[4] = {0x3c00, 0xc100, 0x7bff, 0x0001};
static const uint16_t g_c[2] = {0x3f80, 0xc0a0};

static void good_data(unsigned char *d) {
    memset(d, 0, 48);
    memcpy(d, g_a, 24); /* the test host is little-endian (x86) */
    for (int i = 0; i < 4; i++) d[24 + 2 * i] = g_b[i] & 0xff, d[25 + 2 * i] = g_b[i] >> 8;
    for (int i = 0; i < 2; i++) d[32 + 2 * i] = g_c[i] & 0xff, d[33 + 2 * i] = g_c[i] >> 8;
    d[40] = 7;
}

static void check_good(le_safetensors *st, const char *label) {
    le_error e = {0};
    CHECK_MSG(le_st_count(st) == 5, "%s", label);
    const char *order[5] = {"a", "b", "c", "d", "e"};
    for (size_t i = 0; i < 5 && i < le_st_count(st); i++)
        CHECK(strcmp(le_st_at(st, i)->name, order[i]) == 0);
    CHECK(le_st_at(st, 5) == NULL);
    CHECK(strcmp(le_st_metadata(st, "format"), "pt") == 0);
    CHECK(le_st_metadata(st, "nothing") == NULL);

    const le_st_tensor *a = le_st_find(st, "a");
    CHECK(a && a->dtype == LE_DTYPE_F32 && a->ndim == 2 && a->shape[0] == 2 && a->shape[1] == 3);
    CHECK(a && a->numel == 6 && a->nbytes == 24);
    float out[6];
    CHECK_EQ_INT(le_st_read_f32(st, "a", NULL, 2, (int64_t[]){2, 3}, out, &e), LE_OK);
    CHECK(memcmp(out, g_a, sizeof g_a) == 0);
    CHECK_EQ_INT(le_st_read_f32(st, "b", NULL, 1, (int64_t[]){4}, out, &e), LE_OK);
    CHECK(out[0] == 1.0f && out[1] == -2.5f && out[2] == 65504.0f && out[3] == 0x1p-24f);
    CHECK_EQ_INT(le_st_read_f32(st, "c", NULL, 1, (int64_t[]){2}, out, &e), LE_OK);
    CHECK(out[0] == 1.0f && out[1] == -5.0f);

    /* shape and dtype mismatches */
    CHECK_EQ_INT(le_st_read_f32(st, "a", NULL, 2, (int64_t[]){3, 2}, out, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "tensor \"a\": expected shape [3, 2], found [2, 3]");
    CHECK_STR_CONTAINS(e.message, le_st_path(st));
    CHECK_EQ_INT(le_st_read_f32(st, "a", NULL, 1, (int64_t[]){6}, out, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "expected shape [6], found [2, 3]");
    CHECK_EQ_INT(le_st_read_f32(st, "d", NULL, 1, (int64_t[]){1}, out, &e), LE_ERR_UNSUPPORTED);
    CHECK_STR_CONTAINS(e.message, "tensor \"d\": dtype I64 cannot be read as F32");
    CHECK_EQ_INT(le_st_read_f32(st, "zz", NULL, 1, (int64_t[]){1}, out, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "no tensor \"zz\"");

    /* zero-copy view, loads, and the empty tensor */
    const float *view = le_st_tensor_f32_view(a);
    if (((uintptr_t)a->data & 3) == 0)
        CHECK(view && memcmp(view, g_a, 24) == 0);
    else
        CHECK(view == NULL);
    CHECK(le_st_tensor_f32_view(le_st_find(st, "b")) == NULL);
    const float *data;
    float *owned;
    CHECK_EQ_INT(le_st_get_f32(st, "a", NULL, 2, (int64_t[]){2, 3}, &data, &owned, &e), LE_OK);
    CHECK(data && memcmp(data, g_a, 24) == 0);
    CHECK((owned == NULL) == (view != NULL));
    le_free_aligned(owned);
    CHECK_EQ_INT(le_st_get_f32(st, "b", NULL, 1, (int64_t[]){4}, &data, &owned, &e), LE_OK);
    CHECK(owned && data == owned && data[1] == -2.5f && ((uintptr_t)owned % 64) == 0);
    le_free_aligned(owned);
    float *loaded;
    CHECK_EQ_INT(le_st_load_f32(st, "c", NULL, 0, NULL, &loaded, &e), LE_OK);
    CHECK(loaded && loaded[1] == -5.0f);
    le_free_aligned(loaded);
    CHECK_EQ_INT(le_st_load_f32(st, "e", NULL, 2, (int64_t[]){0, 3}, &loaded, &e), LE_OK);
    CHECK(loaded != NULL);
    le_free_aligned(loaded);
    CHECK_EQ_INT(le_st_load_f32(st, "d", NULL, 0, NULL, &loaded, &e), LE_ERR_UNSUPPORTED);
    CHECK(loaded == NULL);
}

static void test_good(void) {
    unsigned char data[48];
    good_data(data);
    const char *path = tmp_path("good.safetensors");
    write_st(path, g_good_header, data, sizeof data);
    le_safetensors *st = NULL;
    le_error e = {0};
    CHECK_EQ_INT(le_st_open(path, &st, &e), LE_OK);
    if (st) {
        CHECK(strcmp(le_st_path(st), path) == 0);
        CHECK(strcmp(le_st_find(st, "a")->file, path) == 0);
        check_good(st, "file");
        le_st_close(st);
    }
    /* from memory, also at an odd address: no view, same values */
    size_t n;
    unsigned char *img = st_image(g_good_header, data, sizeof data, &n);
    unsigned char *odd = malloc(n + 1);
    memcpy(odd + 1, img, n);
    CHECK_EQ_INT(le_st_open_memory(img, n, "mem.safetensors", &st, &e), LE_OK);
    if (st) {
        check_good(st, "memory");
        le_st_close(st);
    }
    CHECK_EQ_INT(le_st_open_memory(odd + 1, n, "odd.safetensors", &st, &e), LE_OK);
    if (st) {
        CHECK(le_st_tensor_f32_view(le_st_find(st, "a")) == NULL);
        check_good(st, "odd");
        le_st_close(st);
    }
    free(odd);
    free(img);
    le_st_close(NULL);
}

static void test_prefix(void) {
    float v[2] = {1, 2};
    const char *path = tmp_path("prefix.safetensors");
    write_st(path,
             "{\"bert.embeddings.x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
             "\"pooler.y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
             v, 8);
    le_safetensors *st = NULL;
    le_error e = {0};
    CHECK_EQ_INT(le_st_open(path, &st, &e), LE_OK);
    if (!st) return;
    const char *const bert[] = {"bert.", NULL};
    const char *const two[] = {"model.", "bert.", NULL};
    const le_st_tensor *t = le_st_find_prefixed(st, "embeddings.x", bert);
    CHECK(t && strcmp(t->name, "bert.embeddings.x") == 0);
    CHECK(le_st_find_prefixed(st, "embeddings.x", two) == t);
    CHECK(le_st_find_prefixed(st, "embeddings.x", NULL) == NULL);
    t = le_st_find_prefixed(st, "bert.pooler.y", bert);
    CHECK(t && strcmp(t->name, "pooler.y") == 0);
    CHECK(le_st_find_prefixed(st, "bert.embeddings.x", bert) ==
          le_st_find(st, "bert.embeddings.x"));
    float out;
    CHECK_EQ_INT(le_st_read_f32(st, "embeddings.x", bert, 1, (int64_t[]){1}, &out, &e), LE_OK);
    CHECK(out == 1.0f);
    CHECK_EQ_INT(le_st_read_f32(st, "bert.pooler.y", bert, 1, (int64_t[]){1}, &out, &e), LE_OK);
    CHECK(out == 2.0f);
    const le_st_tensor *missing;
    CHECK_EQ_INT(le_st_require(st, "encoder.z", two, &missing, &e), LE_ERR_FORMAT);
    CHECK(missing == NULL);
    CHECK_STR_CONTAINS(e.message, "no tensor \"encoder.z\" (also tried \"model.encoder.z\", "
                                  "\"bert.encoder.z\")");
    CHECK_EQ_INT(le_st_require(st, "bert.q", bert, &missing, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "no tensor \"bert.q\" (also tried \"q\")");
    le_st_close(st);
}

static void test_truncated(void) {
    unsigned char data[48];
    good_data(data);
    size_t n;
    unsigned char *img = st_image(g_good_header, data, sizeof data, &n);
    size_t hend = n - sizeof data;
    const struct {
        size_t cut;
        const char *needle;
    } cuts[] = {
        {0, "file too short (0 bytes)"},
        {3, "file too short (3 bytes)"},
        {7, "file too short"},
        {8, "header length"},
        {8 + 10, "exceeds the file size"},
        {hend / 2, "exceeds the file size"},
        {hend - 1, "exceeds the file size"},
        {hend, "beyond the end of the file"},
        {hend + 20, "tensor \"c\": data_offsets [32, 36] beyond the end of the file"},
        {n - 1, "tensor \"d\": data_offsets [40, 48] beyond the end of the file (the data block "
                "holds 47 bytes"},
    };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "cut%zu.safetensors", cuts[i].cut);
        const char *path = tmp_path(name);
        write_bytes(path, img, cuts[i].cut);
        le_safetensors *st = NULL;
        le_error e = {0};
        CHECK_EQ_INT(le_st_open(path, &st, &e), LE_ERR_FORMAT);
        CHECK(st == NULL);
        CHECK_STR_CONTAINS(e.message, path);
        CHECK_STR_CONTAINS(e.message, cuts[i].needle);
        CHECK_EQ_INT(le_st_open_memory(img, cuts[i].cut, path, &st, &e), LE_ERR_FORMAT);
        CHECK_STR_CONTAINS(e.message, cuts[i].needle);
    }
    free(img);
}

static void test_header_length(void) {
    unsigned char img[64];
    memset(img, ' ', sizeof img);
    uint64_t lens[] = {57, 1000000, UINT64_MAX, (uint64_t)1 << 63};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        for (int b = 0; b < 8; b++) img[b] = (unsigned char)(lens[i] >> (8 * b));
        le_safetensors *st;
        le_error e = {0};
        CHECK_EQ_INT(le_st_open_memory(img, sizeof img, "len.safetensors", &st, &e), LE_ERR_FORMAT);
        CHECK_STR_CONTAINS(e.message, "len.safetensors: header length");
        CHECK_STR_CONTAINS(e.message, "exceeds the file size (64 bytes");
    }
    /* a header past the sane limit, in a (sparse) file big enough to hold it */
    const char *path = tmp_path("huge.safetensors");
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    uint64_t big = (uint64_t)LE_ST_MAX_HEADER + 16;
    for (int b = 0; b < 8; b++) img[b] = (unsigned char)(big >> (8 * b));
    CHECK(fd >= 0 && write(fd, img, 8) == 8 && ftruncate(fd, (off_t)big + 8) == 0);
    close(fd);
    le_safetensors *st;
    le_error e = {0};
    CHECK_EQ_INT(le_st_open(path, &st, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "exceeds the limit of");
    unlink(path);
    /* a zero-length header is not JSON */
    memset(img, 0, 8);
    CHECK_EQ_INT(le_st_open_memory(img, 8, "empty.safetensors", &st, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "empty.safetensors: header: invalid JSON");
}

#define T1(name, dtype, shape, offs)                                                               \
    "\"" name "\":{\"dtype\":\"" dtype "\",\"shape\":" shape ",\"data_offsets\":" offs "}"

static void test_lies(void) {
    unsigned char d[64] = {0};
    /* offsets */
    expect_fail("beyond",
                "{" T1("w.q", "F32", "[4]", "[0,16]") "," T1("w.k", "F32", "[4]", "[56,72]") "}", d,
                64, LE_ERR_FORMAT, "tensor \"w.k\": data_offsets [56, 72] beyond the end",
                "holds 64 bytes");
    expect_fail("overlap",
                "{" T1("w.q", "F32", "[4]", "[0,16]") "," T1("w.k", "F32", "[4]", "[8,24]") "}", d,
                64, LE_ERR_FORMAT, "tensor \"w.k\": data_offsets [8, 24] overlap tensor \"w.q\"",
                "[0, 16]");
    expect_fail("same",
                "{" T1("w.q", "F32", "[4]", "[16,32]") "," T1("w.k", "F16", "[8]", "[16,32]") "}",
                d, 64, LE_ERR_FORMAT, "overlap tensor", NULL);
    expect_fail("endbefore", "{" T1("w.q", "F32", "[0]", "[16,8]") "}", d, 64, LE_ERR_FORMAT,
                "tensor \"w.q\": data_offsets [16, 8] end before begin", NULL);
    expect_fail("negoff", "{" T1("w.q", "F32", "[1]", "[-4,0]") "}", d, 64, LE_ERR_FORMAT,
                "tensor \"w.q\": data_offsets entry 0 is negative (-4)", NULL);
    expect_fail("oneoff", "{" T1("w.q", "F32", "[1]", "[4]") "}", d, 64, LE_ERR_FORMAT,
                "\"data_offsets\" must be an array of two integers", NULL);
    expect_fail("bigoff", "{" T1("w.q", "F32", "[1]", "[1e300,1e300]") "}", d, 64, LE_ERR_FORMAT,
                "data_offsets entry 0 is too large", NULL);
    /* shapes */
    expect_fail("product", "{" T1("w.q", "F32", "[3,5]", "[0,64]") "}", d, 64, LE_ERR_FORMAT,
                "tensor \"w.q\": shape [3, 5] of F32 needs 60 bytes, but data_offsets [0, 64] "
                "hold 64",
                NULL);
    expect_fail("negshape", "{" T1("w.q", "F32", "[4,-4]", "[0,64]") "}", d, 64, LE_ERR_FORMAT,
                "tensor \"w.q\": shape entry 1 is negative (-4)", NULL);
    expect_fail("fracshape", "{" T1("w.q", "F32", "[2.5]", "[0,10]") "}", d, 64, LE_ERR_FORMAT,
                "tensor \"w.q\": shape entry 0 is not an integer (2.5)", NULL);
    expect_fail("strshape", "{" T1("w.q", "F32", "[\"4\"]", "[0,16]") "}", d, 64, LE_ERR_FORMAT,
                "shape entry 0 is not a number", NULL);
    expect_fail("noshape", "{\"w.q\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", d, 64,
                LE_ERR_FORMAT, "tensor \"w.q\": missing \"shape\" array", NULL);
    expect_fail("overflow",
                "{" T1("w.q", "F32", "[4294967296,4294967296,4294967296]", "[0,64]") "}", d, 64,
                LE_ERR_FORMAT,
                "tensor \"w.q\": shape [4294967296, 4294967296, 4294967296] has too "
                "many elements",
                NULL);
    expect_fail("bytesoverflow", "{" T1("w.q", "F64", "[4611686018427387904]", "[0,64]") "}", d, 64,
                LE_ERR_FORMAT, "is too large", NULL);
    expect_fail("ndim", "{" T1("w.q", "F32", "[1,1,1,1,1,1,1,1,1]", "[0,4]") "}", d, 64,
                LE_ERR_UNSUPPORTED, "shape has 9 dimensions", NULL);
    /* dtypes and structure */
    expect_fail("dtype", "{" T1("w.q", "F7", "[1]", "[0,4]") "}", d, 64, LE_ERR_UNSUPPORTED,
                "tensor \"w.q\": unknown dtype \"F7\"", NULL);
    expect_fail("nodtype", "{\"w.q\":{\"shape\":[1],\"data_offsets\":[0,4]}}", d, 64, LE_ERR_FORMAT,
                "tensor \"w.q\": missing \"dtype\" string", NULL);
    expect_fail("notobj", "{\"w.q\":[1,2]}", d, 64, LE_ERR_FORMAT,
                "tensor \"w.q\": not a JSON object", NULL);
    expect_fail("array", "[1,2]", d, 64, LE_ERR_FORMAT, "header is not a JSON object", NULL);
    expect_fail("json", "{\"w.q\":{\"dtype\":\"F32\",\n\"shape\":[1] \"data_offsets\":[0,4]}}", d,
                64, LE_ERR_FORMAT, "header: invalid JSON at line 2", NULL);
    expect_fail("trailing", "{} {}", d, 64, LE_ERR_FORMAT, "invalid JSON at line 1, byte 3",
                "text after the value");
    expect_fail("dup",
                "{" T1("w.q", "F32", "[1]", "[0,4]") "," T1("w.q", "F32", "[1]", "[4,8]") "}", d,
                64, LE_ERR_FORMAT, "tensor \"w.q\": duplicate tensor name", NULL);
    expect_fail("meta", "{\"__metadata__\":[1]}", d, 64, LE_ERR_FORMAT,
                "\"__metadata__\" is not a JSON object", NULL);
    expect_fail("metaval", "{\"__metadata__\":{\"k\":3}}", d, 64, LE_ERR_FORMAT,
                "__metadata__ \"k\" is not a string", NULL);
    expect_fail("emptyname", "{" T1("", "F32", "[1]", "[0,4]") "}", d, 64, LE_ERR_FORMAT,
                "a tensor has an empty name", NULL);
    /* a header with no tensors is a valid (empty) file */
    size_t n;
    unsigned char *img = st_image("{}", NULL, 0, &n);
    le_safetensors *st;
    le_error e;
    CHECK_EQ_INT(le_st_open_memory(img, n, "none", &st, &e), LE_OK);
    if (st) {
        CHECK_EQ_INT(le_st_count(st), 0);
        CHECK(le_st_find(st, "x") == NULL);
        le_st_close(st);
    }
    free(img);
}

static void test_missing(void) {
    le_safetensors *st = (le_safetensors *)1;
    le_error e = {0};
    const char *path = tmp_path("nope.safetensors");
    CHECK_EQ_INT(le_st_open(path, &st, &e), LE_ERR_IO);
    CHECK(st == NULL);
    CHECK_STR_CONTAINS(e.message, path);
    CHECK_STR_CONTAINS(e.message, "cannot open");
    CHECK_EQ_INT(le_st_open("", &st, &e), LE_ERR_ARG);
    /* a directory with neither file */
    const char *dir = tmp_path("emptydir");
    mkdir(dir, 0755);
    CHECK_EQ_INT(le_st_open(dir, &st, &e), LE_ERR_IO);
    CHECK_STR_CONTAINS(e.message, "no model.safetensors or model.safetensors.index.json");
}

static void write_index(const char *dir, const char *json) {
    char path[600];
    snprintf(path, sizeof path, "%s/model.safetensors.index.json", dir);
    write_bytes(path, json, strlen(json));
}

static le_status open_dir(const char *dir, le_safetensors **st, le_error *e) {
    return le_st_open(dir, st, e);
}

static void test_sharded(void) {
    const char *dir = tmp_path("sharded");
    mkdir(dir, 0755);
    char p1[600], p2[600];
    snprintf(p1, sizeof p1, "%s/model-00001-of-00002.safetensors", dir);
    snprintf(p2, sizeof p2, "%s/model-00002-of-00002.safetensors", dir);
    float v1[3] = {1, 2, 3}, v2[2] = {4, 5};
    write_st(p1,
             "{\"__metadata__\":{\"format\":\"pt\"}," T1("embeddings.w", "F32", "[2]",
                                                         "[0,8]") "," T1("layer.0.b", "F32", "[1]",
                                                                         "[8,12]") "}",
             v1, 12);
    write_st(p2, "{" T1("layer.1.w", "F32", "[2]", "[0,8]") "}", v2, 8);
    const char *good_index = "{\"metadata\":{\"total_size\":20},\"weight_map\":{"
                             "\"embeddings.w\":\"model-00001-of-00002.safetensors\","
                             "\"layer.0.b\":\"model-00001-of-00002.safetensors\","
                             "\"layer.1.w\":\"model-00002-of-00002.safetensors\"}}";
    write_index(dir, good_index);
    le_safetensors *st = NULL;
    le_error e = {0};
    CHECK_EQ_INT(open_dir(dir, &st, &e), LE_OK);
    if (st) {
        CHECK_EQ_INT(le_st_count(st), 3);
        CHECK_STR_CONTAINS(le_st_path(st), "model.safetensors.index.json");
        float out[2];
        CHECK_EQ_INT(le_st_read_f32(st, "layer.1.w", NULL, 1, (int64_t[]){2}, out, &e), LE_OK);
        CHECK(out[0] == 4 && out[1] == 5);
        CHECK_EQ_INT(le_st_read_f32(st, "embeddings.w", NULL, 1, (int64_t[]){2}, out, &e), LE_OK);
        CHECK(out[0] == 1 && out[1] == 2);
        CHECK(strcmp(le_st_find(st, "layer.1.w")->file, p2) == 0);
        CHECK(strcmp(le_st_metadata(st, "format"), "pt") == 0);
        const char *const pre[] = {"bert.", NULL};
        CHECK(le_st_find_prefixed(st, "bert.layer.0.b", pre) == le_st_find(st, "layer.0.b"));
        le_st_close(st);
    }
    /* the index given directly */
    char ipath[600];
    snprintf(ipath, sizeof ipath, "%s/model.safetensors.index.json", dir);
    CHECK_EQ_INT(le_st_open(ipath, &st, &e), LE_OK);
    le_st_close(st);

    /* an index naming a shard that is not there */
    write_index(dir, "{\"weight_map\":{\"embeddings.w\":\"model-00001-of-00002.safetensors\","
                     "\"layer.2.w\":\"model-00003-of-00003.safetensors\"}}");
    CHECK_EQ_INT(open_dir(dir, &st, &e), LE_ERR_IO);
    CHECK(st == NULL);
    CHECK_STR_CONTAINS(e.message, "model.safetensors.index.json: weight_map names shard "
                                  "\"model-00003-of-00003.safetensors\"");
    CHECK_STR_CONTAINS(e.message, "cannot open");
    /* a tensor in the wrong shard, and one in none */
    write_index(dir, "{\"weight_map\":{\"layer.1.w\":\"model-00001-of-00002.safetensors\","
                     "\"embeddings.w\":\"model-00002-of-00002.safetensors\"}}");
    CHECK_EQ_INT(open_dir(dir, &st, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "tensor \"layer.1.w\" is mapped to "
                                  "\"model-00001-of-00002.safetensors\" but found in "
                                  "\"model-00002-of-00002.safetensors\"");
    write_index(dir, "{\"weight_map\":{\"layer.9.w\":\"model-00001-of-00002.safetensors\"}}");
    CHECK_EQ_INT(open_dir(dir, &st, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "tensor \"layer.9.w\" is not in its shard");
    /* shards outside the directory, bad structure, bad JSON */
    write_index(dir, "{\"weight_map\":{\"x\":\"../model.safetensors\"}}");
    CHECK_EQ_INT(open_dir(dir, &st, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message,
                       "shard \"../model.safetensors\" is not a file in the index's directory");
    write_index(dir, "{\"weight_map\":{\"x\":\"/etc/passwd\"}}");
    CHECK_EQ_INT(open_dir(dir, &st, &e), LE_ERR_FORMAT);
    write_index(dir, "{\"weight_map\":{\"x\":3}}");
    CHECK_EQ_INT(open_dir(dir, &st, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "tensor \"x\": shard is not a string");
    write_index(dir, "{\"weight_map\":{}}");
    CHECK_EQ_INT(open_dir(dir, &st, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "\"weight_map\" is empty");
    write_index(dir, "{\"metadata\":{}}");
    CHECK_EQ_INT(open_dir(dir, &st, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "missing \"weight_map\" object");
    write_index(dir, "{\"weight_map\":{\n\"x\" \"y\"}}");
    CHECK_EQ_INT(open_dir(dir, &st, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "model.safetensors.index.json: invalid JSON at line 2");
    /* the same name in two shards */
    write_st(p2, "{" T1("layer.0.b", "F32", "[2]", "[0,8]") "}", v2, 8);
    write_index(dir, good_index);
    CHECK_EQ_INT(open_dir(dir, &st, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "tensor \"layer.0.b\" is in both");
    /* a corrupt shard names the shard */
    write_bytes(p2, "abc", 3);
    CHECK_EQ_INT(open_dir(dir, &st, &e), LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "model-00002-of-00002.safetensors: file too short");
    /* model.safetensors wins over the index in a directory */
    char single[600];
    snprintf(single, sizeof single, "%s/model.safetensors", dir);
    write_st(single, "{" T1("only", "F32", "[1]", "[0,4]") "}", v1, 4);
    CHECK_EQ_INT(open_dir(dir, &st, &e), LE_OK);
    if (st) {
        CHECK(le_st_count(st) == 1 && le_st_find(st, "only"));
        le_st_close(st);
    }
}

static const char *real_model_path(char *buf, size_t cap) {
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(buf, cap, "%s/longembed/models/minilm/model.safetensors", xdg);
    else
        snprintf(buf, cap, "%s/.cache/longembed/models/minilm/model.safetensors", home ? home : "");
    return buf;
}

static void test_real_model(void) {
    char path[1024];
    real_model_path(path, sizeof path);
    le_safetensors *st = NULL;
    le_error e = {0};
    le_status s = le_st_open(path, &st, &e);
    CHECK_MSG(s == LE_OK,
              "the all-MiniLM-L6-v2 checkpoint must be present (make test fetches it "
              "with `longembed fetch-model minilm`): %s",
              e.message);
    if (!st) return;
    CHECK_EQ_INT(le_st_count(st), 104);
    CHECK(strcmp(le_st_metadata(st, "format"), "pt") == 0);
    const le_st_tensor *t = le_st_find(st, "embeddings.word_embeddings.weight");
    CHECK(t && t->dtype == LE_DTYPE_F32 && t->ndim == 2 && t->shape[0] == 30522 &&
          t->shape[1] == 384);
    t = le_st_find(st, "embeddings.position_ids");
    CHECK(t && t->dtype == LE_DTYPE_I64 && t->ndim == 2 && t->shape[0] == 1 && t->shape[1] == 512);
    const char *const bert[] = {"bert.", NULL};
    const float *w;
    float *owned;
    CHECK_EQ_INT(le_st_get_f32(st, "bert.embeddings.word_embeddings.weight", bert, 2,
                               (int64_t[]){30522, 384}, &w, &owned, &e),
                 LE_OK);
    CHECK(owned == NULL); /* F32 and aligned: used in place */
    if (w) {
        CHECK_EQ_INT(f32_bits(w[0]), 0xbca3c000);
        CHECK_EQ_INT(f32_bits(w[30522 * 384 - 1]), 0x3b95c079);
    }
    le_free_aligned(owned);
    float bias[384], ln;
    CHECK_EQ_INT(le_st_read_f32(st, "encoder.layer.5.output.dense.bias", bert, 1, (int64_t[]){384},
                                bias, &e),
                 LE_OK);
    CHECK_EQ_INT(f32_bits(bias[383]), 0x3bfeab94);
    CHECK_EQ_INT(
        le_st_read_f32(st, "embeddings.LayerNorm.weight", NULL, 1, (int64_t[]){384}, bias, &e),
        LE_OK);
    ln = bias[0];
    CHECK_EQ_INT(f32_bits(ln), 0x3f19535e);
    for (int l = 0; l < 6; l++) {
        char name[128];
        snprintf(name, sizeof name, "encoder.layer.%d.attention.self.query.weight", l);
        const le_st_tensor *q = le_st_find(st, name);
        CHECK(q && q->ndim == 2 && q->shape[0] == 384 && q->shape[1] == 384);
        snprintf(name, sizeof name, "encoder.layer.%d.intermediate.dense.weight", l);
        q = le_st_find(st, name);
        CHECK(q && q->shape[0] == 1536 && q->shape[1] == 384);
    }
    CHECK_EQ_INT(le_st_read_f32(st, "encoder.layer.0.attention.self.query.weight", NULL, 2,
                                (int64_t[]){384, 385}, bias, &e),
                 LE_ERR_FORMAT);
    CHECK_STR_CONTAINS(e.message, "model.safetensors: tensor "
                                  "\"encoder.layer.0.attention.self.query.weight\": expected "
                                  "shape [384, 385], found [384, 384]");
    le_st_close(st);
}

static void remove_tree(const char *dir) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

int main(void) {
    snprintf(g_dir, sizeof g_dir, "/tmp/le_test_st_XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_half();
    test_good();
    test_prefix();
    test_truncated();
    test_header_length();
    test_lies();
    test_missing();
    test_sharded();
    test_real_model();
    remove_tree(g_dir);
    return check_report("safetensors");
}
