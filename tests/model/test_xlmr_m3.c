/* BGE-M3's three outputs and scores (le_embed_m3, le_m3_score) equal the
 * reference of tools/make_m3_fixtures.py (tests/fixtures/bge-m3-tiny:
 * transformers' XLMRobertaModel with FlagEmbedding's M3 post-processing)
 * to 1e-5: dense vectors, lexical weights (the same ids), ColBERT vectors
 * (every one up to 64 tokens, else the first and last 8) at 4 to 8026
 * tokens, and dense / sparse / colbert / compute_score's sums for 7 pairs
 * (relative to the score past 1)
 * with two weightings, and a 16,030-token text with PI past the window.
 * Also: a model without head files is refused, and PCW is refused. */
#include "base/json.h"
#include "check.h"
#include "longembed.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>

#define DIR "tests/fixtures/bge-m3-tiny"
#define TOL 1e-5

static double worst_rows(const float *got, const cJSON *rows, int dim, size_t first) {
    double worst = 0;
    size_t r = first;
    const cJSON *row;
    cJSON_ArrayForEach(row, rows) {
        for (int i = 0; i < dim; i++) {
            double d = fabs(got[r * (size_t)dim + (size_t)i] - cJSON_GetArrayItem(row, i)->valuedouble);
            if (d > worst || isnan(d)) worst = isnan(d) ? INFINITY : d;
        }
        r++;
    }
    return worst;
}

static void check_lexical(const le_m3_output *o, const cJSON *want, int n_tokens) {
    CHECK_EQ_INT(o->n_lexical, cJSON_GetArraySize(want));
    double worst = 0;
    for (size_t i = 0; i < o->n_lexical; i++) {
        char key[16];
        snprintf(key, sizeof key, "%d", o->lexical_ids[i]);
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(want, key);
        CHECK_MSG(cJSON_IsNumber(w), "%d tokens: id %s is not in the reference", n_tokens, key);
        if (!cJSON_IsNumber(w)) continue;
        double d = fabs(o->lexical_weights[i] - w->valuedouble);
        if (d > worst) worst = d;
    }
    CHECK_MSG(worst <= TOL, "%d tokens: lexical max |diff| %.3g", n_tokens, worst);
}

static void check_text(const le_m3_output *o, const cJSON *t) {
    int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t, "ids"));
    const cJSON *dense = cJSON_GetObjectItemCaseSensitive(t, "dense");
    double dd = 0;
    for (int i = 0; i < o->dim; i++) {
        double d = fabs(o->dense[i] - cJSON_GetArrayItem(dense, i)->valuedouble);
        if (d > dd) dd = d;
    }
    CHECK_MSG(dd <= TOL, "%d tokens: dense max |diff| %.3g", n, dd);
    check_lexical(o, cJSON_GetObjectItemCaseSensitive(t, "lexical_weights"), n);
    int nc = cJSON_GetObjectItemCaseSensitive(t, "n_colbert")->valueint;
    CHECK_EQ_INT(o->n_colbert, nc);
    if (o->n_colbert != (size_t)nc) return;
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(t, "colbert_vecs");
    double dc;
    if (all) {
        dc = worst_rows(o->colbert, all, o->colbert_dim, 0);
    } else {
        const cJSON *head = cJSON_GetObjectItemCaseSensitive(t, "colbert_head");
        const cJSON *tail = cJSON_GetObjectItemCaseSensitive(t, "colbert_tail");
        double a = worst_rows(o->colbert, head, o->colbert_dim, 0);
        double b = worst_rows(o->colbert, tail, o->colbert_dim,
                              (size_t)nc - (size_t)cJSON_GetArraySize(tail));
        dc = a > b ? a : b;
    }
    CHECK_MSG(dc <= TOL, "%d tokens: colbert max |diff| %.3g", n, dc);
    fprintf(stderr, "%5d tokens: dense %.2g, %zu lexical weights, %zu colbert vectors %.2g\n", n,
            dd, o->n_lexical, o->n_colbert, dc);
}

