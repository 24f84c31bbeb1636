/* The model calls whose outputs the library allocates (passages, BGE-M3's
 * three outputs): copied once into bytearrays that numpy wraps without a
 * further copy. And the info dicts. */
#include "core.h"

#include <string.h>

PyObject *lepy_results_list(const le_text_result *res, size_t n) {
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *t = Py_BuildValue("(iiii)", res[i].tokens, res[i].tokens_in_text,
                                    res[i].truncated, res[i].chunks);
        if (!t) Py_CLEAR(list);
        else PyList_SET_ITEM(list, (Py_ssize_t)i, t);
    }
    return list;
}

static PyObject *floats(const float *p, size_t n) {
    return PyByteArray_FromStringAndSize((const char *)p, (Py_ssize_t)(n * sizeof *p));
}

/* A passage's span as (text, byte_start, byte_end, token_start, token_end, exact). */
static PyObject *span_tuple(const le_passage *sp) {
    return Py_BuildValue("(nnniii)", (Py_ssize_t)sp->text, (Py_ssize_t)sp->byte_start,
                         (Py_ssize_t)sp->byte_end, sp->token_start, sp->token_end, sp->exact);
}

static PyObject *passages_result(le_passages *p, size_t n_texts, const le_text_result *res) {
    size_t count = le_passages_count(p), dim = (size_t)le_passages_dim(p);
    const le_passage *spans = le_passages_spans(p);
    PyObject *docs = floats(le_passages_documents(p), n_texts * dim);
    PyObject *vecs = floats(le_passages_vectors(p), count * dim);
    PyObject *sl = PyList_New((Py_ssize_t)count), *rl = lepy_results_list(res, n_texts);
    for (size_t i = 0; sl && i < count; i++) PyList_SET_ITEM(sl, (Py_ssize_t)i, span_tuple(&spans[i]));
    PyObject *out = docs && vecs && sl && rl && !PyErr_Occurred()
                        ? Py_BuildValue("(OOOO)", docs, vecs, sl, rl)
                        : NULL;
    Py_XDECREF(docs);
    Py_XDECREF(vecs);
    Py_XDECREF(sl);
    Py_XDECREF(rl);
    return out;
}

PyObject *lepy_model_embed_passages(lepy_model *self, PyObject *args, PyObject *kw) {
    static char *names[] = {"texts", "options", "passage_options", "progress", NULL};
    PyObject *texts, *opts = Py_None, *popts = Py_None, *progress = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OOO", names, &texts, &opts, &popts, &progress))
        return NULL;
    le_embed_options eo;
    le_passage_options po;
    lepy_texts t;
    if (!lepy_model_arg((PyObject *)self, 0) || lepy_embed_options(opts, &eo) < 0 ||
        lepy_passage_options(popts, &po) < 0 || lepy_texts_get(texts, "texts", &t) < 0)
        return NULL;
    le_text_result *res = PyMem_Calloc(t.n ? t.n : 1, sizeof *res);
    if (!res) return lepy_texts_free(&t), PyErr_NoMemory();
    lepy_call call;
    lepy_call_init(&call, progress, &eo);
    le_passages *p = NULL;
    le_error err;
    le_status s;
    Py_BEGIN_ALLOW_THREADS
    LEPY_LOCK(self->lock);
    s = self->m ? le_embed_passages(self->m, t.n, t.ptr, t.len, &eo, &po, &p, res, &err)
                : LE_ERR_ARG;
    LEPY_UNLOCK(self->lock);
    Py_END_ALLOW_THREADS
    PyObject *out = lepy_call_done(&call, s, !self->m, "the model", &err) < 0
                        ? NULL
                        : passages_result(p, t.n, res);
    le_passages_free(p);
    PyMem_Free(res);
    lepy_texts_free(&t);
    return out;
}

/* One text's BGE-M3 outputs as (dense, ids, weights, colbert, n_colbert, colbert_dim). */
static PyObject *m3_tuple(const le_m3_output *o) {
    PyObject *ids = PyList_New((Py_ssize_t)o->n_lexical);
    PyObject *w = PyList_New((Py_ssize_t)o->n_lexical);
    for (size_t i = 0; ids && w && i < o->n_lexical; i++) {
        PyList_SET_ITEM(ids, (Py_ssize_t)i, PyLong_FromLong(o->lexical_ids[i]));
        PyList_SET_ITEM(w, (Py_ssize_t)i, PyFloat_FromDouble(o->lexical_weights[i]));
    }
    PyObject *dense = floats(o->dense, (size_t)o->dim);
    PyObject *col = floats(o->colbert, o->n_colbert * (size_t)o->colbert_dim);
    PyObject *out = ids && w && dense && col && !PyErr_Occurred()
                        ? Py_BuildValue("(OOOOni)", dense, ids, w, col, (Py_ssize_t)o->n_colbert,
                                        o->colbert_dim)
                        : NULL;
    Py_XDECREF(ids);
    Py_XDECREF(w);
    Py_XDECREF(dense);
    Py_XDECREF(col);
    return out;
}

