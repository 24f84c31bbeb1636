#include "index/passage_store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index/vecdot.h"

#define BAD(...) return le_fail(err, LE_ERR_FORMAT, __VA_ARGS__)

static le_status oom(le_error *err) {
    return le_fail(err, LE_ERR_NOMEM, "index: out of memory building passages");
}

/* The writable passage arrays of a fresh segment (s holds the same pointers). */
typedef struct pass_out {
    uint64_t *off;
    le_pass_rec *rec;
    float *f32, *scale;
    int8_t *i8;
} pass_out;

/* Allocates s's passage arrays for n documents and total passages, owned by s. */
static le_status alloc_passages(le_segment *s, pass_out *o, const le_seg_params *p, size_t n,
                                uint64_t total, le_error *err) {
    size_t dim = (size_t)p->dim, t = total ? (size_t)total : 1;
    s->pass_off = o->off = malloc((n + 1) * sizeof *o->off);
    s->pass = o->rec = malloc(t * sizeof *o->rec);
    if (!o->off || !o->rec) return oom(err);
    if (p->encoding == 0) {
        s->pass_f32 = o->f32 = malloc(t * dim * sizeof *o->f32);
        if (!o->f32) return oom(err);
    } else {
        s->pass_i8 = o->i8 = malloc(t * dim);
        s->pass_scale = o->scale = malloc(t * sizeof *o->scale);
        if (!o->i8 || !o->scale) return oom(err);
    }
    o->off[0] = 0;
    s->n_pass = total;
    return LE_OK;
}

le_status le_seg_pass_build(le_segment *s, const le_seg_params *p, size_t n,
                            const le_seg_doc *docs, le_error *err) {
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) total += docs[i].n_pass;
    pass_out o = {0};
    le_status st = alloc_passages(s, &o, p, n, total, err);
    if (st) return st;
    size_t dim = (size_t)p->dim;
    for (size_t i = 0; i < n; i++) {
        const le_seg_doc *d = &docs[i];
        uint64_t at = o.off[i];
        o.off[i + 1] = at + d->n_pass;
        if (d->n_pass) memcpy(o.rec + at, d->pass, d->n_pass * sizeof *o.rec);
        for (size_t j = 0; j < d->n_pass; j++) {
            const float *v = d->pass_vecs + j * dim;
            if (o.f32) memcpy(o.f32 + (at + j) * dim, v, dim * sizeof *o.f32);
            else o.scale[at + j] = le_quantize_i8(v, p->dim, o.i8 + (at + j) * dim);
        }
    }
    return LE_OK;
}

/* Copies the passages of document d of g after those already in o, as
 * document k's (vectors as they are stored: int8 codes keep their scale). */
static void copy_doc_passages(pass_out *o, size_t dim, const le_segment *g, uint32_t d,
                              uint64_t k) {
    uint64_t a = g->pass_off[d], e = g->pass_off[d + 1], at = o->off[k];
    size_t m = (size_t)(e - a);
    o->off[k + 1] = at + m;
    memcpy(o->rec + at, g->pass + a, m * sizeof *o->rec);
    if (o->f32) {
        memcpy(o->f32 + at * dim, g->pass_f32 + a * dim, m * dim * sizeof *o->f32);
    } else {
        memcpy(o->i8 + at * dim, g->pass_i8 + a * dim, m * dim);
        memcpy(o->scale + at, g->pass_scale + a, m * sizeof *o->scale);
    }
}

le_status le_seg_pass_merge(le_segment *s, const le_seg_params *p, int n_src,
                            const le_segment *const *src, const uint8_t *const *deleted,
                            le_error *err) {
    uint64_t total = 0;
    size_t n = 0;
    for (int i = 0; i < n_src; i++)
        for (uint32_t d = 0; d < src[i]->n_docs; d++)
            if (!le_bit_get(deleted ? deleted[i] : NULL, d)) {
                total += src[i]->pass_off[d + 1] - src[i]->pass_off[d];
                n++;
            }
    pass_out o = {0};
    le_status st = alloc_passages(s, &o, p, n, total, err);
    if (st) return st;
    uint64_t k = 0;
    for (int i = 0; i < n_src; i++)
        for (uint32_t d = 0; d < src[i]->n_docs; d++)
            if (!le_bit_get(deleted ? deleted[i] : NULL, d))
                copy_doc_passages(&o, (size_t)p->dim, src[i], d, k++);
    return LE_OK;
}

