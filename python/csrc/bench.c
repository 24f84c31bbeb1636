/* Module functions: bench (le_bench_run's JSON report), verify, aliases, and
 * the dict of an le_index_info. */
#include "core.h"

#include <stdlib.h>
#include <string.h>

/* bench(model=None, options=None, progress=None) -> the JSON report (str).
 * The benchmark has no cancel hook: Ctrl-C is seen when it returns. */
PyObject *lepy_bench(PyObject *self, PyObject *args, PyObject *kw) {
    static char *names[] = {"model", "options", NULL};
    PyObject *model = Py_None, *opts = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OO", names, &model, &opts)) return NULL;
    lepy_model *m = lepy_model_arg(model, 1);
    le_bench_options bo;
    if ((!m && PyErr_Occurred()) || lepy_bench_options(opts, &bo) < 0) return NULL;
    le_error err;
    le_status s;
    char *json = NULL;
    size_t len = 0;
    Py_BEGIN_ALLOW_THREADS
    if (m) LEPY_LOCK(m->lock);
    le_bench_result *r = NULL;
    s = m && !m->m ? LE_ERR_ARG : le_bench_run(m ? m->m : NULL, &bo, &r, &err);
    if (!s) s = le_bench_report(r, LE_REPORT_JSON, &json, &len, &err);
    le_bench_result_free(r);
    if (m) LEPY_UNLOCK(m->lock);
    Py_END_ALLOW_THREADS
    if (s && m && !m->m) return lepy_raise_msg(LE_ERR_ARG, "the model is closed");
    if (s) return lepy_raise(&err);
    PyObject *out = PyUnicode_DecodeUTF8(json, (Py_ssize_t)len, "replace");
    free(json);
    return out;
}

/* verify(path, deep=False) -> info dict */
PyObject *lepy_verify(PyObject *self, PyObject *args, PyObject *kw) {
    static char *names[] = {"path", "deep", NULL};
    const char *path;
    int deep = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|p", names, &path, &deep)) return NULL;
    le_index_info ii;
    le_error err;
    le_status s;
    Py_BEGIN_ALLOW_THREADS
    s = le_index_verify(path, deep, &ii, &err);
    Py_END_ALLOW_THREADS
    if (s) return lepy_raise(&err);
    return lepy_index_info_dict(&ii);
}

PyObject *lepy_aliases(PyObject *self, PyObject *unused) {
    PyObject *list = PyList_New(0);
    for (const char *const *a = le_model_aliases(); list && *a; a++) {
        PyObject *s = PyUnicode_FromString(*a);
        if (!s || PyList_Append(list, s) < 0) Py_CLEAR(list);
        Py_XDECREF(s);
    }
    return list;
}

#define SET(k, v) lepy_dict_set(d, k, v)
#define U64(x) PyLong_FromUnsignedLongLong((unsigned long long)(x))

/* The identity part of an index's info. */
static PyObject *identity_dict(const le_index_model *im) {
    PyObject *d = PyDict_New();
    if (!d) return NULL;
    SET("model", lepy_str_or_none(im->model));
    SET("name", lepy_str_or_none(im->name));
    SET("architecture", lepy_str_or_none(im->architecture));
    SET("dim", PyLong_FromLong(im->dim));
    SET("window", PyLong_FromLong(im->window));
    SET("pooling", lepy_str_or_none(im->pooling));
    SET("normalize", PyBool_FromLong(im->normalize));
    SET("extend", lepy_str_or_none(le_extend_name(im->extend)));
    SET("max_tokens", PyLong_FromLong(im->max_tokens));
    SET("passage_prefix", lepy_str_or_none(im->passage_prefix));
    SET("query_prefix", lepy_str_or_none(im->query_prefix));
    SET("sparse_vocab", PyLong_FromLong(im->sparse_vocab));
    SET("multi_dim", PyLong_FromLong(im->multi_dim));
    SET("passage_tokens", PyLong_FromLong(im->passage_tokens));
    SET("passage_overlap", PyLong_FromLong(im->passage_overlap));
    SET("passage_mode", lepy_str_or_none(le_passage_mode_name(im->passage_mode)));
    if (PyErr_Occurred()) Py_CLEAR(d);
    return d;
}

PyObject *lepy_index_info_dict(const le_index_info *ii) {
    PyObject *d = PyDict_New();
    if (!d) return NULL;
    SET("model", identity_dict(&ii->model));
    SET("format_version", PyLong_FromUnsignedLong(ii->format_version));
    SET("generation", U64(ii->generation));
    SET("file_size", U64(ii->file_size));
    SET("docs", PyLong_FromSize_t(ii->docs));
    SET("deleted", PyLong_FromSize_t(ii->deleted));
    SET("segments", PyLong_FromLong(ii->segments));
    SET("segments_with_graph", PyLong_FromLong(ii->segments_with_graph));
    SET("encoding", PyUnicode_FromString(ii->encoding == LE_VEC_I8 ? "int8" : "f32"));
    SET("store_text", PyBool_FromLong(ii->store_text));
    SET("tokens", U64(ii->tokens));
    SET("terms", U64(ii->terms));
    SET("postings", U64(ii->postings));
    SET("passages", U64(ii->passages));
    SET("bytes_docs", U64(ii->bytes_docs));
    SET("bytes_text", U64(ii->bytes_text));
    SET("bytes_dense", U64(ii->bytes_dense));
    SET("bytes_bm25", U64(ii->bytes_bm25));
    SET("bytes_hnsw", U64(ii->bytes_hnsw));
    SET("bytes_sparse", U64(ii->bytes_sparse));
    SET("bytes_multi", U64(ii->bytes_multi));
    SET("bytes_passages", U64(ii->bytes_passages));
    if (PyErr_Occurred()) Py_CLEAR(d);
    return d;
}
