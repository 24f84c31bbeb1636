#include "model/safetensors.h"

#include "base/arena.h"
#include "base/array.h"
#include "base/finite.h"
#include "base/json.h"
#include "base/mapfile.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INDEX_MAX_BYTES (256u << 20)
#define JSON_MAX_INT 9007199254740992.0 /* 2^53: larger doubles are not exact integers */

typedef struct st_meta {
    const char *key, *value;
} st_meta;

struct le_safetensors {
    le_arena arena; /* names, paths, metadata strings */
    const char *path;
    le_mapfile *maps; /* one per file; NULL for memory images */
    size_t nmaps, maps_cap;
    le_st_tensor *tensors; /* sorted by name once open */
    size_t n, cap;
    st_meta *meta;
    size_t nmeta;
};

static le_status nomem(le_error *err, const char *file) {
    return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", file);
}

LE_PRINTF(5, 6)
static le_status tensor_fail(le_error *err, le_status code, const char *file, const char *name,
                             const char *fmt, ...) {
    char what[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return le_fail(err, code, "%s: tensor \"%.300s\": %s", file, name, what);
}

static uint64_t read_u64le(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* A JSON number that is an exact non-negative integer; else 0 and *why says what it is. */
static int json_uint(const cJSON *v, uint64_t *out, const char **why) {
    if (!cJSON_IsNumber(v)) {
        *why = "is not a number";
        return 0;
    }
    double d = v->valuedouble;
    if (!isfinite(d) || d != floor(d)) {
        *why = "is not an integer";
        return 0;
    }
    if (d < 0) {
        *why = "is negative";
        return 0;
    }
    if (d > JSON_MAX_INT) {
        *why = "is too large";
        return 0;
    }
    *out = (uint64_t)d;
    return 1;
}

static const char *json_text(const cJSON *v, char *buf, size_t cap) {
    if (cJSON_IsNumber(v))
        snprintf(buf, cap, "%.17g", v->valuedouble);
    else if (cJSON_IsString(v))
        snprintf(buf, cap, "\"%.40s\"", v->valuestring);
    else
        snprintf(buf, cap, "%s",
                 cJSON_IsArray(v)    ? "an array"
                 : cJSON_IsObject(v) ? "an object"
                                     : "null/bool");
    return buf;
}

static le_status push_tensor(le_safetensors *st, const le_st_tensor *t, le_error *err) {
    if (le_array_push(st->tensors, st->n, st->cap, *t)) return nomem(err, t->file);
    return LE_OK;
}

/* Reads "shape" into t (ndim, shape, numel), naming the entry that is wrong. */
static le_status parse_shape(le_st_tensor *t, const char *file, const char *name, const cJSON *c,
                             le_error *err) {
    const cJSON *js = cJSON_GetObjectItemCaseSensitive(c, "shape");
    if (!cJSON_IsArray(js))
        return tensor_fail(err, LE_ERR_FORMAT, file, name, "missing \"shape\" array");
    int nd = cJSON_GetArraySize(js);
    if (nd > LE_ST_MAX_DIMS)
        return tensor_fail(err, LE_ERR_UNSUPPORTED, file, name,
                           "shape has %d dimensions, more than the %d supported", nd,
                           LE_ST_MAX_DIMS);
    t->ndim = nd;
    size_t numel = 1;
    int i = 0;
    for (const cJSON *e = js->child; e; e = e->next, i++) {
        uint64_t d;
        const char *why;
        char buf[64];
        if (!json_uint(e, &d, &why))
            return tensor_fail(err, LE_ERR_FORMAT, file, name, "shape entry %d %s (%s)", i, why,
                               json_text(e, buf, sizeof buf));
        t->shape[i] = (int64_t)d;
    }
    for (i = 0; i < nd; i++) {
        if (__builtin_mul_overflow(numel, (uint64_t)t->shape[i], &numel)) {
            char sh[160];
            return tensor_fail(err, LE_ERR_FORMAT, file, name, "shape %s has too many elements",
                               le_shape_format(sh, sizeof sh, nd, t->shape));
        }
    }
    t->numel = numel;
    return LE_OK;
}

/* Reads "data_offsets" into t (begin, end, nbytes, data) and checks them
 * against the shape and dtype (named dt) and the data block's size. */
static le_status parse_offsets(le_st_tensor *t, const char *file, const char *name, const char *dt,
                               const cJSON *c, const unsigned char *block, size_t block_size,
                               le_error *err) {
    const cJSON *jo = cJSON_GetObjectItemCaseSensitive(c, "data_offsets");
    if (!cJSON_IsArray(jo) || cJSON_GetArraySize(jo) != 2)
        return tensor_fail(err, LE_ERR_FORMAT, file, name,
                           "\"data_offsets\" must be an array of two integers");
    uint64_t off[2];
    for (int i = 0; i < 2; i++) {
        const char *why;
        char buf[64];
        const cJSON *e = cJSON_GetArrayItem(jo, i);
        if (!json_uint(e, &off[i], &why))
            return tensor_fail(err, LE_ERR_FORMAT, file, name, "data_offsets entry %d %s (%s)", i,
                               why, json_text(e, buf, sizeof buf));
    }
    t->begin = off[0];
    t->end = off[1];
    char sh[160];
    le_shape_format(sh, sizeof sh, t->ndim, t->shape);
    unsigned long long b = (unsigned long long)t->begin, en = (unsigned long long)t->end;
    if (t->end < t->begin)
        return tensor_fail(err, LE_ERR_FORMAT, file, name,
                           "data_offsets [%llu, %llu] end before begin", b, en);
    size_t nbytes;
    if (__builtin_mul_overflow(t->numel, le_dtype_size(t->dtype), &nbytes))
        return tensor_fail(err, LE_ERR_FORMAT, file, name, "shape %s of %s is too large", sh, dt);
    if ((uint64_t)nbytes != t->end - t->begin)
        return tensor_fail(
            err, LE_ERR_FORMAT, file, name,
            "shape %s of %s needs %zu bytes, but data_offsets [%llu, %llu] hold %llu", sh, dt,
            nbytes, b, en, en - b);
    if (t->end > block_size)
        return tensor_fail(err, LE_ERR_FORMAT, file, name,
                           "data_offsets [%llu, %llu] beyond the end of the file (the data block "
                           "holds %zu bytes; is the file truncated?)",
                           b, en, block_size);
    t->nbytes = nbytes;
    t->data = block + t->begin;
    return LE_OK;
}

static le_status parse_tensor(le_safetensors *st, const char *file, const cJSON *c,
                              const unsigned char *block, size_t block_size, le_error *err) {
    const char *name = c->string;
    le_st_tensor t;
    memset(&t, 0, sizeof t);
    t.file = file;
    if (!*name) return le_fail(err, LE_ERR_FORMAT, "%s: a tensor has an empty name", file);
    if (!cJSON_IsObject(c)) return tensor_fail(err, LE_ERR_FORMAT, file, name, "not a JSON object");

    const char *dt = le_json_str(c, "dtype");
    if (!dt) return tensor_fail(err, LE_ERR_FORMAT, file, name, "missing \"dtype\" string");
    if (le_dtype_parse(dt, &t.dtype))
        return tensor_fail(err, LE_ERR_UNSUPPORTED, file, name, "unknown dtype \"%.40s\"", dt);
    le_status s = parse_shape(&t, file, name, c, err);
    if (!s) s = parse_offsets(&t, file, name, dt, c, block, block_size, err);
    if (s) return s;
    t.name = le_arena_strdup(&st->arena, name);
    if (!t.name) return nomem(err, file);
    return push_tensor(st, &t, err);
}

static le_status parse_metadata(le_safetensors *st, const char *file, const cJSON *m,
                                le_error *err) {
    if (!cJSON_IsObject(m))
        return le_fail(err, LE_ERR_FORMAT, "%s: \"__metadata__\" is not a JSON object", file);
    size_t n = (size_t)cJSON_GetArraySize(m);
    if (n == 0) return LE_OK;
    st->meta = calloc(n, sizeof *st->meta);
    if (!st->meta) return nomem(err, file);
    for (const cJSON *e = m->child; e; e = e->next) {
        if (!cJSON_IsString(e))
            return le_fail(err, LE_ERR_FORMAT, "%s: __metadata__ \"%.200s\" is not a string", file,
                           e->string);
        st_meta *kv = &st->meta[st->nmeta++];
        kv->key = le_arena_strdup(&st->arena, e->string);
        kv->value = le_arena_strdup(&st->arena, e->valuestring);
        if (!kv->key || !kv->value) return nomem(err, file);
    }
    return LE_OK;
}

static int cmp_name(const void *a, const void *b) {
    return strcmp(((const le_st_tensor *)a)->name, ((const le_st_tensor *)b)->name);
}

static int cmp_begin(const void *a, const void *b) {
    const le_st_tensor *x = *(const le_st_tensor *const *)a, *y = *(const le_st_tensor *const *)b;
    return x->begin < y->begin ? -1 : x->begin > y->begin ? 1 : 0;
}

/* Sorts tensors[first..n) by name and rejects repeated names. */
static le_status sort_and_check_names(le_safetensors *st, size_t first, le_error *err) {
    size_t n = st->n - first;
    if (n < 2) return LE_OK;
    le_st_tensor *t = st->tensors + first;
    qsort(t, n, sizeof *t, cmp_name);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(t[i - 1].name, t[i].name) != 0) continue;
        if (t[i - 1].file == t[i].file || strcmp(t[i - 1].file, t[i].file) == 0)
            return tensor_fail(err, LE_ERR_FORMAT, t[i].file, t[i].name, "duplicate tensor name");
        return le_fail(err, LE_ERR_FORMAT, "tensor \"%.300s\" is in both %s and %s", t[i].name,
                       t[i - 1].file, t[i].file);
    }
    return LE_OK;
}

