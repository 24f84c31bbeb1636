/* Reading the reference fixtures (tests/fixtures/<model>/<name>.jsonl) in tests. */
#ifndef LE_TESTS_FIXTURE_H
#define LE_TESTS_FIXTURE_H

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture_text.h"

typedef struct fixture_row {
    char *text;
    size_t len; /* texts may hold NUL bytes */
    int tokens;
    float *embedding; /* dim floats, or NULL */
    int dim;
} fixture_row;

/* Loads every line of a JSONL fixture; returns the row count, -1 when the
 * file is missing or malformed (a message is printed). */
static inline int fixture_load(const char *path, fixture_row **rows_out) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: missing fixture (made by tools/make_fixtures.py)\n", path);
        return -1;
    }
    fixture_row *rows = NULL;
    int n = 0;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        cJSON *j = cJSON_Parse(line);
        const cJSON *text = cJSON_GetObjectItem(j, "text");
        if (!cJSON_IsString(text)) {
            fprintf(stderr, "%s: line %d: no text\n", path, n + 1);
            cJSON_Delete(j);
            n = -1;
            break;
        }
        rows = realloc(rows, sizeof *rows * (size_t)(n + 1));
        fixture_row *r = &rows[n++];
        memset(r, 0, sizeof *r);
        r->text = malloc(strlen(line) + 1);
        if (!line_text(line, strlen(line), r->text, &r->len)) {
            fprintf(stderr, "%s: line %d: cannot decode the text\n", path, n);
            r->len = 0;
        }
        const cJSON *tok = cJSON_GetObjectItem(j, "tokens");
        r->tokens = cJSON_IsNumber(tok) ? tok->valueint : -1;
        const cJSON *emb = cJSON_GetObjectItem(j, "embedding");
        if (cJSON_IsArray(emb)) {
            r->dim = cJSON_GetArraySize(emb);
            r->embedding = malloc(sizeof(float) * (size_t)r->dim);
            for (int i = 0; i < r->dim; i++)
                r->embedding[i] = (float)cJSON_GetArrayItem(emb, i)->valuedouble;
        }
        cJSON_Delete(j);
    }
    free(line);
    fclose(f);
    *rows_out = rows;
    return n;
}

static inline void fixture_free(fixture_row *rows, int n) {
    for (int i = 0; i < n; i++) {
        free(rows[i].text);
        free(rows[i].embedding);
    }
    free(rows);
}

/* The default model's directory: $LONGEMBED_MINILM_DIR, else the cache. */
static inline const char *fixture_minilm_dir(char *buf, size_t cap) {
    const char *env = getenv("LONGEMBED_MINILM_DIR");
    if (env && *env) return env;
    const char *xdg = getenv("XDG_CACHE_HOME");
    if (xdg && *xdg) snprintf(buf, cap, "%s/longembed/models/minilm", xdg);
    else snprintf(buf, cap, "%s/.cache/longembed/models/minilm", getenv("HOME") ? getenv("HOME") : "");
    return buf;
}

#endif
