#include "index/passage_search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index/analyzer.h"
#include "index/fusion.h"
#include "index/passage_store.h"
#include "index/vecdot.h"

static le_status oom(le_error *err) {
    return le_fail(err, LE_ERR_NOMEM, "search: out of memory scoring passages");
}

/* ------------------------------------------------------------ dense scan */

/* Allocates what a passage scan of ix needs once: the best passage of each
 * live document, the packed segments, and scores for the largest segment. */
static le_status ensure_scratch(le_index *ix, le_error *err) {
    size_t nl = ix->n_live ? ix->n_live : 1, ns = (size_t)(ix->n_seg ? ix->n_seg : 1);
    if (!ix->pbest || !ix->pbest_score) {
        free(ix->pbest);
        free(ix->pbest_score);
        ix->pbest = malloc(nl * sizeof *ix->pbest);
        ix->pbest_score = malloc(nl * sizeof *ix->pbest_score);
        if (!ix->pbest || !ix->pbest_score) return oom(err);
    }
    if (!ix->pdense || !ix->pdense_ready) {
        free(ix->pdense);
        free(ix->pdense_ready);
        ix->pdense = calloc(ns, sizeof *ix->pdense);
        ix->pdense_ready = calloc(ns, sizeof *ix->pdense_ready);
        if (!ix->pdense || !ix->pdense_ready) return oom(err);
    }
    size_t most = 1;
    for (int s = 0; s < ix->n_seg; s++)
        if (ix->seg[s].n_pass > most) most = (size_t)ix->seg[s].n_pass;
    if (ix->pscores_cap < most) {
        free(ix->pscores);
        ix->pscores_cap = 0;
        if (!(ix->pscores = malloc(most * sizeof *ix->pscores))) return oom(err);
        ix->pscores_cap = most;
    }
    return LE_OK;
}

/* The scores of every passage of segment s for q, into ix->pscores. */
static le_status segment_scores(le_index *ix, int s, const float *q, le_error *err) {
    const le_segment *g = &ix->seg[s];
    if (g->encoding == LE_VEC_F32) {
        if (!ix->pdense_ready[s]) {
            le_status st =
                le_dense_build(&ix->pdense[s], g->pass_f32, (size_t)g->n_pass, g->dim, ix->kc.isa, err);
            if (st) return st;
            ix->pdense_ready[s] = 1;
        }
        le_dense_scores(&ix->pdense[s], &ix->kc, q, ix->pscores);
        return LE_OK;
    }
    const le_vdot_kernels *K = le_vdot();
    size_t dim = (size_t)g->dim;
    for (uint64_t x = 0; x < g->n_pass; x++)
        ix->pscores[x] = K->i8(q, g->pass_i8 + x * dim, g->dim) * g->pass_scale[x];
    return LE_OK;
}

/* The score of a document whose passages score sc[0..n) (n >= 1): the best
 * (topk <= 1) or the mean of the best topk, kept best first in top[]; *best
 * gets the best passage (the first of equals). */
le_status le_passage_dense(le_index *ix, const float *q, int k, int topk, le_hit *out, int *n_out,
                           le_error *err) {
    *n_out = 0;
    le_status st = ensure_scratch(ix, err);
    size_t t = topk > 1 ? (size_t)topk : 0;
    if (t > ix->pscores_cap) t = ix->pscores_cap; /* no document has more passages */
    float *top = NULL;
    if (!st && t > 1 && !(top = malloc(t * sizeof *top))) st = oom(err);
    le_topk tk;
    le_topk_init(&tk, out, k);
    for (int s = 0; s < ix->n_seg && !st; s++) {
        const le_segment *g = &ix->seg[s];
        if ((st = segment_scores(ix, s, q, err))) break;
        for (uint32_t d = 0; d < g->n_docs; d++) {
            if (le_bit_get(ix->del[s], d)) continue;
            uint64_t a, e;
            le_seg_pass_range(g, d, &a, &e);
            uint32_t o = le_index_live_number(ix, s, d), best;
            float sc = le_dense_group_score(ix->pscores + a, (size_t)(e - a), t, top, &best);
            ix->pbest[o] = best;
            ix->pbest_score[o] = ix->pscores[a + best];
            le_topk_push(&tk, o, sc);
        }
    }
    free(top);
    *n_out = le_topk_finish(&tk);
    return st;
}

