/* XLM-RoBERTa in the BGE-M3 layout (tests/fixtures/bge-m3-tiny, made by
 * tools/make_m3_fixtures.py with transformers' XLMRobertaModel): token ids
 * equal those of HF tokenizers (specials included) and the dense vectors
 * (CLS, normalised) equal the reference to max |diff| <= 1e-5 at 4 to 8026
 * tokens, positions counted from padding_idx + 1, on 1 and 2 threads. */
#include "base/json.h"
#include "check.h"
#include "longembed.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>

#define DIR "tests/fixtures/bge-m3-tiny"
#define TOL 1e-5

static void check_ids(le_model *m, const cJSON *t, const char *text) {
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(t, "ids");
    int n = cJSON_GetArraySize(want);
    int32_t *ids = malloc((size_t)(n + 16) * sizeof *ids);
    size_t got = 0;
    le_error err;
    le_status s = le_tokenize(m, text, strlen(text), 1, ids, (size_t)n + 16, &got, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    int same = s == LE_OK && got == (size_t)n;
    for (int i = 0; same && i < n; i++) same = ids[i] == cJSON_GetArrayItem(want, i)->valueint;
    CHECK_MSG(same, "ids differ for \"%.60s\" (%zu vs %d)", text, got, n);
    free(ids);
}

static double dense_diff(le_model *m, const cJSON *t, const char *text) {
    int dim = le_model_dim(m);
    float *v = malloc((size_t)dim * sizeof *v);
    le_embed_options eo;
    le_embed_options_init(&eo);
    le_error err;
    le_status s = le_embed(m, 1, &text, NULL, &eo, v, NULL, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(t, "dense");
    CHECK_EQ_INT(cJSON_GetArraySize(want), dim);
    double worst = s ? INFINITY : 0;
    for (int i = 0; !s && i < dim; i++) {
        double d = fabs(v[i] - cJSON_GetArrayItem(want, i)->valuedouble);
        if (d > worst) worst = d;
    }
    free(v);
    return worst;
}

int main(void) {
    cJSON *fx = NULL;
    le_error err;
    CHECK_MSG(le_json_load(DIR "/expected.json", 0, &fx, &err) == LE_OK, "%s", err.message);
    if (!fx) return check_report("model/xlmr_parity");
    const cJSON *texts = cJSON_GetObjectItemCaseSensitive(fx, "texts");
    for (int threads = 1; threads <= 2; threads++) {
        le_model_options mo;
        le_model_options_init(&mo);
        mo.threads = threads;
        le_model *m = NULL;
        le_status s = le_model_open(DIR, &mo, &m, &err);
        CHECK_MSG(s == LE_OK, "%s", err.message);
        if (s) break;
        le_model_info info;
        le_model_get_info(m, &info);
        CHECK_EQ_INT(info.window, 8192);
        const cJSON *t;
        cJSON_ArrayForEach(t, texts) {
            const char *text = cJSON_GetObjectItemCaseSensitive(t, "text")->valuestring;
            check_ids(m, t, text);
            double d = dense_diff(m, t, text);
            int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t, "ids"));
            CHECK_MSG(d <= TOL, "%d tokens: dense max |diff| %.3g", n, d);
            if (threads == 1) fprintf(stderr, "%5d tokens: dense max |diff| %.3g\n", n, d);
        }
        le_model_close(m);
    }
    cJSON_Delete(fx);
    return check_report("model/xlmr_parity");
}
