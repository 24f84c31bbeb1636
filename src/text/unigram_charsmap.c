/* SentencePiece's precompiled character map, read and applied as Hugging
 * Face tokenizers does (the spm_precompiled crate and
 * normalizers/precompiled.rs). Unit fields of the Darts-clone double array:
 * bit 8 says a leaf hangs below, the low byte (with bit 31) is the label,
 * bits 10.. are the offset to the children (shifted by 8 when bit 9 is
 * set), and a leaf unit's low 31 bits index the string pool. */
#include "text/unigram_charsmap.h"

#include "text/utf8.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static uint32_t unit_offset(uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); }
static uint32_t unit_label(uint32_t u) { return u & (0x80000000u | 0xFFu); }
static int unit_has_leaf(uint32_t u) { return (u >> 8) & 1; }
static uint32_t unit_value(uint32_t u) { return u & 0x7FFFFFFFu; }

void le_charsmap_free(le_charsmap *m) {
    if (!m) return;
    free(m->units);
    free(m->pool);
    memset(m, 0, sizeof *m);
}

/* A leaf's string must start inside the pool on a character boundary (the
 * pool as a whole is valid UTF-8, and it ends at a NUL or the pool's end). */
static int leaf_ok(const le_charsmap *m, size_t node) {
    if (node >= m->n_units) return 0;
    uint32_t v = unit_value(m->units[node]);
    return v < m->pool_n && ((unsigned char)m->pool[v] & 0xC0) != 0x80;
}

/* Every node a lookup can reach, visited once: each leaf must point at a
 * string of the pool. Cycles of a forged trie end at the visited marks. */
static le_status charsmap_check(const le_charsmap *m, const char *what, le_error *err) {
    size_t n = m->n_units, root = unit_offset(m->units[0]);
    if (root >= n) return LE_OK; /* nothing is reachable: no entry ever matches */
    uint8_t *seen = calloc(n, 1);
    size_t *stack = malloc(n * sizeof *stack), top = 0;
    le_status st = LE_OK;
    if (!seen || !stack) st = le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    if (!st) {
        seen[root] = 1;
        stack[top++] = root;
    }
    while (!st && top) {
        size_t p = stack[--top];
        for (uint32_t c = 1; c < 256 && !st; c++) {
            size_t q = p ^ c;
            if (q >= n || unit_label(m->units[q]) != c) continue;
            size_t r = q ^ unit_offset(m->units[q]);
            if (unit_has_leaf(m->units[q]) && !leaf_ok(m, r))
                st = le_fail(err, LE_ERR_FORMAT,
                             "%s: precompiled_charsmap entry at unit %zu points outside its %zu "
                             "units or %zu-byte string pool",
                             what, q, n, m->pool_n);
            else if (r < n && !seen[r]) {
                seen[r] = 1;
                stack[top++] = r;
            }
        }
    }
    free(seen);
    free(stack);
    return st;
}

le_status le_charsmap_parse(const uint8_t *blob, size_t n, le_charsmap *out, const char *what,
                            le_error *err) {
    memset(out, 0, sizeof *out);
    if (n < 4)
        return le_fail(err, LE_ERR_FORMAT, "%s: precompiled_charsmap is %zu bytes, too short", what,
                       n);
    uint32_t trie = (uint32_t)blob[0] | (uint32_t)blob[1] << 8 | (uint32_t)blob[2] << 16 |
                    (uint32_t)blob[3] << 24;
    if (trie == 0 || trie % 4 || trie > n - 4)
        return le_fail(err, LE_ERR_FORMAT,
                       "%s: precompiled_charsmap says its trie is %u bytes, but %zu bytes follow "
                       "(it must be a non-zero multiple of 4 that fits)",
                       what, trie, n - 4);
    out->n_units = trie / 4;
    out->pool_n = n - 4 - trie;
    out->units = malloc(trie);
    out->pool = malloc(out->pool_n ? out->pool_n : 1);
    if (!out->units || !out->pool) {
        le_charsmap_free(out);
        return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    }
    for (size_t i = 0; i < out->n_units; i++) {
        const uint8_t *b = blob + 4 + 4 * i;
        out->units[i] = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                        (uint32_t)b[3] << 24;
    }
    if (out->pool_n) memcpy(out->pool, blob + 4 + trie, out->pool_n);
    size_t bad = le_utf8_check(out->pool, out->pool_n);
    le_status st = LE_OK;
    if (bad != out->pool_n)
        st = le_fail(err, LE_ERR_FORMAT,
                     "%s: precompiled_charsmap string pool is not valid UTF-8 at byte %zu", what,
                     bad);
    if (!st) st = charsmap_check(out, what, err);
    if (st) le_charsmap_free(out);
    return st;
}

