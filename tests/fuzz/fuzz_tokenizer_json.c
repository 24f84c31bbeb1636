/* libFuzzer target: any byte string given as tokenizer.json must either
 * load, and then encode a fixed text into ids that all have a piece, or
 * fail with a status and a message. */
#include "text/tokenizer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char text[] =
    "Hello, [CLS] W\xc3\xb6rld! na\xc3\xafve caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac "
    "\xf0\x9f\x98\x80\xe2\x80\x8d [MASK]<mask> ab##c \xef\xac\x81 \xc4\xb0 "
    "unaffable\t\n x\xcc\x81\xcc\xa3 <s></s> \xe2\x96\x81hi";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    le_tokenizer *t;
    le_error err;
    if (le_tokenizer_load_mem((const char *)data, size, "fuzz.json", &t, &err) != LE_OK) {
        if (err.code == LE_OK || !err.message[0]) abort();
        return 0;
    }
    le_ids ids = {0};
    if (le_tokenizer_encode(t, text, sizeof text - 1, &ids, &err) != LE_OK) abort();
    int vocab = le_tokenizer_vocab_size(t);
    for (size_t i = 0; i < ids.n; i++)
        if (ids.ids[i] < 0 || ids.ids[i] >= vocab || !le_tokenizer_piece(t, ids.ids[i])) abort();
    const int32_t *before, *after;
    size_t nb, na;
    le_tokenizer_template(t, &before, &nb, &after, &na);
    for (size_t i = 0; i < nb + na; i++) {
        int32_t id = i < nb ? before[i] : after[i - nb];
        if (id < 0) abort();
    }
    le_tokenizer_find(t, "[UNK]");
    le_tokenizer_kind(t);
    le_tokenizer_lowercases(t);
    le_ids_free(&ids);
    le_tokenizer_free(t);
    return 0;
}
