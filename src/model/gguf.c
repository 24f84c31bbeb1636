#include "model/gguf.h"

#include "base/arena.h"
#include "base/mapfile.h"
#include "model/dtype.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 65535    /* keys and tensor names */
#define MAX_NESTING 8     /* arrays of arrays */
#define MIN_KV_BYTES 14   /* key length, 1-byte key, type, 1-byte value */
#define MIN_INFO_BYTES 25 /* name length, 1-byte name, n_dims, type, offset */

struct le_gguf {
    le_arena arena; /* keys, names, strings, arrays */
    const char *path;
    le_mapfile mf;
    uint32_t version;
    size_t alignment;
    size_t data_offset;
    le_gguf_kv *kvs;
    size_t nkv;
    const le_gguf_kv **kv_sorted;
    le_gguf_tensor *tensors;
    size_t nt;
    const le_gguf_tensor **t_sorted;
};

/* A bounds-checked cursor over the file image; ctx names what is being read. */
typedef struct rd {
    const unsigned char *p;
    size_t size, pos;
    const char *file;
    le_error *err;
    char ctx[400];
} rd;

static const char *g_vtype_names[LE_GGUF_VTYPE_COUNT] = {
    "u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"};
static const size_t g_vtype_sizes[LE_GGUF_VTYPE_COUNT] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};

const char *le_gguf_vtype_name(le_gguf_vtype t) {
    return (unsigned)t < LE_GGUF_VTYPE_COUNT ? g_vtype_names[t] : "?";
}

