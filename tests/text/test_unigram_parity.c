/* Unigram (SentencePiece) tokenizers: ids equal to Hugging Face tokenizers
 * on the fixture of tools/make_unigram_fixtures.py (a model trained on 16
 * scripts and emoji, converted by transformers' XLMRobertaConverter; 2,200
 * lines with the normalizer's edge cases). When LE_XLMR_TOKENIZER names a
 * real XLM-R / BGE-M3 tokenizer.json and LE_XLMR_TOKENS a fixture of its
 * ids made the same way, that pair is checked too (skipped otherwise). */
#include "token_parity.h"

int main(void) {
    run_fixture("tests/fixtures/xlmr-unigram/tokenizer.json",
                "tests/fixtures/xlmr-unigram/tokens.jsonl");
    const char *real = getenv("LE_XLMR_TOKENIZER"), *ids = getenv("LE_XLMR_TOKENS");
    if (real && *real && ids && *ids)
        run_fixture(real, ids);
    else
        fprintf(stderr, "LE_XLMR_TOKENIZER/LE_XLMR_TOKENS not set: real XLM-R check skipped\n");
    return check_report("text/unigram_parity");
}
