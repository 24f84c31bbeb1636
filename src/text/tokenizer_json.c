/* Loading tokenizer.json: the model, normalizer, pre-tokenizer,
 * post-processor and added tokens. truncation, padding and decoder are
 * ignored (inputs are cut by the caller; le_tokenizer_decode_id undoes the
 * byte-level spelling, the one decoder a decoder LLM needs). */
#include "base/json.h"
#include "base/mapfile.h"
#include "text/bpe.h"
#include "text/postprocessor.h"
#include "text/tokenizer_internal.h"
#include "text/utf8.h"

#include <stdlib.h>
#include <string.h>

/* tokenizer.json files are a few MB; bound reads so a wrong path cannot
 * pull in something huge. */
#define TOKENIZER_JSON_MAX ((size_t)1 << 30)

/* Pieces are kept in a table indexed by id; refuse ids so sparse that the
 * table would dwarf the vocabulary. */
#define PIECES_SLACK 65536

static le_status load_model(le_tokenizer *t, const cJSON *root, const char *what, le_error *err) {
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
    if (!cJSON_IsObject(model)) return le_fail(err, LE_ERR_FORMAT, "%s: no \"model\" object", what);
    const char *type = le_json_str(model, "type");
    if (!type) {
        /* old files leave the type out; WordPiece is the one with a subword prefix */
        if (cJSON_GetObjectItemCaseSensitive(model, "continuing_subword_prefix") &&
            cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(model, "vocab")) &&
            !cJSON_GetObjectItemCaseSensitive(model, "merges"))
            type = "WordPiece";
        else
            return le_fail(err, LE_ERR_FORMAT, "%s: model has no \"type\"", what);
    }
    if (!strcmp(type, "WordPiece"))
        return le_wordpiece_from_json(model, &t->vocab, &t->model, what, err);
    if (!strcmp(type, "Unigram")) return le_unigram_from_json(model, &t->vocab, &t->model, what, err);
    if (!strcmp(type, "BPE")) return le_bpe_from_json(model, &t->vocab, &t->model, what, err);
    return le_fail(err, LE_ERR_UNSUPPORTED, "%s: model type \"%s\" is not supported yet", what,
                   type);
}

/* ------------------------------------------------------------ added tokens */

typedef struct added_list {
    le_added_token *tok; /* as read, in file order */
    size_t n;
    size_t *special, *plain; /* tokenizers' special_tokens and added_tokens lists */
    size_t n_special, n_plain;
    le_map special_set; /* contents of the special list */
    le_map owners;      /* added_tokens_map_r: id (its 4 bytes) -> token index */
} added_list;

static void added_list_free(added_list *l) {
    for (size_t i = 0; i < l->n; i++) free(l->tok[i].content);
    free(l->tok);
    free(l->special);
    free(l->plain);
    le_map_free(&l->special_set);
    le_map_free(&l->owners);
}

static int added_same(const le_added_token *a, const le_added_token *b) {
    return a->len == b->len && !memcmp(a->content, b->content, a->len) &&
           a->special == b->special && a->normalized == b->normalized && a->lstrip == b->lstrip &&
           a->rstrip == b->rstrip && a->single_word == b->single_word;
}

static int is_special(const added_list *l, const le_added_token *t) {
    return le_map_get(&l->special_set, t->content, t->len) >= 0;
}

static int32_t added_owner(const added_list *l, int32_t id) {
    return (int32_t)le_map_get(&l->owners, (const char *)&id, sizeof id);
}

static le_status added_parse_one(const cJSON *it, le_added_token *tok, size_t k, const char *what,
                                 le_error *err) {
    const char *content = cJSON_IsObject(it) ? le_json_str(it, "content") : NULL;
    if (!content)
        return le_fail(err, LE_ERR_FORMAT, "%s: added_tokens[%zu] has no \"content\"", what, k);
    size_t n = strlen(content);
    if (le_utf8_check(content, n) != n)
        return le_fail(err, LE_ERR_FORMAT, "%s: added_tokens[%zu] content is not valid UTF-8", what,
                       k);
    int special = 0, normalized, lstrip = 0, rstrip = 0, single = 0;
    le_json_bool(it, "special", &special);
    if (!le_json_bool(it, "normalized", &normalized)) normalized = !special;
    le_json_bool(it, "lstrip", &lstrip);
    le_json_bool(it, "rstrip", &rstrip);
    le_json_bool(it, "single_word", &single);
    tok->content = malloc(n + 1);
    if (!tok->content) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    memcpy(tok->content, content, n + 1);
    tok->len = n;
    tok->special = (uint8_t)special;
    tok->normalized = (uint8_t)normalized;
    tok->lstrip = (uint8_t)lstrip;
    tok->rstrip = (uint8_t)rstrip;
    tok->single_word = (uint8_t)single;
    return LE_OK;
}