/* Tensors of one file may not share bytes (empty ones share none). */
static le_status check_overlaps(le_safetensors *st, size_t first, le_error *err) {
    size_t n = 0;
    const le_st_tensor **v = malloc((st->n - first + 1) * sizeof *v);
    if (!v) return nomem(err, st->path);
    for (size_t i = first; i < st->n; i++)
        if (st->tensors[i].nbytes) v[n++] = &st->tensors[i];
    if (n > 1) qsort(v, n, sizeof *v, cmp_begin);
    le_status s = LE_OK;
    for (size_t i = 1; i < n && !s; i++) {
        const le_st_tensor *a = v[i - 1], *b = v[i];
        if (b->begin < a->end)
            s = tensor_fail(err, LE_ERR_FORMAT, b->file, b->name,
                            "data_offsets [%llu, %llu] overlap tensor \"%.300s\" [%llu, %llu]",
                            (unsigned long long)b->begin, (unsigned long long)b->end, a->name,
                            (unsigned long long)a->begin, (unsigned long long)a->end);
    }
    free(v);
    return s;
}

/* The header object; the format pads it with spaces, and le_json_parse
 * refuses anything else after it. */
static le_status parse_header_json(const char *file, const char *hdr, size_t len, cJSON **out,
                                   le_error *err) {
    char what[1100];
    snprintf(what, sizeof what, "%s: header", file);
    return le_json_parse(hdr, len, what, out, err);
}

