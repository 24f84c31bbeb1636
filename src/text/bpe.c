/* The BPE model's merge loop, as tokenizers' Word::merge_all runs it
 * (models/bpe/word.rs, without dropout): the symbols of a word form a linked
 * list; every adjacent pair with a merge is a candidate in a min-heap keyed
 * by (rank, position); the best candidate merges when its two symbols are
 * still the ones it was made for, and the new symbol's pairs with its
 * neighbours become candidates. O(n log n) in the word's length.
 *
 * Byte level: a word is raw bytes and each byte starts as the token of its
 * alphabet character (le_bpe_byte_char), so no word is ever re-spelled.
 * Otherwise a word is UTF-8 and each character starts as its own token;
 * unknown ones become <0xXX> tokens (byte_fallback), the unk token (fused
 * when fuse_unk), or nothing. */
#include "text/bpe_internal.h"
#include "text/utf8.h"

#include <stdlib.h>
#include <string.h>

/* Words up to this many bytes merge on the stack. */
#define BPE_STACK 64

typedef struct bpe_sym {
    int32_t id, prev, next; /* id -2: merged into its left neighbour */
} bpe_sym;

typedef struct bpe_cand {
    uint32_t rank;
    int32_t pos, left, right, id;
} bpe_cand;

static int cand_before(const bpe_cand *a, const bpe_cand *b) {
    return a->rank != b->rank ? a->rank < b->rank : a->pos < b->pos;
}

static void heap_push(bpe_cand *h, size_t *n, bpe_cand c) {
    size_t i = (*n)++;
    while (i > 0 && cand_before(&c, &h[(i - 1) / 2])) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = c;
}

static bpe_cand heap_pop(bpe_cand *h, size_t *n) {
    bpe_cand top = h[0], last = h[--(*n)];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n) break;
        if (c + 1 < *n && cand_before(&h[c + 1], &h[c])) c++;
        if (!cand_before(&h[c], &last)) break;
        h[i] = h[c];
        i = c;
    }
    if (*n) h[i] = last;
    return top;
}

/* The pair starting at symbol pos, as a candidate when a merge exists. */
static void pair_push(const bpe *b, const bpe_sym *sym, int32_t pos, bpe_cand *h, size_t *nh) {
    int32_t nx = sym[pos].next;
    if (nx < 0) return;
    int32_t key[2] = {sym[pos].id, sym[nx].id};
    int64_t k = le_map_get(&b->pairs, (const char *)key, sizeof key);
    if (k < 0) return;
    heap_push(h, nh, (bpe_cand){b->merges[k].rank, pos, key[0], key[1], b->merges[k].id});
}

static void merge_all(const bpe *b, bpe_sym *sym, size_t n, bpe_cand *h) {
    size_t nh = 0;
    for (size_t i = 0; i + 1 < n; i++) pair_push(b, sym, (int32_t)i, h, &nh);
    while (nh) {
        bpe_cand c = heap_pop(h, &nh);
        bpe_sym *l = &sym[c.pos];
        if (l->id != c.left || l->next < 0 || sym[l->next].id != c.right) continue;
        int32_t r = l->next;
        l->id = c.id;
        l->next = sym[r].next;
        if (l->next >= 0) sym[l->next].prev = c.pos;
        sym[r].id = -2;
        if (l->prev >= 0) pair_push(b, sym, l->prev, h, &nh);
        pair_push(b, sym, c.pos, h, &nh);
    }
}

/* Appends symbol id to the list (ids < 0 are dropped). */
static void sym_add(bpe_sym *sym, size_t *n, int32_t id) {
    if (id < 0) return;
    sym[*n] = (bpe_sym){id, (int32_t)*n - 1, -1};
    if (*n) sym[*n - 1].next = (int32_t)*n;
    (*n)++;
}

