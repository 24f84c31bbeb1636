#include "index/bm25.h"

#include "base/array.h"
#include "base/map.h"
#include "index/bitmap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void le_bm25_params_init(le_bm25_params *p) {
    p->k1 = 1.2;
    p->b = 0.75;
}

void le_bm25_free(le_bm25 *ix) {
    free(ix->term_bytes);
    free(ix->term_off);
    free(ix->post_off);
    free(ix->post_doc);
    free(ix->post_tf);
    free(ix->doc_len);
    memset(ix, 0, sizeof *ix);
}

void le_bm25_scratch_free(le_bm25_scratch *s) {
    free(s->acc);
    free(s->touched);
    le_terms_free(&s->terms);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------- building */

/* (term, doc, tf): one document's count of one term */
typedef struct triple {
    uint32_t term, doc, tf;
} triple;

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The bytes of each term number, for sorting (qsort has no context argument). */
typedef struct term_keys {
    const char **key;
    uint32_t *len;
} term_keys;
static const term_keys *g_sort_keys;

static int cmp_term_bytes(const void *pa, const void *pb) {
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    const term_keys *k = g_sort_keys;
    return le_bm25_term_cmp(k->key[a], k->len[a], k->key[b], k->len[b]);
}

/* What a build gathers from the documents before the dictionary is sorted. */
typedef struct bm25_builder {
    le_map tt;  /* term bytes -> term number, numbered in first-seen order */
    triple *tr; /* (term, doc, tf) in document order */
    size_t n_tr, tr_cap;
    le_terms terms; /* the current document's analysed terms */
    uint32_t *ids;  /* their term numbers */
    size_t ids_cap;
    term_keys keys;  /* [n_terms] each term number's bytes */
    uint32_t *order; /* [n_terms] term numbers in byte order */
    uint32_t *rank;  /* [n_terms] the place of each term number in that order */
} bm25_builder;

static void builder_free(bm25_builder *b) {
    le_map_free(&b->tt);
    free(b->tr);
    free(b->keys.key);
    free(b->keys.len);
    le_terms_free(&b->terms);
    free(b->ids);
    free(b->order);
    free(b->rank);
}

static le_status build_oom(size_t n, le_error *err) {
    return le_fail(err, LE_ERR_NOMEM, "bm25: out of memory while indexing %zu documents", n);
}

/* Analyses document d, text[0..len): its length into ix->doc_len[d], one
 * (term, d, count) triple per distinct term into b->tr. n is for the
 * out-of-memory message. */
static le_status add_doc(le_bm25 *ix, bm25_builder *b, size_t d, const char *text, size_t len,
                         size_t n, le_error *err) {
    le_terms *terms = &b->terms;
    le_status s = le_analyze(&ix->analyzer, text, len, terms, err);
    if (s) return s;
    if (terms->n > UINT32_MAX)
        return le_fail(err, LE_ERR_ARG, "bm25: document %zu has too many terms", d);
    ix->doc_len[d] = (uint32_t)terms->n;
    ix->total_len += terms->n;
    if (le_array_reserve(b->ids, b->ids_cap, terms->n)) return build_oom(n, err);
    for (size_t i = 0; i < terms->n; i++) {
        /* a new term gets the next number */
        if (le_map_get_or_put(&b->tt, terms->buf + terms->off[i], terms->tlen[i],
                              (uint32_t)b->tt.count, &b->ids[i]))
            return build_oom(n, err);
    }
    if (terms->n > 1) qsort(b->ids, terms->n, sizeof *b->ids, cmp_u32);
    for (size_t i = 0; i < terms->n;) {
        size_t j = i;
        while (j < terms->n && b->ids[j] == b->ids[i]) j++;
        triple t = {b->ids[i], (uint32_t)d, (uint32_t)(j - i)};
        if (le_array_push(b->tr, b->n_tr, b->tr_cap, t)) return build_oom(n, err);
        i = j;
    }
    return LE_OK;
}

/* Each term number's bytes, from the map, into b->keys; *bytes gets their
 * total length. -1 when out of memory. */
static int collect_terms(bm25_builder *b, size_t *bytes) {
    size_t nt = b->tt.count;
    b->keys.key = malloc((nt ? nt : 1) * sizeof *b->keys.key);
    b->keys.len = malloc((nt ? nt : 1) * sizeof *b->keys.len);
    if (!b->keys.key || !b->keys.len) return -1;
    *bytes = 0;
    le_map_entry e;
    for (size_t pos = 0; le_map_next(&b->tt, &pos, &e);) {
        b->keys.key[e.val] = e.key;
        b->keys.len[e.val] = (uint32_t)e.len;
        *bytes += e.len;
    }
    return 0;
}

/* Allocates ix's dictionary (of bytes term bytes) and postings for the
 * gathered terms and triples, and b's order and rank; -1 when out of
 * memory. */
static int alloc_index(le_bm25 *ix, bm25_builder *b, size_t bytes) {
    uint32_t nt = (uint32_t)b->tt.count;
    size_t np = b->n_tr;
    ix->n_terms = nt;
    b->order = malloc((nt ? nt : 1) * sizeof *b->order);
    b->rank = malloc((nt ? nt : 1) * sizeof *b->rank);
    ix->term_off = malloc(((size_t)nt + 1) * sizeof *ix->term_off);
    ix->post_off = calloc((size_t)nt + 1, sizeof *ix->post_off);
    ix->term_bytes = malloc(bytes ? bytes : 1);
    ix->post_doc = malloc((np ? np : 1) * sizeof *ix->post_doc);
    ix->post_tf = malloc((np ? np : 1) * sizeof *ix->post_tf);
    return b->order && b->rank && ix->term_off && ix->post_off && ix->term_bytes && ix->post_doc &&
                   ix->post_tf
               ? 0
               : -1;
}

/* Writes the dictionary in byte order (term_bytes, term_off) and each term
 * number's rank in it. */
static void sort_dictionary(le_bm25 *ix, bm25_builder *b) {
    const term_keys *k = &b->keys;
    uint32_t nt = ix->n_terms;
    for (uint32_t i = 0; i < nt; i++) b->order[i] = i;
    g_sort_keys = k;
    if (nt > 1) qsort(b->order, nt, sizeof *b->order, cmp_term_bytes);
    g_sort_keys = NULL;
    uint64_t boff = 0;
    for (uint32_t r = 0; r < nt; r++) {
        uint32_t id = b->order[r];
        b->rank[id] = r;
        ix->term_off[r] = boff;
        if (k->len[id]) memcpy(ix->term_bytes + boff, k->key[id], k->len[id]);
        boff += k->len[id];
    }
    ix->term_off[nt] = boff;
}

/* Lays the triples out as postings, term by term in dictionary order;
 * -1 when out of memory. */
static int fill_postings(le_bm25 *ix, const bm25_builder *b) {
    uint32_t nt = ix->n_terms;
    const triple *tr = b->tr;
    for (size_t i = 0; i < b->n_tr; i++) ix->post_off[b->rank[tr[i].term] + 1]++;
    for (uint32_t r = 0; r < nt; r++) ix->post_off[r + 1] += ix->post_off[r];
    /* triples are in document order, so each term's postings come out sorted */
    uint64_t *fill = malloc(((size_t)nt + 1) * sizeof *fill);
    if (!fill) return -1;
    memcpy(fill, ix->post_off, ((size_t)nt + 1) * sizeof *fill);
    for (size_t i = 0; i < b->n_tr; i++) {
        uint64_t at = fill[b->rank[tr[i].term]]++;
        ix->post_doc[at] = tr[i].doc;
        ix->post_tf[at] = tr[i].tf;
    }
    free(fill);
    return 0;
}

le_status le_bm25_build(le_bm25 *ix, size_t n, const char *const *texts, const size_t *lens,
                        const le_analyzer_options *ao, le_error *err) {
    memset(ix, 0, sizeof *ix);
    if (n >= UINT32_MAX) return le_fail(err, LE_ERR_ARG, "bm25: too many documents (%zu)", n);
    if (ao) ix->analyzer = *ao;
    ix->n_docs = (uint32_t)n;
    bm25_builder b = {0};
    le_map_init(&b.tt, &le_map_copied);
    le_status s = LE_OK;
    size_t bytes = 0;
    ix->doc_len = calloc(n ? n : 1, sizeof *ix->doc_len);
    if (!ix->doc_len) s = build_oom(n, err);
    for (size_t d = 0; d < n && !s; d++)
        s = add_doc(ix, &b, d, texts[d], lens ? lens[d] : strlen(texts[d]), n, err);
    if (!s && (collect_terms(&b, &bytes) || alloc_index(ix, &b, bytes))) s = build_oom(n, err);
    if (!s) sort_dictionary(ix, &b);
    if (!s && fill_postings(ix, &b)) s = build_oom(n, err);
    if (s) le_bm25_free(ix);
    builder_free(&b);
    return s;
}

/* -------------------------------------------------------------- merging */

/* A merge in progress: the sources, the new numbers of their documents,
 * a cursor on each one's dictionary, and how much of out is filled. */
typedef struct bm25_merger {
    le_bm25 *out;
    int n_src;
    const le_bm25 *const *src;
    uint32_t **map; /* [n_src][n_docs]: new number, or UINT32_MAX when deleted */
    uint32_t *cur;  /* [n_src]: the number of each source's next term */
    uint32_t nt;    /* terms, postings and term bytes written */
    uint64_t np, nb;
} bm25_merger;

/* Numbers the live documents of the sources in order (g->map) and bounds
 * what the merged index holds: *n_docs documents, at most *terms terms,
 * *post postings and *bytes term bytes. -1 when out of memory. */
static int number_live(bm25_merger *g, const uint8_t *const *deleted, uint64_t *n_docs,
                       uint64_t *terms, uint64_t *post, uint64_t *bytes) {
    for (int i = 0; i < g->n_src; i++) {
        const le_bm25 *b = g->src[i];
        g->map[i] = malloc(((size_t)b->n_docs + 1) * sizeof **g->map);
        if (!g->map[i]) return -1;
        for (uint32_t d = 0; d < b->n_docs; d++)
            g->map[i][d] =
                le_bit_get(deleted ? deleted[i] : NULL, d) ? UINT32_MAX : (uint32_t)(*n_docs)++;
        *terms += b->n_terms;
        *post += b->n_terms ? b->post_off[b->n_terms] : 0;
        *bytes += b->n_terms ? b->term_off[b->n_terms] : 0;
    }
    return 0;
}

/* Allocates out's arrays for n_docs documents and at most the given terms,
 * postings and term bytes; -1 when out of memory. */
static int alloc_merged(le_bm25 *out, uint64_t n_docs, uint64_t terms, uint64_t post,
                        uint64_t bytes) {
    out->n_docs = (uint32_t)n_docs;
    out->doc_len = malloc((n_docs ? n_docs : 1) * sizeof *out->doc_len);
    out->term_bytes = malloc(bytes ? bytes : 1);
    out->term_off = malloc((terms + 1) * sizeof *out->term_off);
    out->post_off = malloc((terms + 1) * sizeof *out->post_off);
    out->post_doc = malloc((post ? post : 1) * sizeof *out->post_doc);
    out->post_tf = malloc((post ? post : 1) * sizeof *out->post_tf);
    if (!out->doc_len || !out->term_bytes || !out->term_off || !out->post_off || !out->post_doc ||
        !out->post_tf)
        return -1;
    return 0;
}

/* Copies the live documents' lengths to their new numbers, and their sum. */
static void merge_doc_lens(bm25_merger *g) {
    for (int i = 0; i < g->n_src; i++)
        for (uint32_t d = 0; d < g->src[i]->n_docs; d++)
            if (g->map[i][d] != UINT32_MAX) {
                g->out->doc_len[g->map[i][d]] = g->src[i]->doc_len[d];
                g->out->total_len += g->src[i]->doc_len[d];
            }
}

/* Whether source b's cursor c is on a term, the term being s[0..len). */
static int cursor_at(const le_bm25 *b, uint32_t c, const char *s, size_t len) {
    if (c >= b->n_terms) return 0;
    size_t l = (size_t)(b->term_off[c + 1] - b->term_off[c]);
    return l == len && !memcmp(b->term_bytes + b->term_off[c], s, l);
}

/* The smallest term under the cursors (*len its length), NULL when every
 * source is past its last term. */
static const char *smallest_term(const bm25_merger *g, size_t *len) {
    const char *best = NULL;
    size_t best_len = 0;
    for (int i = 0; i < g->n_src; i++) {
        const le_bm25 *b = g->src[i];
        if (g->cur[i] >= b->n_terms) continue;
        const char *t = b->term_bytes + b->term_off[g->cur[i]];
        size_t l = (size_t)(b->term_off[g->cur[i] + 1] - b->term_off[g->cur[i]]);
        if (!best || le_bm25_term_cmp(t, l, best, best_len) < 0) {
            best = t;
            best_len = l;
        }
    }
    *len = best_len;
    return best;
}

/* Appends term[0..len) with the live postings of every source whose cursor
 * is on it, renumbered, in source order (so in document order); a term with
 * no live posting is left out. */
static void append_term(bm25_merger *g, const char *term, size_t len) {
    le_bm25 *out = g->out;
    uint64_t start = g->np;
    for (int i = 0; i < g->n_src; i++) {
        const le_bm25 *b = g->src[i];
        if (!cursor_at(b, g->cur[i], term, len)) continue;
        for (uint64_t x = b->post_off[g->cur[i]]; x < b->post_off[g->cur[i] + 1]; x++) {
            uint32_t nd = g->map[i][b->post_doc[x]];
            if (nd == UINT32_MAX) continue;
            out->post_doc[g->np] = nd;
            out->post_tf[g->np++] = b->post_tf[x];
        }
    }
    if (g->np > start) {
        memcpy(out->term_bytes + g->nb, term, len);
        g->nb += len;
        g->nt++;
        out->term_off[g->nt] = g->nb;
        out->post_off[g->nt] = g->np;
    }
}

/* Moves every cursor on term[0..len) past it. */
static void advance_cursors(bm25_merger *g, const char *term, size_t len) {
    for (int i = 0; i < g->n_src; i++)
        if (cursor_at(g->src[i], g->cur[i], term, len)) g->cur[i]++;
}

/* Fills out: the document lengths, then the union of the dictionaries in
 * byte order with each term's live postings. */
static void merge_all_terms(bm25_merger *g) {
    merge_doc_lens(g);
    g->out->term_off[0] = 0;
    g->out->post_off[0] = 0;
    size_t len;
    /* term points into a source: the cursors move only after it is copied */
    for (const char *term; (term = smallest_term(g, &len));) {
        append_term(g, term, len);
        advance_cursors(g, term, len);
    }
    g->out->n_terms = g->nt;
}

le_status le_bm25_merge(le_bm25 *out, const le_analyzer_options *ao, int n_src,
                        const le_bm25 *const *src, const uint8_t *const *deleted, le_error *err) {
    memset(out, 0, sizeof *out);
    if (ao) out->analyzer = *ao;
    bm25_merger g = {.out = out, .n_src = n_src, .src = src};
    g.map = calloc((size_t)n_src, sizeof *g.map);
    g.cur = calloc((size_t)n_src, sizeof *g.cur);
    uint64_t n_docs = 0, terms = 0, post = 0, bytes = 0;
    int oom = !g.map || !g.cur || number_live(&g, deleted, &n_docs, &terms, &post, &bytes);
    int too_many = !oom && (n_docs >= UINT32_MAX || terms >= UINT32_MAX);
    le_status st = LE_OK;
    if (too_many)
        st = le_fail(err, LE_ERR_ARG, "bm25 merge: too many documents or terms");
    else if (oom || alloc_merged(out, n_docs, terms, post, bytes))
        st = le_fail(err, LE_ERR_NOMEM, "bm25 merge: out of memory");
    else
        merge_all_terms(&g);
    if (st) le_bm25_free(out);
    for (int i = 0; g.map && i < n_src; i++) free(g.map[i]);
    free(g.map);
    free(g.cur);
    return st;
}

/* ------------------------------------------------------------- searching */

long le_bm25_find_term(const le_bm25 *ix, const char *s, size_t len) {
    size_t lo = 0, hi = ix->n_terms;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *t = ix->term_bytes + ix->term_off[mid];
        size_t tl = (size_t)(ix->term_off[mid + 1] - ix->term_off[mid]);
        int c = le_bm25_term_cmp(t, tl, s, len);
        if (c == 0) return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

le_status le_bm25_search(const le_bm25 *ix, const le_bm25_params *p, const char *q, size_t qlen,
                         int k, le_bm25_scratch *s, le_hit *hits, int *n_out, le_error *err) {
    *n_out = 0;
    le_bm25_params def;
    if (!p) {
        le_bm25_params_init(&def);
        p = &def;
    }
    if (!(p->k1 >= 0) || !(p->b >= 0 && p->b <= 1))
        return le_fail(err, LE_ERR_ARG, "bm25: k1 must be >= 0 and b in [0, 1] (k1 %g, b %g)",
                       p->k1, p->b);
    le_bm25_scratch own = {0};
    if (!s) s = &own;
    le_status st = LE_OK;
    if (s->cap < ix->n_docs) {
        free(s->acc);
        free(s->touched);
        s->acc = calloc(ix->n_docs, sizeof *s->acc);
        s->touched = malloc(ix->n_docs * sizeof *s->touched);
        s->cap = s->acc && s->touched ? ix->n_docs : 0;
        if (!s->cap) {
            st = le_fail(err, LE_ERR_NOMEM, "bm25: out of memory");
            goto done;
        }
    }
    if ((st = le_analyze(&ix->analyzer, q, qlen, &s->terms, err))) goto done;
    double n = ix->n_docs;
    double avgdl = ix->n_docs ? (double)ix->total_len / n : 0;
    size_t n_touched = 0;
    const le_terms *t = &s->terms;
    for (size_t i = 0; i < t->n; i++) {
        const char *ts = t->buf + t->off[i];
        size_t tl = t->tlen[i];
        int repeat = 0;
        for (size_t j = 0; j < i && !repeat; j++)
            repeat = t->tlen[j] == tl && !memcmp(t->buf + t->off[j], ts, tl);
        if (repeat) continue;
        long id = le_bm25_find_term(ix, ts, tl);
        if (id < 0) continue;
        uint64_t a = ix->post_off[id], e = ix->post_off[id + 1];
        double idf = le_bm25_idf(n, (double)(e - a));
        for (uint64_t x = a; x < e; x++) {
            uint32_t d = ix->post_doc[x];
            if (s->acc[d] == 0) s->touched[n_touched++] = d;
            s->acc[d] += le_bm25_term_score(p, idf, ix->post_tf[x], ix->doc_len[d], avgdl);
        }
    }
    le_topk top;
    le_topk_init(&top, hits, k);
    for (size_t i = 0; i < n_touched; i++) {
        uint32_t d = s->touched[i];
        le_topk_push(&top, d, (float)s->acc[d]);
        s->acc[d] = 0;
    }
    *n_out = le_topk_finish(&top);
done:
    if (s == &own) le_bm25_scratch_free(&own);
    return st;
}