static le_status parse_image(le_safetensors *st, const char *file, const unsigned char *data,
                             size_t size, int keep_metadata, le_error *err) {
    if (size < 8)
        return le_fail(err, LE_ERR_FORMAT,
                       "%s: file too short (%zu bytes) to hold the 8-byte header length", file,
                       size);
    uint64_t hlen = read_u64le(data);
    if (hlen > size - 8)
        return le_fail(err, LE_ERR_FORMAT,
                       "%s: header length %llu exceeds the file size (%zu bytes; is the file "
                       "truncated?)",
                       file, (unsigned long long)hlen, size);
    if (hlen > LE_ST_MAX_HEADER)
        return le_fail(err, LE_ERR_FORMAT, "%s: header length %llu exceeds the limit of %u bytes",
                       file, (unsigned long long)hlen, (unsigned)LE_ST_MAX_HEADER);
    const char *hdr = (const char *)data + 8;
    const unsigned char *block = data + 8 + hlen;
    size_t block_size = size - 8 - (size_t)hlen;
    cJSON *root;
    le_status s = parse_header_json(file, hdr, (size_t)hlen, &root, err);
    if (s) return s;
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return le_fail(err, LE_ERR_FORMAT, "%s: header is not a JSON object", file);
    }
    size_t first = st->n;
    int seen_meta = 0;
    for (const cJSON *c = root->child; c && !s; c = c->next) {
        if (strcmp(c->string, "__metadata__") == 0) {
            if (seen_meta++)
                s = le_fail(err, LE_ERR_FORMAT, "%s: duplicate \"__metadata__\"", file);
            else if (keep_metadata)
                s = parse_metadata(st, file, c, err);
            else if (!cJSON_IsObject(c))
                s = le_fail(err, LE_ERR_FORMAT, "%s: \"__metadata__\" is not a JSON object", file);
            continue;
        }
        s = parse_tensor(st, file, c, block, block_size, err);
    }
    cJSON_Delete(root);
    if (!s) s = sort_and_check_names(st, first, err);
    if (!s) s = check_overlaps(st, first, err);
    return s;
}