LE_PRINTF(2, 3)
static le_status rd_fail(rd *r, const char *fmt, ...) {
    char what[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (r->ctx[0]) return le_fail(r->err, LE_ERR_FORMAT, "%s: %s: %s", r->file, r->ctx, what);
    return le_fail(r->err, LE_ERR_FORMAT, "%s: %s", r->file, what);
}

static size_t rd_left(const rd *r) { return r->size - r->pos; }

static le_status rd_bytes(rd *r, size_t n, const unsigned char **out) {
    if (n > rd_left(r))
        return rd_fail(r,
                       "needs %zu bytes at byte %zu, but the file ends at byte %zu (is it "
                       "truncated?)",
                       n, r->pos, r->size);
    *out = r->p + r->pos;
    r->pos += n;
    return LE_OK;
}

static uint64_t load_le(const unsigned char *b, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | b[i];
    return v;
}

static le_status rd_u32(rd *r, uint32_t *out) {
    const unsigned char *b = NULL;
    le_status s = rd_bytes(r, 4, &b);
    if (!s) *out = (uint32_t)load_le(b, 4);
    return s;
}

static le_status rd_u64(rd *r, uint64_t *out) {
    const unsigned char *b = NULL;
    le_status s = rd_bytes(r, 8, &b);
    if (!s) *out = load_le(b, 8);
    return s;
}

/* A GGUF string: u64 length, then the bytes (no terminator). */
static le_status rd_str(rd *r, const unsigned char **s, size_t *len) {
    uint64_t n;
    le_status st = rd_u64(r, &n);
    if (st) return st;
    if (n > rd_left(r))
        return rd_fail(r,
                       "string length %" PRIu64 " at byte %zu runs past the end of the file "
                       "(%zu bytes)",
                       n, r->pos - 8, r->size);
    *len = (size_t)n;
    return rd_bytes(r, (size_t)n, s);
}

/* Keys and tensor names become C strings, so they may not hold NUL bytes. */
static le_status rd_name(rd *r, le_arena *a, const char *what, const char **out) {
    const unsigned char *s = NULL;
    size_t len;
    le_status st = rd_str(r, &s, &len);
    if (st) return st;
    if (len == 0) return rd_fail(r, "empty %s", what);
    if (len > MAX_NAME) return rd_fail(r, "%s of %zu bytes is longer than %d", what, len, MAX_NAME);
    if (memchr(s, 0, len)) return rd_fail(r, "%s holds a NUL byte", what);
    *out = le_arena_strndup(a, (const char *)s, len);
    return *out ? LE_OK : le_fail(r->err, LE_ERR_NOMEM, "%s: out of memory", r->file);
}

static le_status nomem(rd *r) {
    return le_fail(r->err, LE_ERR_NOMEM, "%s: out of memory", r->file);
}

static le_status check_bools(rd *r, const unsigned char *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (b[i] > 1) return rd_fail(r, "bool value %u is not 0 or 1", b[i]);
    return LE_OK;
}

/* Arrays of arrays are walked for validity and not kept. */
static le_status skip_array(rd *r, int depth) {
    uint32_t et;
    uint64_t count;
    le_status s = rd_u32(r, &et);
    if (!s) s = rd_u64(r, &count);
    if (s) return s;
    if (et >= LE_GGUF_VTYPE_COUNT) return rd_fail(r, "unknown array element type %u", et);
    if (et == LE_GGUF_ARRAY && depth >= MAX_NESTING)
        return le_fail(r->err, LE_ERR_UNSUPPORTED, "%s: %s: arrays nested deeper than %d", r->file,
                       r->ctx, MAX_NESTING);
    size_t min = et == LE_GGUF_STRING ? 8 : et == LE_GGUF_ARRAY ? 12 : g_vtype_sizes[et];
    if (count > rd_left(r) / min)
        return rd_fail(r, "array of %" PRIu64 " %s needs more than the %zu bytes left", count,
                       g_vtype_names[et], rd_left(r));
    const unsigned char *b = NULL;
    if (et != LE_GGUF_STRING && et != LE_GGUF_ARRAY) {
        s = rd_bytes(r, (size_t)count * min, &b);
        return s ? s : et == LE_GGUF_BOOL ? check_bools(r, b, (size_t)count) : LE_OK;
    }
    for (uint64_t i = 0; i < count && !s; i++) {
        size_t len;
        s = et == LE_GGUF_STRING ? rd_str(r, &b, &len) : skip_array(r, depth + 1);
    }
    return s;
}

static le_status read_string_array(rd *r, le_arena *a, le_gguf_kv *kv) {
    size_t n = (size_t)kv->count, start = r->pos, total = 0;
    /* first pass: validate and size, so the strings share one allocation */
    for (size_t i = 0; i < n; i++) {
        const unsigned char *s = NULL;
        size_t len;
        le_status st = rd_str(r, &s, &len);
        if (st) return st;
        total += len + 1; /* cannot overflow: bounded by the file size plus n */
    }
    const char **ptrs = le_arena_alloc(a, n * sizeof *ptrs);
    size_t *lens = le_arena_alloc(a, n * sizeof *lens);
    char *buf = le_arena_alloc(a, total);
    if (!ptrs || !lens || !buf) return nomem(r);
    r->pos = start;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *s = NULL;
        size_t len;
        rd_str(r, &s, &len); /* checked above */
        memcpy(buf, s, len);
        buf[len] = 0;
        ptrs[i] = buf;
        lens[i] = len;
        buf += len + 1;
    }
    kv->array = ptrs;
    kv->str_lens = lens;
    return LE_OK;
}

static void load_scalar(le_gguf_kv *kv, const unsigned char *b) {
    switch (kv->type) {
    case LE_GGUF_U8:
    case LE_GGUF_BOOL: kv->num.u = b[0]; break;
    case LE_GGUF_I8: kv->num.i = (int8_t)b[0]; break;
    case LE_GGUF_U16: kv->num.u = load_le(b, 2); break;
    case LE_GGUF_I16: kv->num.i = (int16_t)(uint16_t)load_le(b, 2); break;
    case LE_GGUF_U32: kv->num.u = load_le(b, 4); break;
    case LE_GGUF_I32: kv->num.i = (int32_t)(uint32_t)load_le(b, 4); break;
    case LE_GGUF_U64: kv->num.u = load_le(b, 8); break;
    case LE_GGUF_I64: kv->num.i = (int64_t)load_le(b, 8); break;
    case LE_GGUF_F32: {
        uint32_t u = (uint32_t)load_le(b, 4);
        float f;
        memcpy(&f, &u, 4);
        kv->num.f = f;
        break;
    }
    case LE_GGUF_F64: {
        uint64_t u = load_le(b, 8);
        memcpy(&kv->num.f, &u, 8);
        break;
    }
    default: break;
    }
}

