/* The scripted fake generator of the QA pipeline tests: it answers each
 * prompt with the reply of the first script entry whose `when` text the
 * prompt contains (entries with `once` are used up), records every prompt
 * in order, counts a token per word, and with `chat` on says the prefix
 * was reused when a conversation starts like the previous one. Also a
 * BM25-only index of hand-made chunk documents. */
#ifndef LE_TESTS_RAG_FAKE_H
#define LE_TESTS_RAG_FAKE_H

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "generate/rag_pipeline.h"
#include "index/index_testutil.h" /* tu_tmpdir, tu_rmdir */

typedef struct fake_line {
    const char *when, *reply;
    int once, used;
} fake_line;

typedef struct fake_gen {
    fake_line *script;
    size_t n_script;
    const char *otherwise; /* the reply when no entry matches */
    char *prompts[64];
    size_t n_prompts;
    char *last_prefix;
    int chat_calls, reused, fail_at; /* fail_at > 0: the call with that number fails */
} fake_gen;

static inline size_t fake_words(const char *s, size_t n) {
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && (i == 0 || s[i - 1] == ' ' ||
                                                            s[i - 1] == '\n' || s[i - 1] == '\t'))
            w++;
    return w;
}

static inline le_status fake_count(void *ctx, const char *text, size_t len, size_t *n, le_error *err) {
    (void)ctx, (void)err;
    *n = fake_words(text, len);
    return LE_OK;
}

static inline le_status fake_generate(void *ctx, const char *prompt, size_t max_new, le_sbuf *out,
                               le_error *err) {
    fake_gen *f = ctx;
    (void)max_new;
    if (f->n_prompts < 64) f->prompts[f->n_prompts++] = strdup(prompt);
    if (f->fail_at && (int)f->n_prompts == f->fail_at)
        return le_fail(err, LE_ERR_INTERNAL, "the fake failed on purpose");
    for (size_t i = 0; i < f->n_script; i++) {
        fake_line *l = &f->script[i];
        if ((l->once && l->used) || !strstr(prompt, l->when)) continue;
        l->used = 1;
        le_sbuf_puts(out, l->reply);
        return LE_OK;
    }
    le_sbuf_puts(out, f->otherwise ? f->otherwise : "");
    return LE_OK;
}

static inline le_status fake_chat(void *ctx, const char *const *turns, size_t n, size_t max_new,
                           le_sbuf *out, int *reused, le_error *err) {
    fake_gen *f = ctx;
    f->chat_calls++;
    *reused = f->last_prefix && !strcmp(f->last_prefix, turns[0]);
    f->reused += *reused;
    free(f->last_prefix);
    f->last_prefix = strdup(turns[0]);
    return fake_generate(ctx, turns[n - 1], max_new, out, err);
}

static inline le_rag_gen fake_as_gen(fake_gen *f, size_t window, int with_chat) {
    le_rag_gen g = {.ctx = f, .generate = fake_generate, .count_tokens = fake_count,
                    .chat = with_chat ? fake_chat : NULL, .window = window};
    return g;
}

/* Forgets the recorded prompts. */
static inline void fake_reset(fake_gen *f) {
    for (size_t i = 0; i < f->n_prompts; i++) free(f->prompts[i]);
    f->n_prompts = 0;
}

static inline void fake_free(fake_gen *f) {
    for (size_t i = 0; i < f->n_prompts; i++) free(f->prompts[i]);
    free(f->last_prefix);
    memset(f, 0, sizeof *f);
}

/* A BM25-only index at dir/name holding docs[i] with ids ids[i]. */
static inline le_status fake_index(const char *path, const char *const *ids, const char *const *docs,
                            size_t n, le_error *err) {
    le_index_model im;
    le_index_model_init(&im);
    le_index_writer *w = NULL;
    le_status s = le_index_writer_open(path, &im, NULL, &w, err);
    for (size_t i = 0; !s && i < n; i++) {
        le_index_doc d = {0};
        d.id = ids[i];
        d.text = docs[i];
        s = le_index_writer_add(w, 1, &d, err);
    }
    if (!s) s = le_index_writer_commit(w, err);
    if (w) le_index_writer_close(w);
    return s;
}

/* An index at path of one document (id "x#0") with a vector of m's size
 * whose identity names "another-embedding-model" (m is model_dir's). */
static inline le_status fake_other_model_index(const char *path, le_model *m,
                                               const char *model_dir, le_error *err) {
    le_index_model im;
    le_status s = le_index_model_describe(m, model_dir, NULL, &im, err);
    if (s) return s;
    snprintf(im.name, sizeof im.name, "another-embedding-model");
    float *vec = calloc((size_t)im.dim, sizeof *vec);
    if (!vec) return LE_ERR_NOMEM;
    vec[0] = 1;
    le_index_doc d = {.id = "x#0", .text = "some text about buttons", .dense = vec};
    le_index_writer *w = NULL;
    s = le_index_writer_open(path, &im, NULL, &w, err);
    if (!s) s = le_index_writer_add(w, 1, &d, err);
    if (!s) s = le_index_writer_commit(w, err);
    if (w) le_index_writer_close(w);
    free(vec);
    return s;
}

#endif
