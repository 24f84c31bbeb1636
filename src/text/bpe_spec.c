/* A byte-level BPE tokenizer from the arrays of a GGUF (le_bpe_spec), built
 * as transformers builds one from a GGUF (integrations/gguf: GPT2Tokenizer
 * over the vocabulary and merges, control tokens added as special tokens,
 * user-defined ones as plain added tokens, both matched whole and
 * unnormalized; a token written outside the byte alphabet is re-spelled
 * from its UTF-8 bytes), with the pre-tokenizer that tokenizer.ggml.pre
 * names, as the model's own tokenizer.json and llama.cpp have it:
 *
 *   smollm              Digits(individual) + ByteLevel(GPT-2 regex)  (SmolLM, StarCoder)
 *   gpt2                ByteLevel(GPT-2 regex)
 *   llama-bpe, llama3,  Split(Llama-3 regex) + ByteLevel, ignore_merges
 *   llama-v3
 *   qwen2               Split(Qwen2 regex) + ByteLevel
 *
 * (transformers itself knows no "smollm" and leaves out the Digits step:
 * its GGUF tokenizer differs from SmolLM's tokenizer.json on digits after a
 * space; tools/make_bpe_fixtures.py measures it.) */
#include "base/array.h"
#include "text/bpe.h"
#include "text/bpe_pretok.h"
#include "text/tokenizer_internal.h"
#include "text/utf8.h"

#include <stdlib.h>
#include <string.h>

enum { TOKEN_CONTROL = 3, TOKEN_USER_DEFINED = 4 };

/* The steps pre names; *ignore_merges as its tokenizer.json has it. */
static le_status pre_steps(le_pretokenizer *p, const char *pre, int *ignore_merges,
                           const char *what, le_error *err) {
    int split = 0;
    *ignore_merges = 0;
    if (!pre) pre = "(none)";
    if (!strcmp(pre, "smollm")) {
        if (le_pretokenizer_add(p, LE_PRE_DIGITS, LE_SPLIT_ISOLATED)) goto nomem;
        p->steps[p->n - 1].individual = 1;
    } else if (!strcmp(pre, "llama-bpe") || !strcmp(pre, "llama3") || !strcmp(pre, "llama-v3")) {
        split = LE_BPE_REGEX_LLAMA3;
        *ignore_merges = 1;
    } else if (!strcmp(pre, "qwen2")) {
        split = LE_BPE_REGEX_QWEN2;
    } else if (strcmp(pre, "gpt2")) {
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "%s: tokenizer.ggml.pre \"%s\" is not supported (known: smollm, gpt2, "
                       "llama-bpe, llama3, qwen2)", what, pre);
    }
    if (split) {
        if (le_pretokenizer_add(p, LE_PRE_SPLIT_REGEX, LE_SPLIT_ISOLATED)) goto nomem;
        p->steps[p->n - 1].regex = (uint8_t)split;
    }
    if (le_pretokenizer_add(p, LE_PRE_BYTELEVEL, LE_SPLIT_ISOLATED)) goto nomem;
    p->steps[p->n - 1].regex = (uint8_t)(split ? LE_BPE_REGEX_NONE : LE_BPE_REGEX_GPT2);
    p->byte_level = 1;
    return LE_OK;
nomem:
    return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
}

/* 1 when every character of s is one of the byte alphabet's. */
static int spelled(const char *s, size_t n) {
    for (size_t i = 0; i < n;)
        if (le_bpe_char_byte(le_utf8_next(s, n, &i)) < 0) return 0;
    return 1;
}

/* Token i into the vocabulary, re-spelled when written outside the alphabet. */
static le_status add_token(le_tokenizer *t, const char *s, size_t n, int32_t id, char **buf,
                           size_t *cap) {
    if (spelled(s, n)) return le_vocab_add(&t->vocab, s, n, id);
    if (le_array_reserve(*buf, *cap, 2 * n + 1)) return LE_ERR_NOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) m += le_utf8_put(*buf + m, le_bpe_byte_char((uint8_t)s[i]));
    return le_vocab_add(&t->vocab, *buf, m, id);
}