/* Copies count fixed-size little-endian elements into native order. */
static void load_elems(void *dst, const unsigned char *src, size_t count, size_t size) {
    if (le_host_is_little_endian()) {
        memcpy(dst, src, count * size);
        return;
    }
    unsigned char *d = dst;
    for (size_t i = 0; i < count; i++)
        for (size_t k = 0; k < size; k++) d[i * size + k] = src[i * size + size - 1 - k];
}

static le_status read_value(rd *r, le_arena *a, le_gguf_kv *kv) {
    const unsigned char *b = NULL;
    le_status s;
    kv->count = 1;
    if (kv->type == LE_GGUF_STRING) {
        size_t len;
        if ((s = rd_str(r, &b, &len))) return s;
        char *str = le_arena_strndup(a, (const char *)b, len);
        if (!str) return nomem(r);
        kv->str = str;
        kv->str_len = len;
        return LE_OK;
    }
    if (kv->type != LE_GGUF_ARRAY) {
        if ((s = rd_bytes(r, g_vtype_sizes[kv->type], &b))) return s;
        if (kv->type == LE_GGUF_BOOL && (s = check_bools(r, b, 1))) return s;
        load_scalar(kv, b);
        return LE_OK;
    }
    size_t start = r->pos;
    uint32_t et;
    uint64_t count;
    if ((s = rd_u32(r, &et)) || (s = rd_u64(r, &count))) return s;
    if (et >= LE_GGUF_VTYPE_COUNT) return rd_fail(r, "unknown array element type %u", et);
    kv->elem_type = (le_gguf_vtype)et;
    kv->count = count;
    if (et == LE_GGUF_ARRAY) {
        r->pos = start;
        return skip_array(r, 1);
    }
    size_t min = et == LE_GGUF_STRING ? 8 : g_vtype_sizes[et];
    if (count > rd_left(r) / min)
        return rd_fail(r, "array of %" PRIu64 " %s needs more than the %zu bytes left", count,
                       g_vtype_names[et], rd_left(r));
    if (et == LE_GGUF_STRING) return read_string_array(r, a, kv);
    if ((s = rd_bytes(r, (size_t)count * min, &b))) return s;
    if (et == LE_GGUF_BOOL && (s = check_bools(r, b, (size_t)count))) return s;
    void *copy = le_arena_alloc(a, (size_t)count * min);
    if (!copy) return nomem(r);
    load_elems(copy, b, (size_t)count, min);
    kv->array = copy;
    return LE_OK;
}

static int cmp_kv(const void *x, const void *y) {
    return strcmp((*(const le_gguf_kv *const *)x)->key, (*(const le_gguf_kv *const *)y)->key);
}

static int cmp_tensor_name(const void *x, const void *y) {
    return strcmp((*(const le_gguf_tensor *const *)x)->name,
                  (*(const le_gguf_tensor *const *)y)->name);
}

static int cmp_tensor_offset(const void *x, const void *y) {
    const le_gguf_tensor *a = *(const le_gguf_tensor *const *)x,
                         *b = *(const le_gguf_tensor *const *)y;
    return a->offset < b->offset ? -1 : a->offset > b->offset ? 1 : 0;
}

static le_status read_kvs(le_gguf *g, rd *r, uint64_t count) {
    if (count > rd_left(r) / MIN_KV_BYTES)
        return rd_fail(r,
                       "the header claims %" PRIu64 " key/values, more than the %zu bytes "
                       "left can hold (is the file truncated?)",
                       count, rd_left(r));
    g->kvs = calloc((size_t)count + 1, sizeof *g->kvs);
    g->kv_sorted = calloc((size_t)count + 1, sizeof *g->kv_sorted);
    if (!g->kvs || !g->kv_sorted) return nomem(r);
    for (size_t i = 0; i < (size_t)count; i++) {
        le_gguf_kv *kv = &g->kvs[i];
        snprintf(r->ctx, sizeof r->ctx, "key/value %zu", i);
        le_status s = rd_name(r, &g->arena, "key", &kv->key);
        if (s) return s;
        snprintf(r->ctx, sizeof r->ctx, "key \"%.300s\"", kv->key);
        uint32_t type;
        if ((s = rd_u32(r, &type))) return s;
        if (type >= LE_GGUF_VTYPE_COUNT) return rd_fail(r, "unknown value type %u", type);
        kv->type = (le_gguf_vtype)type;
        if ((s = read_value(r, &g->arena, kv))) return s;
        g->kv_sorted[i] = kv;
        g->nkv = i + 1;
    }
    r->ctx[0] = 0;
    qsort(g->kv_sorted, g->nkv, sizeof *g->kv_sorted, cmp_kv);
    for (size_t i = 1; i < g->nkv; i++)
        if (strcmp(g->kv_sorted[i - 1]->key, g->kv_sorted[i]->key) == 0)
            return rd_fail(r, "duplicate key \"%.300s\"", g->kv_sorted[i]->key);
    return LE_OK;
}

