/* longembed._core.IndexWriter: one le_index_writer (the index's lock file
 * held while it is open) and its lock. A call that takes a model locks the
 * writer first, then the model: always that order. */
#include "core.h"

#include <string.h>

typedef struct lepy_writer {
    PyObject_HEAD
    le_index_writer *w;
    PyThread_type_lock lock;
} lepy_writer;

/* The identity of a new index: m's vectors with eo, passages when po. */
static int describe(lepy_model *m, const char *spec, PyObject *eopts, PyObject *popts,
                    le_index_model *im) {
    le_embed_options eo;
    le_passage_options po;
    if (lepy_embed_options(eopts, &eo) < 0) return -1;
    if (popts != Py_None && lepy_passage_options(popts, &po) < 0) return -1;
    le_error err;
    le_status s;
    Py_BEGIN_ALLOW_THREADS
    LEPY_LOCK(m->lock);
    s = m->m ? le_index_model_describe(m->m, spec, &eo, im, &err) : LE_ERR_ARG;
    if (!s && popts != Py_None) s = le_index_model_set_passages(im, m->m, &po, &err);
    LEPY_UNLOCK(m->lock);
    Py_END_ALLOW_THREADS
    if (s && !m->m) return lepy_raise_msg(LE_ERR_ARG, "the model is closed"), -1;
    return s ? (lepy_raise(&err), -1) : 0;
}

/* IndexWriter(path, model=None, spec=None, embed_options=None,
 * passage_options=None, index_options=None): with a model, a new index gets
 * its identity (an existing one must match); without, an existing index keeps
 * its own and a new one holds BM25 only. */
static int writer_init(lepy_writer *self, PyObject *args, PyObject *kw) {
    static char *names[] = {"path", "model", "spec", "embed_options", "passage_options",
                            "index_options", NULL};
    const char *path, *spec = NULL;
    PyObject *model = Py_None, *eopts = Py_None, *popts = Py_None, *iopts = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|OzOOO", names, &path, &model, &spec, &eopts,
                                     &popts, &iopts))
        return -1;
    if (self->w) return PyErr_SetString(PyExc_RuntimeError, "IndexWriter.__init__ twice"), -1;
    if (!self->lock && !(self->lock = PyThread_allocate_lock())) return PyErr_NoMemory(), -1;
    lepy_model *m = lepy_model_arg(model, 1);
    if (!m && PyErr_Occurred()) return -1;
    le_index_model im;
    le_index_options io;
    if (m && describe(m, spec, eopts, popts, &im) < 0) return -1;
    if (lepy_index_options(iopts, &io) < 0) return -1;
    le_error err;
    le_status s;
    le_index_writer *w = NULL;
    Py_BEGIN_ALLOW_THREADS
    s = le_index_writer_open(path, m ? &im : NULL, &io, &w, &err);
    Py_END_ALLOW_THREADS
    if (s) return lepy_raise(&err), -1;
    self->w = w;
    return 0;
}

