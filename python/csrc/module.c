/* longembed._core: the module, its exception, the texts and call hooks that
 * every type shares. */
#include "core.h"

#include <string.h>

PyObject *lepy_error;
/* threading.main_thread().ident when the module was imported: Python runs
 * signal handlers only there */
static unsigned long g_main_thread;

/* Builds and raises the exception with its status attributes. */
static PyObject *raise_full(le_status s, const char *msg, long text_index) {
    PyObject *e = PyObject_CallFunction(lepy_error, "s", msg);
    if (!e) return NULL;
    PyObject *st = PyLong_FromLong((long)s), *ti = PyLong_FromLong(text_index);
    PyObject *nm = PyUnicode_FromString(le_status_name(s));
    if (st && ti && nm && !PyObject_SetAttrString(e, "status", st) &&
        !PyObject_SetAttrString(e, "text_index", ti) &&
        !PyObject_SetAttrString(e, "status_name", nm))
        PyErr_SetObject(lepy_error, e);
    Py_XDECREF(st);
    Py_XDECREF(ti);
    Py_XDECREF(nm);
    Py_DECREF(e);
    return NULL;
}

PyObject *lepy_raise(const le_error *err) {
    /* a message that is not valid UTF-8 (a file name) is shown with replacements */
    PyObject *m = PyUnicode_DecodeUTF8(err->message, (Py_ssize_t)strlen(err->message), "replace");
    if (!m) return NULL;
    const char *u = PyUnicode_AsUTF8(m);
    if (u) raise_full(err->code, u, err->text_index);
    Py_DECREF(m);
    return NULL;
}

PyObject *lepy_raise_msg(le_status s, const char *msg) { return raise_full(s, msg, -1); }

const char *lepy_utf8(PyObject *obj, const char *what, Py_ssize_t *len) {
    if (PyUnicode_Check(obj)) return PyUnicode_AsUTF8AndSize(obj, len);
    if (PyBytes_Check(obj)) {
        *len = PyBytes_GET_SIZE(obj);
        return PyBytes_AS_STRING(obj);
    }
    PyErr_Format(PyExc_TypeError, "%s: expected str or bytes, got %s", what,
                 obj == Py_None ? "None" : Py_TYPE(obj)->tp_name);
    return NULL;
}

void lepy_texts_free(lepy_texts *t) {
    for (size_t i = 0; t->refs && i < t->n; i++) Py_XDECREF(t->refs[i]);
    PyMem_Free(t->ptr);
    PyMem_Free(t->len);
    PyMem_Free(t->refs);
    memset(t, 0, sizeof *t);
}

int lepy_texts_get(PyObject *seq, const char *what, lepy_texts *out) {
    memset(out, 0, sizeof *out);
    PyObject *fast = PySequence_Fast(seq, "texts must be a sequence of str");
    if (!fast) return -1;
    size_t n = (size_t)PySequence_Fast_GET_SIZE(fast);
    out->ptr = PyMem_Calloc(n ? n : 1, sizeof *out->ptr);
    out->len = PyMem_Calloc(n ? n : 1, sizeof *out->len);
    out->refs = PyMem_Calloc(n ? n : 1, sizeof *out->refs);
    if (!out->ptr || !out->len || !out->refs) {
        Py_DECREF(fast);
        lepy_texts_free(out);
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        PyObject *o = PySequence_Fast_GET_ITEM(fast, (Py_ssize_t)i);
        char name[64];
        snprintf(name, sizeof name, "%s[%zu]", what, i);
        Py_ssize_t len = 0;
        const char *p = lepy_utf8(o, name, &len);
        if (!p) {
            out->n = i;
            Py_DECREF(fast);
            lepy_texts_free(out);
            return -1;
        }
        Py_INCREF(o);
        out->refs[i] = o;
        out->ptr[i] = p;
        out->len[i] = (size_t)len;
    }
    out->n = n;
    Py_DECREF(fast);
    return 0;
}

/* le_embed_options.cancel: runs Python's signal handlers (main thread only) */
static int call_cancel(void *user) {
    lepy_call *c = user;
    if (c->failed) return 1;
    if (!c->interruptible) return 0;
    PyGILState_STATE g = PyGILState_Ensure();
    if (PyErr_CheckSignals() < 0) c->failed = 1;
    PyGILState_Release(g);
    return c->failed;
}

