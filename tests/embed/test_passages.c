/* Passage spans are exact: for every unit and every passage of every text,
 * the span's bytes tokenized alone give exactly the span's tokens; units and
 * passages cover the text in order; passages respect their size and
 * overlap. Texts: every tokenizer fixture text (accents, CJK, emoji, control
 * characters, special tokens inside text, long words), the same texts joined
 * into one long document, and edge cases (empty, spaces only, a long run of
 * CJK, a word far longer than a passage). Tokenizers: all-MiniLM-L6-v2
 * (uncased) and the tiny cased BERT. */
#include "embed/passages.h"
#include "fixture_text.h"
#include "text/text_test_util.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct stats {
    size_t texts, units, passages;
    size_t inexact_units;    /* units whose bytes could not be aligned */
    size_t split_words;      /* passages cut from one unit longer than the passage size */
    size_t inexact_passages; /* any other inexact passage (must not happen) */
} stats;

/* 1 when text[sp] tokenized alone gives ids[sp.tok_start .. sp.tok_end). */
static int span_retokenizes(const le_tokenizer *t, const char *text, const le_span *sp,
                            const le_ids *ids) {
    le_ids got = {0};
    le_error err;
    int ok = le_tokenizer_encode(t, text + sp->byte_start, sp->byte_end - sp->byte_start, &got,
                                 &err) == LE_OK &&
             got.n == (size_t)(sp->tok_end - sp->tok_start) &&
             (got.n == 0 || !memcmp(got.ids, ids->ids + sp->tok_start, got.n * sizeof *got.ids));
    le_ids_free(&got);
    return ok;
}

static void check_units(const le_tokenizer *t, const char *text, size_t len, const le_ids *ids,
                        const le_spans *u, stats *st) {
    CHECK(u->n >= 1);
    for (size_t i = 0; i < u->n; i++) {
        const le_span *sp = &u->v[i];
        size_t want_byte = i ? u->v[i - 1].byte_end : 0;
        int32_t want_tok = i ? u->v[i - 1].tok_end : 0;
        CHECK_EQ_INT(sp->byte_start, want_byte);
        CHECK_EQ_INT(sp->tok_start, want_tok);
        CHECK(sp->byte_end >= sp->byte_start && sp->tok_end >= sp->tok_start);
        if (sp->exact)
            CHECK_MSG(span_retokenizes(t, text, sp, ids), "unit %zu [%zu, %zu) of \"%.60s\"", i,
                      sp->byte_start, sp->byte_end, text);
        st->inexact_units += !sp->exact;
    }
    CHECK_EQ_INT(u->v[u->n - 1].byte_end, len);
    CHECK_EQ_INT(u->v[u->n - 1].tok_end, ids->n);
    st->units += u->n;
}

/* 1 when passage sp lies inside one unit of more than size tokens: the only
 * passage that may not be exact (it cuts a word the tokenizer never splits). */
static int inside_long_unit(const le_spans *u, const le_span *sp, int size) {
    for (size_t i = 0; i < u->n; i++)
        if (u->v[i].tok_start <= sp->tok_start && sp->tok_end <= u->v[i].tok_end)
            return u->v[i].tok_end - u->v[i].tok_start > size &&
                   u->v[i].byte_start == sp->byte_start && u->v[i].byte_end == sp->byte_end;
    return 0;
}

static void check_passages(const le_tokenizer *t, const char *text, const le_ids *ids,
                           const le_spans *u, const le_spans *p, int size, int overlap, stats *st) {
    CHECK(p->n >= 1);
    CHECK_EQ_INT(p->v[0].tok_start, 0);
    CHECK_EQ_INT(p->v[p->n - 1].tok_end, ids->n);
    for (size_t i = 0; i < p->n; i++) {
        const le_span *sp = &p->v[i];
        CHECK_MSG(sp->tok_end - sp->tok_start <= size, "passage %zu has %d tokens > %d", i,
                  sp->tok_end - sp->tok_start, size);
        CHECK(ids->n == 0 || sp->tok_end > sp->tok_start);
        if (i) {
            const le_span *pr = &p->v[i - 1];
            CHECK(sp->tok_start > pr->tok_start); /* progress */
            CHECK(sp->tok_start <= pr->tok_end);  /* no gap */
            CHECK(pr->tok_end - sp->tok_start <= overlap || !pr->exact || !sp->exact);
        }
        if (sp->exact)
            CHECK_MSG(span_retokenizes(t, text, sp, ids), "passage %zu (size %d) of \"%.60s\"", i,
                      size, text);
        if (!sp->exact && inside_long_unit(u, sp, size))
            st->split_words++;
        else
            st->inexact_passages += !sp->exact;
    }
    st->passages += p->n;
}

