/* Texts into an index with passages, through the model (src/embed/
 * index_text.c): le_index_model_set_passages resolves the passage size,
 * le_index_writer_add_texts stores exactly what le_embed_passages gives
 * (spans, passage vectors, the mean as the document vector), and
 * le_index_search_text scores documents by their best passage and names it. */
#include "check.h"
#include "longembed.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MODEL "tests/fixtures/bert-cased-tiny"

static const char *const g_texts[] = {
    "The tenant shall pay rent on the first day of each month. Late payment incurs a fee of "
    "five percent. The landlord keeps the building in good repair and answers requests within "
    "ten days. Either party may end the lease with sixty days of written notice.",
    "Minutes of the design meeting. The team discussed the remote control: a rubber case, a "
    "scroll wheel and speech recognition were proposed. Marketing wants a fancy look; the "
    "engineers worry about the battery. The next meeting decides the colours.",
    "A short one.",
};
#define N_TEXTS 3

static le_model *open_model(void) {
    le_model_options mo;
    le_model_options_init(&mo);
    mo.threads = 1;
    le_model *m = NULL;
    le_error err;
    if (le_model_open(MODEL, &mo, &m, &err)) fprintf(stderr, "open: %s\n", err.message);
    return m;
}

/* An index at path holding g_texts as passages of po; 0 on success. */
static int build(const char *path, le_model *m, const le_passage_options *po,
                 le_index_model *ident) {
    le_error err;
    unlink(path);
    if (le_index_model_describe(m, MODEL, NULL, ident, &err) ||
        le_index_model_set_passages(ident, m, po, &err)) {
        fprintf(stderr, "identity: %s\n", err.message);
        return -1;
    }
    le_index_writer *w = NULL;
    le_index_doc docs[N_TEXTS];
    memset(docs, 0, sizeof docs);
    char ids[N_TEXTS][8];
    for (int i = 0; i < N_TEXTS; i++) {
        snprintf(ids[i], sizeof ids[i], "d%d", i);
        docs[i].id = ids[i];
        docs[i].text = g_texts[i];
    }
    int rc = le_index_writer_open(path, ident, NULL, &w, &err) ||
             le_index_writer_add_texts(w, m, NULL, N_TEXTS, docs, NULL, &err) ||
             le_index_writer_commit(w, &err);
    if (rc) fprintf(stderr, "write: %s\n", err.message);
    le_index_writer_close(w);
    return rc ? -1 : 0;
}

/* Removes the index at path and its writer's lock file. */
static void remove_index(const char *path) {
    char lock[600];
    snprintf(lock, sizeof lock, "%s.lock", path);
    unlink(path);
    unlink(lock);
}

