/* Passages of a long text: consecutive token ranges of about N tokens, each
 * mapped back to the exact bytes of the original text it came from.
 *
 * The tokenizer gives ids, not offsets, so the map is built by alignment:
 * the text is cut into units (a cut before every whitespace run, and before
 * and after every punctuation mark and CJK ideograph), each unit is
 * tokenized alone, and its ids are matched against the next ids of the
 * whole text. A unit whose ids do not match (a tokenizer that joins across
 * the cut) is merged with the following units until they do. So every
 * unit's bytes, tokenized alone, give exactly its ids; and a passage, a run
 * of whole units, has the same property: re-tokenizing its span gives its
 * tokens (tests/embed/test_passages.c).
 *
 * Passage boundaries fall between units: passages hold at most N tokens and
 * are balanced (a 520-token text with N = 510 gives two passages of about
 * 260, not 510 + 10). Consecutive passages share about `overlap` tokens.
 * A unit longer than N tokens on its own (a run the tokenizer never splits
 * at a cut) is split at token boundaries; its pieces carry the unit's
 * whole byte span and exact = 0. */
#ifndef LE_EMBED_PASSAGES_H
#define LE_EMBED_PASSAGES_H

#include "base/error.h"
#include "text/tokenizer.h"

#include <stddef.h>
#include <stdint.h>

/* A stretch of text and the content tokens it gives: bytes
 * [byte_start, byte_end) of the text, tokens [tok_start, tok_end) of its ids
 * (no special tokens, no prefix). */
typedef struct le_span {
    size_t byte_start, byte_end;
    int32_t tok_start, tok_end;
    int exact; /* 1: the bytes tokenized alone give exactly these tokens */
} le_span;

typedef struct le_spans {
    le_span *v;
    size_t n, cap;
} le_spans;

void le_spans_free(le_spans *s);

/* The units of text (len bytes, valid UTF-8) whose whole tokenization is
 * ids[0..n_ids) (le_tokenizer_encode of the same text): appended to out,
 * covering every byte and every token in order. */
le_status le_passages_align(const le_tokenizer *t, const char *text, size_t len, const int32_t *ids,
                            size_t n_ids, le_spans *out, le_error *err);

/* Passages of at most size tokens sharing about overlap tokens (0 <= overlap
 * < size), made of the units (le_passages_align), appended to out. A text
 * without tokens gives one empty passage over all its bytes. */
le_status le_passages_plan(const le_spans *units, int size, int overlap, le_spans *out,
                           le_error *err);

#endif