static le_safetensors *st_new(const char *path) {
    le_safetensors *st = calloc(1, sizeof *st);
    if (!st) return NULL;
    le_arena_init(&st->arena, 1u << 16);
    st->path = le_arena_strdup(&st->arena, path);
    if (!st->path) {
        le_arena_free(&st->arena);
        free(st);
        return NULL;
    }
    return st;
}

static le_status add_map(le_safetensors *st, const char *path, le_mapfile **out, le_error *err) {
    if (le_array_reserve(st->maps, st->maps_cap, st->nmaps + 1)) return nomem(err, path);
    le_status s = le_mapfile_open(&st->maps[st->nmaps], path, err);
    if (s) return s;
    *out = &st->maps[st->nmaps++];
    return LE_OK;
}

static le_status open_single(le_safetensors *st, const char *path, le_error *err) {
    le_mapfile *mf;
    le_status s = add_map(st, path, &mf, err);
    if (s) return s;
    return parse_image(st, st->path, mf->data, mf->size, 1, err);
}

/* Shard names are file names next to the index, never paths that leave its directory. */
static int shard_name_ok(const char *s) {
    if (!*s || s[0] == '/') return 0;
    for (const char *p = s; *p;) {
        const char *q = strchr(p, '/');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.') return 0;
        p += len + (q ? 1 : 0);
    }
    return 1;
}

typedef struct shard_ref {
    const char *tensor, *shard; /* both point into the index JSON */
} shard_ref;

static int cmp_ref_shard(const void *a, const void *b) {
    return strcmp(((const shard_ref *)a)->shard, ((const shard_ref *)b)->shard);
}

/* The index's weight_map as (tensor, shard) pairs sorted by shard (*refs,
 * freed by the caller); fails on a missing or empty map and on a shard
 * that is not a file in the index's directory. */
static le_status read_weight_map(const cJSON *root, const char *index_path, shard_ref **refs,
                                 size_t *n_refs, le_error *err) {
    const cJSON *wm = cJSON_GetObjectItemCaseSensitive(root, "weight_map");
    if (!cJSON_IsObject(wm))
        return le_fail(err, LE_ERR_FORMAT, "%s: missing \"weight_map\" object", index_path);
    size_t n = (size_t)cJSON_GetArraySize(wm), k = 0;
    if (n == 0) return le_fail(err, LE_ERR_FORMAT, "%s: \"weight_map\" is empty", index_path);
    shard_ref *r = *refs = calloc(n, sizeof *r);
    if (!r) return nomem(err, index_path);
    for (const cJSON *e = wm->child; e; e = e->next, k++) {
        if (!cJSON_IsString(e))
            return le_fail(err, LE_ERR_FORMAT,
                           "%s: weight_map: tensor \"%.300s\": shard is not a string", index_path,
                           e->string);
        if (!shard_name_ok(e->valuestring))
            return le_fail(err, LE_ERR_FORMAT,
                           "%s: weight_map: tensor \"%.300s\": shard \"%.300s\" is not a file in "
                           "the index's directory",
                           index_path, e->string, e->valuestring);
        r[k].tensor = e->string;
        r[k].shard = e->valuestring;
    }
    qsort(r, n, sizeof *r, cmp_ref_shard);
    *n_refs = n;
    return LE_OK;
}

