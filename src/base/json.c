#include "base/json.h"

#include "base/mapfile.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

le_status le_json_parse(const char *text, size_t len, const char *what, cJSON **out,
                        le_error *err) {
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!j) {
        size_t off = end && end >= text ? (size_t)(end - text) : 0;
        if (off > len) off = len;
        size_t line = 1;
        for (size_t i = 0; i < off; i++) line += text[i] == '\n';
        return le_fail(err, LE_ERR_FORMAT, "%s: invalid JSON at line %zu, byte %zu", what, line,
                       off);
    }
    *out = j;
    return LE_OK;
}

le_status le_json_load(const char *path, size_t max_size, cJSON **out, le_error *err) {
    char *buf;
    size_t n;
    le_status s = le_read_file(path, max_size, &buf, &n, err);
    if (s) return s;
    s = le_json_parse(buf, n, path, out, err);
    free(buf);
    return s;
}

int le_json_int(const cJSON *obj, const char *key, long long *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(v)) return 0;
    double d = v->valuedouble;
    if (!isfinite(d) || d != floor(d) || d > 9.0e15 || d < -9.0e15) return 0;
    *out = (long long)d;
    return 1;
}

int le_json_num(const cJSON *obj, const char *key, double *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(v)) return 0;
    *out = v->valuedouble;
    return 1;
}

int le_json_bool(const cJSON *obj, const char *key, int *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsBool(v)) return 0;
    *out = cJSON_IsTrue(v);
    return 1;
}

const char *le_json_str(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

void le_json_write_string(const char *s, size_t n, unsigned flags, le_json_put put, void *ctx) {
    put(ctx, "\"", 1);
    size_t run = 0; /* start of the bytes not yet written */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[8];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (c < 0x20 || (c == 0x7f && (flags & LE_JSON_ESCAPE_DEL))) {
                snprintf(u, sizeof u, "\\u%04x", c);
                esc = u;
            }
        }
        if (!esc) continue;
        if (i > run) put(ctx, s + run, i - run);
        put(ctx, esc, strlen(esc));
        run = i + 1;
    }
    if (n > run) put(ctx, s + run, n - run);
    put(ctx, "\"", 1);
}
