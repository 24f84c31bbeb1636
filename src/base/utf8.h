/* UTF-8 validation, the one rule for every text longembed takes in (the
 * tokenizer, the BM25 side of an index and the benchmark): Rust's str rules
 * (no overlong forms, no surrogates, nothing past U+10FFFF), since a text
 * that Rust's tokenizers would reject must not be tokenized here. Decoding
 * and encoding are in text/utf8.h. */
#ifndef LE_BASE_UTF8_H
#define LE_BASE_UTF8_H

#include <stddef.h>

/* Returns len when s is valid UTF-8, else the byte offset of the first byte
 * of the first invalid sequence. */
size_t le_utf8_check(const char *s, size_t len);

#endif