/* Ids as tokenizers assigns them (AddedVocabulary::add_tokens, one token at
 * a time in file order): an existing id of the same content (added first,
 * then model vocabulary), else the next free id. The "id" field of the
 * file is not used, exactly as tokenizers only warns when it differs. */
static le_status added_assign(le_tokenizer *t, added_list *l, const char *what, le_error *err) {
    size_t model_size = t->vocab.map.count;
    int32_t max_added = -1;
    for (size_t k = 0; k < l->n; k++) {
        le_added_token *tok = &l->tok[k];
        if (tok->len == 0) continue;
        if (tok->special && !is_special(l, tok)) {
            if (le_map_put(&l->special_set, tok->content, tok->len, 0))
                return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
            l->special[l->n_special++] = k;
        }
        /* an identical token was added before: tokenizers ignores it */
        int32_t id = le_vocab_find(&t->added_vocab, tok->content, tok->len);
        int32_t owner = id >= 0 ? added_owner(l, id) : -1;
        if (owner >= 0 && added_same(&l->tok[owner], tok)) continue;
        if (id < 0) id = le_vocab_find(&t->vocab, tok->content, tok->len);
        if (id < 0) {
            if (max_added == INT32_MAX)
                return le_fail(err, LE_ERR_FORMAT, "%s: added token ids overflow", what);
            if (max_added < 0)
                id = (int32_t)model_size;
            else if ((size_t)max_added >= model_size || model_size == 0)
                id = max_added + 1;
            else
                id = (int32_t)model_size;
        }
        tok->id = id;
        if (id > max_added) max_added = id;
        if (le_vocab_add(&t->added_vocab, tok->content, tok->len, id) ||
            le_map_put(&l->owners, (const char *)&id, sizeof id, (uint32_t)k))
            return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
        if (!is_special(l, tok)) l->plain[l->n_plain++] = k;
    }
    return LE_OK;
}

/* The matchers: special tokens first, then the others, each with every
 * option (normalized included) of the last token given its id, as
 * tokenizers applies them. Normalized tokens are matched in their
 * normalized form. */
static le_status added_build(le_tokenizer *t, added_list *l, const char *what, le_error *err) {
    size_t total = l->n_special + l->n_plain;
    t->added = calloc(total ? total : 1, sizeof *t->added);
    if (!t->added) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    le_norm_scratch sc = {0};
    le_status st = LE_OK;
    for (size_t i = 0; i < total && !st; i++) {
        const le_added_token *src =
            &l->tok[i < l->n_special ? l->special[i] : l->plain[i - l->n_special]];
        int32_t id = le_vocab_find(&t->added_vocab, src->content, src->len);
        int32_t owner = added_owner(l, id);
        le_added_token *dst = &t->added[t->n_added];
        *dst = owner >= 0 ? l->tok[owner] : *src;
        dst->id = id;
        dst->content = malloc(src->len + 1);
        if (!dst->content) {
            st = LE_ERR_NOMEM;
            break;
        }
        memcpy(dst->content, src->content, src->len + 1);
        dst->len = src->len;
        t->n_added++;
        const char *pat = src->content;
        size_t pn = src->len;
        if (dst->normalized && (st = le_normalizer_run(&t->normalizer, pat, pn, &sc, &pat, &pn)))
            break;
        if (pn == 0) continue; /* normalizes to nothing: can never match */
        st = le_added_matcher_add(dst->normalized ? &t->normalized_matcher : &t->raw_matcher, pat,
                                  pn, (int32_t)(t->n_added - 1));
    }
    le_norm_scratch_free(&sc);
    return st ? le_fail(err, st, "%s: out of memory building the added-token matcher", what)
              : LE_OK;
}

static le_status load_added_tokens(le_tokenizer *t, const cJSON *root, const char *what,
                                   le_error *err) {
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "added_tokens");
    if (!list || cJSON_IsNull(list)) return LE_OK;
    if (!cJSON_IsArray(list))
        return le_fail(err, LE_ERR_FORMAT, "%s: \"added_tokens\" is not an array", what);
    added_list l = {0};
    size_t n = (size_t)cJSON_GetArraySize(list), cap = n ? n : 1;
    l.tok = calloc(cap, sizeof *l.tok);
    l.special = calloc(cap, sizeof *l.special);
    l.plain = calloc(cap, sizeof *l.plain);
    le_map_init(&l.special_set, &le_map_copied);
    le_map_init(&l.owners, &le_map_copied);
    le_status st = LE_OK;
    if (!l.tok || !l.special || !l.plain)
        st = le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    const cJSON *it;
    cJSON_ArrayForEach(it, list) {
        if (st || l.n == n) break;
        st = added_parse_one(it, &l.tok[l.n], l.n, what, err);
        if (!st) l.n++;
    }
    if (!st) st = added_assign(t, &l, what, err);
    if (!st) st = added_build(t, &l, what, err);
    added_list_free(&l);
    return st;
}

