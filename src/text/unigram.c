/* The Unigram model of tokenizer.json (SentencePiece models: XLM-R, BGE-M3,
 * multilingual E5, T5), run as Hugging Face tokenizers runs it
 * (models/unigram/model.rs, the optimized Viterbi): at each character
 * boundary every vocabulary piece that starts there extends the best path
 * (the sum of piece scores, in double precision; a later candidate wins
 * only when strictly better); a character no piece of its own length
 * covers may be crossed as unknown at min_score - 10. The best path is read
 * back from the end, consecutive unknowns fused into one token, which is
 * the unk id unless byte_fallback spells it as <0xXX> pieces.
 *
 * Pieces are found with a byte trie built once from the sorted vocabulary:
 * children of a node are contiguous and sorted by byte, so a step is a
 * binary search (a 256-entry table at the root). */
#include "base/json.h"
#include "text/token_model.h"
#include "text/utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNK_PENALTY 10.0

typedef struct trie_node {
    uint32_t first; /* index of the first child */
    uint16_t n_child;
    uint8_t label; /* the byte leading here */
    int32_t id;    /* the piece ending here, -1 if none */
} trie_node;

typedef struct unigram {
    double *scores; /* by id */
    size_t n;
    trie_node *nodes;
    size_t n_nodes;
    uint32_t root_child[256]; /* node index of the root's child per byte, 0 if none */
    int32_t unk_id;
    int byte_fallback;
    int32_t byte_ids[256]; /* <0xXX> pieces, -1 if absent */
    double unk_score;
    const le_vocab *vocab; /* piece -> id (the last id of a piece, as tokenizers keeps it) */
} unigram;

/* ----------------------------------------------------------------- trie */

typedef struct piece_ref {
    const char *s;
    uint32_t len;
    int32_t id;
} piece_ref;

