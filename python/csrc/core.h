/* The CPython extension longembed._core: thin types over the public C API
 * (include/longembed.h) that the pure-Python layer (src/longembed/) wraps.
 * Every C call that can take time runs with the GIL released; a handle's
 * calls are serialised by its own lock (the C API allows one call at a time
 * per model, reader and writer), so several Python threads may share one. */
#ifndef LEPY_CORE_H
#define LEPY_CORE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "longembed.h"

/* longembed.Error: .status (int), .status_name, .text_index, args[0] the message */
extern PyObject *lepy_error;

/* Raises longembed.Error from err (status, message); returns NULL. */
PyObject *lepy_raise(const le_error *err);
/* Raises longembed.Error with status s and a message of ours; returns NULL. */
PyObject *lepy_raise_msg(le_status s, const char *msg);

/* A list of texts as the C API takes them. The items (str or bytes) are
 * held, so their UTF-8 stays valid while the GIL is released even if the
 * caller's list changes meanwhile. */
typedef struct lepy_texts {
    size_t n;
    const char **ptr;
    size_t *len;
    PyObject **refs;
} lepy_texts;

/* -1 with TypeError/UnicodeEncodeError naming the item (what[i]). */
int lepy_texts_get(PyObject *seq, const char *what, lepy_texts *out);
void lepy_texts_free(lepy_texts *t);
/* One str or bytes as UTF-8 (borrowed from obj); NULL with an exception. */
const char *lepy_utf8(PyObject *obj, const char *what, Py_ssize_t *len);

/* Options from a dict of keyword values (None or absent: the default). The
 * strings point into the dict's values, which the caller keeps alive. */
int lepy_embed_options(PyObject *d, le_embed_options *eo);
int lepy_search_options(PyObject *d, le_search_options *so);
int lepy_index_options(PyObject *d, le_index_options *io);
int lepy_passage_options(PyObject *d, le_passage_options *po);
int lepy_bench_options(PyObject *d, le_bench_options *bo);

/* One long call's hooks: progress (a Python callable, may be NULL) and
 * cancel, which, on the main thread, runs Python's signal handlers so that
 * Ctrl-C (KeyboardInterrupt) stops the call between forward batches. The
 * exception stays set for the caller to return. */
typedef struct lepy_call {
    PyObject *progress;
    int interruptible; /* called from the main thread */
    int failed;        /* a Python exception is pending */
} lepy_call;

void lepy_call_init(lepy_call *c, PyObject *progress, le_embed_options *eo);
/* After the C call: 0 when it succeeded; else -1 with the exception set: the
 * pending Python one (Ctrl-C, a raising progress callable), "<what> is
 * closed" when a handle was closed meanwhile, or the library's error. */
int lepy_call_done(const lepy_call *c, le_status s, int closed, const char *what,
                   const le_error *err);
/* [(tokens, tokens_in_text, truncated, chunks)] of n results */
PyObject *lepy_results_list(const le_text_result *res, size_t n);

/* Acquire a handle's lock with the GIL released (inside Py_BEGIN_ALLOW_THREADS). */
#define LEPY_LOCK(lock) PyThread_acquire_lock((lock), WAIT_LOCK)
#define LEPY_UNLOCK(lock) PyThread_release_lock(lock)

/* Takes a lock with the GIL held, for short calls that need the GIL too:
 * when it is busy, waits with the GIL released. Deadlock-free because no
 * thread waits for a lock while holding the GIL. */
void lepy_lock_held(PyThread_type_lock lock);

/* The model type; other types take a model argument. */
typedef struct lepy_model {
    PyObject_HEAD
    le_model *m;
    PyThread_type_lock lock;
    int dim; /* le_model_dim, kept for calls that size buffers before locking */
} lepy_model;

extern PyTypeObject lepy_model_type;
extern PyTypeObject lepy_writer_type;
extern PyTypeObject lepy_reader_type;

/* The open model of obj (a lepy_model, or None when none_ok); NULL with
 * longembed.Error when closed, TypeError when not a model. *none gets 1 for None. */
lepy_model *lepy_model_arg(PyObject *obj, int none_ok);

/* d[k] = v, taking v's reference; a failure (v NULL) leaves an exception set,
 * which the builder checks once at the end. */
void lepy_dict_set(PyObject *d, const char *k, PyObject *v);
/* a str decoded with replacements, or None for NULL */
PyObject *lepy_str_or_none(const char *s);

/* dicts of the library's info structs */
PyObject *lepy_model_info_dict(const le_model_info *mi, int dim, const char *backend);
PyObject *lepy_index_info_dict(const le_index_info *ii);

/* module-level functions */
PyObject *lepy_bench(PyObject *self, PyObject *args, PyObject *kw);
PyObject *lepy_verify(PyObject *self, PyObject *args, PyObject *kw);
PyObject *lepy_aliases(PyObject *self, PyObject *unused);

#endif
