/* Prefix presets (le_prefix_resolve) on models of three families, and the
 * embedding options an index identity stands for
 * (le_index_model_embed_options): what le_index_model_describe records
 * comes back, with the prefix of the role. */
#include "check.h"
#include "longembed.h"

#include <string.h>

static le_model *open_model(const char *dir) {
    le_model_options mo;
    le_model_options_init(&mo);
    mo.allow_fetch = 0;
    mo.threads = 1;
    le_model *m = NULL;
    le_error err;
    CHECK_MSG(le_model_open(dir, &mo, &m, &err) == LE_OK, "%s: %s", dir, err.message);
    return m;
}

static void check_presets(void) {
    le_model *e5 = open_model("tests/fixtures/e5rope-tiny");
    le_model *nomic = open_model("tests/fixtures/nomic-tiny");
    if (!e5 || !nomic) return;
    CHECK(!strcmp(le_prefix_resolve(e5, "query"), "query: "));
    CHECK(!strcmp(le_prefix_resolve(e5, "passage"), "passage: "));
    CHECK(!strcmp(le_prefix_resolve(nomic, "query"), "search_query: "));
    CHECK(!strcmp(le_prefix_resolve(nomic, "passage"), "search_document: "));
    CHECK(!strcmp(le_prefix_resolve(nomic, "none"), ""));
    CHECK(!strcmp(le_prefix_resolve(nomic, "e5-query"), "query: "));
    CHECK(!strcmp(le_prefix_resolve(nomic, "e5-passage"), "passage: "));
    CHECK_STR_CONTAINS(le_prefix_resolve(nomic, "bge-query"), "Represent this sentence");
    const char *own = "Instruct: find the clause\nQuery: ";
    CHECK(le_prefix_resolve(nomic, own) == own); /* no preset: the text itself */
    CHECK(le_prefix_resolve(NULL, "query") == NULL);
    CHECK(!strcmp(le_prefix_resolve(NULL, "none"), ""));
    CHECK(le_prefix_resolve(nomic, NULL) == NULL);
    le_model_close(e5);
    le_model_close(nomic);
}

static void check_index_options(void) {
    le_model *m = open_model("tests/fixtures/e5rope-tiny");
    if (!m) return;
    le_embed_options eo;
    le_embed_options_init(&eo);
    eo.extend = LE_EXTEND_NTK;
    eo.max_tokens = 2048;
    eo.ntk_lambda = 4;
    eo.pooling = "cls";
    eo.normalize = 0;
    eo.batch_tokens = 123; /* not part of the identity */
    le_index_model im;
    le_error err;
    CHECK(le_index_model_describe(m, NULL, &eo, &im, &err) == LE_OK);
    le_embed_options d, q;
    le_index_model_embed_options(&im, LE_EMBED_DOCUMENTS, &d);
    le_index_model_embed_options(&im, LE_EMBED_QUERIES, &q);
    CHECK(d.extend == LE_EXTEND_NTK && d.max_tokens == 2048 && d.ntk_lambda == 4);
    CHECK(!strcmp(d.pooling, "cls") && d.normalize == 0 && d.batch_tokens == 0);
    CHECK(!strcmp(d.prefix, "passage: ") && !d.truncate);
    CHECK(!strcmp(q.prefix, "query: ") && q.truncate == 1 && q.extend == LE_EXTEND_NTK);
    /* the options give the same identity back */
    le_index_model again;
    CHECK(le_index_model_describe(m, NULL, &d, &again, &err) == LE_OK);
    char why[256];
    CHECK_MSG(!le_index_model_differs(&im, &again, why, sizeof why), "%s", why);
    le_model_close(m);
}

int main(void) {
    check_presets();
    check_index_options();
    return check_report("embed/presets");
}