static int piece_cmp(const void *a, const void *b) {
    const piece_ref *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    if (c) return c;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Breadth-first: node k covers refs[lo[k]..hi[k]), which share its first
 * depth[k] bytes; its children are appended together, so they are
 * contiguous and in byte order. */
static le_status trie_build(unigram *u, piece_ref *refs, size_t n) {
    size_t cap = 1, total = 1;
    for (size_t i = 0; i < n; i++) total += refs[i].len;
    u->nodes = calloc(total, sizeof *u->nodes);
    uint32_t *lo = malloc(total * sizeof *lo), *hi = malloc(total * sizeof *hi),
             *depth = malloc(total * sizeof *depth);
    le_status st = (u->nodes && lo && hi && depth) ? LE_OK : LE_ERR_NOMEM;
    if (!st) {
        lo[0] = 0, hi[0] = (uint32_t)n, depth[0] = 0;
        u->nodes[0].id = -1;
    }
    for (size_t k = 0; !st && k < cap; k++) {
        size_t i = lo[k], d = depth[k];
        /* equal strings sort by id: the last one is what tokenizers keeps */
        while (i < hi[k] && refs[i].len == d) u->nodes[k].id = refs[i++].id;
        u->nodes[k].first = (uint32_t)cap;
        while (i < hi[k]) {
            uint8_t b = (uint8_t)refs[i].s[d];
            size_t j = i;
            while (j < hi[k] && (uint8_t)refs[j].s[d] == b) j++;
            trie_node *c = &u->nodes[cap];
            c->label = b;
            c->id = -1;
            lo[cap] = (uint32_t)i, hi[cap] = (uint32_t)j, depth[cap] = (uint32_t)(d + 1);
            if (k == 0) u->root_child[b] = (uint32_t)cap;
            cap++;
            u->nodes[k].n_child++;
            i = j;
        }
    }
    u->n_nodes = cap;
    free(lo);
    free(hi);
    free(depth);
    return st;
}

/* The child of node k for byte b, or 0. */
static uint32_t trie_step(const unigram *u, uint32_t k, uint8_t b) {
    if (k == 0) return u->root_child[b];
    const trie_node *nd = &u->nodes[k];
    size_t a = nd->first, z = a + nd->n_child;
    while (a < z) {
        size_t mid = a + (z - a) / 2;
        if (u->nodes[mid].label < b)
            a = mid + 1;
        else
            z = mid;
    }
    return a < nd->first + nd->n_child && u->nodes[a].label == b ? (uint32_t)a : 0;
}

/* -------------------------------------------------------------- Viterbi */

typedef struct best_node {
    double score;
    int32_t id;
    int32_t from; /* start byte of the last piece, -1 while unreached */
} best_node;

/* Forward pass over w[0..n): best[e] is the best path ending at byte e. */
static void viterbi_forward(const unigram *u, const char *w, size_t n, best_node *best) {
    for (size_t i = 0; i <= n; i++) best[i].from = -1, best[i].score = 0, best[i].id = 0;
    size_t start = 0;
    while (start < n) {
        double here = best[start].score;
        size_t next = start;
        le_utf8_next(w, n, &next);
        size_t mblen = next - start;
        int single = 0;
        uint32_t k = 0;
        for (size_t e = start; e < n; e++) {
            if (!(k = trie_step(u, k, (uint8_t)w[e]))) break;
            int32_t id = u->nodes[k].id;
            if (id < 0) continue;
            double cand = u->scores[id] + here;
            best_node *t = &best[e + 1];
            if (t->from < 0 || cand > t->score) *t = (best_node){cand, id, (int32_t)start};
            if (e + 1 - start == mblen) single = 1;
        }
        best_node *t = &best[next];
        double cand = u->unk_score + here;
        if (!single && (t->from < 0 || cand > t->score))
            *t = (best_node){cand, u->unk_id, (int32_t)start};
        start = next;
    }
}

/* One token of the best path, s[0..n): its id, or its bytes as <0xXX>
 * pieces when it is not a piece and byte_fallback has them all. */
static le_status emit_token(const unigram *u, const char *s, size_t n, int32_t id, le_ids *out) {
    if (id == u->unk_id) {
        int32_t known = le_vocab_find(u->vocab, s, n);
        if (known >= 0) return le_ids_push(out, known);
        if (u->byte_fallback) {
            size_t i = 0;
            while (i < n && u->byte_ids[(uint8_t)s[i]] >= 0) i++;
            if (i == n) {
                for (i = 0; i < n; i++) {
                    le_status st = le_ids_push(out, u->byte_ids[(uint8_t)s[i]]);
                    if (st) return st;
                }
                return LE_OK;
            }
        }
    }
    return le_ids_push(out, id);
}

static le_status unigram_tokenize(const void *impl, const char *w, size_t n, le_ids *out) {
    const unigram *u = impl;
    best_node stack_best[65], *best = n < 65 ? stack_best : malloc((n + 1) * sizeof *best);
    if (!best) return LE_ERR_NOMEM;
    viterbi_forward(u, w, n, best);
    /* back from the end: pieces in reverse, then reversed in place */
    size_t mark = out->n, end = n;
    le_status st = LE_OK;
    while (!st && end > 0) {
        size_t from = (size_t)best[end].from, a = from;
        if (best[end].id == u->unk_id) /* fuse the run of unknowns */
            while (a > 0 && best[a].id == u->unk_id) a = (size_t)best[a].from;
        size_t before = out->n;
        st = emit_token(u, w + a, end - a, a == from ? best[end].id : u->unk_id, out);
        /* a token's own ids (byte pieces) stay in order after the final reverse */
        for (size_t i = before, j = out->n; !st && i + 1 < j; i++, j--) {
            int32_t t = out->ids[i];
            out->ids[i] = out->ids[j - 1];
            out->ids[j - 1] = t;
        }
        end = a;
    }
    for (size_t i = mark, j = out->n; !st && i + 1 < j; i++, j--) {
        int32_t t = out->ids[i];
        out->ids[i] = out->ids[j - 1];
        out->ids[j - 1] = t;
    }
    if (best != stack_best) free(best);
    return st;
}

static void unigram_destroy(void *impl) {
    unigram *u = impl;
    if (!u) return;
    free(u->scores);
    free(u->nodes);
    free(u);
}

/* ------------------------------------------------------------------ JSON */

/* vocab: [[piece, score], ...]; the id is the position. */
static le_status read_vocab(const cJSON *list, unigram *u, le_vocab *vocab, piece_ref *refs,
                            const char *what, le_error *err) {
    size_t k = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, list) {
        const cJSON *p = cJSON_GetArrayItem(it, 0), *s = cJSON_GetArrayItem(it, 1);
        if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) != 2 || !cJSON_IsString(p) ||
            !cJSON_IsNumber(s) || !isfinite(s->valuedouble))
            return le_fail(err, LE_ERR_FORMAT,
                           "%s: Unigram vocab[%zu] is not a [piece, finite score] pair", what, k);
        size_t len = strlen(p->valuestring);
        if (le_utf8_check(p->valuestring, len) != len || len > UINT32_MAX)
            return le_fail(err, LE_ERR_FORMAT, "%s: Unigram vocab[%zu] is not valid UTF-8", what,
                           k);
        if (le_vocab_add(vocab, p->valuestring, len, (int32_t)k))
            return le_fail(err, LE_ERR_NOMEM, "%s: out of memory reading the vocabulary", what);
        u->scores[k] = s->valuedouble;
        refs[k] = (piece_ref){p->valuestring, (uint32_t)len, (int32_t)k};
        k++;
    }
    return LE_OK;
}

