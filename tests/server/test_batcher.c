/* The batch worker (src/server/batcher.c) alone, with the tiny model and
 * no HTTP, so that the order of events is certain:
 * - a job over the token budget runs in pieces that go back to the end of
 *   the queue: a one-text job queued after a 64-text one is finished first
 *   (in arrival order it would be last), and the large job's vectors are
 *   where its inputs are (equal to one le_embed of its texts);
 * - a packed call that fails is run piece by piece: only the job with the
 *   bad text fails, naming its own input (a later piece: its index counts
 *   the pieces before), and its other texts are not run;
 * - a job whose client is gone has its remaining texts skipped. */
#include "check.h"
#include "server/batcher.h"
#include "server/metrics.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define N_BIG 64

typedef struct rec {
    pthread_mutex_t mu;
    le_srv_job *order[8];
    int n;
} rec;

static rec done_order = {PTHREAD_MUTEX_INITIALIZER, {0}, 0};

static void on_done(le_srv_job *j) {
    pthread_mutex_lock(&done_order.mu);
    if (done_order.n < 8) done_order.order[done_order.n++] = j;
    pthread_mutex_unlock(&done_order.mu);
}

/* A texts job over texts, each counted as `each` tokens for the budget. */
static void make_job(le_srv_job *j, size_t n, const char **texts, size_t *lens, size_t *tokens,
                     size_t each, float *out, le_text_result *res) {
    memset(j, 0, sizeof *j);
    le_embed_options_init(&j->eo);
    for (size_t i = 0; i < n; i++) lens[i] = strlen(texts[i]), tokens[i] = each;
    j->kind = LE_SRV_JOB_TEXTS;
    j->n = n;
    j->texts = texts;
    j->lens = lens;
    j->text_tokens = tokens;
    j->tokens = n * each;
    j->out = out;
    j->res = res;
    j->done = on_done;
}

static int gone_after_first(le_srv_job *j) { return j->taken > 0; }

int main(void) {
    le_model *m = NULL;
    le_error err;
    if (le_model_open("tests/fixtures/bert-cased-tiny", NULL, &m, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    int dim = le_model_dim(m);
    const char *route = "/x";
    le_srv_metrics *met = le_srv_metrics_new(1, &route);
    le_srv_batcher *b = NULL;
    /* a budget of two texts: the 64-text job runs in 32 pieces */
    CHECK(le_srv_batcher_start(m, 16, 24, met, &b, &err) == LE_OK);
    static char words[N_BIG][32];
    static const char *big_texts[N_BIG];
    static size_t big_lens[N_BIG], big_tok[N_BIG];
    static float big_out[N_BIG * 512];
    static le_text_result big_res[N_BIG];
    for (int i = 0; i < N_BIG; i++) {
        snprintf(words[i], sizeof words[i], "text number %d of many", i);
        big_texts[i] = words[i];
    }
    const char *small_texts[1] = {"a short one"}, *bad_texts[3] = {"fine", "also fine", "bad \xff"};
    size_t small_lens[1], small_tok[1], bad_lens[3], bad_tok[3];
    float small_out[512], bad_out[3 * 512];
    le_text_result small_res[1], bad_res[3];
    le_srv_job big, small, bad;
    make_job(&big, N_BIG, big_texts, big_lens, big_tok, 12, big_out, big_res);
    make_job(&small, 1, small_texts, small_lens, small_tok, 12, small_out, small_res);
    make_job(&bad, 3, bad_texts, bad_lens, bad_tok, 12, bad_out, bad_res);
    CHECK(dim <= 512);
    CHECK(le_srv_batcher_submit(b, &big) == 0);
    CHECK(le_srv_batcher_submit(b, &small) == 0);
    CHECK(le_srv_batcher_submit(b, &bad) == 0);
    le_srv_batcher_stop(b); /* runs every queued job */
    CHECK_EQ_INT(done_order.n, 3);
    CHECK(done_order.order[0] == &small || done_order.order[1] == &small);
    CHECK(done_order.order[2] == &big); /* last, though it came first */
    CHECK(big.status == LE_OK && small.status == LE_OK);
    static float want[N_BIG * 512];
    CHECK(le_embed(m, N_BIG, big_texts, NULL, NULL, want, NULL, &err) == LE_OK);
    float diff = 0;
    for (size_t i = 0; i < (size_t)N_BIG * (size_t)dim; i++)
        if (fabsf(want[i] - big_out[i]) > diff) diff = fabsf(want[i] - big_out[i]);
    CHECK_MSG(diff <= 1e-6f, "max |diff| %g", diff);
    CHECK(bad.status == LE_ERR_UTF8 && bad.err.text_index == 2);
    le_srv_batcher_free(b);

    /* a client gone after the first piece: the rest is skipped */
    CHECK(le_srv_batcher_start(m, 16, 24, met, &b, &err) == LE_OK);
    done_order.n = 0;
    make_job(&big, N_BIG, big_texts, big_lens, big_tok, 12, big_out, big_res);
    big.gone = gone_after_first;
    CHECK(le_srv_batcher_submit(b, &big) == 0);
    le_srv_batcher_stop(b);
    CHECK(done_order.n == 1 && big.cancelled && big.status != LE_OK);
    le_srv_batcher_free(b);
    le_srv_metrics_free(met);
    le_model_close(m);
    return check_report("server/batcher");
}