/* Aligns one text and plans it at several sizes, checking everything. */
static void run_text(const le_tokenizer *t, const char *text, size_t len, stats *st) {
    le_ids ids = {0};
    le_error err;
    le_status s = le_tokenizer_encode(t, text, len, &ids, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    le_spans units = {0};
    s = le_passages_align(t, text, len, ids.ids, ids.n, &units, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    if (s == LE_OK) {
        check_units(t, text, len, &ids, &units, st);
        static const int sizes[][2] = {{1, 0},  {3, 1},   {16, 0},  {16, 4},
                                       {64, 8}, {510, 0}, {510, 64}};
        for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
            le_spans ps = {0};
            s = le_passages_plan(&units, sizes[k][0], sizes[k][1], &ps, &err);
            CHECK_MSG(s == LE_OK, "%s", err.message);
            if (s == LE_OK)
                check_passages(t, text, &ids, &units, &ps, sizes[k][0], sizes[k][1], st);
            le_spans_free(&ps);
        }
    }
    st->texts++;
    le_spans_free(&units);
    le_ids_free(&ids);
}

/* Every fixture text alone, then all of them joined by newlines as one long
 * document (returned, malloc'd, for the caller's further use). */
static char *run_fixture_texts(const le_tokenizer *t, const char *fixture, stats *st) {
    FILE *f = fopen(fixture, "rb");
    CHECK_MSG(f != NULL, "%s is missing", fixture);
    if (!f) return NULL;
    char *line = NULL, *all = NULL;
    size_t cap = 0, all_n = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        char *text = malloc((size_t)len + 1);
        size_t tn = 0;
        if (text && line_text(line, (size_t)len, text, &tn)) {
            run_text(t, text, tn, st);
            if (!memchr(text, 0, tn)) {
                all = realloc(all, all_n + tn + 2);
                memcpy(all + all_n, text, tn);
                all_n += tn;
                all[all_n++] = '\n';
                all[all_n] = 0;
            }
        }
        free(text);
    }
    free(line);
    fclose(f);
    if (all) run_text(t, all, all_n, st);
    return all;
}

static void run_edge_cases(const le_tokenizer *t, stats *st) {
    static const char *const texts[] = {
        "",
        "   ",
        " \n\t ",
        "word",
        "  leading and trailing  ",
        "a,b;c.d!e?f",
        "東京都は日本の首都です東京都は日本の首都です東京都は日本の首都です",
        "naïve café résumé — “quoted” ‘text’ … ellipsis",
        "x\xcc\x81 y \xcc\x81z", /* combining acute after a letter and after a space */
        "emoji 😀🎉 and flags 🇫🇷 and zero\xe2\x80\x8bwidth",
        "[CLS] special [SEP] tokens [MASK] inside [PAD] text",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        run_text(t, texts[i], strlen(texts[i]), st);
    /* one "word" far longer than a passage, and a long unbroken CJK run */
    char big[4096];
    for (size_t i = 0; i < sizeof big - 1; i++) big[i] = "abcdefghij"[i % 10];
    big[sizeof big - 1] = 0;
    run_text(t, big, strlen(big), st);
    char cjk[3 * 700 + 1];
    for (int i = 0; i < 700; i++) memcpy(cjk + 3 * i, i % 2 ? "\xe4\xba\xac" : "\xe6\x9d\xb1", 3);
    cjk[sizeof cjk - 1] = 0;
    run_text(t, cjk, strlen(cjk), st);
}

static void run_tokenizer(const char *tokenizer_path, const char *fixture) {
    le_tokenizer *t;
    le_error err;
    le_status s = le_tokenizer_load(tokenizer_path, &t, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    if (s) return;
    stats st = {0};
    char *all = run_fixture_texts(t, fixture, &st);
    run_edge_cases(t, &st);
    /* every text aligns exactly; a passage is inexact only where one word has
     * more tokens than a passage holds */
    CHECK_EQ_INT(st.inexact_units, 0);
    CHECK_EQ_INT(st.inexact_passages, 0);
    CHECK(st.passages > st.texts);
    free(all);
    fprintf(stderr, "%s: %zu texts, %zu units, %zu passages (%zu cut inside a long word)\n",
            tokenizer_path, st.texts, st.units, st.passages, st.split_words);
    le_tokenizer_free(t);
}

/* Bad sizes are refused. */
static void run_bad_args(void) {
    le_spans units = {0}, out = {0};
    le_error err;
    CHECK(le_passages_plan(&units, 0, 0, &out, &err) == LE_ERR_ARG);
    CHECK(le_passages_plan(&units, 8, 8, &out, &err) == LE_ERR_ARG);
    CHECK(le_passages_plan(&units, 8, -1, &out, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "overlap");
    CHECK_EQ_INT(out.n, 0);
}

int main(void) {
    char *minilm = minilm_tokenizer_path();
    run_tokenizer(minilm, "tests/fixtures/minilm/tokens.jsonl");
    free(minilm);
    run_tokenizer("tests/fixtures/bert-cased-tiny/tokenizer.json",
                  "tests/fixtures/bert-cased-tiny/tokens.jsonl");
    run_bad_args();
    return check_report("embed/passages");
}
