/* Loading a BPE model: the "model" object of tokenizer.json (type "BPE":
 * vocab, merges as "a b" strings or [a, b] pairs, unk_token, fuse_unk,
 * byte_fallback, ignore_merges), or merge strings from a GGUF. The merges
 * become a hash map from a pair of ids to (rank, new id); a later duplicate
 * of a pair wins, as in tokenizers' HashMap collect. */
#include "base/array.h"
#include "base/json.h"
#include "text/bpe_internal.h"
#include "text/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pair keys are two ids, 8 bytes: the key itself is the hash (the map mixes
 * it), cheaper than hashing bytes on the merge loop's hot path. */
static uint64_t pair_hash(const char *key, size_t len) {
    uint64_t v = 0;
    memcpy(&v, key, len < sizeof v ? len : sizeof v);
    return v ^ len;
}

static const le_map_type g_pair_type = {pair_hash, LE_MAP_COPY_KEYS};

static bpe *bpe_new(const le_vocab *vocab) {
    bpe *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->vocab = vocab;
    le_map_init(&b->pairs, &g_pair_type);
    le_map_init(&b->raw, &le_map_copied);
    for (int i = 0; i < 256; i++) b->byte_ids[i] = b->fallback[i] = -1;
    b->unk_id = -1;
    return b;
}

/* One merge "left" + "right" of rank: all three tokens must be known. */
static le_status add_merge(bpe *b, const char *l, size_t ln, const char *r, size_t rn,
                           char **cat, size_t *cat_cap, size_t rank, const char *what,
                           le_error *err) {
    if (le_array_reserve(*cat, *cat_cap, ln + rn + 1))
        return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    memcpy(*cat, l, ln);
    memcpy(*cat + ln, r, rn);
    int32_t key[2] = {le_vocab_find(b->vocab, l, ln), le_vocab_find(b->vocab, r, rn)};
    int32_t id = le_vocab_find(b->vocab, *cat, ln + rn);
    if (key[0] < 0 || key[1] < 0 || id < 0)
        return le_fail(err, LE_ERR_FORMAT, "%s: merge %zu \"%.*s %.*s\" uses a token that is not "
                       "in the vocabulary", what, rank, (int)(ln > 40 ? 40 : ln), l,
                       (int)(rn > 40 ? 40 : rn), r);
    if (rank > UINT32_MAX - 1 ||
        le_array_push(b->merges, b->n_merges, b->cap, (bpe_merge){(uint32_t)rank, id}) ||
        le_map_put(&b->pairs, (const char *)key, sizeof key, (uint32_t)(b->n_merges - 1)))
        return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    return LE_OK;
}

/* "left right": split at the one space. */
static le_status add_merge_string(bpe *b, const char *m, size_t n, char **cat, size_t *cap,
                                  size_t rank, const char *what, le_error *err) {
    const char *sp = memchr(m, ' ', n);
    if (!sp || sp == m || sp + 1 == m + n || memchr(sp + 1, ' ', (size_t)(m + n - sp - 1)))
        return le_fail(err, LE_ERR_FORMAT, "%s: merge %zu \"%.60s\" is not \"left right\"", what,
                       rank, m);
    return add_merge(b, m, (size_t)(sp - m), sp + 1, (size_t)(m + n - sp - 1), cat, cap, rank,
                     what, err);
}

le_status le_bpe_from_merges(const char *const *merges, const size_t *lens, size_t n,
                             const le_vocab *vocab, int ignore_merges, le_token_model *out,
                             const char *what, le_error *err) {
    bpe *b = bpe_new(vocab);
    if (!b) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    b->ignore_merges = (uint8_t)(ignore_merges != 0);
    char *cat = NULL;
    size_t cap = 0;
    le_status st = LE_OK;
    for (size_t i = 0; i < n && !st; i++)
        st = add_merge_string(b, merges[i], lens[i], &cat, &cap, i, what, err);
    free(cat);
    if (st) {
        le_bpe_destroy(b);
        return st;
    }
    *out = (le_token_model){"bpe", b, le_bpe_tokenize, le_bpe_destroy};
    return LE_OK;
}

/* vocab {token: id} into the vocabulary. */
static le_status read_vocab(const cJSON *model, le_vocab *vocab, const char *what, le_error *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(model, "vocab");
    if (!cJSON_IsObject(v)) return le_fail(err, LE_ERR_FORMAT, "%s: BPE needs a \"vocab\" object", what);
    const cJSON *it;
    cJSON_ArrayForEach(it, v) {
        double id = cJSON_IsNumber(it) ? it->valuedouble : -1;
        if (id < 0 || id > INT32_MAX || id != (int32_t)id)
            return le_fail(err, LE_ERR_FORMAT, "%s: BPE vocab entry \"%.40s\" has a bad id", what,
                           it->string);
        size_t n = strlen(it->string);
        if (le_utf8_check(it->string, n) != n)
            return le_fail(err, LE_ERR_FORMAT, "%s: BPE vocab entry is not valid UTF-8", what);
        if (le_vocab_add(vocab, it->string, n, (int32_t)id))
            return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    }
    return LE_OK;
}