static le_status read_alignment(le_gguf *g, rd *r) {
    g->alignment = LE_GGUF_DEFAULT_ALIGNMENT;
    const le_gguf_kv *kv = le_gguf_find_kv(g, "general.alignment");
    if (!kv) return LE_OK;
    if (kv->type != LE_GGUF_U32)
        return rd_fail(r, "key \"general.alignment\": expected u32, found %s",
                       g_vtype_names[kv->type]);
    uint64_t a = kv->num.u;
    if (a == 0 || (a & (a - 1)) != 0)
        return rd_fail(r, "key \"general.alignment\": %" PRIu64 " is not a power of two", a);
    g->alignment = (size_t)a;
    return LE_OK;
}

static le_status read_tensor_info(le_gguf *g, rd *r, size_t i, le_gguf_tensor *t) {
    snprintf(r->ctx, sizeof r->ctx, "tensor info %zu", i);
    le_status s = rd_name(r, &g->arena, "tensor name", &t->name);
    if (s) return s;
    snprintf(r->ctx, sizeof r->ctx, "tensor \"%.300s\"", t->name);
    uint32_t nd;
    if ((s = rd_u32(r, &nd))) return s;
    if (nd > LE_GGUF_MAX_DIMS)
        return rd_fail(r, "%u dimensions, more than the %d ggml allows", nd, LE_GGUF_MAX_DIMS);
    t->ndim = (int)nd;
    for (int d = 0; d < LE_GGUF_MAX_DIMS; d++) t->ne[d] = 1;
    for (int d = 0; d < (int)nd; d++) {
        uint64_t v;
        if ((s = rd_u64(r, &v))) return s;
        if (v > (uint64_t)INT64_MAX)
            return rd_fail(r, "dimension %d (%" PRIu64 ") is too large", d, v);
        t->ne[d] = (int64_t)v;
    }
    if ((s = rd_u32(r, &t->type)) || (s = rd_u64(r, &t->offset))) return s;
    const le_ggml_type_info *ti = le_ggml_type_get(t->type);
    if (!ti)
        return le_fail(r->err, LE_ERR_UNSUPPORTED, "%s: %s: unknown ggml type %u", r->file, r->ctx,
                       t->type);
    size_t numel = 1;
    for (int d = 0; d < LE_GGUF_MAX_DIMS; d++)
        if (__builtin_mul_overflow(numel, (uint64_t)t->ne[d], &numel))
            return rd_fail(r, "too many elements");
    if (t->ne[0] % ti->block != 0)
        return rd_fail(r, "dimension 0 (%" PRId64 ") is not a multiple of the %s block size %u",
                       t->ne[0], ti->name, ti->block);
    size_t nbytes;
    if (__builtin_mul_overflow(numel / ti->block, (size_t)ti->bytes, &nbytes))
        return rd_fail(r, "too many bytes");
    if (t->offset % g->alignment != 0)
        return rd_fail(r, "offset %" PRIu64 " is not a multiple of the alignment %zu", t->offset,
                       g->alignment);
    t->numel = numel;
    t->nbytes = nbytes;
    t->file = g->path;
    return LE_OK;
}

