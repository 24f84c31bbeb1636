/* Token-id parity over a fixture of {"text", "ids"} lines (ids without any
 * template), for a tokenizer already loaded: the byte-level BPE tests share
 * it (tokenizer.json and GGUF). Returns the number of equal lines and sets
 * *lines; a missing fixture is a failure. */
#ifndef LE_TESTS_BPE_IDS_FIXTURE_H
#define LE_TESTS_BPE_IDS_FIXTURE_H

#include "check.h"
#include "fixture_text.h"
#include "text/tokenizer.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

/* 1 when ids equals the JSON array want; *at is the first difference. */
static inline int ids_equal(const le_ids *ids, const cJSON *want, size_t *at) {
    *at = 0;
    if ((size_t)cJSON_GetArraySize(want) != ids->n) {
        const cJSON *w;
        cJSON_ArrayForEach(w, want) {
            if (*at >= ids->n || w->valuedouble != ids->ids[*at]) break;
            (*at)++;
        }
        return 0;
    }
    const cJSON *w;
    cJSON_ArrayForEach(w, want) {
        if (!cJSON_IsNumber(w) || w->valuedouble != ids->ids[*at]) return 0;
        (*at)++;
    }
    return 1;
}

static inline size_t bpe_ids_fixture(const le_tokenizer *t, const char *fixture, size_t *lines) {
    FILE *f = fopen(fixture, "rb");
    CHECK_MSG(f != NULL, "%s is missing: run tools/make_bpe_fixtures.py", fixture);
    *lines = 0;
    if (!f) return 0;
    char *line = NULL;
    size_t cap = 0, equal = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        (*lines)++;
        char *text = malloc((size_t)len + 1);
        size_t tn = 0, at = 0;
        cJSON *j = cJSON_ParseWithLength(line, (size_t)len);
        const cJSON *want = cJSON_GetObjectItemCaseSensitive(j, "ids");
        int ok = text && j && cJSON_IsArray(want) && line_text(line, (size_t)len, text, &tn);
        CHECK_MSG(ok, "%s:%zu: not a {\"text\", \"ids\"} line", fixture, *lines);
        le_ids ids = {0};
        le_error err;
        if (ok) {
            le_status s = le_tokenizer_encode(t, text, tn, &ids, &err);
            int same = s == LE_OK && ids_equal(&ids, want, &at);
            equal += (size_t)same;
            CHECK_MSG(same, "%s:%zu: ids differ (%s) for \"%.60s\" (first difference at %zu)",
                      fixture, *lines, s ? err.message : "", text, at);
        }
        le_ids_free(&ids);
        cJSON_Delete(j);
        free(text);
    }
    free(line);
    fclose(f);
    CHECK_MSG(*lines > 0, "%s has no lines", fixture);
    fprintf(stderr, "%s: %zu/%zu texts equal\n", fixture, equal, *lines);
    return equal;
}

#endif
