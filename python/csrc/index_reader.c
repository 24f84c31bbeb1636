/* longembed._core.IndexReader: one le_index (a snapshot of the committed
 * index) and its lock; searches, documents, passages, info. And the module's
 * verify(). */
#include "core.h"

#include <math.h>
#include <string.h>

typedef struct lepy_reader {
    PyObject_HEAD
    le_index *ix;
    PyThread_type_lock lock;
} lepy_reader;

static int reader_init(lepy_reader *self, PyObject *args, PyObject *kw) {
    static char *names[] = {"path", "options", NULL};
    const char *path;
    PyObject *opts = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|O", names, &path, &opts)) return -1;
    if (self->ix) return PyErr_SetString(PyExc_RuntimeError, "IndexReader.__init__ twice"), -1;
    if (!self->lock && !(self->lock = PyThread_allocate_lock())) return PyErr_NoMemory(), -1;
    le_index_options io;
    if (lepy_index_options(opts, &io) < 0) return -1;
    le_error err;
    le_status s;
    le_index *ix = NULL;
    Py_BEGIN_ALLOW_THREADS
    s = le_index_open(path, &io, &ix, &err);
    Py_END_ALLOW_THREADS
    if (s) return lepy_raise(&err), -1;
    self->ix = ix;
    return 0;
}

