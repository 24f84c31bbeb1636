/* The synthetic tasks: the PRNG's known answers, the construction rules
 * (sizes, word budget, one key or fact per document, the query naming its
 * document), independence of lengths, and determinism of the export: the
 * same seed gives byte-identical files, another seed different ones.
 * The haystack is found through LE_HAYSTACK_DIR (tests/haystack.h). */
#include "base/mapfile.h"
#include "check.h"
#include "eval/data.h"
#include "eval/rng.h"
#include "eval/task.h"
#include "haystack.h"

#include <stdlib.h>
#include <unistd.h>

static size_t words(const char *s, size_t n) {
    size_t w = 0;
    int in = 0;
    for (size_t i = 0; i < n; i++) {
        int sp = s[i] == ' ' || s[i] == '\n' || s[i] == '\t';
        if (!sp && !in) w++;
        in = !sp;
    }
    return w;
}

static char *slurp(const char *path, size_t *n) {
    char *buf = NULL;
    le_error err;
    if (le_read_file(path, 0, &buf, n, &err) != LE_OK) return NULL;
    return buf;
}

/* 1 when the two files exist and are byte-identical */
static int same_file(const char *a, const char *b) {
    size_t na, nb;
    char *x = slurp(a, &na), *y = slurp(b, &nb);
    int same = x && y && na == nb && !memcmp(x, y, na);
    free(x);
    free(y);
    return same;
}

static void export_to(const char *dir, uint64_t seed, const le_haystack *h) {
    le_synth_options o;
    le_synth_options_init(&o);
    o.seed = seed;
    int lengths[] = {256, 1024, 4096};
    o.lengths = lengths;
    o.n_lengths = 3;
    le_task t;
    le_error err;
    CHECK(le_passkey_generate(&o, &t, &err) == LE_OK);
    CHECK_MSG(le_task_export(&t, dir, &err) == LE_OK, "%s", err.message);
    le_task_free(&t);
    CHECK(le_needle_generate(&o, h, &t, &err) == LE_OK);
    CHECK_MSG(le_task_export(&t, dir, &err) == LE_OK, "%s", err.message);
    le_task_free(&t);
}

