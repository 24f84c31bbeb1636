/* The synthetic tasks (docs/longembed.md §5.3): per nominal length L, n_docs
 * documents of at most 0.75·L words, each hiding one piece of information at
 * a random depth, and n_queries queries that each ask for one document's
 * piece; every query has exactly one relevant document, and all queries of a
 * length share its documents.
 *
 * passkey: filler sentences around "<Name>'s pass key is <N>. Remember it.
 *   <N> is the pass key for <Name>."; the query asks for the named person's
 *   pass key. Names come from data/names.txt, keys are 4-5 digits.
 * needle: the essays of the haystack (their first words, the same for every
 *   document of a length) with one fact of data/needles.jsonl inserted at a
 *   sentence boundary; the query is the fact's question.
 *
 * Every random choice comes from an xoshiro256** stream seeded by
 * le_synth_seed(seed, task, L), consumed in a fixed order. */
#include "eval/data.h"
#include "eval/rng.h"
#include "base/sbuf.h"
#include "eval/task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const g_filler[] = {"The grass is green.", "The sky is blue.",
                                       "The sun is yellow.", "Here we go.",
                                       "There and back again."};
#define N_FILLER 5

static size_t count_words(const char *s) {
    size_t n = 0;
    int in = 0;
    for (; *s; s++) {
        int sp = *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v';
        if (!sp && !in) n++;
        in = !sp;
    }
    return n;
}

static le_status check_options(const le_synth_options *o, const char *task, size_t most_docs,
                               const int **lengths, size_t *n_lengths, le_error *err) {
    if (o->n_docs < 1 || (size_t)o->n_docs > most_docs)
        return le_fail(err, LE_ERR_ARG, "%s: documents per length must be 1 to %zu (got %d)", task,
                       most_docs, o->n_docs);
    if (o->n_queries < 1 || o->n_queries > o->n_docs)
        return le_fail(err, LE_ERR_ARG,
                       "%s: queries per length must be 1 to the number of documents, %d (got %d)",
                       task, o->n_docs, o->n_queries);
    *lengths = o->lengths ? o->lengths : le_synth_lengths;
    *n_lengths = o->lengths ? o->n_lengths : LE_SYNTH_N_LENGTHS;
    for (size_t i = 0; i < *n_lengths; i++) {
        int ok = 0;
        for (int j = 0; j < LE_SYNTH_N_LENGTHS; j++) ok |= (*lengths)[i] == le_synth_lengths[j];
        if (!ok)
            return le_fail(err, LE_ERR_ARG,
                           "%s: length %d is not one of 256, 512, 1024, 2048, 4096, 8192, 16384, "
                           "32768",
                           task, (*lengths)[i]);
    }
    return LE_OK;
}

/* perm[0..n) = a uniformly random permutation of [0, n) */
static void shuffle(le_rng *r, uint32_t *perm, size_t n) {
    for (size_t i = 0; i < n; i++) perm[i] = (uint32_t)i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)le_rng_below(r, i);
        uint32_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
}

/* Adds the queries: query i asks about document target[i], for i < n_queries. */
static le_status add_queries(le_task *t, le_split *s, const uint32_t *target, int n_queries,
                             char *const *query_texts, le_error *err) {
    for (int i = 0; i < n_queries; i++) {
        char id[48];
        int il = snprintf(id, sizeof id, "ctx%d_query%d", s->length, i);
        const char *q = query_texts[i];
        if (le_texts_push(t, &s->queries, id, (size_t)il, q, strlen(q)) ||
            le_split_add_qrel(s, (uint32_t)i, target[i], 1))
            return le_fail(err, LE_ERR_NOMEM, "out of memory");
    }
    le_split_sort_qrels(s);
    return LE_OK;
}

static le_status new_split(le_task *t, int length, le_split **out, le_error *err) {
    char name[32];
    snprintf(name, sizeof name, "test_%d", length);
    le_texts *docs = le_task_new_corpus(t);
    le_split *s = docs ? le_task_add_split(t, name, length, docs) : NULL;
    if (!s) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    *out = s;
    return LE_OK;
}

static le_status push_doc(le_task *t, le_split *s, int j, const le_sbuf *b, le_error *err) {
    char id[48];
    int il = snprintf(id, sizeof id, "ctx%d_doc%d", s->length, j);
    if (b->failed || le_texts_push(t, s->docs, id, (size_t)il, b->p, b->n))
        return le_fail(err, LE_ERR_NOMEM, "out of memory");
    return LE_OK;
}