static void reader_dealloc(lepy_reader *self) {
    if (self->ix) le_index_close(self->ix);
    if (self->lock) PyThread_free_lock(self->lock);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *reader_close(lepy_reader *self, PyObject *unused) {
    if (!self->lock) Py_RETURN_NONE;
    lepy_lock_held(self->lock);
    le_index_close(self->ix);
    self->ix = NULL;
    LEPY_UNLOCK(self->lock);
    Py_RETURN_NONE;
}

/* The reader with its lock held (GIL held), or NULL with the error. */
static lepy_reader *reader_locked(lepy_reader *self) {
    lepy_lock_held(self->lock);
    if (self->ix) return self;
    LEPY_UNLOCK(self->lock);
    lepy_raise_msg(LE_ERR_ARG, "the index is closed");
    return NULL;
}

static PyObject *nan_none(float x) {
    if (isnan(x)) Py_RETURN_NONE;
    return PyFloat_FromDouble(x);
}

/* A hit as (doc, score, dense, bm25, sparse, multi, passage) with passage
 * (index, byte_start, byte_end, token_start, token_end, score) or None. */
static PyObject *hit_tuple(const le_index_hit *h, const le_hit_passage *p) {
    PyObject *pt = p && p->passage >= 0
                       ? Py_BuildValue("(lnniid)", p->passage, (Py_ssize_t)p->byte_start,
                                       (Py_ssize_t)p->byte_end, p->token_start, p->token_end,
                                       (double)p->score)
                       : (Py_INCREF(Py_None), Py_None);
    if (!pt) return NULL;
    return Py_BuildValue("(ndNNNNN)", (Py_ssize_t)h->doc, (double)h->score, nan_none(h->dense),
                         nan_none(h->bm25), nan_none(h->sparse), nan_none(h->multi), pt);
}

typedef struct search_args {
    le_search_options so;
    const char *query;
    Py_ssize_t query_len;
    Py_buffer dense;  /* obj NULL: none */
    lepy_model *m;    /* NULL: none */
} search_args;

/* Runs the search with the reader locked and the GIL released. */
static le_status run_search(lepy_reader *self, search_args *a, le_index_hit *hits, int *n,
                            le_error *err) {
    le_status s;
    Py_BEGIN_ALLOW_THREADS
    LEPY_LOCK(self->lock);
    if (a->m) LEPY_LOCK(a->m->lock);
    if (!self->ix || (a->m && !a->m->m)) {
        s = LE_ERR_ARG;
        snprintf(err->message, sizeof err->message, "the index or the model is closed");
        err->code = s;
        err->text_index = -1;
    } else if (a->dense.obj || !a->query) {
        le_index_query q;
        memset(&q, 0, sizeof q);
        q.text = a->query;
        q.text_len = (size_t)a->query_len;
        q.dense = a->dense.obj ? a->dense.buf : NULL;
        s = le_index_search(self->ix, &q, &a->so, hits, n, err);
    } else {
        s = le_index_search_text(self->ix, a->m ? a->m->m : NULL, a->query, &a->so, hits, n, err);
    }
    if (a->m) LEPY_UNLOCK(a->m->lock);
    LEPY_UNLOCK(self->lock);
    Py_END_ALLOW_THREADS
    return s;
}

/* The query's parts: text (str/bytes, may be None with dense), dense (a
 * float32 buffer of the index's dim, or None), model (or None). */
static int search_args_get(lepy_reader *self, search_args *a, PyObject *query, PyObject *dense,
                           PyObject *model, PyObject *opts) {
    memset(a, 0, sizeof *a);
    if (lepy_search_options(opts, &a->so) < 0) return -1;
    if (query != Py_None) {
        if (!(a->query = lepy_utf8(query, "query", &a->query_len))) return -1;
        if (memchr(a->query, 0, (size_t)a->query_len))
            return lepy_raise_msg(LE_ERR_ARG, "the query holds a NUL character"), -1;
    }
    if (model != Py_None && !(a->m = lepy_model_arg(model, 0))) return -1;
    if (dense == Py_None) {
        if (!a->query) return PyErr_SetString(PyExc_TypeError, "search: no query"), -1;
        return 0;
    }
    if (PyObject_GetBuffer(dense, &a->dense, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
    if (!reader_locked(self)) return PyBuffer_Release(&a->dense), -1;
    le_index_info ii;
    le_index_get_info(self->ix, &ii);
    LEPY_UNLOCK(self->lock);
    if ((size_t)a->dense.len == (size_t)ii.model.dim * sizeof(float) && ii.model.dim &&
        !strcmp(a->dense.format, "f"))
        return 0;
    PyBuffer_Release(&a->dense);
    PyErr_Format(PyExc_ValueError, "dense: need %d float32 values (the index's dim)", ii.model.dim);
    return -1;
}

/* search(query=None, dense=None, model=None, options=None, passages=False)
 * -> list of hit tuples (hit_tuple) */
static PyObject *reader_search(lepy_reader *self, PyObject *args, PyObject *kw) {
    static char *names[] = {"query", "dense", "model", "options", "passages", NULL};
    PyObject *query = Py_None, *dense = Py_None, *model = Py_None, *opts = Py_None;
    int want_passages = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOOOp", names, &query, &dense, &model, &opts,
                                     &want_passages))
        return NULL;
    search_args a;
    if (search_args_get(self, &a, query, dense, model, opts) < 0) return NULL;
    int k = a.so.k > 0 ? a.so.k : 10;
    le_index_hit *hits = PyMem_Calloc((size_t)k, sizeof *hits);
    le_hit_passage *ps = want_passages ? PyMem_Calloc((size_t)k, sizeof *ps) : NULL;
    PyObject *list = NULL;
    if (!hits || (want_passages && !ps)) {
        PyErr_NoMemory();
    } else {
        a.so.passages = ps;
        le_error err;
        int n = 0;
        if (run_search(self, &a, hits, &n, &err)) lepy_raise(&err);
        else if ((list = PyList_New(n)))
            for (int i = 0; i < n; i++) {
                PyObject *t = hit_tuple(&hits[i], ps ? &ps[i] : NULL);
                if (!t) {
                    Py_CLEAR(list);
                    break;
                }
                PyList_SET_ITEM(list, i, t);
            }
    }
    if (a.dense.obj) PyBuffer_Release(&a.dense);
    PyMem_Free(hits);
    PyMem_Free(ps);
    return list;
}

static PyObject *bytes_or_none(const char *p, size_t len) {
    if (!p) Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(p, (Py_ssize_t)len, "replace");
}

/* doc(i) -> (id, source, title, text or None, tokens, tokens_in_text, truncated) */
static PyObject *reader_doc(lepy_reader *self, PyObject *arg) {
    Py_ssize_t i = PyLong_AsSsize_t(arg);
    if ((i == -1 && PyErr_Occurred()) || !reader_locked(self)) return NULL;
    le_index_doc_info di;
    le_error err;
    PyObject *r = NULL;
    if (i < 0 || le_index_get_doc(self->ix, (size_t)i, &di, &err) != LE_OK)
        i < 0 ? PyErr_Format(PyExc_IndexError, "document %zd", i) : lepy_raise(&err);
    else
        r = Py_BuildValue("(NNNNiii)", lepy_str_or_none(di.id), lepy_str_or_none(di.source),
                          lepy_str_or_none(di.title), bytes_or_none(di.text, di.text_len),
                          di.tokens, di.tokens_in_text, di.truncated);
    LEPY_UNLOCK(self->lock);
    return r;
}

/* find(id) -> document number or -1 */
static PyObject *reader_find(lepy_reader *self, PyObject *arg) {
    Py_ssize_t len;
    const char *id = lepy_utf8(arg, "id", &len);
    if (!id || !reader_locked(self)) return NULL;
    long d = memchr(id, 0, (size_t)len) ? -1 : le_index_find(self->ix, id);
    LEPY_UNLOCK(self->lock);
    return PyLong_FromLong(d);
}

/* passages(doc) -> list of (byte_start, byte_end, token_start, token_end) */
static PyObject *reader_passages(lepy_reader *self, PyObject *arg) {
    Py_ssize_t d = PyLong_AsSsize_t(arg);
    if ((d == -1 && PyErr_Occurred()) || !reader_locked(self)) return NULL;
    size_t n = d < 0 ? 0 : le_index_doc_passages_count(self->ix, (size_t)d);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        le_passage p;
        le_error err;
        PyObject *t = le_index_get_passage(self->ix, (size_t)d, i, &p, &err)
                          ? lepy_raise(&err)
                          : Py_BuildValue("(nnii)", (Py_ssize_t)p.byte_start,
                                          (Py_ssize_t)p.byte_end, p.token_start, p.token_end);
        if (!t) Py_CLEAR(list);
        else PyList_SET_ITEM(list, (Py_ssize_t)i, t);
    }
    LEPY_UNLOCK(self->lock);
    return list;
}

