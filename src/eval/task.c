#include "eval/task.h"

#include "base/array.h"
#include "base/hash.h"

#include <stdlib.h>
#include <string.h>

const int le_synth_lengths[LE_SYNTH_N_LENGTHS] = {256, 512, 1024, 2048, 4096, 8192, 16384, 32768};

void le_task_init(le_task *t, const char *name, const char *source, int synthetic) {
    memset(t, 0, sizeof *t);
    le_arena_init(&t->arena, 1 << 20);
    t->name = le_arena_strdup(&t->arena, name ? name : "");
    t->source = le_arena_strdup(&t->arena, source ? source : "");
    t->synthetic = synthetic;
    t->by_length = synthetic;
}

static void texts_free(le_texts *x) {
    free(x->ids);
    free(x->texts);
    free(x->lens);
}

void le_task_free(le_task *t) {
    for (size_t i = 0; i < t->n_splits; i++) {
        texts_free(&t->splits[i].queries);
        free(t->splits[i].qrels);
    }
    free(t->splits);
    for (size_t i = 0; i < t->n_corpora; i++) {
        texts_free(t->corpora[i]);
        free(t->corpora[i]);
    }
    free(t->corpora);
    le_arena_free(&t->arena);
    memset(t, 0, sizeof *t);
}

le_texts *le_task_new_corpus(le_task *t) {
    if (le_array_reserve(t->corpora, t->cap_corpora, t->n_corpora + 1)) return NULL;
    le_texts *x = calloc(1, sizeof *x);
    if (!x) return NULL;
    t->corpora[t->n_corpora++] = x;
    return x;
}

le_split *le_task_add_split(le_task *t, const char *name, int length, le_texts *docs) {
    if (le_array_reserve(t->splits, t->cap_splits, t->n_splits + 1)) return NULL;
    le_split *s = &t->splits[t->n_splits];
    memset(s, 0, sizeof *s);
    s->name = le_arena_strdup(&t->arena, name);
    if (!s->name) return NULL;
    s->length = length;
    s->docs = docs;
    t->n_splits++;
    return s;
}

int le_texts_push_ref(le_texts *x, const char *id, const char *text, size_t len) {
    if (le_array_reserve(x->ids, x->ids_cap, x->n + 1) ||
        le_array_reserve(x->texts, x->texts_cap, x->n + 1) ||
        le_array_reserve(x->lens, x->lens_cap, x->n + 1))
        return -1;
    x->ids[x->n] = id;
    x->texts[x->n] = text;
    x->lens[x->n] = len;
    x->n++;
    return 0;
}

int le_texts_push(le_task *t, le_texts *x, const char *id, size_t id_len, const char *text,
                  size_t len) {
    char *i = le_arena_strndup(&t->arena, id, id_len);
    char *s = le_arena_strndup(&t->arena, text, len);
    if (!i || !s) return -1;
    return le_texts_push_ref(x, i, s, len);
}

int le_split_add_qrel(le_split *s, uint32_t query, uint32_t doc, int score) {
    le_qrel q = {query, doc, score};
    return le_array_push(s->qrels, s->n_qrels, s->cap_qrels, q) ? -1 : 0;
}

void le_task_keep_lengths(le_task *t, const int *lengths, size_t n) {
    size_t kept = 0;
    for (size_t i = 0; i < t->n_splits; i++) {
        le_split *s = &t->splits[i];
        int keep = 0;
        for (size_t j = 0; j < n && !keep; j++) keep = s->length == lengths[j];
        if (keep) {
            t->splits[kept++] = *s;
        } else {
            texts_free(&s->queries);
            free(s->qrels);
        }
    }
    t->n_splits = kept;
}

static int cmp_qrel(const void *pa, const void *pb) {
    const le_qrel *a = pa, *b = pb;
    if (a->query != b->query) return a->query < b->query ? -1 : 1;
    return (a->doc > b->doc) - (a->doc < b->doc);
}

void le_split_sort_qrels(le_split *s) {
    if (s->n_qrels > 1) qsort(s->qrels, s->n_qrels, sizeof *s->qrels, cmp_qrel);
}

const le_qrel *le_split_qrels_of(const le_split *s, uint32_t q, size_t *n_out) {
    size_t lo = 0, hi = s->n_qrels;
    while (lo < hi) { /* first judgement of query >= q */
        size_t mid = (lo + hi) / 2;
        if (s->qrels[mid].query < q)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < s->n_qrels && s->qrels[end].query == q) end++;
    *n_out = end - lo;
    return s->qrels + lo;
}

void le_synth_options_init(le_synth_options *o) {
    memset(o, 0, sizeof *o);
    o->seed = 42;
    o->n_queries = 50;
    o->n_docs = 100;
}

uint64_t le_synth_seed(uint64_t seed, const char *task, int length) {
    uint64_t h = le_hash64(task, strlen(task), seed);
    return le_mix64(h ^ le_mix64((uint64_t)length));
}
