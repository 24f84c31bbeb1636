/* Late chunking equals the PyTorch reference of tools/make_passage_fixtures.py
 * (tests/fixtures/passages/cases.json): token states of whole windows pooled
 * per passage, for a random cased BERT (none, gp, pi, several windows), the
 * real all-MiniLM-L6-v2 (pi at 2048) and a random E5-RoPE (ntk, selfextend
 * at 4096), to max |diff| <= 1e-5. Then the public le_embed_passages on
 * real text: chunk passages equal le_embed of each passage's own text;
 * passage spans re-tokenize to their tokens; late and chunk differ; the
 * document vector is the mean of the passages; bad options are refused. */
#include "base/json.h"
#include "check.h"
#include "embed/embed_passages.h"
#include "embed/fixture.h"
#include "kernels/ops.h"
#include "longembed.h"

#include <math.h>
#include <stdlib.h>

#define TOL 1e-5

static le_model *open_model(const char *name) {
    char dir[1024];
    if (!strcmp(name, "minilm"))
        fixture_minilm_dir(dir, sizeof dir);
    else
        snprintf(dir, sizeof dir, "tests/fixtures/%s", name);
    le_model_options mo;
    le_model_options_init(&mo);
    mo.threads = 2;
    mo.allow_fetch = 0;
    le_model *m = NULL;
    le_error err;
    if (le_model_open(dir, &mo, &m, &err)) fprintf(stderr, "%s: %s\n", dir, err.message);
    return m;
}

/* The passage vectors of one fixture case through the late-chunking layout. */
static double run_case(le_model *m, const cJSON *cs) {
    const cJSON *ids_j = cJSON_GetObjectItem(cs, "ids"),
                *spans_j = cJSON_GetObjectItem(cs, "spans");
    const cJSON *want_j = cJSON_GetObjectItem(cs, "expected");
    le_embed_options eo;
    le_embed_options_init(&eo);
    le_error err;
    CHECK(le_extend_parse(cJSON_GetObjectItem(cs, "extend")->valuestring, &eo.extend, &err) == 0);
    eo.max_tokens = cJSON_GetObjectItem(cs, "max_tokens")->valueint;
    eo.normalize = 1;
    int n = cJSON_GetArraySize(ids_j), ns = cJSON_GetArraySize(spans_j), dim = le_model_dim(m);
    int32_t *ids = malloc(sizeof *ids * (size_t)n);
    le_span *ps = calloc((size_t)ns, sizeof *ps);
    float *out = malloc(sizeof *out * (size_t)ns * (size_t)dim);
    for (int i = 0; i < n; i++) ids[i] = cJSON_GetArrayItem(ids_j, i)->valueint;
    for (int k = 0; k < ns; k++) {
        ps[k].tok_start = cJSON_GetArrayItem(cJSON_GetArrayItem(spans_j, k), 0)->valueint;
        ps[k].tok_end = cJSON_GetArrayItem(cJSON_GetArrayItem(spans_j, k), 1)->valueint;
    }
    le_embed_call c;
    int windows = 0;
    le_status s = le_embed_call_setup(&c, m, &eo, 1, &err);
    if (!s)
        s = le_embed_call_add_passages(&c, LE_PASSAGE_LATE, 0, ids, ps, (size_t)ns, 0, &windows);
    if (!s) s = le_embed_call_run(&c, out, (size_t)ns);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    double worst = s ? INFINITY : 0;
    for (int k = 0; k < ns && !s; k++) {
        le_l2_normalize(out + (size_t)k * dim, dim);
        const cJSON *w = cJSON_GetArrayItem(want_j, k);
        for (int d = 0; d < dim; d++) {
            double diff = fabs(out[(size_t)k * dim + d] - cJSON_GetArrayItem(w, d)->valuedouble);
            worst = diff > worst ? diff : worst;
        }
    }
    le_embed_call_free(&c);
    fprintf(stderr, "  %-24s %3d passages %d windows  max |diff| %.2e\n",
            cJSON_GetObjectItem(cs, "name")->valuestring, ns, windows, worst);
    free(ids);
    free(ps);
    free(out);
    return worst;
}

static void run_fixtures(void) {
    cJSON *root = NULL;
    le_error err;
    CHECK_MSG(le_json_load("tests/fixtures/passages/cases.json", 0, &root, &err) == LE_OK,
              "%s (made by tools/make_passage_fixtures.py)", err.message);
    const cJSON *cs;
    int cases = 0;
    cJSON_ArrayForEach(cs, cJSON_GetObjectItem(root, "cases")) {
        le_model *m = open_model(cJSON_GetObjectItem(cs, "model")->valuestring);
        CHECK(m != NULL);
        if (!m) continue;
        double worst = run_case(m, cs);
        CHECK_MSG(worst <= TOL, "%s: %.3g", cJSON_GetObjectItem(cs, "name")->valuestring, worst);
        cases++;
        le_model_close(m);
    }
    CHECK_EQ_INT(cases, 7);
    cJSON_Delete(root);
}

/* A long English text: the tokenizer fixture texts joined. */
static char *long_text(size_t want) {
    fixture_row *rows = NULL;
    int n = fixture_load("tests/fixtures/minilm/embeddings.jsonl", &rows);
    CHECK(n > 0);
    char *t = malloc(want + 1);
    size_t at = 0;
    for (int k = 0; at < want && n > 0; k++) {
        const fixture_row *r = &rows[k % n];
        for (size_t i = 0; i < r->len && at < want; i++) t[at++] = r->text[i] ? r->text[i] : ' ';
        if (at < want) t[at++] = '\n';
    }
    t[at] = 0;
    fixture_free(rows, n > 0 ? n : 0);
    return t;
}