static float dot(const float *a, const float *b, int n) {
    float s = 0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

/* Every stored passage is exact: its bytes of the stored text, tokenized
 * alone, give the text's own tokens [token_start, token_end). */
static void check_exact(le_index *ix, le_model *m, size_t doc, const le_passage *p) {
    le_index_doc_info d;
    le_error err;
    int32_t whole[4096], part[4096];
    size_t nw = 0, np = 0;
    CHECK(le_index_get_doc(ix, doc, &d, &err) == LE_OK && d.text);
    if (!d.text) return;
    CHECK(le_tokenize(m, d.text, strlen(d.text), 0, whole, 4096, &nw, &err) == LE_OK);
    CHECK(le_tokenize(m, d.text + p->byte_start, p->byte_end - p->byte_start, 0, part, 4096, &np,
                      &err) == LE_OK);
    CHECK_EQ_INT(np, p->token_end - p->token_start);
    CHECK(p->token_end <= (int)nw && np <= 4096 &&
          !memcmp(part, whole + p->token_start, np * sizeof *part));
}

/* The stored passages and vectors are le_embed_passages' own. */
static void check_stored(le_index *ix, le_model *m, const le_passage_options *po) {
    le_error err;
    le_embed_options eo;
    le_index_info info;
    le_index_get_info(ix, &info);
    le_index_model_embed_options(&info.model, LE_EMBED_DOCUMENTS, &eo);
    le_passages *ps = NULL;
    CHECK(le_embed_passages(m, N_TEXTS, (const char *const *)g_texts, NULL, &eo, po, &ps, NULL,
                            &err) == LE_OK);
    if (!ps) return;
    int dim = le_passages_dim(ps);
    CHECK_EQ_INT(info.passages, le_passages_count(ps));
    for (int i = 0; i < N_TEXTS; i++) {
        long doc = le_index_find(ix, (const char *[]){"d0", "d1", "d2"}[i]);
        CHECK(doc >= 0);
        size_t first, count;
        le_passages_of(ps, (size_t)i, &first, &count);
        CHECK_EQ_INT(le_index_doc_passages_count(ix, (size_t)doc), count);
        for (size_t k = 0; k < count; k++) {
            le_passage got;
            CHECK(le_index_get_passage(ix, (size_t)doc, k, &got, &err) == LE_OK);
            const le_passage *want = le_passages_spans(ps) + first + k;
            CHECK_EQ_INT(got.byte_start, want->byte_start);
            CHECK_EQ_INT(got.byte_end, want->byte_end);
            CHECK_EQ_INT(got.token_start, want->token_start);
            CHECK_EQ_INT(got.token_end, want->token_end);
            check_exact(ix, m, (size_t)doc, &got);
        }
        /* the document vector is the normalised mean of the passages */
        const float *dv = le_passages_documents(ps) + (size_t)i * (size_t)dim;
        CHECK_NEAR(dot(dv, dv, dim), 1.0, 1e-5);
    }
    le_passages_free(ps);
}

/* A dense search ranks documents by their best passage and names it. */
static void check_search(le_index *ix, le_model *m) {
    le_error err;
    le_search_options so;
    le_search_options_init(&so);
    so.mode = LE_SEARCH_DENSE;
    so.k = N_TEXTS;
    so.exact = 1;
    le_hit_passage where[N_TEXTS];
    so.passages = where;
    le_index_hit hits[N_TEXTS];
    int n = 0;
    const char *query = "battery worries of the engineers";
    CHECK(le_index_search_text(ix, m, query, &so, hits, &n, &err) == LE_OK);
    CHECK_EQ_INT(n, N_TEXTS);
    le_index_info info;
    le_index_get_info(ix, &info);
    le_embed_options qo;
    le_index_model_embed_options(&info.model, LE_EMBED_QUERIES, &qo);
    le_passage_options po;
    le_passage_options_init(&po);
    po.tokens = info.model.passage_tokens;
    po.overlap = info.model.passage_overlap;
    po.mode = info.model.passage_mode;
    le_embed_options eo;
    le_index_model_embed_options(&info.model, LE_EMBED_DOCUMENTS, &eo);
    float q[1024];
    int dim = info.model.dim;
    CHECK(dim <= 1024 && le_embed(m, 1, &query, NULL, &qo, q, NULL, &err) == LE_OK);
    le_passages *ps = NULL;
    CHECK(le_embed_passages(m, N_TEXTS, (const char *const *)g_texts, NULL, &eo, &po, &ps, NULL,
                            &err) == LE_OK);
    for (int h = 0; h < n && ps; h++) {
        le_index_doc_info d;
        CHECK(le_index_get_doc(ix, hits[h].doc, &d, &err) == LE_OK);
        int text = d.id[1] - '0';
        size_t first, count;
        le_passages_of(ps, (size_t)text, &first, &count);
        long best = -1;
        float best_score = -INFINITY;
        for (size_t k = 0; k < count; k++) {
            float s = dot(q, le_passages_vectors(ps) + (first + k) * (size_t)dim, dim);
            if (s > best_score) best_score = s, best = (long)k;
        }
        CHECK_MSG(where[h].passage == best, "hit %d: passage %ld, best %ld", h,
                  where[h].passage, best);
        CHECK_NEAR(hits[h].score, best_score, 1e-5);
        if (h) CHECK(hits[h].score <= hits[h - 1].score);
    }
    le_passages_free(ps);
}

static void test_chunk_and_late(le_model *m) {
    for (int mode = 0; mode < 2; mode++) {
        le_passage_options po;
        le_passage_options_init(&po);
        po.tokens = 12;
        po.overlap = 3;
        po.mode = mode ? LE_PASSAGE_LATE : LE_PASSAGE_CHUNK;
        le_index_model ident;
        const char *path = "/tmp/le_test_index_text_passages.lei";
        CHECK(build(path, m, &po, &ident) == 0);
        CHECK_EQ_INT(ident.passage_tokens, 12);
        CHECK_EQ_INT(ident.passage_overlap, 3);
        CHECK_EQ_INT(ident.passage_mode, po.mode);
        le_index *ix = NULL;
        le_error err;
        CHECK(le_index_open(path, NULL, &ix, &err) == LE_OK);
        if (!ix) continue;
        check_stored(ix, m, &po);
        check_search(ix, m);
        le_index_close(ix);
        remove_index(path);
    }
}

/* 0 tokens: the model's window less its special tokens, as le_passage_tokens says. */
static void test_default_size(le_model *m) {
    le_passage_options po;
    le_passage_options_init(&po);
    int tokens = 0, overlap = 0;
    le_error err;
    CHECK(le_passage_tokens(m, NULL, &po, &tokens, &overlap, &err) == LE_OK);
    le_model_info info;
    le_model_get_info(m, &info);
    CHECK_EQ_INT(tokens, info.window - 2); /* [CLS] and [SEP] */
    CHECK_EQ_INT(overlap, (tokens + 7) / 8); /* the default: an eighth, rounded up */
    le_index_model ident;
    CHECK(le_index_model_describe(m, MODEL, NULL, &ident, &err) == LE_OK);
    CHECK(le_index_model_set_passages(&ident, m, &po, &err) == LE_OK);
    CHECK_EQ_INT(ident.passage_tokens, tokens);
    CHECK_EQ_INT(ident.passage_overlap, overlap);
}

/* Sizes that cannot work are refused with a message, the identity untouched. */
static void test_refusals(le_model *m) {
    le_index_model ident;
    le_error err;
    CHECK(le_index_model_describe(m, MODEL, NULL, &ident, &err) == LE_OK);
    le_passage_options po;
    le_passage_options_init(&po);
    po.tokens = 1 << 20;
    CHECK(le_index_model_set_passages(&ident, m, &po, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "do not fit");
    CHECK_EQ_INT(ident.passage_tokens, 0);
    po.tokens = 10;
    po.overlap = 10;
    CHECK(le_index_model_set_passages(&ident, m, &po, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "overlap");
    CHECK(le_index_model_set_passages(NULL, m, &po, &err) == LE_ERR_ARG);
}

int main(void) {
    le_model *m = open_model();
    CHECK(m != NULL);
    if (m) {
        test_chunk_and_late(m);
        test_default_size(m);
        test_refusals(m);
        le_model_close(m);
    }
    return check_report("test_index_text_passages");
}
