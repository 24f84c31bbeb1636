/* Reading what a model wrote, for the QA pipelines: MemoRAG's clue lines
 * (spans and surrogate questions) and the [n] citations of an answer. The
 * parsers never fail on odd text: they keep what they can read. */
#ifndef LE_GENERATE_RAG_PARSE_H
#define LE_GENERATE_RAG_PARSE_H

#include "base/error.h"

#include <stddef.h>

/* Owned lines, in the order they were added. */
typedef struct le_rag_lines {
    char **line;
    size_t n, cap;
} le_rag_lines;

void le_rag_lines_free(le_rag_lines *l);
/* Appends s[0..n) trimmed unless an equal line (ASCII case and runs of
 * white space ignored) is there already; *added (may be NULL) says which. */
le_status le_rag_lines_add(le_rag_lines *l, const char *s, size_t n, int *added, le_error *err);

/* MemoRAG's clue lines of a reply: every line, trimmed, without a leading
 * bullet ("-", "*", "+", "•", "·", "–", ">") or number ("1.", "2)", "(3)",
 * "4:"), without surrounding quotes, kept when it has more than min_words
 * words (MemoRAG: 3) and is not a duplicate; appended to l. */
le_status le_rag_clue_lines(const char *reply, int min_words, le_rag_lines *l, le_error *err);

/* The citations of an answer over n passages: cited[i] = 1 when [i+1]
 * appears (also in lists "[1, 3]", "[1][3]" and ranges "[2-4]");
 * *out_of_range (may be NULL) counts numbers outside 1..n. Returns how many
 * passages are cited. */
size_t le_rag_citations(const char *answer, size_t n, unsigned char *cited, size_t *out_of_range);

#endif
