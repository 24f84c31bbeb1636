/* Bug: an index took NaN vectors (a damaged model's, or a caller's) without
 * a word, `verify --deep` said ok about them, and search ranked their NaN
 * scores as -inf hits in arbitrary order (printed as -inf: invalid JSON).
 * Fixed: the writer refuses a NaN or infinity in any vector or weight
 * (naming the text), the deep check finds one in an index written before,
 * and a NaN score is no hit. The damaged index here is made by writing a
 * finite vector and overwriting it in the file image (with the checksums
 * left stale: it is opened without checksums, as an older writer's file
 * would pass them). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "index/index.h"
#include "longembed.h"

#define DIM 4

static const float VEC_A[DIM] = {0.125f, -0.375f, 0.625f, -0.875f};
static const float VEC_B[DIM] = {0.5f, 0.5f, 0.5f, 0.5f};

static le_index_doc doc(const char *id, const char *text, const float *v) {
    le_index_doc d;
    memset(&d, 0, sizeof d);
    d.id = id;
    d.text = text;
    d.dense = v;
    return d;
}

static le_index_writer *open_writer(const char *path) {
    le_index_model im;
    le_index_model_init(&im);
    snprintf(im.name, sizeof im.name, "synthetic");
    im.dim = DIM;
    le_index_writer *w = NULL;
    le_error err;
    CHECK(le_index_writer_open(path, &im, NULL, &w, &err) == LE_OK);
    return w;
}

/* The writer refuses a NaN or an infinity, naming the text. */
static void test_writer_refuses(const char *path) {
    le_index_writer *w = open_writer(path);
    if (!w) return;
    float nan_v[DIM] = {0.5f, NAN, 0.5f, 0.5f}, inf_v[DIM] = {INFINITY, 0, 0, 0};
    le_index_doc d[2] = {doc("good", "fine", VEC_B), doc("bad", "damaged", nan_v)};
    le_error err;
    CHECK(le_index_writer_add(w, 2, d, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "text 1: a NaN or infinity in its vector");
    CHECK_EQ_INT(err.text_index, 1);
    d[1].dense = inf_v;
    CHECK(le_index_writer_add(w, 2, d, &err) == LE_ERR_ARG);
    CHECK_EQ_INT(le_index_writer_pending(w), 0); /* nothing buffered when one fails */
    le_index_writer_close(w);
    unlink(path);
}

/* The file image of an index holding a (VEC_A) and b (VEC_B); NULL on failure. */
static unsigned char *index_image(const char *path, size_t *n) {
    le_index_writer *w = open_writer(path);
    if (!w) return NULL;
    le_index_doc d[2] = {doc("a", "alpha", VEC_A), doc("b", "beta", VEC_B)};
    le_error err;
    CHECK(le_index_writer_add(w, 2, d, &err) == LE_OK);
    CHECK(le_index_writer_commit(w, &err) == LE_OK);
    le_index_writer_close(w);
    FILE *f = fopen(path, "rb");
    unsigned char *b = NULL;
    if (f && !fseek(f, 0, SEEK_END)) {
        *n = (size_t)ftell(f);
        rewind(f);
        b = malloc(*n);
        if (b && fread(b, 1, *n, f) != *n) *n = 0;
    }
    if (f) fclose(f);
    return b;
}

static void test_deep_check_and_search(const char *path) {
    size_t n = 0;
    unsigned char *b = index_image(path, &n);
    unsigned char *at = NULL;
    for (size_t i = 0; b && i + sizeof VEC_A <= n && !at; i++)
        if (!memcmp(b + i, VEC_A, sizeof VEC_A)) at = b + i;
    CHECK_MSG(at != NULL, "a's vector not found in the file");
    if (!at) {
        free(b);
        return;
    }
    float nan_f = NAN;
    memcpy(at + sizeof(float), &nan_f, sizeof nan_f); /* a[1] = NaN */
    le_index_options o;
    le_index_options_init(&o);
    o.verify = -1; /* the checksums are stale: an older writer's would match */
    le_index *ix = NULL;
    le_error err;
    CHECK(le_index_open_memory(b, n, &o, &ix, &err) == LE_OK);
    if (ix) {
        CHECK(le_segment_check_deep(&ix->seg[0], &err) == LE_ERR_FORMAT);
        CHECK_STR_CONTAINS(err.message, "document 0 (\"a\"): a NaN or infinity in its vector");
        le_index_query q = {0};
        q.dense = VEC_B;
        le_search_options so;
        le_search_options_init(&so);
        so.mode = LE_SEARCH_DENSE;
        so.exact = 1;
        le_index_hit hits[2];
        int got = -1;
        CHECK(le_index_search(ix, &q, &so, hits, &got, &err) == LE_OK);
        CHECK_EQ_INT(got, 1); /* a's NaN score is no hit */
        CHECK(got < 1 || isfinite(hits[0].score));
        le_index_close(ix);
    }
    free(b);
    unlink(path);
}

int main(void) {
    char path[] = "/tmp/le-nan-vector-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) close(fd);
    unlink(path);
    test_writer_refuses(path);
    test_deep_check_and_search(path);
    char lock[64];
    snprintf(lock, sizeof lock, "%s.lock", path);
    unlink(lock);
    return check_report("test_nan_vector_stored_and_verified");
}