static le_status read_tensors(le_gguf *g, rd *r, uint64_t count) {
    if (count > rd_left(r) / MIN_INFO_BYTES)
        return rd_fail(r,
                       "the header claims %" PRIu64 " tensors, more than the %zu bytes left "
                       "can hold (is the file truncated?)",
                       count, rd_left(r));
    g->tensors = calloc((size_t)count + 1, sizeof *g->tensors);
    g->t_sorted = calloc((size_t)count + 1, sizeof *g->t_sorted);
    if (!g->tensors || !g->t_sorted) return nomem(r);
    for (size_t i = 0; i < (size_t)count; i++) {
        le_status s = read_tensor_info(g, r, i, &g->tensors[i]);
        if (s) return s;
        g->t_sorted[i] = &g->tensors[i];
        g->nt = i + 1;
    }
    r->ctx[0] = 0;
    /* the data section starts at the next multiple of the alignment */
    size_t pad = (g->alignment - r->pos % g->alignment) % g->alignment;
    g->data_offset = r->pos + pad <= r->size ? r->pos + pad : r->size;
    size_t data_size = r->size - g->data_offset;
    for (size_t i = 0; i < g->nt; i++) {
        le_gguf_tensor *t = &g->tensors[i];
        if (t->offset > data_size || t->nbytes > data_size - t->offset)
            return rd_fail(r,
                           "tensor \"%.300s\": %zu bytes at data offset %" PRIu64 " run "
                           "beyond the end of the file (the data section at byte %zu holds %zu "
                           "bytes; is the file truncated?)",
                           t->name, t->nbytes, t->offset, g->data_offset, data_size);
        t->data = r->p + g->data_offset + t->offset;
    }
    qsort(g->t_sorted, g->nt, sizeof *g->t_sorted, cmp_tensor_name);
    for (size_t i = 1; i < g->nt; i++)
        if (strcmp(g->t_sorted[i - 1]->name, g->t_sorted[i]->name) == 0)
            return rd_fail(r, "tensor \"%.300s\": duplicate tensor name", g->t_sorted[i]->name);
    /* overlap check on a scratch copy, sorted by offset; empty tensors share no bytes */
    const le_gguf_tensor **v = malloc((g->nt + 1) * sizeof *v);
    if (!v) return nomem(r);
    size_t n = 0;
    for (size_t i = 0; i < g->nt; i++)
        if (g->tensors[i].nbytes) v[n++] = &g->tensors[i];
    qsort(v, n, sizeof *v, cmp_tensor_offset);
    le_status s = LE_OK;
    for (size_t i = 1; i < n && !s; i++)
        if (v[i]->offset < v[i - 1]->offset + v[i - 1]->nbytes)
            s = rd_fail(r,
                        "tensor \"%.300s\": data at offset %" PRIu64 " overlaps tensor "
                        "\"%.300s\" [%" PRIu64 ", +%zu)",
                        v[i]->name, v[i]->offset, v[i - 1]->name, v[i - 1]->offset,
                        v[i - 1]->nbytes);
    free(v);
    return s;
}

static le_status parse(le_gguf *g, const unsigned char *data, size_t size, le_error *err) {
    rd r = {.p = data, .size = size, .file = g->path, .err = err};
    const unsigned char *magic = NULL;
    if (size < 4 || memcmp(data, "GGUF", 4) != 0)
        return rd_fail(&r, "not a GGUF file (the first bytes are not \"GGUF\")");
    rd_bytes(&r, 4, &magic);
    uint32_t version;
    uint64_t nt, nkv;
    snprintf(r.ctx, sizeof r.ctx, "header");
    le_status s = rd_u32(&r, &version);
    if (s) return s;
    if (version == 1)
        return le_fail(err, LE_ERR_UNSUPPORTED, "%s: GGUF version 1 is not supported (2 and 3 are)",
                       g->path);
    if (version != 2 && version != 3) {
        if ((version & 0xffff) == 0)
            return le_fail(err, LE_ERR_UNSUPPORTED, "%s: big-endian GGUF files are not supported",
                           g->path);
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "%s: GGUF version %u is not supported (2 and 3 are)", g->path, version);
    }
    g->version = version;
    if ((s = rd_u64(&r, &nt)) || (s = rd_u64(&r, &nkv))) return s;
    r.ctx[0] = 0;
    if ((s = read_kvs(g, &r, nkv))) return s;
    if ((s = read_alignment(g, &r))) return s;
    return read_tensors(g, &r, nt);
}

static le_gguf *gguf_new(const char *path) {
    le_gguf *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    le_arena_init(&g->arena, 1u << 16);
    g->path = le_arena_strdup(&g->arena, path);
    if (!g->path) {
        le_arena_free(&g->arena);
        free(g);
        return NULL;
    }
    return g;
}

