/* In-memory copies of decoder KV prefixes (llm_prefix_cache.h). */
#include "generate/llm_prefix_cache.h"
#include "model/llama.h"

#include <stdlib.h>
#include <string.h>

static size_t row_floats(const le_llm_run *r) { return (size_t)le_llama_kv_dim(&r->m->c); }

static size_t copy_bytes(const le_llm_run *r, size_t n) {
    return n * (sizeof(int32_t) + 2 * (size_t)r->m->c.layers * row_floats(r) * sizeof(float));
}

static void drop(le_prefix_cache *pc, size_t i, const le_llm_run *r) {
    pc->bytes -= copy_bytes(r, pc->c[i].n);
    free(pc->c[i].ids);
    free(pc->c[i].kv);
    pc->c[i] = pc->c[--pc->count];
}

/* Keeps the first n tokens of copy i (n < its length): the rows of each
 * layer move down, then the block shrinks. */
static void cut(le_prefix_cache *pc, size_t i, const le_llm_run *r, size_t n) {
    le_kv_copy *k = &pc->c[i];
    const size_t row = row_floats(r), old = k->n;
    for (int l = 0; l < r->m->c.layers; l++)
        for (int kv = 0; kv < 2; kv++)
            memmove(k->kv + (size_t)(2 * l + kv) * n * row,
                    k->kv + (size_t)(2 * l + kv) * old * row, n * row * sizeof(float));
    float *kv2 = realloc(k->kv, copy_bytes(r, n) - n * sizeof *k->ids);
    if (kv2) k->kv = kv2;
    k->n = n;
    pc->bytes -= copy_bytes(r, old) - copy_bytes(r, n);
}

size_t le_prefix_cache_restore(le_prefix_cache *pc, le_llm_run *r, const int32_t *ids, size_t n,
                               size_t have) {
    size_t best = pc->count, best_len = have + LE_PREFIX_MIN;
    for (size_t i = 0; i < pc->count; i++) {
        size_t c = le_ids_shared(pc->c[i].ids, pc->c[i].n, ids, n);
        if (c > best_len) best = i, best_len = c;
    }
    if (best == pc->count) return have;
    if (best_len == n) best_len--; /* the last token runs again for its logits */
    le_error e;
    if (le_llm_run_reserve(r, (int)best_len, &e)) return have;
    le_kv_copy *k = &pc->c[best];
    const size_t row = row_floats(r);
    for (int l = 0; l < r->m->c.layers; l++) {
        memcpy(r->k[l], k->kv + (size_t)(2 * l) * k->n * row, best_len * row * sizeof(float));
        memcpy(r->v[l], k->kv + (size_t)(2 * l + 1) * k->n * row, best_len * row * sizeof(float));
    }
    memcpy(r->ids, k->ids, best_len * sizeof *r->ids);
    r->n = (int)best_len;
    if (best_len < k->n) cut(pc, best, r, best_len);
    k->used = ++pc->clock;
    pc->hits++;
    pc->restored_tokens += best_len;
    return best_len;
}

/* The least recently used copies go until need more bytes fit. */
static void make_room(le_prefix_cache *pc, const le_llm_run *r, size_t need) {
    while (pc->count && pc->bytes + need > pc->budget) {
        size_t old = 0;
        for (size_t i = 1; i < pc->count; i++)
            if (pc->c[i].used < pc->c[old].used) old = i;
        drop(pc, old, r);
    }
}

void le_prefix_cache_note(le_prefix_cache *pc, const le_llm_run *r, size_t n, size_t fresh,
                          int restored) {
    const size_t need = copy_bytes(r, n);
    if (restored || fresh < LE_PREFIX_MIN || 2 * fresh < n || need > pc->budget) return;
    if (n > (size_t)r->n) return;
    for (size_t i = pc->count; i-- > 0;) /* a copy the new one holds whole is redundant */
        if (le_ids_shared(pc->c[i].ids, pc->c[i].n, r->ids, n) == pc->c[i].n) drop(pc, i, r);
    make_room(pc, r, need);
    if (pc->count == pc->cap) {
        size_t cap = pc->cap ? 2 * pc->cap : 8;
        le_kv_copy *c = realloc(pc->c, cap * sizeof *c);
        if (!c) return;
        pc->c = c, pc->cap = cap;
    }
    le_kv_copy k = {malloc(n * sizeof *k.ids), malloc(need - n * sizeof *k.ids), n, ++pc->clock};
    if (!k.ids || !k.kv) {
        free(k.ids);
        free(k.kv);
        return;
    }
    const size_t row = row_floats(r);
    memcpy(k.ids, r->ids, n * sizeof *k.ids);
    for (int l = 0; l < r->m->c.layers; l++) {
        memcpy(k.kv + (size_t)(2 * l) * n * row, r->k[l], n * row * sizeof(float));
        memcpy(k.kv + (size_t)(2 * l + 1) * n * row, r->v[l], n * row * sizeof(float));
    }
    pc->c[pc->count++] = k;
    pc->bytes += need;
}

void le_prefix_cache_free(le_prefix_cache *pc) {
    for (size_t i = 0; i < pc->count; i++) {
        free(pc->c[i].ids);
        free(pc->c[i].kv);
    }
    free(pc->c);
    memset(pc, 0, sizeof *pc);
}
