/* WordPiece: greedy longest-match-first over the vocabulary; pieces after
 * the first carry the continuing-subword prefix ("##"); a word with a
 * position that nothing matches, or longer than max_input_chars_per_word
 * characters, becomes one unk token. */
#include "base/json.h"
#include "text/token_model.h"
#include "text/utf8.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct wordpiece {
    const le_vocab *vocab;
    int32_t unk_id;
    char *prefix;
    size_t prefix_len;
    uint64_t prefix_hash; /* FNV state after the prefix */
    size_t max_chars;
} wordpiece;

/* Hash states of the first bytes of a candidate are kept, so each start
 * position hashes its bytes once instead of once per candidate length. */
#define WP_HASHES 128

static le_status wordpiece_tokenize(const void *impl, const char *w, size_t n, le_ids *out) {
    const wordpiece *wp = impl;
    /* bytes bound characters: count only when the bytes exceed the limit */
    if (n > wp->max_chars && le_utf8_count(w, n) > wp->max_chars)
        return le_ids_push(out, wp->unk_id);
    size_t mark = out->n, start = 0;
    uint64_t hs[WP_HASHES + 1];
    while (start < n) {
        const char *pre = start ? wp->prefix : "";
        size_t plen = start ? wp->prefix_len : 0;
        size_t limit = n - start;
        /* a candidate longer than the longest vocabulary string cannot match */
        if (wp->vocab->max_len < plen + 1)
            limit = 0;
        else if (limit > wp->vocab->max_len - plen)
            limit = wp->vocab->max_len - plen;
        const char *s = w + start;
        size_t hn = limit < WP_HASHES ? limit : WP_HASHES;
        hs[0] = start ? wp->prefix_hash : LE_FNV1A_INIT;
        for (size_t j = 0; j < hn; j++)
            hs[j + 1] = le_fnv1a(hs[j], s + j, 1);
        int32_t id = -1;
        size_t e = limit;
        for (; e > 0; e--) {
            if (e < n - start && ((unsigned char)s[e] & 0xC0) == 0x80) continue;
            uint64_t h = e <= WP_HASHES
                             ? hs[e]
                             : le_fnv1a(hs[WP_HASHES], s + WP_HASHES, e - WP_HASHES);
            id = le_vocab_find_hashed(wp->vocab, h, pre, plen, s, e);
            if (id >= 0) break;
        }
        if (id < 0) {
            out->n = mark;
            return le_ids_push(out, wp->unk_id);
        }
        if (out->n < out->cap)
            out->ids[out->n++] = id;
        else if (le_ids_push(out, id))
            return LE_ERR_NOMEM;
        start += e;
    }
    return LE_OK;
}

static void wordpiece_destroy(void *impl) {
    wordpiece *wp = impl;
    if (!wp) return;
    free(wp->prefix);
    free(wp);
}

le_status le_wordpiece_from_json(const cJSON *model, le_vocab *vocab, le_token_model *out,
                                 const char *what, le_error *err) {
    const cJSON *jv = cJSON_GetObjectItemCaseSensitive(model, "vocab");
    if (!cJSON_IsObject(jv))
        return le_fail(err, LE_ERR_FORMAT, "%s: WordPiece model.vocab is missing or not an object",
                       what);
    const cJSON *it;
    cJSON_ArrayForEach(it, jv) {
        double d = it->valuedouble;
        if (!cJSON_IsNumber(it) || !(d >= 0 && d <= INT32_MAX) || d != (double)(int32_t)d)
            return le_fail(err, LE_ERR_FORMAT, "%s: WordPiece vocab entry \"%s\" has no valid id",
                           what, it->string);
        if (le_vocab_add(vocab, it->string, strlen(it->string), (int32_t)d))
            return le_fail(err, LE_ERR_NOMEM, "%s: out of memory reading the vocabulary", what);
    }
    const char *unk = le_json_str(model, "unk_token");
    const char *prefix = le_json_str(model, "continuing_subword_prefix");
    long long max_chars = 100;
    if (!unk) unk = "[UNK]";
    if (!prefix) prefix = "##";
    if (cJSON_GetObjectItemCaseSensitive(model, "max_input_chars_per_word") &&
        (!le_json_int(model, "max_input_chars_per_word", &max_chars) || max_chars < 0))
        return le_fail(err, LE_ERR_FORMAT,
                       "%s: WordPiece max_input_chars_per_word is not a non-negative integer",
                       what);
    int32_t unk_id = le_vocab_find(vocab, unk, strlen(unk));
    if (unk_id < 0)
        return le_fail(err, LE_ERR_FORMAT,
                       "%s: WordPiece unk_token \"%s\" is not in the vocabulary", what, unk);
    wordpiece *wp = calloc(1, sizeof *wp);
    if (!wp || !(wp->prefix = strdup(prefix))) {
        free(wp);
        return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    }
    wp->vocab = vocab;
    wp->unk_id = unk_id;
    wp->prefix_len = strlen(prefix);
    wp->prefix_hash = le_fnv1a(LE_FNV1A_INIT, prefix, wp->prefix_len);
    wp->max_chars = (size_t)max_chars;
    out->kind = "wordpiece";
    out->impl = wp;
    out->tokenize = wordpiece_tokenize;
    out->destroy = wordpiece_destroy;
    return LE_OK;
}