static double max_diff(const float *a, const float *b, int dim) {
    double w = 0;
    for (int d = 0; d < dim; d++) w = fmax(w, fabs(a[d] - b[d]));
    return w;
}

/* Chunk passages equal le_embed of their own text; spans re-tokenize. */
static void check_chunk(le_model *m, const char *text, const le_passages *p) {
    int dim = le_passages_dim(p);
    const le_passage *sp = le_passages_spans(p);
    float *v = malloc(sizeof *v * (size_t)dim);
    double worst = 0;
    size_t first, count;
    le_passages_of(p, 0, &first, &count);
    CHECK(first == 0 && count + 1 == le_passages_count(p));
    for (size_t k = 0; k < count; k++) {
        const char *t = text + sp[k].byte_start;
        size_t len = sp[k].byte_end - sp[k].byte_start;
        le_text_result r;
        le_error err;
        CHECK(le_embed(m, 1, &t, &len, NULL, v, &r, &err) == LE_OK);
        CHECK_EQ_INT(r.tokens - 2, sp[k].token_end - sp[k].token_start);
        CHECK(sp[k].exact);
        worst = fmax(worst, max_diff(v, le_passages_vectors(p) + k * (size_t)dim, dim));
    }
    fprintf(stderr, "  chunk: %zu passages equal le_embed of their text: max |diff| %.2e\n", count,
            worst);
    CHECK(worst <= 1e-6);
    free(v);
}

/* The document vector is the normalised mean of the passage vectors. */
static void check_document(const le_passages *p, size_t text) {
    size_t first, count;
    le_passages_of(p, text, &first, &count);
    int dim = le_passages_dim(p);
    float *mean = calloc((size_t)dim, sizeof *mean);
    for (size_t k = first; k < first + count; k++)
        for (int d = 0; d < dim; d++) mean[d] += le_passages_vectors(p)[k * (size_t)dim + d];
    le_l2_normalize(mean, dim);
    CHECK(max_diff(mean, le_passages_documents(p) + text * (size_t)dim, dim) <= 1e-6);
    free(mean);
}

static void run_public(void) {
    le_model *m = open_model("minilm");
    CHECK(m != NULL);
    if (!m) return;
    char *text = long_text(20000);
    const char *texts[2] = {text, "short text"};
    le_passage_options po;
    le_passage_options_init(&po);
    le_embed_options eo;
    le_embed_options_init(&eo);
    eo.extend = LE_EXTEND_PI;
    eo.max_tokens = 2048;
    le_passages *chunk = NULL, *late = NULL;
    le_text_result res[2];
    le_error err;
    CHECK_MSG(le_embed_passages(m, 2, texts, NULL, &eo, &po, &chunk, res, &err) == LE_OK, "%s",
              err.message);
    CHECK(res[0].chunks == (int)le_passages_count(chunk) - 1); /* one window per passage */
    po.mode = LE_PASSAGE_LATE;
    CHECK_MSG(le_embed_passages(m, 2, texts, NULL, &eo, &po, &late, res, &err) == LE_OK, "%s",
              err.message);
    if (chunk && late) {
        CHECK(le_passages_count(chunk) > 10 && le_passages_count(chunk) == le_passages_count(late));
        CHECK(res[0].chunks >= 2 && res[0].chunks < (int)le_passages_count(late));
        const le_passage *a = le_passages_spans(chunk), *b = le_passages_spans(late);
        for (size_t k = 0; k < le_passages_count(chunk); k++) {
            CHECK(a[k].token_end - a[k].token_start <= 254); /* MiniLM: 256 − 2 */
            CHECK(a[k].byte_start == b[k].byte_start && a[k].byte_end == b[k].byte_end);
        }
        check_chunk(m, text, chunk);
        check_document(chunk, 0);
        check_document(late, 0);
        check_document(late, 1);
        /* late vectors saw their window: they differ from the chunk ones */
        CHECK(max_diff(le_passages_vectors(chunk), le_passages_vectors(late), 384) > 1e-3);
    }
    le_passages_free(chunk);
    le_passages_free(late);
    /* bad options */
    le_passages *bad = NULL;
    po.mode = LE_PASSAGE_CHUNK;
    po.tokens = 600;
    CHECK(le_embed_passages(m, 2, texts, NULL, &eo, &po, &bad, NULL, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "do not fit");
    po.tokens = 100;
    po.overlap = 100;
    CHECK(le_embed_passages(m, 2, texts, NULL, &eo, &po, &bad, NULL, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "overlap");
    po.overlap = 0;
    po.mode = (le_passage_mode)5;
    CHECK(le_embed_passages(m, 2, texts, NULL, &eo, &po, &bad, NULL, &err) == LE_ERR_ARG);
    CHECK(bad == NULL);
    le_passage_mode mode;
    CHECK(le_passage_mode_parse("late", &mode, &err) == LE_OK && mode == LE_PASSAGE_LATE);
    CHECK(le_passage_mode_parse("chunks", &mode, &err) == LE_ERR_ARG);
    const char *invalid[1] = {"ok \xff bad"};
    po.mode = LE_PASSAGE_LATE;
    CHECK(le_embed_passages(m, 1, invalid, NULL, &eo, &po, &bad, NULL, &err) == LE_ERR_UTF8);
    CHECK(err.text_index == 0);
    free(text);
    le_model_close(m);
}

int main(void) {
    run_fixtures();
    run_public();
    return check_report("embed/late_chunking");
}
