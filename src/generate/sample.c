/* Token choice (generate/sample.h). Candidates are ordered by logit, then
 * by id (index/topk.h's ranking), so that ties never depend on the sort. */
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

static int32_t argmax(const float *x, int n) {
    int32_t b = 0;
    for (int i = 1; i < n; i++)
        if (x[i] > x[b]) b = i;
    return b;
}

/* Candidates after temperature and top-k, sorted best first (index/topk.h's
 * order: logit, then id); returns their count. */
static size_t candidates(le_sampler *s, const float *logits) {
    const float t = s->p.temperature;
    if (s->p.top_k > 0 && s->p.top_k < s->vocab) {
        le_topk k;
        le_topk_init(&k, s->cand, s->p.top_k);
        for (int i = 0; i < s->vocab; i++) le_topk_push(&k, (uint32_t)i, logits[i] / t);
        return (size_t)le_topk_finish(&k);
    }
    for (int i = 0; i < s->vocab; i++) s->cand[i] = (le_hit){(uint32_t)i, logits[i] / t};
    le_hits_sort(s->cand, (size_t)s->vocab);
    return (size_t)s->vocab;
}

int32_t le_sampler_next(le_sampler *s, float *logits, const int32_t *history, size_t n_hist) {
    penalize(s, logits, history, n_hist);
    if (!(s->p.temperature > 0)) return argmax(logits, s->vocab);
    size_t n = candidates(s, logits);
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += s->prob[i] = exp((double)s->cand[i].score - s->cand[0].score);
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
        if (u < 0) return (int32_t)s->cand[i].doc;
    }
    return (int32_t)s->cand[keep - 1].doc;
}