le_status le_passkey_generate(const le_synth_options *o, le_task *out, le_error *err) {
    const int *lengths;
    size_t n_lengths;
    le_task_init(out, "passkey", "synthetic", 1);
    le_status s = check_options(o, "passkey", le_data_n_names, &lengths, &n_lengths, err);
    if (s) {
        le_task_free(out);
        return s;
    }
    size_t filler_words[N_FILLER];
    for (int i = 0; i < N_FILLER; i++) filler_words[i] = count_words(g_filler[i]);
    uint32_t *names = malloc(le_data_n_names * sizeof *names);
    uint32_t *target = malloc((size_t)o->n_docs * sizeof *target);
    char **queries = calloc((size_t)o->n_docs, sizeof *queries);
    le_sbuf doc = {0};
    if (!names || !target || !queries) {
        s = le_fail(err, LE_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t li = 0; li < n_lengths && !s; li++) {
        int length = lengths[li];
        size_t budget = (size_t)length * 3 / 4;
        le_rng rng;
        le_rng_seed(&rng, le_synth_seed(o->seed, "passkey", length));
        le_split *sp;
        if ((s = new_split(out, length, &sp, err))) break;
        shuffle(&rng, names, le_data_n_names); /* document j gets names[j] */
        for (int j = 0; j < o->n_docs && !s; j++) {
            const char *name = le_data_names[names[j]];
            int key = (int)le_rng_range(&rng, 1000, 99999);
            char needle[512];
            snprintf(needle, sizeof needle,
                     "%s's pass key is %d. Remember it. %d is the pass key for %s.", name, key, key,
                     name);
            size_t nw = count_words(needle);
            /* whole filler sentences, in their cycle, up to the budget */
            size_t room = budget > nw ? budget - nw : 0, used = 0, n_sent = 0;
            while (used + filler_words[n_sent % N_FILLER] <= room)
                used += filler_words[n_sent++ % N_FILLER];
            size_t at = (size_t)le_rng_below(&rng, n_sent + 1); /* sentences before the key */
            doc.n = 0;
            for (size_t k = 0; k <= n_sent; k++) {
                if (k == at) {
                    if (doc.n) le_sbuf_puts(&doc, " ");
                    le_sbuf_puts(&doc, needle);
                }
                if (k == n_sent) break;
                if (doc.n) le_sbuf_puts(&doc, " ");
                le_sbuf_puts(&doc, g_filler[k % N_FILLER]);
            }
            s = push_doc(out, sp, j, &doc, err);
        }
        if (s) break;
        shuffle(&rng, target, (size_t)o->n_docs);
        for (int i = 0; i < o->n_queries; i++) {
            char q[256];
            snprintf(q, sizeof q, "what is the passkey for %s?", le_data_names[names[target[i]]]);
            free(queries[i]);
            if (!(queries[i] = strdup(q))) s = le_fail(err, LE_ERR_NOMEM, "out of memory");
        }
        if (!s) s = add_queries(out, sp, target, o->n_queries, queries, err);
    }
done:
    for (int i = 0; queries && i < o->n_docs; i++) free(queries[i]);
    free(queries);
    free(names);
    free(target);
    le_sbuf_free(&doc);
    if (s) le_task_free(out);
    return s;
}

/* 1 when word w ends a sentence: its last character other than closing
 * quotes and brackets is '.', '!' or '?'. */
static int ends_sentence(const char *w) {
    size_t n = strlen(w);
    while (n > 0 && strchr("\"')]", w[n - 1])) n--;
    return n > 0 && (w[n - 1] == '.' || w[n - 1] == '!' || w[n - 1] == '?');
}

le_status le_needle_generate(const le_synth_options *o, const le_haystack *h, le_task *out,
                             le_error *err) {
    const int *lengths;
    size_t n_lengths;
    le_task_init(out, "needle", "synthetic", 1);
    le_status s = check_options(o, "needle", le_data_n_needles, &lengths, &n_lengths, err);
    if (s) {
        le_task_free(out);
        return s;
    }
    uint32_t *facts = malloc(le_data_n_needles * sizeof *facts);
    uint32_t *target = malloc((size_t)o->n_docs * sizeof *target);
    char **queries = calloc((size_t)o->n_docs, sizeof *queries);
    le_sbuf doc = {0};
    if (!facts || !target || !queries) {
        s = le_fail(err, LE_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t li = 0; li < n_lengths && !s; li++) {
        int length = lengths[li];
        size_t budget = (size_t)length * 3 / 4;
        if (h->n_words < budget) {
            s = le_fail(err, LE_ERR_ARG, "needle: the haystack has %zu words; length %d needs %zu",
                        h->n_words, length, budget);
            break;
        }
        le_rng rng;
        le_rng_seed(&rng, le_synth_seed(o->seed, "needle", length));
        le_split *sp;
        if ((s = new_split(out, length, &sp, err))) break;
        shuffle(&rng, facts, le_data_n_needles); /* document j gets facts[j] */
        for (int j = 0; j < o->n_docs && !s; j++) {
            const char *fact = le_data_needles[facts[j]].fact;
            size_t fw = count_words(fact);
            size_t nw = budget > fw ? budget - fw : 0;
            /* a random depth, moved back to the start of its sentence */
            size_t at = (size_t)le_rng_below(&rng, nw + 1);
            while (at > 0 && !ends_sentence(h->words[at - 1])) at--;
            doc.n = 0;
            for (size_t k = 0; k <= nw; k++) {
                if (k == at) {
                    if (doc.n) le_sbuf_puts(&doc, " ");
                    le_sbuf_puts(&doc, fact);
                }
                if (k == nw) break;
                if (doc.n) le_sbuf_puts(&doc, " ");
                le_sbuf_puts(&doc, h->words[k]);
            }
            s = push_doc(out, sp, j, &doc, err);
        }
        if (s) break;
        shuffle(&rng, target, (size_t)o->n_docs);
        for (int i = 0; i < o->n_queries; i++) {
            free(queries[i]);
            if (!(queries[i] = strdup(le_data_needles[facts[target[i]]].question)))
                s = le_fail(err, LE_ERR_NOMEM, "out of memory");
        }
        if (!s) s = add_queries(out, sp, target, o->n_queries, queries, err);
    }
done:
    for (int i = 0; queries && i < o->n_docs; i++) free(queries[i]);
    free(queries);
    free(facts);
    free(target);
    le_sbuf_free(&doc);
    if (s) le_task_free(out);
    return s;
}