/* ------------------------------------------------------ passages of hits */

/* The distinct query terms the BM25 postings hold, with their idf. */
typedef struct qterms {
    le_terms terms; /* the analysed query */
    size_t n;
    size_t *at;  /* [n]: term at[i] of `terms` */
    double *idf; /* [n] */
} qterms;

static void qterms_free(qterms *q) {
    le_terms_free(&q->terms);
    free(q->at);
    free(q->idf);
}

static le_status query_terms(const le_passage_query *pq, const le_analyzer_options *ao, qterms *q,
                             le_error *err) {
    le_status st = le_analyze(ao, pq->text, pq->text_len, &q->terms, err);
    if (st) return st;
    const le_terms *t = &q->terms;
    const le_bm25 *b = pq->bm25_index;
    q->at = malloc((t->n ? t->n : 1) * sizeof *q->at);
    q->idf = malloc((t->n ? t->n : 1) * sizeof *q->idf);
    if (!q->at || !q->idf) return oom(err);
    for (size_t i = 0; i < t->n; i++) {
        const char *s = t->buf + t->off[i];
        int repeat = 0;
        for (size_t j = 0; j < q->n && !repeat; j++)
            repeat = t->tlen[q->at[j]] == t->tlen[i] && !memcmp(t->buf + t->off[q->at[j]], s, t->tlen[i]);
        long id = repeat ? -1 : le_bm25_find_term(b, s, t->tlen[i]);
        if (id < 0) continue;
        q->at[q->n] = i;
        q->idf[q->n++] = le_bm25_idf(b->n_docs, (double)(b->post_off[id + 1] - b->post_off[id]));
    }
    return LE_OK;
}

/* The query term equal to s[0..len), or -1. */
static long query_term_of(const qterms *q, const char *s, size_t len) {
    for (size_t j = 0; j < q->n; j++)
        if (q->terms.tlen[q->at[j]] == len && !memcmp(q->terms.buf + q->terms.off[q->at[j]], s, len))
            return (long)j;
    return -1;
}

/* The BM25 scores of passages [a, a + n) of g (their text at `text`) for
 * the query terms q: each passage's length in terms against the mean of
 * these passages. */
static le_status passage_bm25(const le_segment *g, uint64_t a, size_t n, const char *text,
                              const qterms *q, const le_bm25_params *bp, double *out,
                              le_error *err) {
    uint32_t *len = malloc(n * sizeof *len), *tf = calloc(n * q->n + 1, sizeof *tf);
    le_terms pt = {0};
    le_status st = len && tf ? LE_OK : oom(err);
    double total = 0;
    for (size_t j = 0; j < n && !st; j++) {
        const le_pass_rec *r = &g->pass[a + j];
        st = le_analyze(&g->bm25.analyzer, text + r->byte_start,
                        (size_t)(r->byte_end - r->byte_start), &pt, err);
        len[j] = (uint32_t)pt.n;
        total += (double)pt.n;
        for (size_t i = 0; i < pt.n && !st; i++) {
            long x = query_term_of(q, pt.buf + pt.off[i], pt.tlen[i]);
            if (x >= 0) tf[j * q->n + (size_t)x]++;
        }
    }
    for (size_t j = 0; j < n && !st; j++) {
        double s = 0;
        for (size_t x = 0; x < q->n; x++)
            if (tf[j * q->n + x])
                s += le_bm25_term_score(bp, q->idf[x], tf[j * q->n + x], len[j], total / (double)n);
        out[j] = s;
    }
    le_terms_free(&pt);
    free(len);
    free(tf);
    return st;
}

/* The vector scores of passages [a, a + n) of g for the query vector q. */
static void passage_dense(const le_segment *g, uint64_t a, size_t n, const float *q, double *out) {
    const le_vdot_kernels *K = le_vdot();
    size_t dim = (size_t)g->dim;
    for (size_t j = 0; j < n; j++) {
        uint64_t x = a + j;
        out[j] = g->pass_f32 ? K->f32(q, g->pass_f32 + x * dim, g->dim)
                             : K->i8(q, g->pass_i8 + x * dim, g->dim) * g->pass_scale[x];
    }
}


