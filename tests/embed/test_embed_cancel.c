/* le_embed_options.cancel: asked before each forward batch; a nonzero answer
 * stops le_embed and le_embed_passages (and le_index_writer_add_texts) with
 * LE_ERR_CANCELLED (what the Python binding's Ctrl-C uses), and a hook that
 * never cancels changes nothing: the vectors equal those of a call without it. */
#include "check.h"
#include "longembed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODEL "tests/fixtures/bert-cased-tiny"
#define N 8

typedef struct counter {
    int asked;    /* times the hook was asked */
    int stop_at;  /* answer 1 from this call on (0: never) */
} counter;

static int cancel_hook(void *user) {
    counter *c = user;
    c->asked++;
    return c->stop_at && c->asked >= c->stop_at;
}

static const char *g_texts[N] = {"one", "two words", "three little words", "a fourth text",
                                 "five", "six is here", "seven of them", "the eighth text"};

/* batch_tokens small enough that every text is its own forward batch */
static le_status embed_with(le_model *m, counter *c, float *out, le_error *err) {
    le_embed_options eo;
    le_embed_options_init(&eo);
    eo.batch_tokens = 4;
    if (c) {
        eo.cancel = cancel_hook;
        eo.progress_user = c;
    }
    return le_embed(m, N, g_texts, NULL, &eo, out, NULL, err);
}

static void check_embed(le_model *m) {
    size_t dim = (size_t)le_model_dim(m);
    float *plain = malloc(N * dim * sizeof *plain), *hooked = malloc(N * dim * sizeof *hooked);
    le_error err;
    CHECK_EQ_INT(embed_with(m, NULL, plain, &err), LE_OK);
    counter never = {0, 0};
    CHECK_EQ_INT(embed_with(m, &never, hooked, &err), LE_OK);
    CHECK_EQ_INT(never.asked, N); /* once per batch */
    CHECK(!memcmp(plain, hooked, N * dim * sizeof *plain));
    counter third = {0, 3};
    CHECK_EQ_INT(embed_with(m, &third, hooked, &err), LE_ERR_CANCELLED);
    CHECK_EQ_INT(err.code, LE_ERR_CANCELLED);
    CHECK_STR_CONTAINS(err.message, "cancelled");
    CHECK_EQ_INT(third.asked, 3); /* not asked again after it said stop */
    CHECK(!strcmp(le_status_name(LE_ERR_CANCELLED), "cancelled"));
    free(plain);
    free(hooked);
}

static void check_passages(le_model *m) {
    le_embed_options eo;
    le_embed_options_init(&eo);
    eo.batch_tokens = 4;
    eo.cancel = cancel_hook;
    counter first = {0, 1};
    eo.progress_user = &first;
    le_passages *p = NULL;
    le_error err;
    CHECK_EQ_INT(le_embed_passages(m, N, g_texts, NULL, &eo, NULL, &p, NULL, &err),
                 LE_ERR_CANCELLED);
    CHECK(p == NULL);
}

int main(void) {
    le_model_options mo;
    le_model_options_init(&mo);
    mo.threads = 1;
    mo.allow_fetch = 0;
    le_model *m = NULL;
    le_error err;
    CHECK_MSG(le_model_open(MODEL, &mo, &m, &err) == LE_OK, "%s", err.message);
    if (m) {
        check_embed(m);
        check_passages(m);
        le_model_close(m);
    }
    return check_report("test_embed_cancel");
}
