/* The BPE model's state, shared by its loader (bpe_load.c) and its merge
 * loop (bpe.c). */
#ifndef LE_TEXT_BPE_INTERNAL_H
#define LE_TEXT_BPE_INTERNAL_H

#include "base/map.h"
#include "text/bpe.h"

typedef struct bpe_merge {
    uint32_t rank; /* position in the merge list: lower merges first */
    int32_t id;    /* the token the pair becomes */
} bpe_merge;

typedef struct bpe {
    const le_vocab *vocab; /* string -> id (owned by the tokenizer) */
    le_map pairs;          /* (left id, right id) as 8 bytes -> index into merges */
    bpe_merge *merges;
    size_t n_merges, cap;
    le_map raw;              /* byte level + ignore_merges: a token's raw bytes -> id */
    int32_t byte_ids[256];   /* byte level: the id of each byte's character, -1 if none */
    int32_t fallback[256];   /* byte_fallback: the id of <0xXX>, -1 if none */
    int32_t unk_id;          /* -1: unknown characters are dropped */
    uint8_t byte_level, ignore_merges, byte_fallback, fuse_unk;
} bpe;

le_status le_bpe_tokenize(const void *impl, const char *word, size_t n, le_ids *out);
void le_bpe_destroy(void *impl);

#endif