PyObject *lepy_model_embed_m3(lepy_model *self, PyObject *args, PyObject *kw) {
    static char *names[] = {"texts", "options", "progress", NULL};
    PyObject *texts, *opts = Py_None, *progress = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OO", names, &texts, &opts, &progress))
        return NULL;
    le_embed_options eo;
    lepy_texts t;
    if (!lepy_model_arg((PyObject *)self, 0) || lepy_embed_options(opts, &eo) < 0 ||
        lepy_texts_get(texts, "texts", &t) < 0)
        return NULL;
    le_m3_output *o = PyMem_Calloc(t.n ? t.n : 1, sizeof *o);
    if (!o) return lepy_texts_free(&t), PyErr_NoMemory();
    lepy_call call;
    lepy_call_init(&call, progress, &eo);
    le_error err;
    le_status s;
    Py_BEGIN_ALLOW_THREADS
    LEPY_LOCK(self->lock);
    s = self->m ? le_embed_m3(self->m, t.n, t.ptr, t.len, &eo, o, NULL, &err) : LE_ERR_ARG;
    LEPY_UNLOCK(self->lock);
    Py_END_ALLOW_THREADS
    PyObject *list = NULL;
    if (lepy_call_done(&call, s, !self->m, "the model", &err) == 0 &&
        (list = PyList_New((Py_ssize_t)t.n)))
        for (size_t i = 0; i < t.n; i++) {
            PyObject *one = m3_tuple(&o[i]);
            if (!one) {
                Py_CLEAR(list);
                break;
            }
            PyList_SET_ITEM(list, (Py_ssize_t)i, one);
        }
    if (!s) le_m3_output_free(o, t.n);
    PyMem_Free(o);
    lepy_texts_free(&t);
    return list;
}

#define SET(d, k, v) lepy_dict_set(d, k, v)

void lepy_dict_set(PyObject *d, const char *k, PyObject *v) {
    if (v && PyDict_SetItemString(d, k, v) == 0) {
        Py_DECREF(v);
        return;
    }
    Py_XDECREF(v);
    if (!PyErr_Occurred()) PyErr_NoMemory();
}

PyObject *lepy_str_or_none(const char *s) {
    if (!s) Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}
#define str_or_none lepy_str_or_none

PyObject *lepy_model_info_dict(const le_model_info *mi, int dim, const char *backend) {
    PyObject *d = PyDict_New();
    if (!d) return NULL;
    SET(d, "name", str_or_none(mi->name));
    SET(d, "directory", str_or_none(mi->directory));
    SET(d, "architecture", str_or_none(mi->architecture));
    SET(d, "dim", PyLong_FromLong(dim));
    SET(d, "hidden_size", PyLong_FromLong(mi->hidden_size));
    SET(d, "num_layers", PyLong_FromLong(mi->num_layers));
    SET(d, "num_heads", PyLong_FromLong(mi->num_heads));
    SET(d, "intermediate_size", PyLong_FromLong(mi->intermediate_size));
    SET(d, "vocab_size", PyLong_FromLong(mi->vocab_size));
    SET(d, "window", PyLong_FromLong(mi->window));
    SET(d, "st_max_seq_length", PyLong_FromLong(mi->st_max_seq_length));
    SET(d, "position_stride", PyLong_FromLong(mi->position_stride));
    SET(d, "pooling", str_or_none(mi->pooling));
    SET(d, "normalize", PyBool_FromLong(mi->normalize));
    SET(d, "tokenizer", str_or_none(mi->tokenizer));
    SET(d, "lowercase", PyBool_FromLong(mi->lowercase));
    SET(d, "query_prefix", str_or_none(mi->query_prefix));
    SET(d, "passage_prefix", str_or_none(mi->passage_prefix));
    SET(d, "isa", str_or_none(mi->isa));
    SET(d, "threads", PyLong_FromLong(mi->threads));
    SET(d, "methods", str_or_none(mi->methods));
    SET(d, "positions", str_or_none(mi->positions));
    SET(d, "precision", str_or_none(mi->precision));
    SET(d, "backend", str_or_none(backend));
    if (PyErr_Occurred()) Py_CLEAR(d);
    return d;
}
