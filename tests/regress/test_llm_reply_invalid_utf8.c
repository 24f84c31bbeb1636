/* Bug: a decoder's reply could hold bytes that are not UTF-8 (a random or
 * small model emitting a lone byte token, or a reply cut inside a
 * character); `ask` then failed counting the reply's tokens ("text is not
 * valid UTF-8") and the server would have written it into JSON. The stream
 * now replaces each bad sequence with U+FFFD, in the text and in what the
 * callback gets. */
#include "check.h"
#include "base/utf8.h"
#include "generate/llm_stream.h"

static char g_seen[128];
static size_t g_n;

static int on_text(const char *t, size_t n, void *user) {
    (void)user;
    memcpy(g_seen + g_n, t, n);
    g_seen[g_n += n] = 0;
    return 0;
}

static void expect(const char *const *pieces, int n, const char *want) {
    le_llm_stream s;
    memset(&s, 0, sizeof s);
    s.fn = on_text;
    g_n = 0, g_seen[0] = 0;
    le_error err;
    for (int i = 0; i < n; i++) CHECK(le_llm_stream_push(&s, pieces[i], strlen(pieces[i]), &err) == 0);
    CHECK(le_llm_stream_finish(&s, &err) == LE_OK);
    CHECK_MSG(s.text && !strcmp(s.text, want), "got \"%s\" want \"%s\"", s.text ? s.text : "", want);
    CHECK(!strcmp(g_seen, want));
    CHECK(le_utf8_check(s.text, s.n_text) == s.n_text);
    le_llm_stream_free(&s);
}

int main(void) {
    const char *lone[] = {"a", "\xE9", "b"};          /* a Latin-1 byte between letters */
    expect(lone, 3, "a\xEF\xBF\xBD" "b");
    const char *cont[] = {"\x80\x80x"};                /* stray continuation bytes */
    expect(cont, 1, "\xEF\xBF\xBD\xEF\xBF\xBDx");
    const char *cut[] = {"caf", "\xC3"};               /* the reply ends inside a character */
    expect(cut, 2, "caf\xEF\xBF\xBD");
    const char *split[] = {"\xE2\x82", "\xAC ok"};    /* a whole character split between tokens */
    expect(split, 2, "\xE2\x82\xAC ok");
    const char *surrogate[] = {"\xED\xA0\x80!"};       /* an encoded surrogate is not UTF-8 */
    expect(surrogate, 1, "\xEF\xBF\xBD!");
    return check_report("test_llm_reply_invalid_utf8");
}
