/* Added tokens (tokenizer.json "added_tokens"): strings such as [CLS] or
 * <mask> that are cut out of the text before the model sees it, as
 * tokenizers' AddedVocabulary does: leftmost-longest matching, with
 * single_word, lstrip and rstrip. Tokens with normalized = false are matched
 * on the raw text; the others on each normalized piece. */
#ifndef LE_TEXT_ADDED_TOKENS_H
#define LE_TEXT_ADDED_TOKENS_H

#include "base/error.h"

#include <stddef.h>
#include <stdint.h>

typedef struct le_added_token {
    char *content;
    size_t len;
    int32_t id;
    uint8_t special, normalized, lstrip, rstrip, single_word;
} le_added_token;

/* A byte trie of the patterns of one matching set. */
typedef struct le_added_node {
    int32_t child, sibling; /* -1: none */
    int32_t token;          /* index of the token ending here, -1: none */
    uint8_t byte;
} le_added_node;

typedef struct le_added_matcher {
    int32_t first[256]; /* root edges: node of each first byte, -1: none */
    le_added_node *nodes;
    size_t n_nodes, cap;
    size_t n_patterns;
} le_added_matcher;

void le_added_matcher_init(le_added_matcher *m);
void le_added_matcher_free(le_added_matcher *m);
/* Adds a pattern (n > 0) for token index tok; a pattern already present
 * keeps its first token, as the first of equal patterns wins a match. */
le_status le_added_matcher_add(le_added_matcher *m, const char *pattern, size_t n, int32_t tok);

/* Receives a piece of text (id < 0) or an added token's id. */
typedef le_status (*le_added_fn)(void *ctx, const char *s, size_t n, int32_t id);

/* Cuts s (valid UTF-8) at the added tokens of m, calling fn on each piece
 * in order; text pieces are never empty. tokens[i] supplies the id and
 * options of token index i. */
le_status le_added_split(const le_added_matcher *m, const le_added_token *tokens, const char *s,
                         size_t n, le_added_fn fn, void *ctx);

#endif