static void writer_dealloc(lepy_writer *self) {
    if (self->w) le_index_writer_close(self->w);
    if (self->lock) PyThread_free_lock(self->lock);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int writer_open(lepy_writer *self) {
    if (self->w) return 0;
    lepy_raise_msg(LE_ERR_ARG, "the index writer is closed");
    return -1;
}

/* Optional per-document strings (titles, sources): None or n items. */
static int optional_texts(PyObject *seq, size_t n, const char *what, lepy_texts *t) {
    memset(t, 0, sizeof *t);
    if (seq == Py_None) return 0;
    if (lepy_texts_get(seq, what, t) < 0) return -1;
    if (t->n == n) return 0;
    PyErr_Format(PyExc_ValueError, "%s: %zu items for %zu documents", what, t->n, n);
    lepy_texts_free(t);
    return -1;
}

typedef struct doc_lists {
    lepy_texts ids, texts, titles, sources;
    le_index_doc *docs;
} doc_lists;

static void doc_lists_free(doc_lists *d) {
    lepy_texts_free(&d->ids);
    lepy_texts_free(&d->texts);
    lepy_texts_free(&d->titles);
    lepy_texts_free(&d->sources);
    PyMem_Free(d->docs);
}

/* Strings the C API takes NUL-terminated: a NUL inside would cut them. */
static int no_nul(const lepy_texts *t, const char *what, int nonempty) {
    for (size_t i = 0; i < t->n; i++)
        if (memchr(t->ptr[i], 0, t->len[i]) || (nonempty && !t->len[i]))
            return PyErr_Format(PyExc_ValueError, "%s[%zu]: %s", what, i,
                                t->len[i] ? "holds a NUL character" : "is empty"), -1;
    return 0;
}

/* The documents of ids, texts, titles and sources (the last two may be None). */
static int doc_lists_get(doc_lists *d, PyObject *ids, PyObject *texts, PyObject *titles,
                         PyObject *sources) {
    memset(d, 0, sizeof *d);
    if (lepy_texts_get(ids, "ids", &d->ids) < 0) return -1;
    size_t n = d->ids.n;
    if (optional_texts(texts, n, "texts", &d->texts) < 0 ||
        optional_texts(titles, n, "titles", &d->titles) < 0 ||
        optional_texts(sources, n, "sources", &d->sources) < 0 ||
        !(d->docs = PyMem_Calloc(n ? n : 1, sizeof *d->docs))) {
        if (!PyErr_Occurred()) PyErr_NoMemory();
        doc_lists_free(d);
        return -1;
    }
    if (no_nul(&d->ids, "ids", 1) < 0 || no_nul(&d->titles, "titles", 0) < 0 ||
        no_nul(&d->sources, "sources", 0) < 0) {
        doc_lists_free(d);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        d->docs[i].id = d->ids.ptr[i];
        if (d->texts.ptr) d->docs[i].text = d->texts.ptr[i], d->docs[i].text_len = d->texts.len[i];
        if (d->titles.ptr) d->docs[i].title = d->titles.ptr[i];
        if (d->sources.ptr) d->docs[i].source = d->sources.ptr[i];
    }
    return 0;
}

static PyObject *writer_number(lepy_writer *self, int what);

/* add_texts(model, ids, texts, titles=None, sources=None, options=None,
 * progress=None) -> list of (tokens, tokens_in_text, truncated, chunks) */
static PyObject *writer_add_texts(lepy_writer *self, PyObject *args, PyObject *kw) {
    static char *names[] = {"model", "ids", "texts", "titles", "sources", "options", "progress",
                            NULL};
    PyObject *model, *ids, *texts, *titles = Py_None, *sources = Py_None, *opts = Py_None,
                                   *progress = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OOO|OOOO", names, &model, &ids, &texts, &titles,
                                     &sources, &opts, &progress))
        return NULL;
    lepy_model *m = lepy_model_arg(model, 0);
    le_embed_options eo;
    doc_lists d;
    if (!m || writer_open(self) < 0 || lepy_embed_options(opts, &eo) < 0) return NULL;
    if (texts == Py_None) return PyErr_SetString(PyExc_TypeError, "texts: None"), NULL;
    if (doc_lists_get(&d, ids, texts, titles, sources) < 0) return NULL;
    size_t n = d.ids.n;
    le_text_result *res = PyMem_Calloc(n ? n : 1, sizeof *res);
    if (!res) return doc_lists_free(&d), PyErr_NoMemory();
    lepy_call call;
    lepy_call_init(&call, progress, &eo);
    le_error err;
    le_status s;
    Py_BEGIN_ALLOW_THREADS
    LEPY_LOCK(self->lock);
    LEPY_LOCK(m->lock);
    s = self->w && m->m ? le_index_writer_add_texts(self->w, m->m, &eo, n, d.docs, res, &err)
                        : LE_ERR_ARG;
    LEPY_UNLOCK(m->lock);
    LEPY_UNLOCK(self->lock);
    Py_END_ALLOW_THREADS
    doc_lists_free(&d);
    PyObject *list = lepy_call_done(&call, s, !self->w || !m->m, "the model or the index",
                                    &err) < 0
                         ? NULL
                         : lepy_results_list(res, n);
    PyMem_Free(res);
    return list;
}

/* add_vectors(ids, texts, vectors, titles=None, sources=None): documents with
 * their dense vectors (float32, n x dim) embedded elsewhere (longembed.ray). */
static PyObject *writer_add_vectors(lepy_writer *self, PyObject *args, PyObject *kw) {
    static char *names[] = {"ids", "texts", "vectors", "titles", "sources", NULL};
    PyObject *ids, *texts, *vectors, *titles = Py_None, *sources = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OOO|OO", names, &ids, &texts, &vectors, &titles,
                                     &sources))
        return NULL;
    doc_lists d;
    if (writer_open(self) < 0 || doc_lists_get(&d, ids, texts, titles, sources) < 0) return NULL;
    PyObject *dim_obj = writer_number(self, 1);
    if (!dim_obj) return doc_lists_free(&d), NULL;
    size_t n = d.ids.n, dim = PyLong_AsSize_t(dim_obj);
    Py_DECREF(dim_obj);
    Py_buffer v;
    if (PyObject_GetBuffer(vectors, &v, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return doc_lists_free(&d), NULL;
    if (!dim || (size_t)v.len != n * dim * sizeof(float) || strcmp(v.format, "f")) {
        PyBuffer_Release(&v);
        doc_lists_free(&d);
        return PyErr_Format(PyExc_ValueError, "vectors: need %zu x %zu float32 (index dim %zu)",
                            n, dim, dim);
    }
    for (size_t i = 0; i < n; i++) d.docs[i].dense = (const float *)v.buf + i * dim;
    le_error err;
    le_status s;
    Py_BEGIN_ALLOW_THREADS
    LEPY_LOCK(self->lock);
    s = self->w ? le_index_writer_add(self->w, n, d.docs, &err) : LE_ERR_ARG;
    LEPY_UNLOCK(self->lock);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&v);
    doc_lists_free(&d);
    if (s && !self->w) return lepy_raise_msg(LE_ERR_ARG, "the index writer is closed");
    if (s) return lepy_raise(&err);
    Py_RETURN_NONE;
}