static void call_progress(size_t done, size_t total, void *user) {
    lepy_call *c = user;
    if (!c->progress || c->failed) return;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *r = PyObject_CallFunction(c->progress, "nn", (Py_ssize_t)done, (Py_ssize_t)total);
    if (r) Py_DECREF(r);
    else c->failed = 1;
    PyGILState_Release(g);
}

void lepy_call_init(lepy_call *c, PyObject *progress, le_embed_options *eo) {
    c->progress = progress == Py_None ? NULL : progress;
    c->interruptible = PyThread_get_thread_ident() == g_main_thread;
    c->failed = 0;
    eo->progress = call_progress;
    eo->cancel = call_cancel;
    eo->progress_user = c;
}

void lepy_lock_held(PyThread_type_lock lock) {
    if (PyThread_acquire_lock(lock, NOWAIT_LOCK)) return;
    Py_BEGIN_ALLOW_THREADS
    LEPY_LOCK(lock);
    Py_END_ALLOW_THREADS
}

int lepy_call_done(const lepy_call *c, le_status s, int closed, const char *what,
                   const le_error *err) {
    if (c->failed) return -1; /* the exception is already set */
    if (!s) return 0;
    if (closed) {
        PyErr_Format(lepy_error, "%s is closed", what);
        return -1;
    }
    lepy_raise(err);
    return -1;
}

/* The ident of Python's main thread (signals are handled only there). */
static int find_main_thread(void) {
    PyObject *th = PyImport_ImportModule("threading");
    PyObject *mt = th ? PyObject_CallMethod(th, "main_thread", NULL) : NULL;
    PyObject *id = mt ? PyObject_GetAttrString(mt, "ident") : NULL;
    if (id) g_main_thread = PyLong_AsUnsignedLong(id);
    Py_XDECREF(id);
    Py_XDECREF(mt);
    Py_XDECREF(th);
    return id && !PyErr_Occurred() ? 0 : -1;
}

static PyMethodDef g_functions[] = {
    {"bench", (PyCFunction)(void (*)(void))lepy_bench, METH_VARARGS | METH_KEYWORDS,
     "bench(model, options: dict) -> str: le_bench_run's report as JSON"},
    {"verify", (PyCFunction)(void (*)(void))lepy_verify, METH_VARARGS | METH_KEYWORDS,
     "verify(path, deep=False) -> dict: le_index_verify's info"},
    {"aliases", lepy_aliases, METH_NOARGS, "aliases() -> list of the model aliases"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef g_module = {PyModuleDef_HEAD_INIT, "_core",
                                      "longembed's C library (the public API of longembed.h)",
                                      -1, g_functions, NULL, NULL, NULL, NULL};

static int add_type(PyObject *mod, PyTypeObject *t, const char *name) {
    if (PyType_Ready(t) < 0) return -1;
    Py_INCREF(t);
    if (PyModule_AddObject(mod, name, (PyObject *)t) < 0) {
        Py_DECREF(t);
        return -1;
    }
    return 0;
}

PyMODINIT_FUNC PyInit__core(void) {
    PyObject *mod = PyModule_Create(&g_module);
    if (!mod || find_main_thread() < 0) goto fail;
    lepy_error = PyErr_NewExceptionWithDoc(
        "longembed.Error", "An error of the longembed library: .status (an le_status number), "
        ".status_name, .text_index (the offending text, or -1) and the library's message.",
        NULL, NULL);
    if (!lepy_error) goto fail;
    Py_INCREF(lepy_error);
    if (PyModule_AddObject(mod, "Error", lepy_error) < 0) goto fail;
    if (add_type(mod, &lepy_model_type, "Model") < 0 ||
        add_type(mod, &lepy_writer_type, "IndexWriter") < 0 ||
        add_type(mod, &lepy_reader_type, "IndexReader") < 0)
        goto fail;
    if (PyModule_AddStringConstant(mod, "version", le_version()) < 0) goto fail;
    return mod;
fail:
    Py_XDECREF(mod);
    return NULL;
}