/* The index of the largest of v[0..n) above `floor` (the first of equals), or -1. */
static long best_of(const double *v, size_t n, double floor) {
    long b = -1;
    for (size_t j = 0; j < n; j++)
        if (v[j] > floor && (b < 0 || v[j] > v[b])) b = (long)j;
    return b;
}

/* Fills h with passage j (>= 0) of the passages starting at record a of g. */
static void set_passage(le_hit_passage *h, const le_segment *g, uint64_t a, long j, double score) {
    if (j < 0) return;
    const le_pass_rec *r = &g->pass[a + (uint64_t)j];
    *h = (le_hit_passage){j,           (size_t)r->byte_start, (size_t)r->byte_end,
                          (int)r->token_start, (int)r->token_end, (float)score};
}

/* The best passage of document doc for a bm25 or hybrid search into h:
 * BM25 scores of its passages (bm, when the text is stored and the query
 * has terms the index holds), dense scores (hybrid), fused by z-scores. */
static le_status text_passage(le_index *ix, const le_passage_query *pq, const qterms *q, size_t doc,
                              le_hit_passage *h, le_error *err) {
    int s;
    uint32_t local;
    le_index_locate(ix, doc, &s, &local);
    const le_segment *g = &ix->seg[s];
    const le_doc_rec *r = &g->docs[local];
    uint64_t a, e;
    le_seg_pass_range(g, local, &a, &e);
    size_t n = (size_t)(e - a);
    int hybrid = pq->mode == LE_SEARCH_HYBRID, has_bm = q->n && (r->flags & LE_DOC_TEXT_STORED);
    double *bm = calloc(n, sizeof *bm), *dn = calloc(n, sizeof *dn);
    le_status st = bm && dn ? LE_OK : oom(err);
    if (!st && has_bm) st = passage_bm25(g, a, n, g->strings + r->text_off, q, &pq->bm25, bm, err);
    if (!st && !hybrid && has_bm) {
        long j = best_of(bm, n, 0); /* no passage holds a query term: none */
        set_passage(h, g, a, j, j >= 0 ? bm[j] : 0);
    }
    if (!st && hybrid) {
        passage_dense(g, a, n, pq->dense, dn);
        le_zscore(dn, n, 0); /* passages alike add nothing */
        le_zscore(bm, n, 0);
        for (size_t j = 0; j < n; j++) dn[j] = pq->dense_weight * dn[j] + pq->bm25_weight * bm[j];
        long j = best_of(dn, n, -INFINITY);
        set_passage(h, g, a, j, dn[j]);
    }
    free(bm);
    free(dn);
    return st;
}

le_status le_passage_hits(le_index *ix, const le_passage_query *pq, const le_index_hit *hits, int n,
                          le_hit_passage *out, le_error *err) {
    for (int i = 0; i < n; i++) out[i] = (le_hit_passage){.passage = -1};
    le_search_mode m = pq->mode;
    if (!ix->params.passages || (m != LE_SEARCH_DENSE && m != LE_SEARCH_BM25 && m != LE_SEARCH_HYBRID))
        return LE_OK;
    if (m == LE_SEARCH_DENSE) {
        for (int i = 0; i < n && pq->dense_scanned; i++) {
            int s;
            uint32_t local;
            uint64_t a, e;
            le_index_locate(ix, hits[i].doc, &s, &local);
            le_seg_pass_range(&ix->seg[s], local, &a, &e);
            set_passage(&out[i], &ix->seg[s], a, (long)ix->pbest[hits[i].doc],
                        ix->pbest_score[hits[i].doc]);
        }
        return LE_OK;
    }
    qterms q = {0};
    le_status st = LE_OK;
    if (pq->bm25_index && pq->text) st = query_terms(pq, &ix->params.analyzer, &q, err);
    for (int i = 0; i < n && !st; i++) st = text_passage(ix, pq, &q, hits[i].doc, &out[i], err);
    qterms_free(&q);
    return st;
}

void le_passage_search_free(le_index *ix) {
    for (int s = 0; ix->pdense && ix->pdense_ready && s < ix->n_seg; s++)
        if (ix->pdense_ready[s]) le_dense_free(&ix->pdense[s]);
    free(ix->pdense);
    free(ix->pdense_ready);
    free(ix->pscores);
    free(ix->pbest);
    free(ix->pbest_score);
}
