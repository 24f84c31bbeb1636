/* The acceptance check of the benchmark (issue 4): BM25 scores at least 95%
 * Acc@1 on passkey at every one of the 8 lengths, and at least 80% on
 * needle averaged over the lengths (the paper's BM25: 100 and 95.3). Runs
 * the full generated tasks through the public API; needs no model. */
#include "check.h"
#include "haystack.h"
#include "longembed.h"

#include <stdlib.h>

int main(void) {
    le_bench_options o;
    le_bench_options_init(&o);
    o.retrievers = "bm25";
    o.haystack_dir = test_haystack_dir();
    o.allow_fetch = 0;
    le_bench_result *r = NULL;
    le_error err;
    le_status s = le_bench_run(NULL, &o, &r, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    if (s) return check_report("test_bm25_acceptance");
    int passkey_lengths = 0, needle_lengths = 0;
    double needle_sum = 0;
    for (size_t i = 0; i < le_bench_result_count(r); i++) {
        le_bench_row w;
        le_bench_result_row(r, i, &w);
        if (strcmp(w.metric, "acc@1")) continue;
        CHECK(!strcmp(w.retriever, "bm25") && w.extend == NULL);
        fprintf(stderr, "%s %d: %.1f\n", w.task, w.length, w.value);
        if (!strcmp(w.task, "passkey")) {
            passkey_lengths++;
            CHECK_MSG(w.value >= 95, "passkey at %d: %.1f%% < 95%%", w.length, w.value);
        } else {
            needle_lengths++;
            needle_sum += w.value;
        }
    }
    CHECK_EQ_INT(passkey_lengths, 8);
    CHECK_EQ_INT(needle_lengths, 8);
    double needle = needle_lengths ? needle_sum / needle_lengths : 0;
    CHECK_MSG(needle >= 80, "needle averaged over lengths: %.1f%% < 80%%", needle);
    CHECK_NEAR(le_bench_result_score(r, "needle", "bm25", NULL), needle, 1e-9);
    CHECK(le_bench_result_score(r, "passkey", "bm25", NULL) >= 95);
    le_bench_result_free(r);
    return check_report("test_bm25_acceptance");
}