/* Maps and parses every shard the (shard-sorted) refs name, each once. */
static le_status open_shards(le_safetensors *st, const char *index_path, const char *dir,
                             const shard_ref *refs, size_t n, le_error *err) {
    int first_shard = 1;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(refs[i].shard, refs[i - 1].shard) == 0) continue;
        char *path = le_path_join(dir, refs[i].shard);
        const char *apath = path ? le_arena_strdup(&st->arena, path) : NULL;
        free(path);
        if (!apath) return nomem(err, index_path);
        le_mapfile *mf;
        le_status s = add_map(st, apath, &mf, err);
        if (s) {
            return le_error_wrap(err, s, "%s: weight_map names shard \"%.300s\"", index_path,
                                 refs[i].shard);
        }
        s = parse_image(st, apath, mf->data, mf->size, first_shard, err);
        if (s) return s;
        first_shard = 0;
    }
    return LE_OK;
}

/* Every tensor the index maps must be in the shard it names. */
static le_status check_weight_map(const le_safetensors *st, const char *index_path, const char *dir,
                                  const shard_ref *refs, size_t n, le_error *err) {
    size_t dl = strlen(dir);
    for (size_t i = 0; i < n; i++) {
        const le_st_tensor *t = le_st_find(st, refs[i].tensor);
        if (!t)
            return le_fail(err, LE_ERR_FORMAT,
                           "%s: weight_map: tensor \"%.300s\" is not in its shard \"%.300s\"",
                           index_path, refs[i].tensor, refs[i].shard);
        if (strncmp(t->file, dir, dl) == 0 && strcmp(t->file + dl, refs[i].shard) == 0) continue;
        const char *base = strrchr(t->file, '/');
        return le_fail(err, LE_ERR_FORMAT,
                       "%s: weight_map: tensor \"%.300s\" is mapped to \"%.300s\" but found in "
                       "\"%.300s\"",
                       index_path, refs[i].tensor, refs[i].shard, base ? base + 1 : t->file);
    }
    return LE_OK;
}

static le_status open_index(le_safetensors *st, const char *index_path, le_error *err) {
    cJSON *root = NULL;
    le_status s = le_json_load(index_path, INDEX_MAX_BYTES, &root, err);
    if (s) return s;
    shard_ref *refs = NULL;
    size_t n = 0;
    char *dir = NULL;
    s = read_weight_map(root, index_path, &refs, &n, err);
    if (!s) {
        const char *slash = strrchr(index_path, '/');
        dir = slash ? strndup(index_path, (size_t)(slash - index_path + 1)) : strdup("");
        if (!dir) s = nomem(err, index_path);
    }
    if (!s) s = open_shards(st, index_path, dir, refs, n, err);
    if (!s) s = sort_and_check_names(st, 0, err);
    if (!s) s = check_weight_map(st, index_path, dir, refs, n, err);
    free(refs);
    free(dir);
    cJSON_Delete(root);
    return s;
}