/* Standard base64 with padding, nothing else (as tokenizers reads it). */
static int b64_value(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

static size_t b64_decode(const char *s, size_t n, uint8_t *out) {
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int pad = (s[i + 2] == '=') + (s[i + 3] == '=');
        int v[4];
        for (int k = 0; k < 4; k++) v[k] = k >= 4 - pad ? 0 : b64_value((unsigned char)s[i + k]);
        if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0 || (pad && i + 4 != n) ||
            (pad == 1 && s[i + 2] == '='))
            return SIZE_MAX;
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        out[o++] = (uint8_t)(w >> 16);
        if (pad < 2) out[o++] = (uint8_t)(w >> 8);
        if (pad < 1) out[o++] = (uint8_t)w;
    }
    return o;
}

le_status le_charsmap_parse_base64(const char *b64, size_t n, le_charsmap *out, const char *what,
                                   le_error *err) {
    memset(out, 0, sizeof *out);
    if (n % 4)
        return le_fail(err, LE_ERR_FORMAT,
                       "%s: precompiled_charsmap is not base64 (length %zu is not a multiple of 4)",
                       what, n);
    uint8_t *blob = malloc(n / 4 * 3 + 1);
    if (!blob) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    size_t m = b64_decode(b64, n, blob);
    le_status st = m == SIZE_MAX ? le_fail(err, LE_ERR_FORMAT,
                                           "%s: precompiled_charsmap is not valid base64", what)
                                 : le_charsmap_parse(blob, m, out, what, err);
    free(blob);
    return st;
}

int le_charsmap_lookup(const le_charsmap *m, const char *s, size_t n, const char **rep,
                       size_t *rep_n) {
    size_t node = unit_offset(m->units[0]);
    for (size_t i = 0; i < n; i++) {
        uint32_t c = (unsigned char)s[i];
        if (c == 0) break;
        node ^= c;
        if (node >= m->n_units) return 0;
        uint32_t u = m->units[node];
        if (unit_label(u) != c) return 0;
        node ^= unit_offset(u);
        if (unit_has_leaf(u)) {
            if (!leaf_ok(m, node)) return 0; /* unreachable after charsmap_check */
            const char *p = m->pool + unit_value(m->units[node]);
            const char *end = memchr(p, 0, (size_t)(m->pool + m->pool_n - p));
            *rep = p;
            *rep_n = end ? (size_t)(end - p) : (size_t)(m->pool + m->pool_n - p);
            return 1;
        }
    }
    return 0;
}

/* One extended grapheme cluster s[0..n). */
static le_status apply_cluster(const le_charsmap *m, const char *s, size_t n, le_strbuf *out) {
    const char *rep;
    size_t rn;
    if (n < 6 && le_charsmap_lookup(m, s, n, &rep, &rn)) return le_strbuf_append(out, rep, rn);
    for (size_t i = 0; i < n;) {
        size_t a = i;
        le_utf8_next(s, n, &i);
        le_status st = le_charsmap_lookup(m, s + a, i - a, &rep, &rn) ? le_strbuf_append(out, rep, rn)
                                                                      : le_strbuf_append(out, s + a, i - a);
        if (st) return st;
    }
    return LE_OK;
}

le_status le_charsmap_apply(const le_charsmap *m, const char *s, size_t n, le_strbuf *out) {
    utf8proc_int32_t state = 0;
    size_t start = 0, i = 0;
    uint32_t prev = 0;
    while (i < n) {
        size_t at = i;
        uint32_t c = le_utf8_next(s, n, &i);
        if (at > start &&
            utf8proc_grapheme_break_stateful((utf8proc_int32_t)prev, (utf8proc_int32_t)c, &state)) {
            le_status st = apply_cluster(m, s + start, at - start, out);
            if (st) return st;
            start = at;
        }
        prev = c;
    }
    return start < n ? apply_cluster(m, s + start, n - start, out) : LE_OK;
}
