/* longembed._core.Model: one le_model, its lock, and the embedding calls.
 * Vectors go straight into the caller's buffer (a numpy array): le_embed
 * writes them there, nothing is copied. */
#include "core.h"

#include <string.h>

static int model_init(lepy_model *self, PyObject *args, PyObject *kw) {
    static char *names[] = {"model", "threads", "isa", "cache_dir", "allow_fetch", "precision",
                            NULL};
    const char *spec, *isa = NULL, *cache_dir = NULL, *precision = NULL;
    int threads = 0, allow_fetch = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|izzpz", names, &spec, &threads, &isa,
                                     &cache_dir, &allow_fetch, &precision))
        return -1;
    if (self->m) return PyErr_SetString(PyExc_RuntimeError, "Model.__init__ called twice"), -1;
    if (!self->lock && !(self->lock = PyThread_allocate_lock())) return PyErr_NoMemory(), -1;
    le_model_options mo;
    le_model_options_init(&mo);
    mo.threads = threads;
    mo.isa = isa;
    mo.cache_dir = cache_dir;
    mo.allow_fetch = allow_fetch;
    mo.precision = precision;
    le_error err;
    le_status s;
    le_model *m = NULL;
    Py_BEGIN_ALLOW_THREADS
    s = le_model_open(spec, &mo, &m, &err);
    Py_END_ALLOW_THREADS
    if (s) return lepy_raise(&err), -1;
    self->m = m;
    self->dim = le_model_dim(m);
    return 0;
}

/* Closes with the lock held: a call running on another thread ends first. */
static void model_close_now(lepy_model *self) {
    if (!self->lock) return;
    Py_BEGIN_ALLOW_THREADS
    LEPY_LOCK(self->lock);
    le_model_close(self->m);
    self->m = NULL;
    LEPY_UNLOCK(self->lock);
    Py_END_ALLOW_THREADS
}

