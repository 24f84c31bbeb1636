/* Option structs from dicts: one table per struct names each field, its
 * kind and offset, so that an unknown name is refused (TypeError) instead
 * of being ignored. None leaves the library's default. */
#include "core.h"

#include <stddef.h>
#include <string.h>

typedef enum opt_kind { K_INT, K_DOUBLE, K_STR, K_U64, K_ENUM, K_DOUBLE3 } opt_kind;

/* Parses an enum's name into *(int *)out (the C enums are int-sized). */
typedef le_status (*enum_parse)(const char *s, void *out, le_error *err);

typedef struct opt_field {
    const char *name;
    opt_kind kind;
    size_t offset;
    enum_parse parse;
} opt_field;

static le_status parse_extend(const char *s, void *out, le_error *err) {
    return le_extend_parse(s, out, err);
}
static le_status parse_mode(const char *s, void *out, le_error *err) {
    return le_search_mode_parse(s, out, err);
}
static le_status parse_passage_mode(const char *s, void *out, le_error *err) {
    return le_passage_mode_parse(s, out, err);
}

/* Names of the small enums the header has no parser for. */
static le_status parse_names(const char *s, void *out, le_error *err, const char *const *names) {
    for (int i = 0; names[i]; i++)
        if (!strcmp(s, names[i])) {
            *(int *)out = i;
            return LE_OK;
        }
    snprintf(err->message, sizeof err->message, "unknown value '%s'", s);
    err->code = LE_ERR_ARG;
    err->text_index = -1;
    return LE_ERR_ARG;
}
static le_status parse_attn(const char *s, void *out, le_error *err) {
    static const char *const names[] = {"log", "none", NULL};
    return parse_names(s, out, err, names);
}
static le_status parse_fuse(const char *s, void *out, le_error *err) {
    static const char *const names[] = {"weighted", "rrf", "zscore", NULL};
    return parse_names(s, out, err, names);
}
static le_status parse_encoding(const char *s, void *out, le_error *err) {
    static const char *const names[] = {"f32", "int8", NULL};
    return parse_names(s, out, err, names);
}

/* Three numbers (a sequence) into double[3]. */
static int set_double3(double *out, const opt_field *f, PyObject *v) {
    PyObject *fast = PySequence_Fast(v, "expected a sequence of 3 numbers");
    if (!fast) return -1;
    int ok = PySequence_Fast_GET_SIZE(fast) == 3;
    for (Py_ssize_t i = 0; ok && i < 3; i++) {
        out[i] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(fast, i));
        ok = !PyErr_Occurred();
    }
    Py_DECREF(fast);
    if (!ok && !PyErr_Occurred())
        PyErr_Format(PyExc_ValueError, "option %s: expected 3 numbers", f->name);
    return ok ? 0 : -1;
}

/* One value into its field; -1 with an exception. */
static int set_field(void *base, const opt_field *f, PyObject *v) {
    char *p = (char *)base + f->offset;
    if (f->kind == K_DOUBLE3) return set_double3((double *)p, f, v);
    if (f->kind == K_INT) {
        long x = PyLong_AsLong(v);
        if (x == -1 && PyErr_Occurred()) return -1;
        if (x < -2147483647L || x > 2147483647L)
            return PyErr_Format(PyExc_OverflowError, "option %s: %ld is out of range", f->name,
                                x), -1;
        *(int *)p = (int)x;
    } else if (f->kind == K_U64) {
        unsigned long long x = PyLong_AsUnsignedLongLong(v);
        if (PyErr_Occurred()) return -1;
        *(uint64_t *)p = (uint64_t)x;
    } else if (f->kind == K_DOUBLE) {
        double x = PyFloat_AsDouble(v);
        if (x == -1.0 && PyErr_Occurred()) return -1;
        *(double *)p = x;
    } else {
        if (!PyUnicode_Check(v))
            return PyErr_Format(PyExc_TypeError, "option %s: expected str, got %s", f->name,
                                Py_TYPE(v)->tp_name), -1;
        const char *s = PyUnicode_AsUTF8(v);
        if (!s) return -1;
        if (f->kind == K_STR) {
            *(const char **)p = s;
            return 0;
        }
        le_error err;
        if (f->parse(s, p, &err)) return lepy_raise(&err), -1;
    }
    return 0;
}

/* Every (key, value) of d into base by the table; unknown keys refused. */
static int take_options(PyObject *d, const opt_field *table, void *base, const char *what) {
    if (!d || d == Py_None) return 0;
    if (!PyDict_Check(d)) return PyErr_Format(PyExc_TypeError, "%s must be a dict", what), -1;
    PyObject *key, *v;
    Py_ssize_t pos = 0;
    while (PyDict_Next(d, &pos, &key, &v)) {
        const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
        if (!k) return PyErr_Format(PyExc_TypeError, "%s: keys must be str", what), -1;
        const opt_field *f = table;
        while (f->name && strcmp(f->name, k)) f++;
        if (!f->name)
            return PyErr_Format(PyExc_TypeError, "%s: unknown option '%s'", what, k), -1;
        if (v == Py_None) continue;
        if (set_field(base, f, v) < 0) return -1;
    }
    return 0;
}

