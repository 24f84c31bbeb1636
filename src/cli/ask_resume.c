#define _GNU_SOURCE
/* ask --qa --rows FILE --resume: the rows a stopped run wrote are kept, their
 * questions skipped, and the table covers them and the new ones alike. */
#include "ask_resume.h"

#include "base/json.h"

#include <stdlib.h>
#include <string.h>

/* One row of the file into r's totals and map; 0, or -1 after the error. */
static int take_row(ask_resume *r, const char *line, size_t len, const char *what) {
    cJSON *o = NULL;
    le_error err;
    if (le_json_parse_line(line, len, what, &o, &err)) {
        cli_error("%s (--resume keeps the rows file as it is: fix or remove it)", err.message);
        return -1;
    }
    const cJSON *qid = cJSON_GetObjectItemCaseSensitive(o, "qid");
    int rc = 0;
    if (!cJSON_IsString(qid)) {
        cli_error("%s: a row without a \"qid\" string", what);
        rc = -1;
    } else if (le_map_get(&r->done, qid->valuestring, strlen(qid->valuestring)) < 0) {
        static const char *const keys[] = {"rouge1", "rouge2", "rougeL", "seconds",
                                           "tokens_read", "tokens_generated"};
        double *sums[] = {&r->sum.rouge1, &r->sum.rouge2, &r->sum.rougel, &r->sum.seconds,
                          &r->sum.tokens_read, &r->sum.tokens_generated};
        for (int k = 0; k < 6; k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, keys[k]);
            *sums[k] += cJSON_IsNumber(v) ? v->valuedouble : 0;
        }
        r->sum.questions++;
        r->sum.failed += cJSON_GetObjectItemCaseSensitive(o, "error") != NULL;
        if (le_map_put(&r->done, qid->valuestring, strlen(qid->valuestring), 1)) rc = -1;
    }
    cJSON_Delete(o);
    return rc;
}

int ask_resume_load(ask_resume *r, const char *path) {
    memset(r, 0, sizeof *r);
    le_map_init(&r->done, &le_map_copied);
    FILE *f = fopen(path, "r");
    if (!f) return 0; /* nothing done yet */
    char *line = NULL, what[64];
    size_t cap = 0, no = 0;
    ssize_t n;
    int rc = 0;
    while (!rc && (n = getline(&line, &cap, f)) >= 0) {
        no++;
        if (n <= 1) continue;
        snprintf(what, sizeof what, "%.40s line %zu", path, no);
        rc = take_row(r, line, (size_t)n, what);
    }
    free(line);
    fclose(f);
    return rc;
}

int ask_resume_skip(const ask_resume *r, const char *qid) {
    return le_map_get(&r->done, qid, strlen(qid)) >= 0;
}

le_ask_eval_summary ask_resume_total(const ask_resume *r, const le_ask_eval_summary *now) {
    le_ask_eval_summary t = *now;
    double n = (double)(r->sum.questions + now->questions);
    if (n == 0) return t;
    /* now holds means over its questions; r->sum sums (ROUGE x 100, as the rows) */
    const double q = (double)now->questions;
    t.questions += r->sum.questions;
    t.failed += r->sum.failed;
    t.rouge1 = (now->rouge1 * q + r->sum.rouge1) / n;
    t.rouge2 = (now->rouge2 * q + r->sum.rouge2) / n;
    t.rougel = (now->rougel * q + r->sum.rougel) / n;
    t.seconds = (now->seconds * q + r->sum.seconds) / n;
    t.tokens_read = (now->tokens_read * q + r->sum.tokens_read) / n;
    t.tokens_generated = (now->tokens_generated * q + r->sum.tokens_generated) / n;
    return t;
}

void ask_resume_free(ask_resume *r) { le_map_free(&r->done); }