static void model_dealloc(lepy_model *self) {
    if (self->m) le_model_close(self->m); /* no other reference, so no call runs */
    if (self->lock) PyThread_free_lock(self->lock);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *model_close(lepy_model *self, PyObject *unused) {
    model_close_now(self);
    Py_RETURN_NONE;
}

lepy_model *lepy_model_arg(PyObject *obj, int none_ok) {
    if (obj == Py_None && none_ok) return NULL;
    if (!PyObject_TypeCheck(obj, &lepy_model_type)) {
        PyErr_Format(PyExc_TypeError, "expected a longembed model, got %s", Py_TYPE(obj)->tp_name);
        return NULL;
    }
    lepy_model *m = (lepy_model *)obj;
    if (!m->m) {
        lepy_raise_msg(LE_ERR_ARG, "the model is closed");
        return NULL;
    }
    return m;
}

/* A writable C-contiguous buffer of exactly `bytes` bytes of `fmt` items. */
static int get_out_buffer(PyObject *obj, Py_buffer *view, size_t bytes, const char *fmt,
                          const char *what) {
    if (PyObject_GetBuffer(obj, view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return -1;
    const char *f = view->format ? view->format : "B";
    if (f[0] == '<' || f[0] == '=' || f[0] == '@') f++;
    if (strcmp(f, fmt) || (size_t)view->len != bytes) {
        PyErr_Format(PyExc_ValueError, "%s: need a writable buffer of %zu bytes of '%s' items",
                     what, bytes, fmt);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* embed(texts, out, results=None, options=None, progress=None): le_embed into
 * out (float32, n x dim) and, when given, results (int32, n x 4: tokens,
 * tokens_in_text, truncated, chunks). */
static PyObject *model_embed(lepy_model *self, PyObject *args, PyObject *kw) {
    static char *names[] = {"texts", "out", "results", "options", "progress", NULL};
    PyObject *texts, *out, *results = Py_None, *opts = Py_None, *progress = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|OOO", names, &texts, &out, &results, &opts,
                                     &progress))
        return NULL;
    if (!lepy_model_arg((PyObject *)self, 0)) return NULL;
    le_embed_options eo;
    lepy_texts t;
    if (lepy_embed_options(opts, &eo) < 0 || lepy_texts_get(texts, "texts", &t) < 0) return NULL;
    Py_buffer ov = {0}, rv = {0};
    size_t dim = (size_t)self->dim;
    int bad = get_out_buffer(out, &ov, t.n * dim * sizeof(float), "f", "out") < 0;
    if (!bad && results != Py_None)
        bad = get_out_buffer(results, &rv, t.n * sizeof(le_text_result), "i", "results") < 0;
    if (bad) {
        if (ov.obj) PyBuffer_Release(&ov);
        lepy_texts_free(&t);
        return NULL;
    }
    lepy_call call;
    lepy_call_init(&call, progress, &eo);
    le_error err;
    le_status s = LE_OK;
    Py_BEGIN_ALLOW_THREADS
    LEPY_LOCK(self->lock);
    if (!self->m) s = LE_ERR_ARG;
    else s = le_embed(self->m, t.n, t.ptr, t.len, &eo, ov.buf, rv.obj ? rv.buf : NULL, &err);
    LEPY_UNLOCK(self->lock);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&ov);
    if (rv.obj) PyBuffer_Release(&rv);
    lepy_texts_free(&t);
    if (lepy_call_done(&call, s, !self->m, "the model", &err) < 0) return NULL;
    Py_RETURN_NONE;
}

/* tokenize(text, add_special=True) -> list of token ids */
static PyObject *model_tokenize(lepy_model *self, PyObject *args, PyObject *kw) {
    static char *names[] = {"text", "add_special", NULL};
    PyObject *text;
    int special = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|p", names, &text, &special)) return NULL;
    Py_ssize_t len;
    const char *p = lepy_utf8(text, "text", &len);
    if (!p || !lepy_model_arg((PyObject *)self, 0)) return NULL;
    size_t cap = (size_t)len + 16, n = 0;
    int32_t *ids = NULL;
    le_error err;
    le_status s = LE_OK;
    Py_INCREF(text);
    Py_BEGIN_ALLOW_THREADS
    LEPY_LOCK(self->lock);
    for (int tries = 0; tries < 2 && !s; tries++) { /* a second try when cap was too small */
        int32_t *grown = realloc(ids, cap * sizeof *ids);
        if (!grown) s = LE_ERR_NOMEM;
        else if (!self->m) s = LE_ERR_ARG;
        else s = le_tokenize(self->m, p, (size_t)len, special, (ids = grown), cap, &n, &err);
        if (!s && n <= cap) break;
        cap = n;
    }
    LEPY_UNLOCK(self->lock);
    Py_END_ALLOW_THREADS
    Py_DECREF(text);
    PyObject *list = NULL;
    if (s == LE_ERR_NOMEM) PyErr_NoMemory();
    else if (s && !self->m) lepy_raise_msg(LE_ERR_ARG, "the model is closed");
    else if (s) lepy_raise(&err);
    else if ((list = PyList_New((Py_ssize_t)n)))
        for (size_t i = 0; i < n; i++) PyList_SET_ITEM(list, (Py_ssize_t)i, PyLong_FromLong(ids[i]));
    free(ids);
    return list;
}

/* The open model with its lock held (GIL held too), or NULL with the error. */
static lepy_model *model_locked(lepy_model *self) {
    lepy_lock_held(self->lock);
    if (self->m) return self;
    LEPY_UNLOCK(self->lock);
    lepy_raise_msg(LE_ERR_ARG, "the model is closed");
    return NULL;
}

static PyObject *model_info(lepy_model *self, PyObject *unused) {
    if (!model_locked(self)) return NULL;
    le_model_info mi;
    PyObject *d = le_model_get_info(self->m, &mi) != LE_OK
                      ? lepy_raise_msg(LE_ERR_INTERNAL, "le_model_get_info failed")
                      : lepy_model_info_dict(&mi, self->dim, le_model_backend(self->m));
    LEPY_UNLOCK(self->lock);
    return d;
}

static PyObject *model_dim(lepy_model *self, void *unused) {
    if (!lepy_model_arg((PyObject *)self, 0)) return NULL;
    return PyLong_FromLong(self->dim);
}

static PyObject *model_closed(lepy_model *self, void *unused) { return PyBool_FromLong(!self->m); }

static PyObject *model_has_m3(lepy_model *self, void *unused) {
    if (!model_locked(self)) return NULL;
    int has = le_model_has_m3(self->m);
    LEPY_UNLOCK(self->lock);
    return PyBool_FromLong(has);
}

/* token_piece(id) -> str or None */
static PyObject *model_token_piece(lepy_model *self, PyObject *arg) {
    long id = PyLong_AsLong(arg);
    if ((id == -1 && PyErr_Occurred()) || !model_locked(self)) return NULL;
    const char *p = id < INT32_MIN || id > INT32_MAX ? NULL : le_token_piece(self->m, (int32_t)id);
    PyObject *r = lepy_str_or_none(p);
    LEPY_UNLOCK(self->lock);
    return r;
}

/* prefix(name) -> the prefix a preset name stands for with this model */
static PyObject *model_prefix(lepy_model *self, PyObject *arg) {
    Py_ssize_t len;
    const char *name = lepy_utf8(arg, "name", &len);
    if (!name || !model_locked(self)) return NULL;
    PyObject *r = lepy_str_or_none(le_prefix_resolve(self->m, name));
    LEPY_UNLOCK(self->lock);
    return r;
}

PyObject *lepy_model_embed_passages(lepy_model *self, PyObject *args, PyObject *kw);
PyObject *lepy_model_embed_m3(lepy_model *self, PyObject *args, PyObject *kw);

static PyMethodDef g_model_methods[] = {
    {"embed", (PyCFunction)(void (*)(void))model_embed, METH_VARARGS | METH_KEYWORDS,
     "embed(texts, out, results=None, options=None, progress=None): le_embed into out"},
    {"embed_passages", (PyCFunction)(void (*)(void))lepy_model_embed_passages,
     METH_VARARGS | METH_KEYWORDS,
     "embed_passages(texts, options=None, passage_options=None, progress=None) -> "
     "(documents, vectors, spans, results)"},
    {"embed_m3", (PyCFunction)(void (*)(void))lepy_model_embed_m3, METH_VARARGS | METH_KEYWORDS,
     "embed_m3(texts, options=None, progress=None) -> list of (dense, ids, weights, colbert, "
     "n_colbert, colbert_dim)"},
    {"tokenize", (PyCFunction)(void (*)(void))model_tokenize, METH_VARARGS | METH_KEYWORDS,
     "tokenize(text, add_special=True) -> list of token ids"},
    {"token_piece", (PyCFunction)model_token_piece, METH_O, "token_piece(id) -> str or None"},
    {"prefix", (PyCFunction)model_prefix, METH_O, "prefix(name) -> the preset's prefix"},
    {"info", (PyCFunction)model_info, METH_NOARGS, "info() -> dict (le_model_info)"},
    {"close", (PyCFunction)model_close, METH_NOARGS, "close(): frees the model"},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef g_model_getset[] = {
    {"dim", (getter)model_dim, NULL, "vector dimensions", NULL},
    {"closed", (getter)model_closed, NULL, "True once closed", NULL},
    {"has_m3", (getter)model_has_m3, NULL, "the model has BGE-M3's sparse and ColBERT heads",
     NULL},
    {NULL, NULL, NULL, NULL, NULL}};

PyTypeObject lepy_model_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "longembed._core.Model",
    .tp_basicsize = sizeof(lepy_model),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "Model(model, threads=0, isa=None, cache_dir=None, allow_fetch=True, "
              "precision=None): an open le_model",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)model_init,
    .tp_dealloc = (destructor)model_dealloc,
    .tp_methods = g_model_methods,
    .tp_getset = g_model_getset,
};
