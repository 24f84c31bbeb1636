#include "index/topk.h"

#include <math.h>
#include <stdlib.h>

void le_topk_init(le_topk *t, le_hit *buf, int k) {
    t->heap = buf;
    t->k = k > 0 ? k : 0;
    t->n = 0;
}

/* heap order: the root is the hit that every other kept hit ranks before */
static int worse(const le_hit *a, const le_hit *b) { return le_hit_before(b, a); }

static void sift_down(le_hit *h, int n, int i) {
    for (;;) {
        int l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && worse(&h[l], &h[w])) w = l;
        if (r < n && worse(&h[r], &h[w])) w = r;
        if (w == i) return;
        le_hit tmp = h[i];
        h[i] = h[w];
        h[w] = tmp;
        i = w;
    }
}

void le_topk_push(le_topk *t, uint32_t doc, float score) {
    if (t->k == 0 || isnan(score)) return; /* a NaN vector's score ranks nothing */
    le_hit c = {doc, score};
    if (t->n < t->k) {
        int i = t->n++;
        t->heap[i] = c;
        while (i > 0) {
            int p = (i - 1) / 2;
            if (!worse(&t->heap[i], &t->heap[p])) break;
            le_hit tmp = t->heap[i];
            t->heap[i] = t->heap[p];
            t->heap[p] = tmp;
            i = p;
        }
        return;
    }
    if (!le_hit_before(&c, &t->heap[0])) return;
    t->heap[0] = c;
    sift_down(t->heap, t->n, 0);
}

int le_topk_finish(le_topk *t) {
    /* heap sort: repeatedly move the worst to the end */
    int n = t->n;
    for (int end = n - 1; end > 0; end--) {
        le_hit tmp = t->heap[0];
        t->heap[0] = t->heap[end];
        t->heap[end] = tmp;
        sift_down(t->heap, end, 0);
    }
    t->n = 0;
    return n;
}

static int cmp_hit(const void *pa, const void *pb) {
    const le_hit *a = pa, *b = pb;
    if (le_hit_before(a, b)) return -1;
    if (le_hit_before(b, a)) return 1;
    return 0;
}

void le_hits_sort(le_hit *hits, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (isnan(hits[i].score)) hits[i].score = -INFINITY;
    if (n > 1) qsort(hits, n, sizeof *hits, cmp_hit);
}