static le_status read_merges(bpe *b, const cJSON *model, const char *what, le_error *err) {
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(model, "merges"), *it;
    if (m && !cJSON_IsNull(m) && !cJSON_IsArray(m))
        return le_fail(err, LE_ERR_FORMAT, "%s: BPE \"merges\" is not an array", what);
    char *cat = NULL;
    size_t cap = 0, rank = 0;
    le_status st = LE_OK;
    cJSON_ArrayForEach(it, m) {
        if (st) break;
        const cJSON *l = cJSON_IsArray(it) ? cJSON_GetArrayItem(it, 0) : NULL;
        const cJSON *r = cJSON_IsArray(it) ? cJSON_GetArrayItem(it, 1) : NULL;
        if (cJSON_IsString(it))
            st = add_merge_string(b, it->valuestring, strlen(it->valuestring), &cat, &cap, rank,
                                  what, err);
        else if (cJSON_IsString(l) && cJSON_IsString(r) && cJSON_GetArraySize(it) == 2)
            st = add_merge(b, l->valuestring, strlen(l->valuestring), r->valuestring,
                           strlen(r->valuestring), &cat, &cap, rank, what, err);
        else
            st = le_fail(err, LE_ERR_FORMAT, "%s: BPE merge %zu is not \"a b\" nor [a, b]", what,
                         rank);
        rank++;
    }
    free(cat);
    return st;
}

/* The options: subword prefixes and dropout are not supported. */
static le_status read_options(bpe *b, const cJSON *model, const char *what, le_error *err) {
    const char *prefix = le_json_str(model, "continuing_subword_prefix");
    const char *suffix = le_json_str(model, "end_of_word_suffix");
    const cJSON *dropout = cJSON_GetObjectItemCaseSensitive(model, "dropout");
    if ((prefix && *prefix) || (suffix && *suffix) ||
        (cJSON_IsNumber(dropout) && dropout->valuedouble > 0))
        return le_fail(err, LE_ERR_UNSUPPORTED, "%s: BPE with %s is not supported", what,
                       (prefix && *prefix) ? "continuing_subword_prefix"
                       : (suffix && *suffix) ? "end_of_word_suffix"
                                             : "dropout");
    int v = 0;
    if (le_json_bool(model, "ignore_merges", &v)) b->ignore_merges = (uint8_t)(v != 0);
    if (le_json_bool(model, "fuse_unk", &v)) b->fuse_unk = (uint8_t)(v != 0);
    if (le_json_bool(model, "byte_fallback", &v)) b->byte_fallback = (uint8_t)(v != 0);
    const char *unk = le_json_str(model, "unk_token");
    if (unk) b->unk_id = le_vocab_find(b->vocab, unk, strlen(unk));
    for (int i = 0; b->byte_fallback && i < 256; i++) {
        char name[8];
        snprintf(name, sizeof name, "<0x%02X>", i);
        b->fallback[i] = le_vocab_find(b->vocab, name, 6);
    }
    return LE_OK;
}

le_status le_bpe_from_json(const cJSON *model, le_vocab *vocab, le_token_model *out,
                           const char *what, le_error *err) {
    le_status st = read_vocab(model, vocab, what, err);
    if (st) return st;
    bpe *b = bpe_new(vocab);
    if (!b) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    st = read_options(b, model, what, err);
    if (!st) st = read_merges(b, model, what, err);
    if (st) {
        le_bpe_destroy(b);
        return st;
    }
    *out = (le_token_model){"bpe", b, le_bpe_tokenize, le_bpe_destroy};
    return LE_OK;
}

/* Byte level: each byte's starting token, and (ignore_merges) every token
 * by its raw bytes, so whole words are looked up without re-spelling. */
le_status le_bpe_set_byte_level(le_token_model *m, int byte_level, const char *what,
                                le_error *err) {
    if (!m->kind || strcmp(m->kind, "bpe")) return LE_OK;
    bpe *b = m->impl;
    b->byte_level = (uint8_t)(byte_level != 0);
    if (!byte_level) return LE_OK;
    for (int i = 0; i < 256; i++) {
        char c[4];
        size_t n = le_utf8_put(c, le_bpe_byte_char((uint8_t)i));
        b->byte_ids[i] = le_vocab_find(b->vocab, c, n);
    }
    if (!b->ignore_merges) return LE_OK;
    le_map_entry e;
    char *buf = malloc(b->vocab->max_len + 1);
    le_status st = buf ? LE_OK : LE_ERR_NOMEM;
    for (size_t pos = 0; !st && le_map_next(&b->vocab->map, &pos, &e);) {
        size_t n = le_bpe_unspell(e.key, e.len, buf, b->vocab->max_len);
        int64_t had = n ? le_map_get(&b->raw, buf, n) : 0; /* two spellings: the lower id */
        if (had < 0 || (n && e.val < had)) st = le_map_put(&b->raw, buf, n, e.val);
    }
    free(buf);
    return st ? le_fail(err, st, "%s: out of memory", what) : LE_OK;
}