static PyObject *writer_delete(lepy_writer *self, PyObject *ids) {
    lepy_texts t;
    if (writer_open(self) < 0 || lepy_texts_get(ids, "ids", &t) < 0) return NULL;
    if (no_nul(&t, "ids", 1) < 0) return lepy_texts_free(&t), NULL;
    size_t found = 0;
    le_error err;
    le_status s;
    Py_BEGIN_ALLOW_THREADS
    LEPY_LOCK(self->lock);
    s = self->w ? le_index_writer_delete(self->w, t.n, t.ptr, &found, &err) : LE_ERR_ARG;
    LEPY_UNLOCK(self->lock);
    Py_END_ALLOW_THREADS
    lepy_texts_free(&t);
    if (s && !self->w) return lepy_raise_msg(LE_ERR_ARG, "the index writer is closed");
    if (s) return lepy_raise(&err);
    return PyLong_FromSize_t(found);
}

/* commit() or compact(): one call on the writer, GIL released */
static PyObject *writer_publish(lepy_writer *self, le_status (*fn)(le_index_writer *, le_error *)) {
    if (writer_open(self) < 0) return NULL;
    le_error err;
    le_status s;
    Py_BEGIN_ALLOW_THREADS
    LEPY_LOCK(self->lock);
    s = self->w ? fn(self->w, &err) : LE_ERR_ARG;
    LEPY_UNLOCK(self->lock);
    Py_END_ALLOW_THREADS
    if (s && !self->w) return lepy_raise_msg(LE_ERR_ARG, "the index writer is closed");
    if (s) return lepy_raise(&err);
    Py_RETURN_NONE;
}

static PyObject *writer_commit(lepy_writer *self, PyObject *unused) {
    return writer_publish(self, le_index_writer_commit);
}
static PyObject *writer_compact(lepy_writer *self, PyObject *unused) {
    return writer_publish(self, le_index_writer_compact);
}

static PyObject *writer_close(lepy_writer *self, PyObject *unused) {
    if (!self->lock) Py_RETURN_NONE;
    Py_BEGIN_ALLOW_THREADS
    LEPY_LOCK(self->lock);
    le_index_writer_close(self->w);
    self->w = NULL;
    LEPY_UNLOCK(self->lock);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

/* pending (what) 0 or dim 1, under the lock */
static PyObject *writer_number(lepy_writer *self, int what) {
    lepy_lock_held(self->lock);
    PyObject *r = !self->w ? lepy_raise_msg(LE_ERR_ARG, "the index writer is closed")
                  : what ? PyLong_FromLong(le_index_writer_model(self->w)->dim)
                         : PyLong_FromSize_t(le_index_writer_pending(self->w));
    LEPY_UNLOCK(self->lock);
    return r;
}

static PyObject *writer_pending(lepy_writer *self, void *unused) { return writer_number(self, 0); }
static PyObject *writer_dim(lepy_writer *self, void *unused) { return writer_number(self, 1); }

static PyMethodDef g_writer_methods[] = {
    {"add_texts", (PyCFunction)(void (*)(void))writer_add_texts, METH_VARARGS | METH_KEYWORDS,
     "add_texts(model, ids, texts, titles=None, sources=None, options=None, progress=None)"},
    {"add_vectors", (PyCFunction)(void (*)(void))writer_add_vectors, METH_VARARGS | METH_KEYWORDS,
     "add_vectors(ids, texts, vectors, titles=None, sources=None)"},
    {"delete", (PyCFunction)writer_delete, METH_O, "delete(ids) -> how many were found"},
    {"commit", (PyCFunction)writer_commit, METH_NOARGS, "commit(): publishes the changes"},
    {"compact", (PyCFunction)writer_compact, METH_NOARGS, "compact(): commit, then one segment"},
    {"close", (PyCFunction)writer_close, METH_NOARGS, "close(): drops uncommitted changes"},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef g_writer_getset[] = {
    {"pending", (getter)writer_pending, NULL, "documents not yet committed", NULL},
    {"dim", (getter)writer_dim, NULL, "the index's dense dimensions (0: none)", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

PyTypeObject lepy_writer_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "longembed._core.IndexWriter",
    .tp_basicsize = sizeof(lepy_writer),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "IndexWriter(path, model=None, spec=None, embed_options=None, "
              "passage_options=None, index_options=None)",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)writer_init,
    .tp_dealloc = (destructor)writer_dealloc,
    .tp_methods = g_writer_methods,
    .tp_getset = g_writer_getset,
};
