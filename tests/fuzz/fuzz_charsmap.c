/* libFuzzer target: any byte string as a SentencePiece precompiled charsmap
 * must either be refused with a status and a message, or be applied to a
 * fixed text (and to its own bytes when they are UTF-8) without reading
 * out of bounds, giving valid UTF-8. */
#include "text/unigram_charsmap.h"
#include "text/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char text[] = "Ｆｕｌｌ ﬁ e\xcc\x81 \xe2\x80\x8b\x01\t\n \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd "
                           "\xe0\xa4\x95\xe0\xa5\x8d\xe0\xa4\xb7 \xea\xb0\x80 abc";

static void apply(const le_charsmap *m, const char *s, size_t n) {
    le_strbuf out = {0};
    if (le_charsmap_apply(m, s, n, &out) != LE_OK) abort();
    if (le_utf8_check(out.p ? out.p : "", out.n) != out.n) abort();
    le_strbuf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    le_charsmap m;
    le_error err;
    if (le_charsmap_parse(data, size, &m, "fuzz", &err) != LE_OK) {
        if (err.code == LE_OK || !err.message[0]) abort();
        return 0;
    }
    apply(&m, text, sizeof text - 1);
    if (le_utf8_check((const char *)data, size) == size) apply(&m, (const char *)data, size);
    le_charsmap_free(&m);
    le_charsmap m2;
    if (le_charsmap_parse_base64((const char *)data, size, &m2, "fuzz", &err) == LE_OK) {
        apply(&m2, text, sizeof text - 1);
        le_charsmap_free(&m2);
    }
    return 0;
}