/* --------------------------------------------------------------- pieces */

/* id -> string. Where a file gives one id to two strings, the bytewise
 * smaller one wins, so the choice never depends on the map's slot order;
 * added tokens take precedence over the vocabulary, as in tokenizers'
 * id_to_token. */
static void pieces_fill(le_tokenizer *t) {
    le_map_entry e;
    for (size_t pos = 0; le_map_next(&t->vocab.map, &pos, &e);) {
        const char *cur = t->pieces[e.val];
        if (!cur || strcmp(e.key, cur) < 0) t->pieces[e.val] = e.key;
    }
    for (size_t pos = 0; le_map_next(&t->added_vocab.map, &pos, &e);) {
        const char *cur = t->pieces[e.val];
        int cur_added = cur && le_vocab_find(&t->added_vocab, cur, strlen(cur)) == (int32_t)e.val;
        if (!cur_added || strcmp(e.key, cur) < 0) t->pieces[e.val] = e.key;
    }
}

le_status le_tokenizer_build_pieces(le_tokenizer *t, const char *what, le_error *err) {
    int32_t max_id = t->vocab.max_id;
    if (t->added_vocab.max_id > max_id) max_id = t->added_vocab.max_id;
    size_t n = (size_t)(max_id + 1), count = t->vocab.map.count + t->added_vocab.map.count;
    if (n > 8 * count + PIECES_SLACK)
        return le_fail(err, LE_ERR_FORMAT,
                       "%s: token ids are too sparse (largest %d for %zu tokens)", what,
                       (int)max_id, count);
    t->pieces = calloc(n ? n : 1, sizeof *t->pieces);
    if (!t->pieces) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    t->n_pieces = n;
    pieces_fill(t);
    return LE_OK;
}

le_status le_tokenizer_load_mem(const char *json, size_t len, const char *what, le_tokenizer **out,
                                le_error *err) {
    if (!out || (!json && len)) return le_fail(err, LE_ERR_ARG, "tokenizer: bad arguments");
    *out = NULL;
    if (!what) what = "tokenizer.json";
    cJSON *root;
    le_status st = le_json_parse(json ? json : "", len, what, &root, err);
    if (st) return st;
    le_tokenizer *t = calloc(1, sizeof *t);
    if (!t) {
        cJSON_Delete(root);
        return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    }
    le_vocab_init(&t->vocab);
    le_vocab_init(&t->added_vocab);
    le_added_matcher_init(&t->raw_matcher);
    le_added_matcher_init(&t->normalized_matcher);
    if (!cJSON_IsObject(root))
        st = le_fail(err, LE_ERR_FORMAT, "%s: not a tokenizer.json object", what);
    if (!st) st = load_model(t, root, what, err);
    if (!st)
        st = le_normalizer_from_json(cJSON_GetObjectItemCaseSensitive(root, "normalizer"),
                                     &t->normalizer, what, err);
    if (!st)
        st = le_pretokenizer_from_json(cJSON_GetObjectItemCaseSensitive(root, "pre_tokenizer"),
                                       &t->pretokenizer, what, err);
    if (!st)
        st = le_postprocessor_from_json(cJSON_GetObjectItemCaseSensitive(root, "post_processor"),
                                        &t->before, &t->after, what, err);
    if (!st) st = load_added_tokens(t, root, what, err);
    if (!st) st = le_bpe_set_byte_level(&t->model, t->pretokenizer.byte_level, what, err);
    if (!st) st = le_tokenizer_build_pieces(t, what, err);
    cJSON_Delete(root);
    if (st) {
        le_tokenizer_free(t);
        return st;
    }
    *out = t;
    return LE_OK;
}

le_status le_tokenizer_load(const char *path, le_tokenizer **out, le_error *err) {
    if (!path || !out) return le_fail(err, LE_ERR_ARG, "tokenizer: no tokenizer.json path given");
    *out = NULL;
    char *buf;
    size_t n;
    le_status st = le_read_file(path, TOKENIZER_JSON_MAX, &buf, &n, err);
    if (st) return st;
    st = le_tokenizer_load_mem(buf, n, path, out, err);
    free(buf);
    return st;
}