static int ends_with(const char *s, const char *suffix) {
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

le_status le_st_open(const char *path, le_safetensors **out, le_error *err) {
    *out = NULL;
    if (!path || !*path) return le_fail(err, LE_ERR_ARG, "safetensors: empty path");
    char *chosen = NULL;
    int index = ends_with(path, ".json");
    if (le_dir_exists(path)) {
        chosen = le_path_join(path, "model.safetensors");
        if (chosen && !le_file_exists(chosen)) {
            free(chosen);
            chosen = le_path_join(path, "model.safetensors.index.json");
            index = 1;
            if (chosen && !le_file_exists(chosen)) {
                free(chosen);
                return le_fail(err, LE_ERR_IO,
                               "%s: no model.safetensors or model.safetensors.index.json", path);
            }
        }
        if (!chosen) return nomem(err, path);
        path = chosen;
    }
    le_safetensors *st = st_new(path);
    le_status s =
        st ? (index ? open_index(st, path, err) : open_single(st, path, err)) : nomem(err, path);
    free(chosen);
    if (s) {
        le_st_close(st);
        return s;
    }
    *out = st;
    return LE_OK;
}

le_status le_st_open_memory(const void *data, size_t size, const char *name, le_safetensors **out,
                            le_error *err) {
    *out = NULL;
    le_safetensors *st = st_new(name ? name : "(memory)");
    if (!st) return nomem(err, name ? name : "(memory)");
    le_status s = parse_image(st, st->path, data, size, 1, err);
    if (s) {
        le_st_close(st);
        return s;
    }
    *out = st;
    return LE_OK;
}

void le_st_release(const le_safetensors *st, const le_st_tensor *t) {
    if (t)
        for (size_t i = 0; i < st->nmaps; i++) le_mapfile_release(&st->maps[i], t->data, t->nbytes);
}

void le_st_release_all(const le_safetensors *st) {
    for (size_t i = 0; i < st->nmaps; i++)
        le_mapfile_release(&st->maps[i], st->maps[i].data, st->maps[i].size);
}

void le_st_close(le_safetensors *st) {
    if (!st) return;
    for (size_t i = 0; i < st->nmaps; i++) le_mapfile_close(&st->maps[i]);
    free(st->maps);
    free(st->tensors);
    free(st->meta);
    le_arena_free(&st->arena);
    free(st);
}

const char *le_st_path(const le_safetensors *st) { return st->path; }
size_t le_st_count(const le_safetensors *st) { return st->n; }

const le_st_tensor *le_st_at(const le_safetensors *st, size_t i) {
    return i < st->n ? &st->tensors[i] : NULL;
}

const le_st_tensor *le_st_find(const le_safetensors *st, const char *name) {
    size_t lo = 0, hi = st->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(st->tensors[mid].name, name);
        if (c == 0) return &st->tensors[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static const le_st_tensor *find_concat(const le_safetensors *st, const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 1);
    if (!s) return NULL;
    memcpy(s, a, la);
    memcpy(s + la, b, lb + 1);
    const le_st_tensor *t = le_st_find(st, s);
    free(s);
    return t;
}

const le_st_tensor *le_st_find_prefixed(const le_safetensors *st, const char *name,
                                        const char *const *prefixes) {
    const le_st_tensor *t = le_st_find(st, name);
    for (size_t i = 0; !t && prefixes && prefixes[i]; i++) {
        size_t lp = strlen(prefixes[i]);
        if (lp && strncmp(name, prefixes[i], lp) == 0) t = le_st_find(st, name + lp);
        if (!t) t = find_concat(st, prefixes[i], name);
    }
    return t;
}

le_status le_st_require(const le_safetensors *st, const char *name, const char *const *prefixes,
                        const le_st_tensor **out, le_error *err) {
    *out = le_st_find_prefixed(st, name, prefixes);
    if (*out) return LE_OK;
    char tried[600];
    size_t n = 0;
    tried[0] = 0;
    for (size_t i = 0; prefixes && prefixes[i] && n < sizeof tried; i++) {
        size_t lp = strlen(prefixes[i]);
        int k =
            lp && strncmp(name, prefixes[i], lp) == 0
                ? snprintf(tried + n, sizeof tried - n, "%s\"%.200s\"", n ? ", " : "", name + lp)
                : snprintf(tried + n, sizeof tried - n, "%s\"%s%.200s\"", n ? ", " : "",
                           prefixes[i], name);
        n = k < 0 ? sizeof tried : n + (size_t)k;
    }
    if (tried[0])
        return le_fail(err, LE_ERR_FORMAT, "%s: no tensor \"%.300s\" (also tried %s)", st->path,
                       name, tried);
    return le_fail(err, LE_ERR_FORMAT, "%s: no tensor \"%.300s\"", st->path, name);
}

const char *le_st_metadata(const le_safetensors *st, const char *key) {
    for (size_t i = 0; i < st->nmeta; i++)
        if (strcmp(st->meta[i].key, key) == 0) return st->meta[i].value;
    return NULL;
}

le_status le_st_check_shape(const le_st_tensor *t, int ndim, const int64_t *shape, le_error *err) {
    int same = ndim == t->ndim;
    for (int i = 0; same && i < ndim; i++) same = shape[i] == t->shape[i];
    if (same) return LE_OK;
    char want[160], got[160];
    if (ndim < 0 || ndim > LE_ST_MAX_DIMS) ndim = 0;
    return tensor_fail(err, LE_ERR_FORMAT, t->file, t->name, "expected shape %s, found %s",
                       le_shape_format(want, sizeof want, ndim, shape),
                       le_shape_format(got, sizeof got, t->ndim, t->shape));
}

le_status le_st_tensor_to_f32(const le_st_tensor *t, float *dst, le_error *err) {
    if (le_dtype_to_f32_row(t->dtype, t->data, dst, t->numel) != 0)
        return tensor_fail(err, LE_ERR_UNSUPPORTED, t->file, t->name,
                           "dtype %s cannot be read as F32 (F32, F16 and BF16 can)",
                           le_dtype_name(t->dtype));
    return LE_OK;
}

const float *le_st_tensor_f32_view(const le_st_tensor *t) {
    if (t->dtype != LE_DTYPE_F32 || ((uintptr_t)t->data % _Alignof(float)) != 0 ||
        !le_host_is_little_endian())
        return NULL;
    return (const float *)(const void *)t->data;
}

static le_status find_checked(const le_safetensors *st, const char *name,
                              const char *const *prefixes, int ndim, const int64_t *shape,
                              const le_st_tensor **out, le_error *err) {
    le_status s = le_st_require(st, name, prefixes, out, err);
    if (!s && shape) s = le_st_check_shape(*out, ndim, shape, err);
    return s;
}

le_status le_st_read_f32(const le_safetensors *st, const char *name, const char *const *prefixes,
                         int ndim, const int64_t *shape, float *dst, le_error *err) {
    const le_st_tensor *t;
    le_status s = find_checked(st, name, prefixes, ndim, shape, &t, err);
    return s ? s : le_st_tensor_to_f32(t, dst, err);
}

static le_status load_tensor(const le_st_tensor *t, float **out, le_error *err) {
    *out = NULL;
    if (t->numel > SIZE_MAX / sizeof(float)) return nomem(err, t->file);
    float *p = le_alloc_aligned(t->numel ? t->numel * sizeof(float) : 1);
    if (!p) return tensor_fail(err, LE_ERR_NOMEM, t->file, t->name, "out of memory");
    le_status s = le_st_tensor_to_f32(t, p, err);
    if (s) {
        le_free_aligned(p);
        return s;
    }
    *out = p;
    return LE_OK;
}

le_status le_st_load_f32(const le_safetensors *st, const char *name, const char *const *prefixes,
                         int ndim, const int64_t *shape, float **out, le_error *err) {
    const le_st_tensor *t;
    *out = NULL;
    le_status s = find_checked(st, name, prefixes, ndim, shape, &t, err);
    return s ? s : load_tensor(t, out, err);
}

le_status le_st_get_f32(const le_safetensors *st, const char *name, const char *const *prefixes,
                        int ndim, const int64_t *shape, const float **data, float **owned,
                        le_error *err) {
    const le_st_tensor *t;
    *data = NULL;
    *owned = NULL;
    le_status s = find_checked(st, name, prefixes, ndim, shape, &t, err);
    if (s) return s;
    if ((*data = le_st_tensor_f32_view(t)) != NULL) return LE_OK;
    s = load_tensor(t, owned, err);
    *data = *owned;
    return s;
}

le_status le_st_check_finite(const le_safetensors *st, le_error *err) {
    enum { CHUNK = 1 << 14 };
    float buf[CHUNK];
    for (size_t i = 0; st && i < st->n; i++) {
        const le_st_tensor *t = &st->tensors[i];
        size_t size = le_dtype_size(t->dtype);
        if (t->dtype != LE_DTYPE_F32 && t->dtype != LE_DTYPE_F16 && t->dtype != LE_DTYPE_BF16)
            continue; /* integers are always finite; F64 and FP8 are not read */
        for (size_t at = 0; at < t->numel; at += CHUNK) {
            size_t n = t->numel - at < CHUNK ? t->numel - at : CHUNK;
            le_dtype_to_f32_row(t->dtype, t->data + at * size, buf, n);
            size_t bad = le_first_non_finite(buf, n);
            if (bad < n)
                return tensor_fail(err, LE_ERR_FORMAT, t->file, t->name,
                                   "element %zu is %s (the weights are damaged)", at + bad,
                                   isnan(buf[bad]) ? "NaN" : "infinite");
        }
    }
    return LE_OK;
}
