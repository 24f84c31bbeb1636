/* Helpers shared by the tokenizer tests: tiny tokenizer.json documents,
 * encoding with a comparison, and the path of the default model's files. */
#ifndef LE_TESTS_TEXT_UTIL_H
#define LE_TESTS_TEXT_UTIL_H

#include "check.h"
#include "text/tokenizer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A small uncased WordPiece vocabulary: ids are the positions. */
static const char *const tiny_vocab[] = {
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "hello", "world",
    "!",     ",",     ".",     "a",     "##a",    "b",  "##b",   "the",    "cafe",  "caf",
    "##e",   "é",     "##é",   "東",    "京",     "-",  "x",     "##x",    "ab",    "##ab"};
#define TINY_VOCAB_N (sizeof tiny_vocab / sizeof tiny_vocab[0])

#define TINY_ADDED(id, content, special, normalized, lstrip, rstrip, single_word)                  \
    "{\"id\":" #id ",\"content\":\"" content "\",\"special\":" #special                            \
    ",\"normalized\":" #normalized ",\"lstrip\":" #lstrip ",\"rstrip\":" #rstrip                   \
    ",\"single_word\":" #single_word "}"
#define TINY_SPECIAL(id, content) TINY_ADDED(id, content, true, false, false, false, false)

/* A tokenizer.json with the tiny vocabulary; NULL parts take BERT defaults.
 * model_extra ("key":value, with a trailing comma) comes first in the model
 * object, so it wins over the defaults. Returns a malloc'd string. */
static inline char *tiny_json(const char *normalizer, const char *pre_tokenizer,
                              const char *added_tokens, const char *model_extra) {
    size_t cap = 8192;
    char *s = malloc(cap);
    int n = snprintf(s, cap,
                     "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,"
                     "\"added_tokens\":%s,\"normalizer\":%s,\"pre_tokenizer\":%s,"
                     "\"post_processor\":{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",3],"
                     "\"cls\":[\"[CLS]\",2]},\"decoder\":null,",
                     added_tokens ? added_tokens
                                  : "[" TINY_SPECIAL(0, "[PAD]") "," TINY_SPECIAL(
                                        2, "[CLS]") "," TINY_SPECIAL(4, "[MASK]") "]",
                     normalizer ? normalizer
                                : "{\"type\":\"BertNormalizer\",\"clean_text\":true,"
                                  "\"handle_chinese_chars\":true,\"strip_accents\":null,"
                                  "\"lowercase\":true}",
                     pre_tokenizer ? pre_tokenizer : "{\"type\":\"BertPreTokenizer\"}");
    n += snprintf(s + n, cap - (size_t)n,
                  "\"model\":{%s\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\","
                  "\"continuing_subword_prefix\":\"##\",\"max_input_chars_per_word\":10,"
                  "\"vocab\":{",
                  model_extra ? model_extra : "");
    for (size_t i = 0; i < TINY_VOCAB_N; i++)
        n += snprintf(s + n, cap - (size_t)n, "%s\"%s\":%zu", i ? "," : "", tiny_vocab[i], i);
    snprintf(s + n, cap - (size_t)n, "}}}");
    return s;
}

static inline le_tokenizer *load_tiny(const char *normalizer, const char *pre_tokenizer,
                                      const char *added_tokens) {
    char *json = tiny_json(normalizer, pre_tokenizer, added_tokens, NULL);
    le_tokenizer *t = NULL;
    le_error err;
    le_status s = le_tokenizer_load_mem(json, strlen(json), "tiny.json", &t, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    free(json);
    return t;
}

/* Encodes text and compares with the n ids of want. */
static inline void check_ids_at(const char *file, int line, const le_tokenizer *t, const char *text,
                                size_t len, const int32_t *want, size_t n) {
    le_ids ids = {0};
    le_error err;
    check_count++;
    le_status s = le_tokenizer_encode(t, text, len, &ids, &err);
    int ok = s == LE_OK && ids.n == n && (n == 0 || !memcmp(ids.ids, want, n * sizeof *want));
    if (!ok) {
        check_failures++;
        fprintf(stderr, "%s:%d: ids of \"%s\": got", file, line, text);
        if (s) fprintf(stderr, " error %s", err.message);
        for (size_t i = 0; i < ids.n; i++) fprintf(stderr, " %d", ids.ids[i]);
        fprintf(stderr, ", want");
        for (size_t i = 0; i < n; i++) fprintf(stderr, " %d", want[i]);
        fputc('\n', stderr);
    }
    le_ids_free(&ids);
}

#define CHECK_IDS(t, text, ...)                                                                    \
    do {                                                                                           \
        const int32_t want_[] = {0, __VA_ARGS__};                                                  \
        check_ids_at(__FILE__, __LINE__, t, text, strlen(text), want_ + 1,                         \
                     sizeof want_ / sizeof want_[0] - 1);                                          \
    } while (0)

/* The default model's tokenizer.json: $XDG_CACHE_HOME/longembed or
 * ~/.cache/longembed, models/minilm. Returns a malloc'd path. */
static inline char *minilm_tokenizer_path(void) {
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char buf[4096];
    if (xdg && *xdg)
        snprintf(buf, sizeof buf, "%s/longembed/models/minilm/tokenizer.json", xdg);
    else
        snprintf(buf, sizeof buf, "%s/.cache/longembed/models/minilm/tokenizer.json",
                 home ? home : ".");
    return strdup(buf);
}

#endif
