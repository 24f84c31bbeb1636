/* RoPE and ALiBi encoders (E5-RoPE, nomic-bert, jina-bert-v2) with their
 * extension methods equal the PyTorch references of
 * tools/make_rope_fixtures.py (tests/fixtures/rope/<model>.json) to
 * max |diff| <= 1e-4, at 512, 1000, 4096 and 8192 tokens: none, pcw, gp,
 * pi, ntk, yarn and selfextend (the last against the dense merged score
 * matrix, also at the paper's three g/w settings), the log scaling off, and
 * nomic's own dynamic NTK. The best ISA runs every case with 2 threads; the
 * others the cases up to 1000 tokens; 1 and 2 threads agree bitwise. Prints
 * the parity table. */
#include "base/cpu.h"
#include "base/json.h"
#include "check.h"
#include "longembed.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-4
#define DIR "tests/fixtures/rope"

static cJSON *load(const char *path) {
    cJSON *j = NULL;
    le_error err;
    if (le_json_load(path, 0, &j, &err) != LE_OK) {
        fprintf(stderr, "%s (made by tools/make_rope_fixtures.py)\n", err.message);
        return NULL;
    }
    return j;
}

static double num(const cJSON *o, const char *key, double dflt) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

/* the fixture's options → le_embed_options; 0 when understood */
static int options_of(const cJSON *o, le_embed_options *eo) {
    le_embed_options_init(eo);
    le_error err;
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(o, "extend");
    if (!cJSON_IsString(ex) || le_extend_parse(ex->valuestring, &eo->extend, &err)) return -1;
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(o, "attn_scale");
    if (cJSON_IsString(sc))
        eo->attn_scale = strcmp(sc->valuestring, "none") ? LE_ATTN_SCALE_LOG : LE_ATTN_SCALE_NONE;
    eo->max_tokens = (int)num(o, "max_tokens", 0);
    eo->ntk_lambda = num(o, "ntk_lambda", 0);
    eo->rope_factor = num(o, "rope_factor", 0);
    eo->se_group = (int)num(o, "se_group", 0);
    eo->se_window = (int)num(o, "se_window", 0);
    eo->rotary_scaling_factor = num(o, "rotary_scaling_factor", 0);
    return 0;
}

typedef struct run {
    const char *isa;
    int threads;
    int max_len; /* cases longer are skipped */
} run;

static void run_model(const char *file, const int32_t *ids, int n_ids, FILE *table) {
    char path[512];
    snprintf(path, sizeof path, DIR "/%s", file);
    cJSON *fx = load(path);
    CHECK_MSG(fx != NULL, "%s", path);
    if (!fx) return;
    const char *model = cJSON_GetObjectItemCaseSensitive(fx, "model")->valuestring;
    const char *dir = cJSON_GetObjectItemCaseSensitive(fx, "dir")->valuestring;
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(fx, "cases");
    CHECK(cJSON_GetArraySize(cases) >= 8);
    run runs[4] = {{"auto", 2, 1 << 30}, {"auto", 1, 1000}, {"scalar", 2, 1000}, {"avx2", 1, 1000}};
    float *first = NULL; /* the 2-thread vectors of the first run, per case */
    const int n_cases = cJSON_GetArraySize(cases);
    for (int r = 0; r < 4; r++) {
        le_isa isa;
        if (strcmp(runs[r].isa, "auto") && le_isa_parse(runs[r].isa, &isa) != LE_OK) continue;
        le_model_options mo;
        le_model_options_init(&mo);
        mo.isa = runs[r].isa;
        mo.threads = runs[r].threads;
        mo.allow_fetch = 0;
        le_model *m = NULL;
        le_error err;
        CHECK_MSG(le_model_open(dir, &mo, &m, &err) == LE_OK, "%s: %s", dir, err.message);
        if (!m) continue;
        const int dim = le_model_dim(m);
        if (!first) first = calloc((size_t)n_cases * dim, sizeof(float));
        for (int c = 0; c < n_cases; c++) {
            const cJSON *cs = cJSON_GetArrayItem(cases, c);
            const char *name = cJSON_GetObjectItemCaseSensitive(cs, "name")->valuestring;
            const int len = (int)num(cs, "length", 0);
            if (len > runs[r].max_len) continue;
            le_embed_options eo;
            CHECK_MSG(!options_of(cJSON_GetObjectItemCaseSensitive(cs, "options"), &eo),
                      "%s %s: options", model, name);
            const cJSON *exp = cJSON_GetObjectItemCaseSensitive(cs, "expected");
            CHECK_EQ_INT(cJSON_GetArraySize(exp), dim);
            if (len - 2 > n_ids || cJSON_GetArraySize(exp) != dim) continue;
            const int32_t *one = ids;
            size_t n_one = (size_t)len - 2;
            float *v = malloc(sizeof(float) * dim);
            le_text_result res;
            int ok = le_embed_tokens(m, 1, &one, &n_one, &eo, v, &res, &err) == LE_OK;
            CHECK_MSG(ok, "%s %s L=%d: %s", model, name, len, err.message);
            if (ok) {
                CHECK_EQ_INT(res.tokens, len);
                double worst = 0;
                for (int d = 0; d < dim; d++) {
                    double e = fabs((double)v[d] - cJSON_GetArrayItem(exp, d)->valuedouble);
                    if (!(e <= worst)) worst = e;
                }
                CHECK_MSG(worst <= TOL, "%s %s L=%d (%s, %d threads): max |diff| %.3g", model, name,
                          len, runs[r].isa, runs[r].threads, worst);
                if (r == 0) {
                    fprintf(table, "| %-11s | %-22s | %5d | %.2e | %.2e |\n", model, name, len,
                            worst, num(cs, "f64_diff", NAN));
                    memcpy(first + (size_t)c * dim, v, sizeof(float) * dim);
                } else if (r == 1) {
                    CHECK_MSG(!memcmp(first + (size_t)c * dim, v, sizeof(float) * dim),
                              "%s %s L=%d: 1 thread differs from 2", model, name, len);
                }
            }
            free(v);
        }
        le_model_close(m);
    }
    free(first);
    cJSON_Delete(fx);
}

int main(void) {
    cJSON *ids_j = load(DIR "/ids.json");
    CHECK(ids_j && cJSON_IsArray(ids_j));
    if (!ids_j) return check_report("rope/parity");
    int n_ids = cJSON_GetArraySize(ids_j);
    int32_t *ids = malloc(sizeof(int32_t) * (size_t)n_ids);
    for (int i = 0; i < n_ids; i++) ids[i] = (int32_t)cJSON_GetArrayItem(ids_j, i)->valuedouble;
    cJSON_Delete(ids_j);
    fprintf(stderr,
            "| model       | case                   |     L | max diff | f32 vs f64 ref |\n");
    fprintf(stderr, "|---|---|---|---|---|\n");
    run_model("e5rope-tiny.json", ids, n_ids, stderr);
    run_model("nomic-tiny.json", ids, n_ids, stderr);
    run_model("jina-tiny.json", ids, n_ids, stderr);
    free(ids);
    return check_report("rope/parity");
}