le_status le_gguf_open(const char *path, le_gguf **out, le_error *err) {
    *out = NULL;
    if (!path || !*path) return le_fail(err, LE_ERR_ARG, "gguf: empty path");
    le_gguf *g = gguf_new(path);
    if (!g) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", path);
    le_status s = le_mapfile_open(&g->mf, path, err);
    if (!s) s = parse(g, g->mf.data, g->mf.size, err);
    if (s) {
        le_gguf_close(g);
        return s;
    }
    *out = g;
    return LE_OK;
}

le_status le_gguf_open_memory(const void *data, size_t size, const char *name, le_gguf **out,
                              le_error *err) {
    *out = NULL;
    if (!name) name = "(memory)";
    le_gguf *g = gguf_new(name);
    if (!g) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", name);
    le_status s = parse(g, data, size, err);
    if (s) {
        le_gguf_close(g);
        return s;
    }
    *out = g;
    return LE_OK;
}

void le_gguf_close(le_gguf *g) {
    if (!g) return;
    le_mapfile_close(&g->mf);
    free(g->kvs);
    free(g->kv_sorted);
    free(g->tensors);
    free(g->t_sorted);
    le_arena_free(&g->arena);
    free(g);
}

const char *le_gguf_path(const le_gguf *g) { return g->path; }
uint32_t le_gguf_version(const le_gguf *g) { return g->version; }
size_t le_gguf_alignment(const le_gguf *g) { return g->alignment; }
size_t le_gguf_data_offset(const le_gguf *g) { return g->data_offset; }
size_t le_gguf_kv_count(const le_gguf *g) { return g->nkv; }
const le_gguf_kv *le_gguf_kv_at(const le_gguf *g, size_t i) {
    return i < g->nkv ? &g->kvs[i] : NULL;
}
size_t le_gguf_tensor_count(const le_gguf *g) { return g->nt; }

const le_gguf_tensor *le_gguf_tensor_at(const le_gguf *g, size_t i) {
    return i < g->nt ? &g->tensors[i] : NULL;
}