static PyObject *reader_info(lepy_reader *self, PyObject *unused) {
    if (!reader_locked(self)) return NULL;
    le_index_info ii;
    le_index_get_info(self->ix, &ii);
    PyObject *d = lepy_index_info_dict(&ii);
    LEPY_UNLOCK(self->lock);
    return d;
}

static PyObject *reader_count(lepy_reader *self, void *unused) {
    if (!reader_locked(self)) return NULL;
    size_t n = le_index_count(self->ix);
    LEPY_UNLOCK(self->lock);
    return PyLong_FromSize_t(n);
}

static PyMethodDef g_reader_methods[] = {
    {"search", (PyCFunction)(void (*)(void))reader_search, METH_VARARGS | METH_KEYWORDS,
     "search(query=None, dense=None, model=None, options=None, passages=False) -> hits"},
    {"doc", (PyCFunction)reader_doc, METH_O, "doc(i) -> (id, source, title, text, tokens, "
                                             "tokens_in_text, truncated)"},
    {"find", (PyCFunction)reader_find, METH_O, "find(id) -> document number or -1"},
    {"passages", (PyCFunction)reader_passages, METH_O, "passages(doc) -> spans"},
    {"info", (PyCFunction)reader_info, METH_NOARGS, "info() -> dict (le_index_info)"},
    {"close", (PyCFunction)reader_close, METH_NOARGS, "close()"},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef g_reader_getset[] = {
    {"count", (getter)reader_count, NULL, "live documents", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

PyTypeObject lepy_reader_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "longembed._core.IndexReader",
    .tp_basicsize = sizeof(lepy_reader),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "IndexReader(path, options=None): a snapshot of the committed index",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)reader_init,
    .tp_dealloc = (destructor)reader_dealloc,
    .tp_methods = g_reader_methods,
    .tp_getset = g_reader_getset,
};
