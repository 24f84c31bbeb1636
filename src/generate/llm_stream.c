/* Stop strings and UTF-8 boundaries of streamed text (generate/llm_stream.h). */
#include "generate/llm_stream.h"

#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/utf8.h"

/* Appends n bytes to a growable buffer, keeping room for a NUL. */
static le_status grow_put(char **buf, size_t *len, size_t *cap, const char *src, size_t n,
                          le_error *err) {
    char *b = *buf;
    le_status st = le_array_reserve(b, *cap, *len + n + 1);
    *buf = b;
    if (st)
        return le_fail(err, LE_ERR_NOMEM, "out of memory (generated text)");
    memcpy(*buf + *len, src, n);
    *len += n;
    (*buf)[*len] = 0;
    return LE_OK;
}

/* The length of the bad sequence at b[0..n): its lead byte and the
 * continuation bytes that follow it, up to the length the lead announces
 * (one U+FFFD each, as a lossy UTF-8 decode gives about). */
static size_t bad_run(const unsigned char *b, size_t n) {
    size_t need = b[0] >= 0xf0 ? 4 : b[0] >= 0xe0 ? 3 : b[0] >= 0xc0 ? 2 : 1, k = 1;
    while (k < need && k < n && (b[k] & 0xc0) == 0x80) k++;
    return k;
}

/* Appends b[0..n) to the text and the callback's piece, each invalid UTF-8
 * sequence replaced by U+FFFD: a model may emit bytes that do not decode
 * (a random or small model, or a reply cut in a character), and callers get
 * text (JSON replies, prompts tokenized again). */
static le_status put_valid(le_llm_stream *s, const char *b, size_t n, le_error *err) {
    while (n) {
        size_t ok = le_utf8_check(b, n);
        le_status st = grow_put(&s->text, &s->n_text, &s->cap_text, b, ok, err);
        if (st || ok == n) return st;
        st = grow_put(&s->text, &s->n_text, &s->cap_text, "\xEF\xBF\xBD", 3, err);
        if (st) return st;
        size_t bad = bad_run((const unsigned char *)b + ok, n - ok);
        b += ok + bad, n -= ok + bad;
    }
    return LE_OK;
}

/* Emits the first n pending bytes (to the text and the callback). */
static le_status emit(le_llm_stream *s, size_t n, le_error *err) {
    if (!n) return LE_OK;
    size_t from = s->n_text;
    le_status st = put_valid(s, s->pend, n, err);
    if (st) return st;
    if (s->fn && s->fn(s->text + from, s->n_text - from, s->user)) s->stopped = 2;
    memmove(s->pend, s->pend + n, s->n_pend - n);
    s->n_pend -= n;
    return LE_OK;
}

/* The earliest stop string in the pending bytes: its offset, or -1. */
static long find_stop(const le_llm_stream *s) {
    long best = -1;
    for (size_t i = 0; i < s->n_stop; i++) {
        const size_t k = strlen(s->stop[i]);
        for (size_t p = 0; k && p + k <= s->n_pend; p++)
            if (!memcmp(s->pend + p, s->stop[i], k)) {
                if (best < 0 || (long)p < best) best = (long)p;
                break;
            }
    }
    return best;
}

/* Where the held tail starts: a suffix that begins some stop string. */
static size_t held_from(const le_llm_stream *s) {
    for (size_t p = 0; p < s->n_pend; p++)
        for (size_t i = 0; i < s->n_stop; i++) {
            const size_t k = strlen(s->stop[i]), rest = s->n_pend - p;
            if (rest < k && !memcmp(s->pend + p, s->stop[i], rest)) return p;
        }
    return s->n_pend;
}

/* The bytes up to n that end on a complete UTF-8 character. */
static size_t utf8_complete(const char *b, size_t n) {
    for (size_t back = 1; back <= 4 && back <= n; back++) {
        const unsigned char c = (unsigned char)b[n - back];
        if ((c & 0xc0) == 0x80) continue; /* a continuation byte */
        const size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        return need > back ? n - back : n;
    }
    return n;
}

le_status le_llm_stream_push(le_llm_stream *s, const char *bytes, size_t n, le_error *err) {
    if (s->stopped) return LE_OK;
    le_status st = grow_put(&s->pend, &s->n_pend, &s->cap_pend, bytes, n, err);
    if (st) return st;
    long at = find_stop(s);
    if (at >= 0) {
        s->n_pend = (size_t)at;
        st = emit(s, s->n_pend, err);
        s->stopped = 1;
        return st;
    }
    size_t safe = held_from(s), whole = utf8_complete(s->pend, s->n_pend);
    return emit(s, safe < whole ? safe : whole, err);
}

le_status le_llm_stream_finish(le_llm_stream *s, le_error *err) {
    if (s->stopped) return LE_OK;
    return emit(s, s->n_pend, err);
}

void le_llm_stream_free(le_llm_stream *s) {
    free(s->pend);
    free(s->text);
    memset(s, 0, sizeof *s);
}
