/* Text of passages for the terminal: character offsets and one-line snippets. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

size_t cli_utf8_chars(const char *s, size_t n) {
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* s[0..n) with every run of white space as one space, trimmed, into out
 * (room for n bytes); returns its length. */
static size_t collapse_space(const char *s, size_t n, char *out) {
    size_t m = 0;
    int gap = 0;
    for (size_t i = 0; i < n; i++) {
        if (strchr(" \t\n\r\f\v", s[i]) && s[i]) {
            gap = 1;
            continue;
        }
        if (gap && m) out[m++] = ' ';
        gap = 0;
        out[m++] = s[i];
    }
    return m;
}

void cli_snippet(FILE *f, const char *s, size_t n, size_t max_chars) {
    char *t = calloc(n + 1, 1);
    if (!t) return;
    size_t m = collapse_space(s, n, t), cut = m, chars = 0, space = 0;
    for (size_t i = 0; i < m; i++) {
        if (((unsigned char)t[i] & 0xC0) == 0x80) continue;
        if (chars == max_chars) { /* too long: cut at the last word boundary */
            cut = t[i] == ' ' || !space ? i : space;
            break;
        }
        if (t[i] == ' ') space = i;
        chars++;
    }
    fwrite(t, 1, cut, f);
    if (cut < m) fputs("\xe2\x80\xa6", f); /* … */
    free(t);
}