const le_gguf_kv *le_gguf_find_kv(const le_gguf *g, const char *key) {
    size_t lo = 0, hi = g->nkv;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(g->kv_sorted[mid]->key, key);
        if (c == 0) return g->kv_sorted[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const le_gguf_tensor *le_gguf_find_tensor(const le_gguf *g, const char *name) {
    size_t lo = 0, hi = g->nt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(g->t_sorted[mid]->name, name);
        if (c == 0) return g->t_sorted[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---------------------------------------------------------------- getters */

static const char *kv_text(const le_gguf_kv *kv, char *buf, size_t cap) {
    switch (kv->type) {
    case LE_GGUF_I8:
    case LE_GGUF_I16:
    case LE_GGUF_I32:
    case LE_GGUF_I64: snprintf(buf, cap, "%s %" PRId64, g_vtype_names[kv->type], kv->num.i); break;
    case LE_GGUF_F32:
    case LE_GGUF_F64: snprintf(buf, cap, "%s %g", g_vtype_names[kv->type], kv->num.f); break;
    case LE_GGUF_STRING: snprintf(buf, cap, "string \"%.60s\"", kv->str); break;
    case LE_GGUF_ARRAY:
        snprintf(buf, cap, "array of %" PRIu64 " %s", kv->count, g_vtype_names[kv->elem_type]);
        break;
    default: snprintf(buf, cap, "%s %" PRIu64, g_vtype_names[kv->type], kv->num.u); break;
    }
    return buf;
}

static le_status kv_find(const le_gguf *g, const char *key, const le_gguf_kv **out, le_error *err) {
    *out = le_gguf_find_kv(g, key);
    return *out ? LE_OK : le_fail(err, LE_ERR_FORMAT, "%s: missing key \"%s\"", g->path, key);
}

static le_status kv_mismatch(const le_gguf *g, const le_gguf_kv *kv, const char *want,
                             le_error *err) {
    char buf[128];
    return le_fail(err, LE_ERR_FORMAT, "%s: key \"%s\": expected %s, found %s", g->path, kv->key,
                   want, kv_text(kv, buf, sizeof buf));
}

static int is_signed_int(le_gguf_vtype t) {
    return t == LE_GGUF_I8 || t == LE_GGUF_I16 || t == LE_GGUF_I32 || t == LE_GGUF_I64;
}

static int is_unsigned_int(le_gguf_vtype t) {
    return t == LE_GGUF_U8 || t == LE_GGUF_U16 || t == LE_GGUF_U32 || t == LE_GGUF_U64;
}

/* An integer value within [lo, hi]; works across signed and unsigned types. */
static int kv_int_in(const le_gguf_kv *kv, int64_t lo, uint64_t hi, int64_t *si, uint64_t *ui) {
    if (is_signed_int(kv->type)) {
        if (kv->num.i < lo || (kv->num.i >= 0 && (uint64_t)kv->num.i > hi)) return 0;
        *si = kv->num.i;
        *ui = (uint64_t)kv->num.i;
        return 1;
    }
    if (is_unsigned_int(kv->type)) {
        if (kv->num.u > hi) return 0;
        *ui = kv->num.u;
        *si = (int64_t)kv->num.u;
        return 1;
    }
    return 0;
}

le_status le_gguf_get_u32(const le_gguf *g, const char *key, uint32_t *out, le_error *err) {
    const le_gguf_kv *kv;
    int64_t si;
    uint64_t ui;
    le_status s = kv_find(g, key, &kv, err);
    if (s) return s;
    if (!kv_int_in(kv, 0, UINT32_MAX, &si, &ui)) return kv_mismatch(g, kv, "u32", err);
    *out = (uint32_t)ui;
    return LE_OK;
}

le_status le_gguf_get_i32(const le_gguf *g, const char *key, int32_t *out, le_error *err) {
    const le_gguf_kv *kv;
    int64_t si;
    uint64_t ui;
    le_status s = kv_find(g, key, &kv, err);
    if (s) return s;
    if (!kv_int_in(kv, INT32_MIN, INT32_MAX, &si, &ui)) return kv_mismatch(g, kv, "i32", err);
    *out = (int32_t)si;
    return LE_OK;
}

le_status le_gguf_get_u64(const le_gguf *g, const char *key, uint64_t *out, le_error *err) {
    const le_gguf_kv *kv;
    int64_t si;
    uint64_t ui;
    le_status s = kv_find(g, key, &kv, err);
    if (s) return s;
    if (!kv_int_in(kv, 0, UINT64_MAX, &si, &ui)) return kv_mismatch(g, kv, "u64", err);
    *out = ui;
    return LE_OK;
}

le_status le_gguf_get_f32(const le_gguf *g, const char *key, float *out, le_error *err) {
    const le_gguf_kv *kv;
    le_status s = kv_find(g, key, &kv, err);
    if (s) return s;
    if (kv->type != LE_GGUF_F32 && kv->type != LE_GGUF_F64) return kv_mismatch(g, kv, "f32", err);
    *out = (float)kv->num.f;
    return LE_OK;
}

le_status le_gguf_get_bool(const le_gguf *g, const char *key, int *out, le_error *err) {
    const le_gguf_kv *kv;
    le_status s = kv_find(g, key, &kv, err);
    if (s) return s;
    if (kv->type != LE_GGUF_BOOL) return kv_mismatch(g, kv, "bool", err);
    *out = (int)kv->num.u;
    return LE_OK;
}

le_status le_gguf_get_str(const le_gguf *g, const char *key, const char **out, le_error *err) {
    const le_gguf_kv *kv;
    le_status s = kv_find(g, key, &kv, err);
    if (s) return s;
    if (kv->type != LE_GGUF_STRING) return kv_mismatch(g, kv, "string", err);
    *out = kv->str;
    return LE_OK;
}

static le_status get_array(const le_gguf *g, const char *key, le_gguf_vtype et, const char *want,
                           const void **out, size_t *count, le_error *err) {
    const le_gguf_kv *kv;
    le_status s = kv_find(g, key, &kv, err);
    if (s) return s;
    if (kv->type != LE_GGUF_ARRAY || kv->elem_type != et) return kv_mismatch(g, kv, want, err);
    *out = kv->array;
    *count = (size_t)kv->count;
    return LE_OK;
}

le_status le_gguf_get_str_array(const le_gguf *g, const char *key, const char *const **out,
                                size_t *count, le_error *err) {
    const void *p = NULL;
    le_status s = get_array(g, key, LE_GGUF_STRING, "array of string", &p, count, err);
    *out = p;
    return s;
}

le_status le_gguf_get_f32_array(const le_gguf *g, const char *key, const float **out, size_t *count,
                                le_error *err) {
    const void *p = NULL;
    le_status s = get_array(g, key, LE_GGUF_F32, "array of f32", &p, count, err);
    *out = p;
    return s;
}

le_status le_gguf_get_i32_array(const le_gguf *g, const char *key, const int32_t **out,
                                size_t *count, le_error *err) {
    const void *p = NULL;
    le_status s = get_array(g, key, LE_GGUF_I32, "array of i32", &p, count, err);
    *out = p;
    return s;
}

/* ---------------------------------------------------------------- tensors */

le_status le_gguf_require_tensor(const le_gguf *g, const char *name, const le_gguf_tensor **out,
                                 le_error *err) {
    *out = le_gguf_find_tensor(g, name);
    return *out ? LE_OK : le_fail(err, LE_ERR_FORMAT, "%s: no tensor \"%.300s\"", g->path, name);
}

le_status le_gguf_check_shape(const le_gguf_tensor *t, int ndim, const int64_t *shape,
                              le_error *err) {
    int same = ndim == t->ndim;
    for (int i = 0; same && i < ndim; i++) same = shape[i] == t->ne[ndim - 1 - i];
    if (same) return LE_OK;
    int64_t rowmajor[LE_GGUF_MAX_DIMS];
    for (int i = 0; i < t->ndim; i++) rowmajor[i] = t->ne[t->ndim - 1 - i];
    char want[160], got[160], ne[160];
    if (ndim < 0 || ndim > 8) ndim = 0;
    return le_fail(err, LE_ERR_FORMAT,
                   "%s: tensor \"%.300s\": expected shape %s, found %s (ggml ne %s)", t->file,
                   t->name, le_shape_format(want, sizeof want, ndim, shape),
                   le_shape_format(got, sizeof got, t->ndim, rowmajor),
                   le_shape_format(ne, sizeof ne, t->ndim, t->ne));
}

le_status le_gguf_tensor_to_f32(const le_gguf_tensor *t, float *dst, le_error *err) {
    if (le_ggml_to_f32(t->type, t->data, dst, t->numel) != 0)
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "%s: tensor \"%.300s\": ggml type %s cannot be dequantised to F32 (F32, "
                       "F16, BF16, Q8_0, Q4_0 and Q4_1 can)",
                       t->file, t->name, le_ggml_type_name(t->type));
    return LE_OK;
}

static le_status find_checked(const le_gguf *g, const char *name, int ndim, const int64_t *shape,
                              const le_gguf_tensor **t, le_error *err) {
    le_status s = le_gguf_require_tensor(g, name, t, err);
    if (!s && shape) s = le_gguf_check_shape(*t, ndim, shape, err);
    return s;
}

le_status le_gguf_read_f32(const le_gguf *g, const char *name, int ndim, const int64_t *shape,
                           float *dst, le_error *err) {
    const le_gguf_tensor *t;
    le_status s = find_checked(g, name, ndim, shape, &t, err);
    return s ? s : le_gguf_tensor_to_f32(t, dst, err);
}

le_status le_gguf_load_f32(const le_gguf *g, const char *name, int ndim, const int64_t *shape,
                           float **out, le_error *err) {
    const le_gguf_tensor *t;
    *out = NULL;
    le_status s = find_checked(g, name, ndim, shape, &t, err);
    if (s) return s;
    if (!le_ggml_can_dequantize(t->type)) return le_gguf_tensor_to_f32(t, NULL, err);
    if (t->numel > SIZE_MAX / sizeof(float))
        return le_fail(err, LE_ERR_NOMEM, "%s: tensor \"%.300s\": too large", g->path, name);
    float *p = le_alloc_aligned(t->numel ? t->numel * sizeof(float) : 1);
    if (!p)
        return le_fail(err, LE_ERR_NOMEM, "%s: tensor \"%.300s\": out of memory", g->path, name);
    s = le_gguf_tensor_to_f32(t, p, err);
    if (s) {
        le_free_aligned(p);
        return s;
    }
    *out = p;
    return LE_OK;
}