/* The scores' minimum, the unk id and the <0xXX> pieces. */
static le_status read_settings(const cJSON *model, unigram *u, const le_vocab *vocab,
                               const char *what, le_error *err) {
    double min = INFINITY;
    for (size_t i = 0; i < u->n; i++)
        if (u->scores[i] < min) min = u->scores[i];
    u->unk_score = min - UNK_PENALTY;
    const cJSON *unk = cJSON_GetObjectItemCaseSensitive(model, "unk_id");
    u->unk_id = -1;
    if (cJSON_IsNumber(unk)) {
        double d = unk->valuedouble;
        if (!(d >= 0 && d < (double)u->n) || d != floor(d))
            return le_fail(err, LE_ERR_FORMAT, "%s: Unigram unk_id %g is not an id of the %zu-piece "
                           "vocabulary", what, d, u->n);
        u->unk_id = (int32_t)d;
    } else if (unk && !cJSON_IsNull(unk)) {
        return le_fail(err, LE_ERR_FORMAT, "%s: Unigram unk_id is not a number", what);
    } else {
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "%s: Unigram models without an unk_id are not supported", what);
    }
    le_json_bool(model, "byte_fallback", &u->byte_fallback);
    for (int b = 0; b < 256; b++) {
        char name[8];
        snprintf(name, sizeof name, "<0x%02X>", b);
        u->byte_ids[b] = le_vocab_find(vocab, name, 6);
    }
    return LE_OK;
}

le_status le_unigram_from_json(const cJSON *model, le_vocab *vocab, le_token_model *out,
                               const char *what, le_error *err) {
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(model, "vocab");
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
        return le_fail(err, LE_ERR_FORMAT, "%s: Unigram model.vocab is missing or empty", what);
    size_t n = (size_t)cJSON_GetArraySize(list);
    if (n > INT32_MAX) return le_fail(err, LE_ERR_FORMAT, "%s: Unigram vocab is too large", what);
    unigram *u = calloc(1, sizeof *u);
    piece_ref *refs = malloc(n * sizeof *refs);
    if (u) u->scores = malloc(n * sizeof *u->scores);
    le_status st = u && refs && u->scores ? LE_OK : le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    if (!st) {
        u->n = n;
        u->vocab = vocab;
        st = read_vocab(list, u, vocab, refs, what, err);
    }
    if (!st) st = read_settings(model, u, vocab, what, err);
    if (!st) {
        qsort(refs, n, sizeof *refs, piece_cmp);
        if (trie_build(u, refs, n)) st = le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    }
    free(refs);
    if (st) {
        unigram_destroy(u);
        return st;
    }
    *out = (le_token_model){"unigram", u, unigram_tokenize, unigram_destroy};
    return LE_OK;
}
