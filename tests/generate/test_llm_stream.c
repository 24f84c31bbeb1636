/* Streamed text: the callback gets whole UTF-8 characters (a character
 * split between tokens waits for its last byte), text that may begin a
 * stop string is held until it cannot, the text ends before the first stop
 * string (also one spread over several tokens), and a callback that
 * returns nonzero stops the stream. */
#include "check.h"
#include "generate/llm_stream.h"

#include <stdlib.h>

typedef struct sink {
    char got[256];
    size_t n;
    int calls, stop_after;
} sink;

static int on_text(const char *t, size_t n, void *user) {
    sink *s = user;
    memcpy(s->got + s->n, t, n);
    s->n += n;
    s->got[s->n] = 0;
    s->calls++;
    return s->stop_after && s->calls >= s->stop_after;
}

/* Pushes the pieces; returns what was streamed (and checks it equals the text). */
static void run(const char *const *pieces, int n, const char *const *stop, size_t n_stop,
                const char *want, int want_stopped, sink *k) {
    le_llm_stream s;
    memset(&s, 0, sizeof s);
    s.stop = stop;
    s.n_stop = n_stop;
    s.fn = on_text;
    s.user = k;
    le_error err;
    for (int i = 0; i < n && !s.stopped; i++) {
        CHECK(le_llm_stream_push(&s, pieces[i], strlen(pieces[i]), &err) == LE_OK);
        /* never an incomplete character at the end of what was streamed */
        if (k->n) CHECK((unsigned char)k->got[k->n - 1] < 0xc0);
    }
    CHECK(le_llm_stream_finish(&s, &err) == LE_OK);
    CHECK_MSG(!strcmp(k->got, want), "got \"%s\" want \"%s\"", k->got, want);
    CHECK(s.text && !strcmp(s.text, want));
    CHECK_EQ_INT(s.stopped, want_stopped);
    le_llm_stream_free(&s);
}

int main(void) {
    sink k = {{0}, 0, 0, 0};
    const char *utf[] = {"caf", "\xc3", "\xa9 ", "\xe2\x82", "\xac!"};
    run(utf, 5, NULL, 0, "caf\xc3\xa9 \xe2\x82\xac!", 0, &k);
    const char *stop1[] = {"<|im_end|>", "\n\n"};
    const char *p1[] = {"Hello", " wor", "ld<|im", "_end", "|> more"};
    memset(&k, 0, sizeof k);
    run(p1, 5, stop1, 2, "Hello world", 1, &k);
    const char *p2[] = {"a<", "b", "\n", "c\n", "\nd"};
    memset(&k, 0, sizeof k);
    run(p2, 5, stop1, 2, "a<b\nc", 1, &k);
    const char *p3[] = {"one", " two", " three"};
    memset(&k, 0, sizeof k);
    k.stop_after = 2;
    le_llm_stream s;
    memset(&s, 0, sizeof s);
    s.fn = on_text;
    s.user = &k;
    le_error err;
    for (int i = 0; i < 3 && !s.stopped; i++) le_llm_stream_push(&s, p3[i], strlen(p3[i]), &err);
    CHECK_EQ_INT(s.stopped, 2);
    CHECK(!strcmp(k.got, "one two"));
    le_llm_stream_free(&s);
    return check_report("generate/test_llm_stream");
}