/* A character of a non-byte-level word that is not in the vocabulary. */
static void sym_unknown(const bpe *b, bpe_sym *sym, size_t *n, const char *c, size_t len,
                        int *prev_unk) {
    if (b->byte_fallback) {
        size_t k = 0;
        while (k < len && b->fallback[(uint8_t)c[k]] >= 0) k++;
        if (k == len) {
            for (k = 0; k < len; k++) sym_add(sym, n, b->fallback[(uint8_t)c[k]]);
            *prev_unk = 0;
            return;
        }
    }
    if (!(b->fuse_unk && *prev_unk)) sym_add(sym, n, b->unk_id);
    *prev_unk = b->unk_id >= 0;
}

/* The word's first symbols; returns their count (at most n). */
static size_t word_symbols(const bpe *b, const char *w, size_t n, bpe_sym *sym) {
    size_t ns = 0;
    int prev_unk = 0;
    if (b->byte_level) {
        for (size_t i = 0; i < n; i++) {
            int32_t id = b->byte_ids[(uint8_t)w[i]];
            if (id >= 0) {
                sym_add(sym, &ns, id);
                prev_unk = 0;
            } else {
                sym_unknown(b, sym, &ns, w + i, 1, &prev_unk);
            }
        }
        return ns;
    }
    for (size_t i = 0; i < n;) {
        size_t at = i;
        le_utf8_next(w, n, &i);
        int32_t id = le_vocab_find(b->vocab, w + at, i - at);
        if (id >= 0) {
            sym_add(sym, &ns, id);
            prev_unk = 0;
        } else {
            sym_unknown(b, sym, &ns, w + at, i - at, &prev_unk);
        }
    }
    return ns;
}

le_status le_bpe_tokenize(const void *impl, const char *w, size_t n, le_ids *out) {
    const bpe *b = impl;
    if (b->ignore_merges) {
        int32_t id = b->byte_level ? (int32_t)le_map_get(&b->raw, w, n) : le_vocab_find(b->vocab, w, n);
        if (id >= 0) return le_ids_push(out, id);
    }
    bpe_sym stack_sym[BPE_STACK];
    bpe_cand stack_heap[3 * BPE_STACK];
    bpe_sym *sym = stack_sym;
    bpe_cand *heap = stack_heap;
    if (n > BPE_STACK) {
        sym = malloc(n * sizeof *sym);
        heap = malloc(3 * n * sizeof *heap);
        if (!sym || !heap) {
            free(sym);
            free(heap);
            return LE_ERR_NOMEM;
        }
    }
    size_t ns = word_symbols(b, w, n, sym);
    merge_all(b, sym, ns, heap);
    le_status st = LE_OK;
    for (int32_t i = ns ? 0 : -1; i >= 0 && !st; i = sym[i].next) st = le_ids_push(out, sym[i].id);
    if (sym != stack_sym) {
        free(sym);
        free(heap);
    }
    return st;
}

void le_bpe_destroy(void *impl) {
    bpe *b = impl;
    if (!b) return;
    le_map_free(&b->pairs);
    le_map_free(&b->raw);
    free(b->merges);
    free(b);
}

uint32_t le_bpe_byte_char(uint8_t b) {
    if ((b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE) return b;
    if (b <= 0x20) return 256u + b;                  /* 0x00..0x20 -> U+0100..U+0120 */
    if (b <= 0xA0) return 256u + 33 + (b - 0x7Fu);   /* 0x7F..0xA0 -> U+0121..U+0142 */
    return 256u + 33 + 34;                           /* 0xAD -> U+0143 */
}

int le_bpe_char_byte(uint32_t c) {
    if ((c >= 0x21 && c <= 0x7E) || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF))
        return (int)c;
    if (c >= 0x100 && c <= 0x120) return (int)(c - 0x100);
    if (c >= 0x121 && c <= 0x142) return (int)(c - 0x121 + 0x7F);
    return c == 0x143 ? 0xAD : -1;
}

size_t le_bpe_unspell(const char *piece, size_t n, char *dst, size_t cap) {
    size_t out = 0;
    for (size_t i = 0; i < n;) {
        size_t at = i;
        int byte = le_bpe_char_byte(le_utf8_next(piece, n, &i));
        if (byte >= 0) {
            if (out < cap) dst[out] = (char)byte;
            out++;
            continue;
        }
        for (size_t k = at; k < i; k++, out++)
            if (out < cap) dst[out] = piece[k];
    }
    return out;
}
