/* Bug: le_error_wrap(NULL, …) returned LE_ERR_INTERNAL instead of the status
 * of the failure it wrapped, so le_embed called without an le_error reported
 * a text past the limit as an internal error instead of LE_ERR_TOO_LONG (and
 * a NULL text as INTERNAL instead of LE_ERR_ARG). Fixed by passing the status
 * to le_error_wrap, which returns it whether or not there is a message. */
#include "base/error.h"
#include "check.h"
#include "longembed.h"

#include <stdlib.h>
#include <string.h>

#define MODEL "tests/fixtures/bert-cased-tiny"

static void test_wrap_passes_status(void) {
    CHECK_EQ_INT(le_error_wrap(NULL, LE_ERR_TOO_LONG, "text %d", 3), LE_ERR_TOO_LONG);
    CHECK_EQ_INT(le_error_wrap(NULL, LE_ERR_IO, "file"), LE_ERR_IO);
    le_error e;
    le_fail(&e, LE_ERR_UTF8, "byte 7");
    CHECK_EQ_INT(le_error_wrap(&e, LE_ERR_UTF8, "text %d", 1), LE_ERR_UTF8);
    CHECK(strcmp(e.message, "text 1: byte 7") == 0);
}

/* Through the public API: the same status with and without an le_error. */
static void test_embed_without_error(void) {
    le_model_options mo;
    le_model_options_init(&mo);
    mo.threads = 1;
    le_model *m = NULL;
    le_error err;
    CHECK_MSG(le_model_open(MODEL, &mo, &m, &err) == LE_OK, "%s", err.message);
    if (!m) return;
    le_embed_options eo;
    le_embed_options_init(&eo);
    size_t n = 20000; /* far past the 512-token window */
    char *text = malloc(n + 1);
    for (size_t i = 0; i < n; i++) text[i] = i % 2 ? ' ' : 'a';
    text[n] = 0;
    float *out = malloc(sizeof(float) * (size_t)le_model_dim(m) * 2);
    const char *one[1] = {text};
    CHECK_EQ_INT(le_embed(m, 1, one, NULL, &eo, out, NULL, &err), LE_ERR_TOO_LONG);
    CHECK_EQ_INT(le_embed(m, 1, one, NULL, &eo, out, NULL, NULL), LE_ERR_TOO_LONG);
    const char *with_null[2] = {"fine", NULL};
    CHECK_EQ_INT(le_embed(m, 2, with_null, NULL, &eo, out, NULL, &err), LE_ERR_ARG);
    CHECK_EQ_INT(le_embed(m, 2, with_null, NULL, &eo, out, NULL, NULL), LE_ERR_ARG);
    free(out);
    free(text);
    le_model_close(m);
}

int main(void) {
    test_wrap_passes_status();
    test_embed_without_error();
    return check_report("test_error_wrap_null_err_keeps_status");
}
