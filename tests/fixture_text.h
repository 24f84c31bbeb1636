/* The "text" field of a fixture line, decoded by hand: cJSON ends strings
 * at an escaped U+0000, and the fixtures test exactly such texts. */
#ifndef LE_TESTS_FIXTURE_TEXT_H
#define LE_TESTS_FIXTURE_TEXT_H

#include <stdio.h>
#include <string.h>

/* Decodes the JSON string starting at p (just after its opening quote) into
 * out; returns the position after the closing quote, or NULL. cJSON cannot
 * be used for the text: it ends strings at an escaped U+0000. */
static inline const char *json_string(const char *p, const char *end, char *out, size_t *n) {
    size_t k = 0;
    while (p < end && *p != '"') {
        if (*p != '\\') {
            out[k++] = *p++;
            continue;
        }
        if (++p >= end) return NULL;
        char e = *p++;
        const char *simple = "\"\\/bfnrt", *value = "\"\\/\b\f\n\r\t";
        const char *f = strchr(simple, e);
        if (e && f) {
            out[k++] = value[f - simple];
            continue;
        }
        if (e != 'u' || end - p < 4) return NULL;
        unsigned c, lo;
        if (sscanf(p, "%4x", &c) != 1) return NULL;
        p += 4;
        if (c >= 0xD800 && c < 0xDC00) { /* a surrogate pair */
            if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || sscanf(p + 2, "%4x", &lo) != 1)
                return NULL;
            p += 6;
            c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
        }
        if (c < 0x80) {
            out[k++] = (char)c;
        } else if (c < 0x800) {
            out[k++] = (char)(0xC0 | (c >> 6));
            out[k++] = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out[k++] = (char)(0xE0 | (c >> 12));
            out[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[k++] = (char)(0x80 | (c & 0x3F));
        } else {
            out[k++] = (char)(0xF0 | (c >> 18));
            out[k++] = (char)(0x80 | ((c >> 12) & 0x3F));
            out[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[k++] = (char)(0x80 | (c & 0x3F));
        }
    }
    if (p >= end) return NULL;
    *n = k;
    return p + 1;
}

/* The raw "text" value of one line (a top-level key of the object) into
 * out (at least len bytes); *n receives its length. */
static inline int line_text(const char *line, size_t len, char *out, size_t *n) {
    const char *end = line + len, *key = "\"text\"";
    for (const char *p = line; p + 6 < end; p++) {
        if (memcmp(p, key, 6)) continue;
        p += 6;
        while (p < end && (*p == ' ' || *p == ':')) p++;
        if (p >= end || *p != '"') return 0;
        return json_string(p + 1, end, out, n) != NULL;
    }
    return 0;
}

#endif