static le_status add_vocab(le_tokenizer *t, const le_bpe_spec *spec, const char *what,
                           le_error *err) {
    char *buf = NULL;
    size_t cap = 0;
    le_status st = LE_OK;
    for (size_t i = 0; i < spec->n_tokens && !st; i++) {
        const char *s = spec->tokens[i];
        size_t n = spec->token_lens[i];
        if (i > INT32_MAX || !s || !n || le_utf8_check(s, n) != n) {
            free(buf);
            return le_fail(err, LE_ERR_FORMAT, "%s: token %zu is empty or not UTF-8", what, i);
        }
        st = add_token(t, s, n, (int32_t)i, &buf, &cap);
    }
    free(buf);
    return st ? le_fail(err, st, "%s: out of memory", what) : LE_OK;
}

/* Control tokens (special) and then user-defined ones (plain), each
 * matched whole in the raw text; only those written in the alphabet, as
 * transformers skips the others. */
static le_status add_specials(le_tokenizer *t, const le_bpe_spec *spec, const char *what,
                              le_error *err) {
    if (!spec->token_types) return LE_OK;
    t->added = calloc(spec->n_tokens ? spec->n_tokens : 1, sizeof *t->added);
    if (!t->added) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    for (int pass = 0; pass < 2; pass++) {
        int32_t want = pass ? TOKEN_USER_DEFINED : TOKEN_CONTROL;
        for (size_t i = 0; i < spec->n_tokens; i++) {
            const char *s = spec->tokens[i];
            size_t n = spec->token_lens[i];
            if (spec->token_types[i] != want || !spelled(s, n)) continue;
            le_added_token *a = &t->added[t->n_added];
            *a = (le_added_token){malloc(n + 1), n, (int32_t)i, (uint8_t)!pass, 0, 0, 0, 0};
            if (!a->content) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
            memcpy(a->content, s, n);
            a->content[n] = 0;
            t->n_added++;
            if (le_vocab_add(&t->added_vocab, s, n, (int32_t)i) ||
                le_added_matcher_add(&t->raw_matcher, s, n, (int32_t)(t->n_added - 1)))
                return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
        }
    }
    return LE_OK;
}

le_status le_tokenizer_from_bpe(const le_bpe_spec *spec, const char *what, le_tokenizer **out,
                                le_error *err) {
    if (!what) what = "GGUF tokenizer";
    if (!spec || !out || !spec->tokens || !spec->token_lens || (spec->n_merges && !spec->merges) ||
        (spec->n_merges && !spec->merge_lens))
        return le_fail(err, LE_ERR_ARG, "%s: le_tokenizer_from_bpe needs tokens and merges", what);
    *out = NULL;
    le_tokenizer *t = calloc(1, sizeof *t);
    if (!t) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    le_vocab_init(&t->vocab);
    le_vocab_init(&t->added_vocab);
    le_added_matcher_init(&t->raw_matcher);
    le_added_matcher_init(&t->normalized_matcher);
    int ignore_merges = 0;
    le_status st = pre_steps(&t->pretokenizer, spec->pre, &ignore_merges, what, err);
    if (!st) st = add_vocab(t, spec, what, err);
    if (!st)
        st = le_bpe_from_merges(spec->merges, spec->merge_lens, spec->n_merges, &t->vocab,
                                ignore_merges, &t->model, what, err);
    if (!st) st = le_bpe_set_byte_level(&t->model, 1, what, err);
    if (!st) st = add_specials(t, spec, what, err);
    if (!st) st = le_tokenizer_build_pieces(t, what, err);
    if (st) {
        le_tokenizer_free(t);
        return st;
    }
    *out = t;
    return LE_OK;
}