static void check_pairs(const le_m3_output *out, const cJSON *pairs) {
    static const char *names[5] = {"dense", "sparse", "colbert", "sparse+dense",
                                   "colbert+sparse+dense"};
    double worst = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, pairs) {
        int q = cJSON_GetObjectItemCaseSensitive(p, "q")->valueint;
        int d = cJSON_GetObjectItemCaseSensitive(p, "p")->valueint;
        const cJSON *wv = cJSON_GetObjectItemCaseSensitive(p, "weights");
        double w[3];
        for (int k = 0; k < 3; k++) w[k] = cJSON_GetArrayItem(wv, k)->valuedouble;
        le_m3_scores sc;
        le_m3_score(&out[q], &out[d], w, &sc);
        double got[5] = {sc.dense, sc.sparse, sc.colbert, sc.sparse_dense, sc.colbert_sparse_dense};
        for (int k = 0; k < 5; k++) {
            double want = cJSON_GetObjectItemCaseSensitive(p, names[k])->valuedouble;
            /* relative past 1: the random sparse head's scores reach ~12 */
            double diff = fabs(got[k] - want) / fmax(1.0, fabs(want));
            CHECK_MSG(diff <= TOL, "pair %d/%d %s: %.9g, want %.9g", q, d, names[k], got[k], want);
            if (diff > worst) worst = diff;
        }
    }
    fprintf(stderr, "%d pairs: scores max |diff| / max(1, |score|) %.2g\n",
            cJSON_GetArraySize(pairs), worst);
}

/* Past the 8192-token window with PI (positions t/s between table rows,
 * counted after padding_idx + 1): a 16,030-token text. */
static void test_extend(le_model *m, const cJSON *cases) {
    const cJSON *c;
    cJSON_ArrayForEach(c, cases) {
        const char *text = cJSON_GetObjectItemCaseSensitive(c, "text")->valuestring;
        le_embed_options eo;
        le_embed_options_init(&eo);
        le_error err;
        CHECK(le_extend_parse(cJSON_GetObjectItemCaseSensitive(c, "method")->valuestring,
                              &eo.extend, &err) == LE_OK);
        eo.max_tokens = 16384;
        le_m3_output o;
        le_text_result r;
        le_status s = le_embed_m3(m, 1, &text, NULL, &eo, &o, &r, &err);
        CHECK_MSG(s == LE_OK, "%s", err.message);
        if (s) continue;
        CHECK_EQ_INT(r.tokens, cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c, "ids")));
        check_text(&o, c);
        le_m3_output_free(&o, 1);
    }
}

static void test_refusals(void) {
    le_model *m = NULL;
    le_error err;
    le_model_options mo;
    le_model_options_init(&mo);
    if (le_model_open("tests/fixtures/bert-cased-tiny", &mo, &m, &err)) return;
    CHECK(!le_model_has_m3(m));
    const char *t = "hello";
    le_m3_output o;
    CHECK(le_embed_m3(m, 1, &t, NULL, NULL, &o, NULL, &err) == LE_ERR_UNSUPPORTED);
    CHECK(strstr(err.message, "sparse_linear.pt") != NULL);
    le_model_close(m);
    CHECK(le_model_open(DIR, &mo, &m, &err) == LE_OK);
    le_embed_options eo;
    le_embed_options_init(&eo);
    eo.extend = LE_EXTEND_PCW;
    CHECK(le_embed_m3(m, 1, &t, NULL, &eo, &o, NULL, &err) == LE_ERR_UNSUPPORTED);
    le_model_close(m);
}

int main(void) {
    cJSON *fx = NULL;
    le_error err;
    CHECK_MSG(le_json_load(DIR "/expected.json", 0, &fx, &err) == LE_OK, "%s", err.message);
    if (!fx) return check_report("model/xlmr_m3");
    const cJSON *texts = cJSON_GetObjectItemCaseSensitive(fx, "texts");
    size_t n = (size_t)cJSON_GetArraySize(texts);
    const char **tx = calloc(n, sizeof *tx);
    for (size_t i = 0; i < n; i++)
        tx[i] = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(texts, (int)i), "text")->valuestring;
    le_model *m = NULL;
    le_status s = le_model_open(DIR, NULL, &m, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    le_m3_output *out = calloc(n, sizeof *out);
    if (!s) {
        CHECK(le_model_has_m3(m));
        s = le_embed_m3(m, n, tx, NULL, NULL, out, NULL, &err);
        CHECK_MSG(s == LE_OK, "%s", err.message);
    }
    if (!s) {
        for (size_t i = 0; i < n; i++) check_text(&out[i], cJSON_GetArrayItem(texts, (int)i));
        check_pairs(out, cJSON_GetObjectItemCaseSensitive(fx, "pairs"));
        test_extend(m, cJSON_GetObjectItemCaseSensitive(fx, "extend"));
    }
    le_m3_output_free(out, n);
    free(out);
    free(tx);
    le_model_close(m);
    cJSON_Delete(fx);
    test_refusals();
    return check_report("model/xlmr_m3");
}
