#include "base/json.h"

#include "base/mapfile.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LE_JSON_STR_(x) #x
#define LE_JSON_STR(x) LE_JSON_STR_(x)

/* 1 when s[0..n) at p starts a \u escape of a UTF-16 surrogate (D800-DFFF). */
static int surrogate_escape_at(const char *s, size_t n, size_t p) {
    if (p + 6 > n || s[p] != '\\' || s[p + 1] != 'u') return 0;
    char c = s[p + 2], d = s[p + 3];
    return (c == 'd' || c == 'D') && strchr("89abcdefABCDEF", d) && d;
}

/* The open arrays and objects (outside strings) before byte off of s. */
static size_t depth_at(const char *s, size_t off) {
    size_t depth = 0;
    int in_string = 0;
    for (size_t i = 0; i < off; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\') i++;
            else if (c == '"') in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '[' || c == '{') {
            depth++;
        } else if ((c == ']' || c == '}') && depth) {
            depth--;
        }
    }
    return depth;
}

const char *le_json_failure(const char *s, size_t n, size_t off) {
    if (surrogate_escape_at(s, n, off)) return "an unpaired UTF-16 surrogate escape";
    if (off < n && (s[off] == '[' || s[off] == '{') && depth_at(s, off) >= CJSON_NESTING_LIMIT)
        return "nested deeper than " LE_JSON_STR(CJSON_NESTING_LIMIT) " levels";
    return NULL;
}

/* Parses text as le_json_parse; lines: name the line of a failure too. */
static le_status parse(const char *text, size_t len, const char *what, int lines, cJSON **out,
                       le_error *err) {
    const char *end = NULL;
    *out = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    size_t off = end && end >= text ? (size_t)(end - text) : 0;
    if (off > len) off = len;
    const char *why = j ? NULL : le_json_failure(text, len, off);
    for (size_t i = off; j && i < len; i++) { /* white space (or a C string's NUL) only after it */
        char c = text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0) continue;
        cJSON_Delete(j);
        j = NULL;
        why = "text after the value";
        off = i;
    }
    if (j) {
        *out = j;
        return LE_OK;
    }
    size_t line = 1;
    for (size_t i = 0; i < off; i++) line += text[i] == '\n';
    if (lines)
        return le_fail(err, LE_ERR_FORMAT, "%s: invalid JSON at line %zu, byte %zu%s%s", what,
                       line, off, why ? ": " : "", why ? why : "");
    return le_fail(err, LE_ERR_FORMAT, "%s: invalid JSON at byte %zu%s%s", what, off,
                   why ? ": " : "", why ? why : "");
}

le_status le_json_parse(const char *text, size_t len, const char *what, cJSON **out,
                        le_error *err) {
    return parse(text, len, what, 1, out, err);
}

le_status le_json_parse_line(const char *text, size_t len, const char *what, cJSON **out,
                             le_error *err) {
    return parse(text, len, what, 0, out, err);
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

int le_json_id_number(double v, char buf[32]) {
    const double limit = 9007199254740992.0; /* 2^53 */
    if (!isfinite(v) || v != floor(v) || v >= limit || v <= -limit) return -1;
    snprintf(buf, 32, "%lld", (long long)v); /* exact: |v| < 2^53 */
    return 0;
}

int le_json_escapes_nul(const char *line, size_t len) {
    for (size_t i = 0; i + 6 <= len; i++) {
        if (memcmp(line + i, "\\u0000", 6)) continue;
        size_t run = 0;
        while (run <= i && line[i - run] == '\\') run++;
        if (run % 2) return 1;
    }
    return 0;
}