#define F(S, name, kind) {#name, kind, offsetof(S, name), NULL}
#define E(S, name, parse) {#name, K_ENUM, offsetof(S, name), parse}

static const opt_field g_embed[] = {
    F(le_embed_options, prefix, K_STR), F(le_embed_options, max_tokens, K_INT),
    F(le_embed_options, truncate, K_INT), F(le_embed_options, normalize, K_INT),
    F(le_embed_options, batch_tokens, K_INT), E(le_embed_options, extend, parse_extend),
    E(le_embed_options, attn_scale, parse_attn), F(le_embed_options, position_stride, K_INT),
    F(le_embed_options, pooling, K_STR), F(le_embed_options, ntk_lambda, K_DOUBLE),
    F(le_embed_options, rope_factor, K_DOUBLE), F(le_embed_options, se_group, K_INT),
    F(le_embed_options, se_window, K_INT), F(le_embed_options, rotary_scaling_factor, K_DOUBLE),
    {NULL, K_INT, 0, NULL}};

static const opt_field g_search[] = {
    E(le_search_options, mode, parse_mode), F(le_search_options, k, K_INT),
    F(le_search_options, exact, K_INT), F(le_search_options, ef, K_INT),
    E(le_search_options, fuse, parse_fuse), F(le_search_options, dense_weight, K_DOUBLE),
    F(le_search_options, bm25_weight, K_DOUBLE), F(le_search_options, sparse_weight, K_DOUBLE),
    F(le_search_options, rrf_k, K_DOUBLE), F(le_search_options, candidates, K_INT),
    F(le_search_options, bm25_k1, K_DOUBLE), F(le_search_options, bm25_b, K_DOUBLE),
    F(le_search_options, rerank, K_INT), F(le_search_options, passage_topk, K_INT),
    F(le_search_options, truncate, K_INT), F(le_search_options, m3_weights, K_DOUBLE3),
    {NULL, K_INT, 0, NULL}};

static const opt_field g_index[] = {
    E(le_index_options, encoding, parse_encoding), F(le_index_options, hnsw_m, K_INT),
    F(le_index_options, hnsw_ef_construction, K_INT), F(le_index_options, hnsw_ef_search, K_INT),
    F(le_index_options, hnsw_min_docs, K_INT), F(le_index_options, store_text, K_INT),
    F(le_index_options, stopwords, K_INT), F(le_index_options, verify, K_INT),
    F(le_index_options, threads, K_INT), F(le_index_options, max_segments, K_INT),
    {NULL, K_INT, 0, NULL}};

static const opt_field g_passage[] = {
    F(le_passage_options, tokens, K_INT), F(le_passage_options, overlap, K_INT),
    E(le_passage_options, mode, parse_passage_mode), {NULL, K_INT, 0, NULL}};

static const opt_field g_bench[] = {
    F(le_bench_options, tasks, K_STR), F(le_bench_options, task_dir, K_STR),
    F(le_bench_options, lengths, K_STR), F(le_bench_options, extend, K_STR),
    F(le_bench_options, retrievers, K_STR), F(le_bench_options, seed, K_U64),
    F(le_bench_options, n_queries, K_INT), F(le_bench_options, n_docs, K_INT),
    F(le_bench_options, haystack_dir, K_STR), F(le_bench_options, k, K_INT),
    F(le_bench_options, bm25_k1, K_DOUBLE), F(le_bench_options, bm25_b, K_DOUBLE),
    F(le_bench_options, stopwords, K_INT), F(le_bench_options, dense_weight, K_DOUBLE),
    F(le_bench_options, rrf_k, K_DOUBLE), F(le_bench_options, max_tokens, K_INT),
    F(le_bench_options, query_prefix, K_STR), F(le_bench_options, doc_prefix, K_STR),
    F(le_bench_options, batch_tokens, K_INT), F(le_bench_options, cache_dir, K_STR),
    F(le_bench_options, cache, K_INT), F(le_bench_options, allow_fetch, K_INT),
    F(le_bench_options, runs_dir, K_STR), F(le_bench_options, passage_modes, K_STR),
    F(le_bench_options, passage_tokens, K_INT), F(le_bench_options, passage_overlap, K_INT),
    F(le_bench_options, fusion, K_STR), {NULL, K_INT, 0, NULL}};

int lepy_embed_options(PyObject *d, le_embed_options *eo) {
    le_embed_options_init(eo);
    return take_options(d, g_embed, eo, "embed options");
}
int lepy_search_options(PyObject *d, le_search_options *so) {
    le_search_options_init(so);
    return take_options(d, g_search, so, "search options");
}
int lepy_index_options(PyObject *d, le_index_options *io) {
    le_index_options_init(io);
    return take_options(d, g_index, io, "index options");
}
int lepy_passage_options(PyObject *d, le_passage_options *po) {
    le_passage_options_init(po);
    return take_options(d, g_passage, po, "passage options");
}
int lepy_bench_options(PyObject *d, le_bench_options *bo) {
    le_bench_options_init(bo);
    return take_options(d, g_bench, bo, "bench options");
}