le_status le_seg_pass_check(const le_segment *s, le_error *err) {
    const uint64_t *off = s->pass_off;
    if (off[0] != 0 || off[s->n_docs] != s->n_pass)
        BAD("passage offsets do not run from 0 to the %llu passages",
            (unsigned long long)s->n_pass);
    for (uint32_t d = 0; d < s->n_docs; d++) {
        if (off[d + 1] <= off[d] || off[d + 1] > s->n_pass)
            BAD("passage offsets of document %u do not rise (each document has a passage)", d);
        uint64_t len = s->docs[d].text_len;
        for (uint64_t x = off[d]; x < off[d + 1]; x++) {
            const le_pass_rec *r = &s->pass[x];
            if (r->byte_start > r->byte_end || r->byte_end > len)
                BAD("passage %llu of document %u spans bytes %llu..%llu of a %llu-byte text",
                    (unsigned long long)(x - off[d]), d, (unsigned long long)r->byte_start,
                    (unsigned long long)r->byte_end, (unsigned long long)len);
            if (r->token_start > r->token_end || r->token_end > INT32_MAX)
                BAD("passage %llu of document %u spans tokens %u..%u",
                    (unsigned long long)(x - off[d]), d, r->token_start, r->token_end);
            if (r->flags & ~LE_PASS_EXACT || r->zero)
                BAD("passage %llu of document %u has unknown flags %#x or a non-zero reserved "
                    "field",
                    (unsigned long long)(x - off[d]), d, r->flags);
        }
    }
    return LE_OK;
}

/* 1 when byte i of text[0..len) starts a character (or is the end). */
static int char_boundary(const char *text, uint64_t len, uint64_t i) {
    return i >= len || ((unsigned char)text[i] & 0xC0) != 0x80;
}

/* 1 when passage x of s has finite vector values (and a finite scale >= 0). */
static int vector_finite(const le_segment *s, uint64_t x) {
    size_t dim = (size_t)s->dim;
    if (s->pass_f32) {
        for (size_t i = 0; i < dim; i++)
            if (!isfinite(s->pass_f32[x * dim + i])) return 0;
        return 1;
    }
    return isfinite(s->pass_scale[x]) && s->pass_scale[x] >= 0;
}

/* The deep checks of document d's passages (le_seg_pass_check_deep). */
static le_status check_doc_deep(const le_segment *s, uint32_t d, le_error *err) {
    const le_doc_rec *dr = &s->docs[d];
    const char *text = dr->flags & LE_DOC_TEXT_STORED ? s->strings + dr->text_off : NULL;
    uint64_t a, e;
    le_seg_pass_range(s, d, &a, &e);
    for (uint64_t x = a; x < e; x++) {
        const le_pass_rec *r = &s->pass[x], *q = x > a ? r - 1 : NULL;
        unsigned long long i = (unsigned long long)(x - a);
        if (q && (r->byte_start < q->byte_start || r->byte_end < q->byte_end ||
                  r->token_start < q->token_start || r->token_end < q->token_end))
            BAD("passage %llu of document %u starts or ends before the one before it", i, d);
        if (text && (!char_boundary(text, dr->text_len, r->byte_start) ||
                     !char_boundary(text, dr->text_len, r->byte_end)))
            BAD("passage %llu of document %u does not start and end on characters", i, d);
        if (!vector_finite(s, x)) BAD("passage %llu of document %u has a non-finite vector", i, d);
    }
    return LE_OK;
}

le_status le_seg_pass_check_deep(const le_segment *s, le_error *err) {
    for (uint32_t d = 0; d < s->n_docs && s->pass_off; d++) {
        le_status st = check_doc_deep(s, d, err);
        if (st) return st;
    }
    return LE_OK;
}
