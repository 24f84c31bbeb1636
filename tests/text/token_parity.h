/* Token-id parity with Hugging Face tokenizers over a fixture of
 * {"text": ..., "ids": [...]} lines (ids with the template's special
 * tokens). A missing fixture is a failure, not a skip. Shared by the
 * WordPiece and Unigram parity tests. */
#ifndef LE_TESTS_TOKEN_PARITY_H
#define LE_TESTS_TOKEN_PARITY_H

#include "text_test_util.h"
#include "fixture_text.h"

#include <cjson/cJSON.h>

static inline void run_fixture(const char *tokenizer_path, const char *fixture) {
    le_tokenizer *t;
    le_error err;
    le_status s = le_tokenizer_load(tokenizer_path, &t, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    if (s) return;
    FILE *f = fopen(fixture, "rb");
    CHECK_MSG(f != NULL, "%s is missing: run the tools/make_*fixtures.py that made it", fixture);
    if (!f) {
        le_tokenizer_free(t);
        return;
    }
    const int32_t *before, *after;
    size_t nb, na;
    le_tokenizer_template(t, &before, &nb, &after, &na);
    char *line = NULL;
    size_t cap = 0, lines = 0, equal = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (len == 1 && line[0] == '\n') continue;
        lines++;
        char *text = malloc((size_t)len + 1);
        size_t tn = 0;
        cJSON *j = cJSON_ParseWithLength(line, (size_t)len);
        const cJSON *want = cJSON_GetObjectItemCaseSensitive(j, "ids");
        int ok = text && j && cJSON_IsArray(want) && line_text(line, (size_t)len, text, &tn);
        CHECK_MSG(ok, "%s:%zu: not a {\"text\", \"ids\"} line", fixture, lines);
        le_ids ids = {0};
        if (ok) {
            for (size_t i = 0; i < nb; i++) le_ids_push(&ids, before[i]);
            s = le_tokenizer_encode(t, text, tn, &ids, &err);
            for (size_t i = 0; i < na; i++) le_ids_push(&ids, after[i]);
            int same = s == LE_OK && (size_t)cJSON_GetArraySize(want) == ids.n;
            size_t at = 0;
            const cJSON *w;
            cJSON_ArrayForEach(w, want) {
                if (!same) break;
                if (!cJSON_IsNumber(w) || w->valuedouble != ids.ids[at])
                    same = 0;
                else
                    at++;
            }
            equal += (size_t)same;
            CHECK_MSG(same, "%s:%zu: ids differ (%s) for \"%.80s\" (first difference at %zu)",
                      fixture, lines, s ? err.message : "", text, at);
        }
        le_ids_free(&ids);
        cJSON_Delete(j);
        free(text);
    }
    free(line);
    fclose(f);
    CHECK_MSG(lines > 0, "%s has no lines", fixture);
    fprintf(stderr, "%s: %zu/%zu texts equal\n", fixture, equal, lines);
    le_tokenizer_free(t);
}

#endif