static void check_passkey(void) {
    le_synth_options o;
    le_synth_options_init(&o);
    le_task t;
    le_error err;
    CHECK(le_passkey_generate(&o, &t, &err) == LE_OK);
    CHECK(!strcmp(t.name, "passkey") && t.synthetic);
    CHECK_EQ_INT(t.n_splits, 8);
    int ok_sizes = 1, ok_budget = 1, ok_key = 1, ok_query = 1, ok_full = 1;
    for (size_t i = 0; i < t.n_splits; i++) {
        const le_split *s = &t.splits[i];
        char name[32];
        snprintf(name, sizeof name, "test_%d", le_synth_lengths[i]);
        ok_sizes &= !strcmp(s->name, name) && s->length == le_synth_lengths[i] &&
                    s->docs->n == 100 && s->queries.n == 50 && s->n_qrels == 50;
        for (size_t d = 0; d < s->docs->n; d++) {
            size_t w = words(s->docs->texts[d], s->docs->lens[d]);
            ok_budget &= w <= (size_t)s->length * 3 / 4;
            ok_full &= w + 6 > (size_t)s->length * 3 / 4; /* filled up to the last sentence */
            ok_key &= strstr(s->docs->texts[d], "'s pass key is ") != NULL;
        }
        for (size_t q = 0; q < s->queries.n; q++) {
            /* "what is the passkey for <Name>?" and <Name>'s document */
            const char *qt = s->queries.texts[q];
            const char *name_at = strstr(qt, "passkey for ");
            ok_query &= name_at != NULL;
            if (!name_at) continue;
            char want[256];
            snprintf(want, sizeof want, "%.*s's pass key is ", (int)(strlen(name_at + 12) - 1),
                     name_at + 12);
            size_t nj;
            const le_qrel *j = le_split_qrels_of(s, (uint32_t)q, &nj);
            ok_query &= nj == 1 && j[0].score == 1 && strstr(s->docs->texts[j[0].doc], want);
            /* and no other document of the split has that person */
            for (size_t d = 0; d < s->docs->n; d++)
                if (d != j[0].doc && strstr(s->docs->texts[d], want)) ok_query = 0;
        }
    }
    CHECK(ok_sizes);
    CHECK(ok_budget);
    CHECK(ok_full);
    CHECK(ok_key);
    CHECK(ok_query);
    /* keys are 4-5 digits; the sentence of the paper */
    const char *d0 = t.splits[0].docs->texts[0];
    const char *k = strstr(d0, "'s pass key is ");
    CHECK(k != NULL);
    if (k) {
        int key = atoi(k + 15);
        CHECK(key >= 1000 && key <= 99999);
        char tail[128];
        snprintf(tail, sizeof tail, "%d. Remember it. %d is the pass key for ", key, key);
        CHECK_STR_CONTAINS(d0, tail);
    }
    CHECK_STR_CONTAINS(d0, "The grass is green. The sky is blue. The sun is yellow. Here we go. "
                           "There and back again.");
    CHECK(!strcmp(t.splits[2].queries.ids[7], "ctx1024_query7"));
    CHECK(!strcmp(t.splits[2].docs->ids[42], "ctx1024_doc42"));

    /* one length alone comes out as in the full run */
    int one[] = {1024};
    o.lengths = one;
    o.n_lengths = 1;
    le_task t1;
    CHECK(le_passkey_generate(&o, &t1, &err) == LE_OK);
    CHECK_EQ_INT(t1.n_splits, 1);
    const le_split *a = &t.splits[2], *b = &t1.splits[0];
    int same = a->docs->n == b->docs->n && a->queries.n == b->queries.n;
    for (size_t d = 0; same && d < a->docs->n; d++)
        same = !strcmp(a->docs->texts[d], b->docs->texts[d]);
    for (size_t q = 0; same && q < a->queries.n; q++)
        same =
            !strcmp(a->queries.texts[q], b->queries.texts[q]) && a->qrels[q].doc == b->qrels[q].doc;
    CHECK(same);
    le_task_free(&t1);
    le_task_free(&t);

    /* sizes and bad options */
    le_synth_options small;
    le_synth_options_init(&small);
    small.n_docs = 10;
    small.n_queries = 10;
    CHECK(le_passkey_generate(&small, &t, &err) == LE_OK);
    CHECK_EQ_INT(t.splits[0].docs->n, 10);
    le_task_free(&t);
    small.n_queries = 11;
    CHECK(le_passkey_generate(&small, &t, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "queries per length");
    small.n_queries = 5;
    int bad[] = {300};
    small.lengths = bad;
    small.n_lengths = 1;
    CHECK(le_passkey_generate(&small, &t, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "length 300");
    small.lengths = NULL;
    small.n_docs = 5000;
    CHECK(le_passkey_generate(&small, &t, &err) == LE_ERR_ARG);
}

static void check_needle(const le_haystack *h) {
    le_synth_options o;
    le_synth_options_init(&o);
    int lengths[] = {256, 2048, 32768};
    o.lengths = lengths;
    o.n_lengths = 3;
    le_task t;
    le_error err;
    CHECK(le_needle_generate(&o, h, &t, &err) == LE_OK);
    CHECK_EQ_INT(t.n_splits, 3);
    int ok_budget = 1, ok_fact = 1, ok_query = 1;
    for (size_t i = 0; i < t.n_splits; i++) {
        const le_split *s = &t.splits[i];
        CHECK(s->docs->n == 100 && s->queries.n == 50);
        for (size_t d = 0; d < s->docs->n; d++) {
            size_t w = words(s->docs->texts[d], s->docs->lens[d]);
            ok_budget &= w == (size_t)s->length * 3 / 4;
            int facts = 0;
            for (size_t f = 0; f < le_data_n_needles; f++)
                facts += strstr(s->docs->texts[d], le_data_needles[f].fact) != NULL;
            ok_fact &= facts == 1;
        }
        for (size_t q = 0; q < s->queries.n; q++) {
            size_t nj;
            const le_qrel *j = le_split_qrels_of(s, (uint32_t)q, &nj);
            const char *fact = NULL;
            for (size_t f = 0; f < le_data_n_needles; f++)
                if (!strcmp(le_data_needles[f].question, s->queries.texts[q]))
                    fact = le_data_needles[f].fact;
            ok_query &= fact && nj == 1 && strstr(s->docs->texts[j[0].doc], fact);
        }
    }
    CHECK(ok_budget);
    CHECK(ok_fact);
    CHECK(ok_query);
    /* the documents start with the essays (the haystack's first word) */
    CHECK(!strncmp(t.splits[0].docs->texts[1], h->words[0], strlen(h->words[0])) ||
          strstr(t.splits[0].docs->texts[1], h->words[1]));
    le_task_free(&t);
    /* a haystack too short for the length */
    le_haystack tiny = *h;
    tiny.n_words = 100;
    CHECK(le_needle_generate(&o, &tiny, &t, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "haystack has 100 words");
}

int main(void) {
    /* xoshiro256** seeded through splitmix64(42): known answers */
    le_rng r;
    le_rng_seed(&r, 42);
    CHECK(le_rng_next(&r) == 0x15780b2e0c2ec716ULL);
    CHECK(le_rng_next(&r) == 0x6104d9866d113a7eULL);
    CHECK(le_rng_next(&r) == 0xae17533239e499a1ULL);
    int hist[5] = {0}, in_range = 1;
    for (int i = 0; i < 50000; i++) {
        hist[le_rng_below(&r, 5)]++;
        int64_t v = le_rng_range(&r, 1000, 99999);
        in_range &= v >= 1000 && v <= 99999;
    }
    CHECK(in_range);
    for (int i = 0; i < 5; i++) CHECK(hist[i] > 9500 && hist[i] < 10500);
    CHECK(le_synth_seed(42, "passkey", 256) != le_synth_seed(42, "needle", 256));
    CHECK(le_synth_seed(42, "passkey", 256) != le_synth_seed(42, "passkey", 512));
    CHECK(le_synth_seed(42, "passkey", 256) != le_synth_seed(43, "passkey", 256));

    check_passkey();

    le_haystack h;
    le_error err;
    le_status s = le_haystack_load(&h, test_haystack_dir(), &err);
    CHECK_MSG(s == LE_OK, "the shared haystack is needed: %s", err.message);
    if (s) return check_report("test_synth");
    CHECK_EQ_INT(h.n_files, 49); /* SOURCE-LICENSE.txt and README.md are not essays */
    CHECK(h.n_words > 24576);
    check_needle(&h);

    /* export: same seed → identical bytes; another seed → different */
    char d1[] = "/tmp/le-synth-XXXXXX", d2[] = "/tmp/le-synth-XXXXXX",
         d3[] = "/tmp/le-synth-XXXXXX";
    CHECK(mkdtemp(d1) && mkdtemp(d2) && mkdtemp(d3));
    export_to(d1, 7, &h);
    export_to(d2, 7, &h);
    export_to(d3, 8, &h);
    const char *files[] = {"passkey/corpus.jsonl", "passkey/queries.jsonl", "passkey/qrels.jsonl",
                           "needle/corpus.jsonl",  "needle/queries.jsonl",  "needle/qrels.jsonl"};
    for (int i = 0; i < 6; i++) {
        char a[256], b[256], c[256];
        snprintf(a, sizeof a, "%s/%s", d1, files[i]);
        snprintf(b, sizeof b, "%s/%s", d2, files[i]);
        snprintf(c, sizeof c, "%s/%s", d3, files[i]);
        CHECK_MSG(same_file(a, b), "%s differs between two exports with one seed", files[i]);
        CHECK_MSG(!same_file(a, c), "%s is the same under another seed", files[i]);
    }
    /* the export reads back as a task directory with the same content */
    char pk[256];
    snprintf(pk, sizeof pk, "%s/passkey", d1);
    le_task back;
    s = le_task_load_dir(pk, &back, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    if (!s) {
        CHECK_EQ_INT(back.n_splits, 3);
        CHECK(!strcmp(back.splits[1].name, "test_1024") && back.splits[1].length == 1024);
        CHECK_EQ_INT(back.splits[1].docs->n, 100);
        CHECK_EQ_INT(back.splits[1].queries.n, 50);
        CHECK_EQ_INT(back.splits[1].n_qrels, 50);
        le_task_free(&back);
    }
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s %s %s", d1, d2, d3);
    CHECK(system(cmd) == 0);
    le_haystack_free(&h);
    return check_report("test_synth");
}
