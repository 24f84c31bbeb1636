/* The size rule of the option structs (include/longembed.h, "Option
 * structs"): init fills only the caller's size and records it; the library
 * takes the fields a struct_size covers and defaults for the rest; refuses
 * an uninitialised struct (LE_ERR_ARG) and a newer header's field set to a
 * value it does not know (LE_ERR_UNSUPPORTED); accepts zero there. */
#include "base/options.h"
#include "check.h"
#include "longembed.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MODEL "tests/fixtures/bert-cased-tiny"

/* An old caller: its struct ends before k's neighbours; init must not write
 * past its size, and records that size. */
static void test_init_writes_only_the_callers_size(void) {
    const size_t old = offsetof(le_search_options, k) + sizeof(int);
    unsigned char buf[sizeof(le_search_options) + 16];
    memset(buf, 0xAB, sizeof buf);
    le_search_options_init_size((le_search_options *)buf, old);
    le_search_options got;
    memcpy(&got, buf, sizeof got);
    CHECK_EQ_INT(got.struct_size, old);
    CHECK_EQ_INT(got.k, 10);
    for (size_t i = old; i < sizeof buf; i++) CHECK_MSG(buf[i] == 0xAB, "byte %zu written", i);

    /* a newer caller: its larger struct is zero past the fields we know */
    memset(buf, 0xAB, sizeof buf);
    le_search_options_init_size((le_search_options *)buf, sizeof buf);
    memcpy(&got, buf, sizeof got);
    CHECK_EQ_INT(got.struct_size, sizeof buf);
    for (size_t i = sizeof(le_search_options); i < sizeof buf; i++) CHECK(buf[i] == 0);

    /* the macro passes the caller's own sizeof */
    le_embed_options eo;
    le_embed_options_init(&eo);
    CHECK_EQ_INT(eo.struct_size, sizeof eo);
    CHECK_EQ_INT(eo.normalize, -1);
}

/* The library reads an old caller's fields and defaults for the others,
 * whatever lies past the caller's size. */
static void test_take_reads_only_covered_fields(void) {
    const size_t old = offsetof(le_search_options, k) + sizeof(int);
    unsigned char buf[sizeof(le_search_options)];
    memset(buf, 0xAB, sizeof buf); /* garbage past the old struct */
    le_search_options_init_size((le_search_options *)buf, old);
    ((le_search_options *)buf)->k = 3;
    le_search_options full, def;
    le_search_options_init(&full);
    le_search_options_init(&def);
    le_error err;
    CHECK_EQ_INT(le_options_take(&full, sizeof full, buf, "le_search_options", &err), LE_OK);
    CHECK_EQ_INT(full.struct_size, sizeof full);
    CHECK_EQ_INT(full.k, 3);
    CHECK_EQ_INT(full.ef, def.ef);
    CHECK(full.rrf_k == def.rrf_k && full.bm25_b == def.bm25_b);
    CHECK_EQ_INT(full.candidates, def.candidates);
}

static void test_take_refuses(void) {
    le_error err;
    le_search_options full;
    le_search_options_init(&full);
    /* never initialised */
    le_search_options zero;
    memset(&zero, 0, sizeof zero);
    CHECK_EQ_INT(le_options_take(&full, sizeof full, &zero, "le_search_options", &err), LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "le_search_options_init");
    /* a newer header's field set: refused; left at zero: fine */
    unsigned char newer[sizeof(le_search_options) + 8];
    le_search_options_init_size((le_search_options *)newer, sizeof newer);
    CHECK_EQ_INT(le_options_take(&full, sizeof full, newer, "le_search_options", &err), LE_OK);
    newer[sizeof(le_search_options) + 3] = 1;
    CHECK_EQ_INT(le_options_take(&full, sizeof full, newer, "le_search_options", &err),
                 LE_ERR_UNSUPPORTED);
    CHECK_STR_CONTAINS(err.message, "does not know");
    /* NULL: the defaults */
    CHECK_EQ_INT(le_options_take(&full, sizeof full, NULL, "le_search_options", &err), LE_OK);
}

/* The same through the public entry points. */
static void test_entry_points(void) {
    le_error err;
    le_model_options mo;
    memset(&mo, 0, sizeof mo);
    le_model *m = NULL;
    CHECK_EQ_INT(le_model_open(MODEL, &mo, &m, &err), LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "le_model_options");
    le_model_options_init(&mo);
    mo.threads = 1;
    CHECK_MSG(le_model_open(MODEL, &mo, &m, &err) == LE_OK, "%s", err.message);
    if (!m) return;
    float *out = malloc(sizeof(float) * (size_t)le_model_dim(m));
    const char *one[1] = {"hello"};
    le_embed_options eo;
    memset(&eo, 0, sizeof eo);
    CHECK_EQ_INT(le_embed(m, 1, one, NULL, &eo, out, NULL, &err), LE_ERR_ARG);
    le_embed_options_init(&eo);
    CHECK_EQ_INT(le_embed(m, 1, one, NULL, &eo, out, NULL, &err), LE_OK);
    /* an old caller's shorter struct: the rest are defaults */
    le_embed_options_init_size(&eo, offsetof(le_embed_options, max_tokens));
    eo.normalize = 7; /* past its size: not read (else LE_ERR_ARG) */
    CHECK_EQ_INT(le_embed(m, 1, one, NULL, &eo, out, NULL, &err), LE_OK);
    free(out);
    le_model_close(m);
}

int main(void) {
    test_init_writes_only_the_callers_size();
    test_take_reads_only_covered_fields();
    test_take_refuses();
    test_entry_points();
    return check_report("test_options_size");
}
