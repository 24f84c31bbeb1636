/* Token choice (generate/sample.h). Candidates are ordered by logit, then
 * by id, so that ties never depend on the sort. */
#include "generate/sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double le_sampler_uniform(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

le_status le_sampler_init(le_sampler *s, const le_sample_params *p, int vocab, le_error *err) {
    memset(s, 0, sizeof *s);
    if (isnan(p->temperature) || p->temperature > 1e6)
        return le_fail(err, LE_ERR_ARG, "temperature must be a number <= 1e6 (0: greedy), got %g",
                       (double)p->temperature);
    if (p->top_k < 0) return le_fail(err, LE_ERR_ARG, "top_k must be >= 0, got %d", p->top_k);
    if (!(p->top_p > 0 && p->top_p <= 1))
        return le_fail(err, LE_ERR_ARG, "top_p must be in (0, 1], got %g", (double)p->top_p);
    if (!(p->min_p >= 0 && p->min_p < 1))
        return le_fail(err, LE_ERR_ARG, "min_p must be in [0, 1), got %g", (double)p->min_p);
    if (!(p->repeat_penalty > 0 && p->repeat_penalty < 1e6))
        return le_fail(err, LE_ERR_ARG, "repeat_penalty must be > 0, got %g",
                       (double)p->repeat_penalty);
    if (p->repeat_last_n < -1)
        return le_fail(err, LE_ERR_ARG, "repeat_last_n must be >= -1, got %d", p->repeat_last_n);
    if (vocab < 1) return le_fail(err, LE_ERR_ARG, "empty vocabulary");
    s->p = *p;
    s->rng = p->seed;
    s->vocab = vocab;
    s->cand = malloc(sizeof *s->cand * (size_t)vocab);
    s->prob = malloc(sizeof *s->prob * (size_t)vocab);
    if (!s->cand || !s->prob) {
        le_sampler_free(s);
        return le_fail(err, LE_ERR_NOMEM, "out of memory");
    }
    return LE_OK;
}

void le_sampler_free(le_sampler *s) {
    free(s->cand);
    free(s->prob);
    memset(s, 0, sizeof *s);
}

/* The CTRL penalty once per distinct token of the window (prob marks them). */
static void penalize(le_sampler *s, float *logits, const int32_t *hist, size_t n) {
    const float pen = s->p.repeat_penalty;
    if (pen == 1.0f || !n) return;
    const size_t last = s->p.repeat_last_n, from = s->p.repeat_last_n < 0 || n <= last ? 0 : n - last;
    for (size_t i = from; i < n; i++) s->prob[hist[i]] = 0;
    for (size_t i = from; i < n; i++) {
        const int32_t t = hist[i];
        if (t < 0 || t >= s->vocab || s->prob[t] != 0) continue;
        s->prob[t] = 1;
        logits[t] = logits[t] > 0 ? logits[t] / pen : logits[t] * pen;
    }
}

static int better(const le_sample_cand *a, const le_sample_cand *b) {
    return a->logit > b->logit || (a->logit == b->logit && a->id < b->id);
}

static int cmp_cand(const void *pa, const void *pb) {
    const le_sample_cand *a = pa, *b = pb;
    return better(a, b) ? -1 : better(b, a) ? 1 : 0;
}

/* Sift-down of a min-heap (the worst candidate at the root). */
static void sift(le_sample_cand *h, size_t n, size_t i) {
    for (;;) {
        size_t w = i, l = 2 * i + 1, r = l + 1;
        if (l < n && better(&h[w], &h[l])) w = l;
        if (r < n && better(&h[w], &h[r])) w = r;
        if (w == i) return;
        le_sample_cand t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

/* The k best of c[0..n) into c[0..k) (a heap over the first k). */
static void keep_top_k(le_sample_cand *c, size_t n, size_t k) {
    for (size_t i = k / 2; i-- > 0;) sift(c, k, i);
    for (size_t i = k; i < n; i++)
        if (better(&c[i], &c[0])) {
            c[0] = c[i];
            sift(c, k, 0);
        }
}

static int32_t argmax(const float *x, int n) {
    int32_t b = 0;
    for (int i = 1; i < n; i++)
        if (x[i] > x[b]) b = i;
    return b;
}

/* Candidates after temperature and top-k, sorted best first; returns their count. */
static size_t candidates(le_sampler *s, const float *logits) {
    size_t n = (size_t)s->vocab;
    for (size_t i = 0; i < n; i++) {
        s->cand[i].id = (int32_t)i;
        s->cand[i].logit = logits[i] / s->p.temperature;
    }
    if (s->p.top_k > 0 && (size_t)s->p.top_k < n) {
        keep_top_k(s->cand, n, (size_t)s->p.top_k);
        n = (size_t)s->p.top_k;
    }
    qsort(s->cand, n, sizeof *s->cand, cmp_cand);
    return n;
}

int32_t le_sampler_next(le_sampler *s, float *logits, const int32_t *history, size_t n_hist) {
    penalize(s, logits, history, n_hist);
    if (!(s->p.temperature > 0)) return argmax(logits, s->vocab);
    size_t n = candidates(s, logits);
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += s->prob[i] = exp((double)s->cand[i].logit - s->cand[0].logit);
    size_t keep = n;
    if (s->p.top_p < 1) {
        double cum = 0;
        for (keep = 0; keep < n;) {
            cum += s->prob[keep++];
            if (cum >= s->p.top_p * sum) break;
        }
    }
    if (s->p.min_p > 0)
        for (size_t i = 1; i < keep; i++)
            if (s->prob[i] < s->p.min_p * s->prob[0]) {
                keep = i;
                break;
            }
    double kept = 0;
    for (size_t i = 0; i < keep; i++) kept += s->prob[i];
    double u = le_sampler_uniform(&s->rng) * kept;
    for (size_t i = 0; i < keep; i++) {
        u -= s->prob[i];
        if (u < 0) return s->cand[i].id;
    }
    return s->cand[keep - 1].id;
}
