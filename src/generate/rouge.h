/* ROUGE-1, ROUGE-2 and ROUGE-L (precision, recall, F1) of a prediction
 * against one reference, as Google's `rouge-score` package (PyPI, 0.1.2)
 * computes them with RougeScorer(["rouge1", "rouge2", "rougeL"],
 * use_stemmer=False): the text is lowercased (Python's str.lower), every run
 * of characters outside [a-z0-9] is a separator, tokens are the [a-z0-9]+
 * runs; ROUGE-N counts clipped n-gram matches (precision over the
 * prediction's n-grams, recall over the reference's, each denominator at
 * least 1); ROUGE-L is the longest common subsequence of the two token
 * lists (no sentence splitting: rougeL, not rougeLsum); F1 = 2PR/(P+R), 0
 * when P+R = 0. Stemming is off, as in the LongBench scorer MemoRAG
 * evaluates with (docs/ask.md says why). tests/generate/test_rouge.c checks
 * the numbers against the package (tools/make_rouge_fixtures.py). */
#ifndef LE_GENERATE_ROUGE_H
#define LE_GENERATE_ROUGE_H

#include "base/error.h"

#include <stddef.h>
#include <stdint.h>

typedef struct le_rouge_prf {
    double precision, recall, f;
} le_rouge_prf;

typedef struct le_rouge_scores {
    le_rouge_prf r1, r2, rl;
} le_rouge_scores;

/* One token: chars[start .. start + len) of its le_rouge_tokens. */
typedef struct le_rouge_tok {
    uint32_t start, len;
} le_rouge_tok;

/* The tokens of one text, as the package's default tokenizer gives them
 * (lowercase ASCII). */
typedef struct le_rouge_tokens {
    char *chars;
    size_t n_chars, cap_chars;
    le_rouge_tok *tok;
    size_t n, cap;
} le_rouge_tokens;

/* Tokenizes text[0..n) into out (emptied first; free with
 * le_rouge_tokens_free). Bytes that are not valid UTF-8 are separators. */
le_status le_rouge_tokenize(const char *text, size_t n, le_rouge_tokens *out, le_error *err);
void le_rouge_tokens_free(le_rouge_tokens *t);

/* The scores of prediction against reference (NUL-terminated texts). */
le_status le_rouge_score(const char *reference, const char *prediction, le_rouge_scores *out,
                         le_error *err);

#endif
