/* Parity with Hugging Face tokenizers: every line of the reference fixtures
 * (written by tools/make_fixtures.py, {"text": ..., "ids": [...]} with the
 * template's special tokens included) must give exactly the same ids.
 * A missing fixture is a failure, not a skip. */
#include "token_parity.h"

int main(void) {
    char *minilm = minilm_tokenizer_path();
    run_fixture(minilm, "tests/fixtures/minilm/tokens.jsonl");
    free(minilm);
    run_fixture("tests/fixtures/bert-cased-tiny/tokenizer.json",
                "tests/fixtures/bert-cased-tiny/tokens.jsonl");
    return check_report("text/tokenizer_parity");
}
