/* ROUGE-1/2/L as the rouge-score package computes them (rouge.h). Tokens
 * become ids through one map, so n-grams are integers: each side's n-grams
 * are sorted and the clipped matches counted by one merge walk; the LCS is
 * the usual dynamic programme kept in two rows. */
#include "generate/rouge.h"

#include "base/array.h"
#include "base/map.h"

#include <stdlib.h>
#include <string.h>

void le_rouge_tokens_free(le_rouge_tokens *t) {
    free(t->chars);
    free(t->tok);
    memset(t, 0, sizeof *t);
}

/* The ASCII letter a non-ASCII character at s[0..n) lowercases to under
 * Python's str.lower, with its byte length in *adv: U+0130 (İ → "i" + a
 * combining dot, which is a separator) and U+212A (the Kelvin sign → "k")
 * are the only two; 0 for every other character. */
static char unicode_ascii_lower(const unsigned char *s, size_t n, size_t *adv) {
    if (n >= 2 && s[0] == 0xC4 && s[1] == 0xB0) {
        *adv = 2;
        return 'i';
    }
    if (n >= 3 && s[0] == 0xE2 && s[1] == 0x84 && s[2] == 0xAA) {
        *adv = 3;
        return 'k';
    }
    *adv = 1;
    return 0;
}

/* Appends c to the token being built (open: one is being built). */
static le_status token_char(le_rouge_tokens *t, char c, int *open) {
    if (!*open) {
        if (le_array_push(t->tok, t->n, t->cap, (le_rouge_tok){(uint32_t)t->n_chars, 0}))
            return LE_ERR_NOMEM;
        *open = 1;
    }
    if (le_array_push(t->chars, t->n_chars, t->cap_chars, c)) return LE_ERR_NOMEM;
    t->tok[t->n - 1].len++;
    return LE_OK;
}

le_status le_rouge_tokenize(const char *text, size_t n, le_rouge_tokens *out, le_error *err) {
    out->n = out->n_chars = 0;
    if (n > UINT32_MAX) return le_fail(err, LE_ERR_TOO_LONG, "rouge: a text of %zu bytes", n);
    const unsigned char *s = (const unsigned char *)text;
    int open = 0;
    for (size_t i = 0; i < n;) {
        unsigned char b = s[i];
        char c = 0;
        size_t adv = 1;
        if (b >= 'A' && b <= 'Z') c = (char)(b - 'A' + 'a');
        else if ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')) c = (char)b;
        else if (b >= 0x80) c = unicode_ascii_lower(s + i, n - i, &adv);
        i += adv;
        if (!c) {
            open = 0;
            continue;
        }
        if (token_char(out, c, &open)) return le_fail(err, LE_ERR_NOMEM, "rouge: out of memory");
        if (b == 0xC4) open = 0; /* U+0130's combining dot ends the token */
    }
    return LE_OK;
}

/* ids[i] = the number of token i of t among all distinct tokens seen by m. */
static le_status intern(le_map *m, const le_rouge_tokens *t, uint32_t *ids) {
    for (size_t i = 0; i < t->n; i++) {
        uint32_t next = (uint32_t)m->count;
        if (le_map_get_or_put(m, t->chars + t->tok[i].start, t->tok[i].len, next, &ids[i]))
            return LE_ERR_NOMEM;
    }
    return LE_OK;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The n-grams (n = 1 or 2) of ids[0..len) as sorted keys into keys (room
 * for len); returns their number. */
static size_t ngram_keys(const uint32_t *ids, size_t len, int n, uint64_t *keys) {
    size_t k = 0;
    for (size_t i = 0; i + (size_t)n <= len; i++)
        keys[k++] = n == 1 ? ids[i] : ((uint64_t)ids[i] << 32 | ids[i + 1]);
    qsort(keys, k, sizeof *keys, cmp_u64);
    return k;
}

/* Σ over n-grams of min(count in a, count in b), a and b sorted. */
static size_t clipped_matches(const uint64_t *a, size_t na, const uint64_t *b, size_t nb) {
    size_t i = 0, j = 0, hits = 0;
    while (i < na && j < nb) {
        if (a[i] < b[j]) i++;
        else if (a[i] > b[j]) j++;
        else hits++, i++, j++;
    }
    return hits;
}

static le_rouge_prf prf(size_t hits, size_t pred, size_t ref) {
    le_rouge_prf r;
    r.precision = (double)hits / (double)(pred ? pred : 1);
    r.recall = (double)hits / (double)(ref ? ref : 1);
    double s = r.precision + r.recall;
    r.f = s > 0 ? 2 * r.precision * r.recall / s : 0.0;
    return r;
}

/* The length of the longest common subsequence of a and b; row has room
 * for 2 (nb + 1). */
static size_t lcs_length(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                         uint32_t *row) {
    uint32_t *prev = row, *cur = row + nb + 1;
    memset(prev, 0, (nb + 1) * sizeof *prev);
    cur[0] = 0;
    for (size_t i = 1; i <= na; i++) {
        for (size_t j = 1; j <= nb; j++)
            cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1
                                          : (prev[j] > cur[j - 1] ? prev[j] : cur[j - 1]);
        uint32_t *t = prev;
        prev = cur;
        cur = t;
    }
    return prev[nb];
}

/* The scores of the id lists pred (np) against ref (nr), with scratch for
 * keys (np + nr) and the LCS rows (2 (np + 1)). */
static void score_ids(const uint32_t *ref, size_t nr, const uint32_t *pred, size_t np,
                      uint64_t *keys, uint32_t *rows, le_rouge_scores *out) {
    for (int n = 1; n <= 2; n++) {
        size_t kr = ngram_keys(ref, nr, n, keys);
        size_t kp = ngram_keys(pred, np, n, keys + kr);
        le_rouge_prf s = prf(clipped_matches(keys, kr, keys + kr, kp), kp, kr);
        if (n == 1) out->r1 = s;
        else out->r2 = s;
    }
    if (!nr || !np) out->rl = (le_rouge_prf){0, 0, 0};
    else out->rl = prf(lcs_length(ref, nr, pred, np, rows), np, nr);
}

le_status le_rouge_score(const char *reference, const char *prediction, le_rouge_scores *out,
                         le_error *err) {
    le_rouge_tokens tr = {0}, tp = {0};
    le_map m;
    le_map_init(&m, &le_map_borrowed);
    uint32_t *ids = NULL, *rows = NULL;
    uint64_t *keys = NULL;
    le_status s = le_rouge_tokenize(reference, strlen(reference), &tr, err);
    if (!s) s = le_rouge_tokenize(prediction, strlen(prediction), &tp, err);
    if (!s) {
        size_t all = tr.n + tp.n;
        ids = malloc((all + 1) * sizeof *ids);
        keys = malloc((all + 1) * sizeof *keys);
        rows = malloc(2 * (tp.n + 1) * sizeof *rows);
        if (!ids || !keys || !rows || intern(&m, &tr, ids) || intern(&m, &tp, ids + tr.n))
            s = le_fail(err, LE_ERR_NOMEM, "rouge: out of memory");
    }
    if (!s) score_ids(ids, tr.n, ids + tr.n, tp.n, keys, rows, out);
    le_map_free(&m);
    le_rouge_tokens_free(&tr);
    le_rouge_tokens_free(&tp);
    free(ids);
    free(keys);
    free(rows);
    return s;
}
