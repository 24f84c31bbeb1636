/* Ranked hits and a bounded top-k selection. The order of a ranking is the
 * same everywhere in the index layer: higher score first, and among equal
 * scores the lower document number first, so results never depend on the
 * order in which candidates were seen. */
#ifndef LE_INDEX_TOPK_H
#define LE_INDEX_TOPK_H

#include <stddef.h>
#include <stdint.h>

typedef struct le_hit {
    uint32_t doc; /* document number (its position in the collection) */
    float score;
} le_hit;

/* 1 when a ranks before b. */
static inline int le_hit_before(const le_hit *a, const le_hit *b) {
    return a->score > b->score || (a->score == b->score && a->doc < b->doc);
}

/* A min-heap of at most k hits whose root is the worst kept one, over a
 * caller-owned buffer of k hits. */
typedef struct le_topk {
    le_hit *heap;
    int k, n;
} le_topk;

void le_topk_init(le_topk *t, le_hit *buf, int k);
/* Offers one candidate; one with a NaN score (a vector of a damaged model
 * in an index written before they were refused) is no hit. */
void le_topk_push(le_topk *t, uint32_t doc, float score);
/* Sorts the kept hits best first (in place in the buffer) and returns how
 * many there are. The heap is spent afterwards. */
int le_topk_finish(le_topk *t);

/* Sorts hits[0..n) best first (the ranking order above). */
void le_hits_sort(le_hit *hits, size_t n);

#endif
