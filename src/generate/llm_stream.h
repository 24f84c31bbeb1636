/* The text of a generation as it streams: token bytes go in, complete
 * UTF-8 characters come out to the caller's callback, except text that may
 * still begin a stop string, which is held until it cannot; at the first
 * stop string the text ends before it. Everything emitted is kept too (the
 * reply of the call). Bytes that are not UTF-8 come out as U+FFFD. */
#ifndef LE_GENERATE_LLM_STREAM_H
#define LE_GENERATE_LLM_STREAM_H

#include "base/error.h"

#include <stddef.h>

typedef struct le_llm_stream {
    const char *const *stop;
    size_t n_stop;
    int (*fn)(const char *text, size_t len, void *user); /* may be NULL; nonzero: stop */
    void *user;
    char *pend; /* decided bytes not yet emitted */
    size_t n_pend, cap_pend;
    char *text; /* everything emitted, NUL-terminated */
    size_t n_text, cap_text;
    int stopped; /* 0 running, 1 a stop string, 2 the callback asked */
} le_llm_stream;

/* Appends the bytes of one token; may set s->stopped. */
le_status le_llm_stream_push(le_llm_stream *s, const char *bytes, size_t n, le_error *err);
/* Emits what is held (at the end of the generation). */
le_status le_llm_stream_finish(le_llm_stream *s, le_error *err);
void le_llm_stream_free(le_llm_stream *s);

#endif
