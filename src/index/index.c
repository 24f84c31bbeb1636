/* Reading and searching an index file: the header, the manifest, the
 * segments (segment.c), the live-document numbering, and the searches. */
#include "index/index.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/checksum.h"
#include "base/utf8.h"
#include "base/cpu.h"
#include "base/options.h"
#include "index/fusion.h"
#include "index/manifest.h"
#include "index/passage_search.h"
#include "index/passage_store.h"
#include "index/vecdot.h"

/* ------------------------------------------------------------- defaults */

void le_index_model_init(le_index_model *im) {
    memset(im, 0, sizeof *im);
    im->extend = LE_EXTEND_NONE;
    im->attn_scale = LE_ATTN_SCALE_LOG;
}

void le_index_options_init_size(le_index_options *opt, size_t size) {
    le_index_options d;
    memset(&d, 0, sizeof d);
    d.encoding = LE_VEC_F32;
    d.hnsw_m = 32;
    d.hnsw_ef_construction = 200;
    d.hnsw_ef_search = 0;
    d.hnsw_min_docs = 10000;
    d.store_text = 1;
    d.stopwords = 1;
    d.verify = 1;
    d.threads = 0;
    d.max_segments = 8;
    le_options_init(opt, size, &d, sizeof d);
}

void le_search_options_init_size(le_search_options *opt, size_t size) {
    le_search_options d;
    memset(&d, 0, sizeof d);
    d.mode = LE_SEARCH_DENSE;
    d.k = 10;
    d.fuse = LE_FUSE_ZSCORE;
    d.dense_weight = 0.3; /* docs/retrieval.md: the fusion experiment */
    d.bm25_weight = 0.7;
    d.sparse_weight = 0.5;
    d.rrf_k = LE_RRF_K;
    d.bm25_k1 = 1.2;
    d.bm25_b = 0.75;
    d.truncate = 1;
    le_options_init(opt, size, &d, sizeof d);
}

static const char *const g_modes[] = {"dense", "bm25", "hybrid", "sparse", "colbert", "m3"};
#define N_MODES (int)(sizeof g_modes / sizeof *g_modes)

const char *le_search_mode_name(le_search_mode m) {
    return (unsigned)m < (unsigned)N_MODES ? g_modes[m] : "?";
}

le_status le_search_mode_parse(const char *s, le_search_mode *out, le_error *err) {
    for (int i = 0; i < N_MODES; i++)
        if (s && !strcmp(s, g_modes[i])) {
            *out = (le_search_mode)i;
            return LE_OK;
        }
    if (s && !strcmp(s, "multi")) { /* colbert's name before BGE-M3 came */
        *out = LE_SEARCH_MULTI;
        return LE_OK;
    }
    return le_fail(err, LE_ERR_ARG,
                   "unknown search mode \"%s\" (dense, bm25, hybrid, sparse, colbert, m3)",
                   s ? s : "(null)");
}

/* The passage modes by name (le_passage_mode). */
static const char *passage_mode_name(le_passage_mode m) {
    return m == LE_PASSAGE_CHUNK ? "chunk" : m == LE_PASSAGE_LATE ? "late" : "?";
}

void le_index_model_summary(const le_index_model *m, char *buf, size_t cap) {
    if (!m->dim && !m->sparse_vocab && !m->multi_dim) {
        snprintf(buf, cap, "no model (BM25 only)");
        return;
    }
    char mt[32];
    snprintf(buf, cap, "model \"%s\" (%d dims, %s pooling, extend %s, max tokens %s)", m->name,
             m->dim, m->pooling, le_extend_name(m->extend), le_max_tokens_text(m->max_tokens, mt));
}

const char *le_max_tokens_text(int max_tokens, char buf[32]) {
    if (max_tokens > 0) snprintf(buf, 32, "%d", max_tokens);
    else snprintf(buf, 32, "the method's default");
    return buf;
}

int le_index_model_differs(const le_index_model *a, const le_index_model *b, char *msg,
                           size_t cap) {
    char tmp[8];
    if (!msg) {
        msg = tmp;
        cap = sizeof tmp;
    }
    msg[0] = 0;
#define DIFF_STR(f, what)                                                                       \
    if (strcmp(a->f, b->f)) {                                                                   \
        snprintf(msg, cap, what " \"%s\" instead of \"%s\"", b->f, a->f);                       \
        return 1;                                                                               \
    }
#define DIFF_DBL(f, what)                                            \
    if (a->f != b->f) {                                              \
        snprintf(msg, cap, what " %g instead of %g", b->f, a->f);     \
        return 1;                                                    \
    }
#define DIFF_INT(f, what)                                                \
    if (a->f != b->f) {                                                  \
        snprintf(msg, cap, what " %d instead of %d", (int)b->f, (int)a->f); \
        return 1;                                                        \
    }
    if ((a->dim != 0) != (b->dim != 0)) {
        char x[300], y[300];
        le_index_model_summary(a, x, sizeof x);
        le_index_model_summary(b, y, sizeof y);
        snprintf(msg, cap, "%s instead of %s", y, x);
        return 1;
    }
    DIFF_STR(name, "model")
    DIFF_STR(architecture, "architecture")
    DIFF_INT(hidden_size, "hidden size")
    DIFF_INT(num_layers, "layers")
    DIFF_INT(vocab_size, "vocabulary size")
    DIFF_INT(window, "window")
    DIFF_INT(dim, "dimensions")
    DIFF_STR(pooling, "pooling")
    DIFF_INT(normalize, "normalize")
    if (a->extend != b->extend) {
        snprintf(msg, cap, "extension method %s instead of %s", le_extend_name(b->extend),
                 le_extend_name(a->extend));
        return 1;
    }
    if (a->max_tokens != b->max_tokens) {
        char x[32], y[32];
        snprintf(msg, cap, "max tokens %s instead of %s", le_max_tokens_text(b->max_tokens, y),
                 le_max_tokens_text(a->max_tokens, x));
        return 1;
    }
    DIFF_INT(attn_scale, "attention scaling")
    DIFF_INT(position_stride, "position stride")
    DIFF_DBL(ntk_lambda, "NTK lambda")
    DIFF_DBL(rope_factor, "RoPE factor")
    DIFF_INT(se_group, "SelfExtend group")
    DIFF_INT(se_window, "SelfExtend window")
    DIFF_DBL(rotary_scaling_factor, "rotary scaling factor")
    DIFF_STR(passage_prefix, "passage prefix")
    DIFF_STR(query_prefix, "query prefix")
    DIFF_INT(sparse_vocab, "sparse vocabulary")
    DIFF_INT(multi_dim, "multi-vector dimensions")
    DIFF_INT(passage_tokens, "passage tokens")
    DIFF_INT(passage_overlap, "passage overlap")
    if (a->passage_mode != b->passage_mode) {
        snprintf(msg, cap, "passage mode %s instead of %s", passage_mode_name(b->passage_mode),
                 passage_mode_name(a->passage_mode));
        return 1;
    }
#undef DIFF_STR
#undef DIFF_INT
#undef DIFF_DBL
    return 0;
}

/* ------------------------------------------------------------- settings */

void le_index_seg_params(le_seg_params *p, const le_index_model *m, const le_index_options *st) {
    memset(p, 0, sizeof *p);
    p->dim = m->dim;
    p->encoding = st->encoding;
    p->multi_dim = m->multi_dim;
    p->sparse = m->sparse_vocab > 0;
    p->sparse_vocab = (uint32_t)m->sparse_vocab;
    p->passages = m->passage_tokens > 0;
    p->store_text = st->store_text;
    p->analyzer.stopwords = st->stopwords;
    le_hnsw_params_init(&p->hnsw);
    p->hnsw.m = st->hnsw_m;
    p->hnsw.ef_construction = st->hnsw_ef_construction;
    p->hnsw_min_docs = (uint32_t)st->hnsw_min_docs;
    p->hnsw_target = 0.99;
}

int le_index_passages_valid(const le_index_model *m) {
    if (m->passage_tokens < 0 || m->passage_overlap < 0 ||
        (unsigned)m->passage_mode > LE_PASSAGE_LATE)
        return 0;
    if (!m->passage_tokens) return !m->passage_overlap && m->passage_mode == LE_PASSAGE_CHUNK;
    return m->passage_overlap < m->passage_tokens && m->dim > 0;
}

/* -------------------------------------------------------------- opening */

#define BAD(...) return le_fail(err, LE_ERR_FORMAT, __VA_ARGS__)

static le_status build_numbering(le_index *ix, le_error *err) {
    uint32_t next = 0;
    for (int i = 0; i < ix->n_seg; i++) {
        const le_segment *s = &ix->seg[i];
        ix->first[i] = next;
        if (ix->n_del[i]) {
            uint32_t live = s->n_docs - ix->n_del[i];
            ix->local_of[i] = malloc((live ? live : 1) * sizeof **ix->local_of);
            ix->ord_of[i] = malloc(s->n_docs * sizeof **ix->ord_of);
            if (!ix->local_of[i] || !ix->ord_of[i])
                return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
            uint32_t k = 0;
            for (uint32_t d = 0; d < s->n_docs; d++) {
                if (le_bit_get(ix->del[i], d)) {
                    ix->ord_of[i][d] = UINT32_MAX;
                } else {
                    ix->ord_of[i][d] = next + k;
                    ix->local_of[i][k++] = d;
                }
            }
            next += live;
        } else {
            next += s->n_docs;
        }
    }
    ix->first[ix->n_seg] = next;
    ix->n_live = next;
    return LE_OK;
}

void le_index_locate(const le_index *ix, size_t doc, int *seg, uint32_t *local) {
    int lo = 0, hi = ix->n_seg - 1;
    while (lo < hi) { /* the last segment whose first live number is <= doc and that has some */
        int mid = (lo + hi + 1) / 2;
        if (ix->first[mid] <= doc) lo = mid;
        else hi = mid - 1;
    }
    *seg = lo;
    uint32_t off = (uint32_t)(doc - ix->first[lo]);
    *local = ix->local_of[lo] ? ix->local_of[lo][off] : off;
}

static le_status open_bytes(le_index *ix, const le_index_options *opt_in, le_error *err) {
    le_index_options given;
    le_index_options_init(&given);
    le_status taken = le_options_take(&given, sizeof given, opt_in, "le_index_options", err);
    if (taken) return taken;
    const le_index_options *opt = &given;
    const unsigned char *b = ix->base;
    uint64_t size = ix->size;
    const char *path = ix->path ? ix->path : "(memory)";
    if (size < LE_IDX_HEADER_SIZE)
        BAD("%s: not an index file: %llu bytes, shorter than the %u-byte header", path,
            (unsigned long long)size, LE_IDX_HEADER_SIZE);
    if (memcmp(b, LE_IDX_MAGIC, 8)) BAD("%s: not a longembed index file (bad magic)", path);
    int check = opt ? opt->verify : 1; /* < 0: no checksums at all (fuzzing only) */
    if (check >= 0 && le_crc32c(b, LE_HDR_CRC) != le_ld32(b + LE_HDR_CRC))
        BAD("%s: header checksum mismatch (the file is corrupt)", path);
    uint32_t version = le_ld32(b + LE_HDR_VERSION);
    if (version < LE_IDX_VERSION_MIN || version > LE_IDX_VERSION)
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "%s: index format version %u; this build reads versions %u to %u", path,
                       version, LE_IDX_VERSION_MIN, LE_IDX_VERSION);
    ix->version = version;
    if (le_ld32(b + LE_HDR_HEADER_SIZE) != LE_IDX_HEADER_SIZE || le_ld32(b + LE_HDR_FLAGS))
        BAD("%s: unexpected header size or flags", path);
    uint64_t fsize = le_ld64(b + LE_HDR_FILE_SIZE);
    if (fsize != size)
        BAD("%s: the file has %llu bytes but its header says %llu (truncated or appended to)",
            path, (unsigned long long)size, (unsigned long long)fsize);
    ix->generation = le_ld64(b + LE_HDR_GENERATION);
    uint64_t moff = le_ld64(b + LE_HDR_MANIFEST_OFF), mlen = le_ld64(b + LE_HDR_MANIFEST_LEN);
    if (moff < LE_IDX_HEADER_SIZE || moff % 8 || moff > size || mlen > size - moff)
        BAD("%s: the manifest (offset %llu, %llu bytes) lies outside the file", path,
            (unsigned long long)moff, (unsigned long long)mlen);
    if (check >= 0 && le_crc32c(b + moff, (size_t)mlen) != le_ld32(b + LE_HDR_MANIFEST_CRC))
        BAD("%s: manifest checksum mismatch (the file is corrupt)", path);
    le_status st = le_manifest_read(ix, b + moff, mlen, moff, err);
    if (st) return le_error_wrap(err, st, "%s", path);
    for (int i = 0; i < ix->n_seg; i++) {
        st = le_segment_parse(&ix->seg[i], b + ix->seg_off[i], ix->seg_len[i], &ix->params,
                              check >= 0 ? &ix->seg_dir_crc[i] : NULL, check > 0, err);
        if (st) return le_error_wrap(err, st, "%s: segment %d (offset %llu)", path, i,
                                     (unsigned long long)ix->seg_off[i]);
    }
    if ((st = build_numbering(ix, err))) return st;
    ix->threads = opt && opt->threads > 0 ? opt->threads : 0;
    ix->kc.isa = le_cpu_best_isa();
    return LE_OK;
}

static le_index *index_new(void) {
    le_index *ix = calloc(1, sizeof(le_index));
    if (ix) le_map_init(&ix->ids, &le_map_borrowed);
    return ix;
}

le_status le_index_open(const char *path, const le_index_options *opt, le_index **out,
                        le_error *err) {
    *out = NULL;
    if (!path) return le_fail(err, LE_ERR_ARG, "index: no path");
    le_index *ix = index_new();
    if (!ix || !(ix->path = strdup(path))) {
        free(ix);
        return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
    }
    le_status st = le_mapfile_open(&ix->map, path, err);
    if (st) {
        le_index_close(ix);
        return st;
    }
    ix->base = ix->map.data;
    ix->size = ix->map.size;
    if ((st = open_bytes(ix, opt, err))) {
        le_index_close(ix);
        return st;
    }
    *out = ix;
    return LE_OK;
}

le_status le_index_open_memory(const void *data, size_t size, const le_index_options *opt,
                               le_index **out, le_error *err) {
    *out = NULL;
    if ((uintptr_t)data % 8) return le_fail(err, LE_ERR_ARG, "index: memory must be 8-byte aligned");
    le_index *ix = index_new();
    if (!ix) return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
    ix->base = data;
    ix->size = size;
    le_status st = open_bytes(ix, opt, err);
    if (st) {
        le_index_close(ix);
        return st;
    }
    *out = ix;
    return LE_OK;
}

void le_index_close(le_index *ix) {
    if (!ix) return;
    for (int i = 0; ix->seg && i < ix->n_seg; i++) {
        le_segment_free(&ix->seg[i]);
        if (ix->local_of) free(ix->local_of[i]);
        if (ix->ord_of) free(ix->ord_of[i]);
        if (ix->dense && ix->dense_ready[i]) le_dense_free(&ix->dense[i]);
    }
    free(ix->seg);
    free(ix->seg_off);
    free(ix->seg_len);
    free(ix->seg_dir_crc);
    free(ix->del);
    free(ix->n_del);
    free(ix->first);
    free(ix->local_of);
    free(ix->ord_of);
    free(ix->dense);
    free(ix->dense_ready);
    if (ix->bm25_state == 2) le_bm25_free(&ix->bm25_merged);
    le_bm25_scratch_free(&ix->bm25_scratch);
    le_hnsw_scratch_free(&ix->hnsw_scratch);
    le_map_free(&ix->ids);
    free(ix->acc);
    free(ix->touched);
    le_passage_search_free(ix);
    le_pool_release(ix->pool);
    if (ix->map.data) le_mapfile_close(&ix->map);
    free(ix->path);
    free(ix);
}

/* ------------------------------------------------------------ documents */

size_t le_index_count(const le_index *ix) { return ix->n_live; }

le_status le_index_get_doc(const le_index *ix, size_t doc, le_index_doc_info *out,
                           le_error *err) {
    if (doc >= ix->n_live)
        return le_fail(err, LE_ERR_ARG, "index: no document %zu (the index holds %zu)", doc,
                       ix->n_live);
    int s;
    uint32_t local;
    le_index_locate(ix, doc, &s, &local);
    const le_segment *g = &ix->seg[s];
    const le_doc_rec *r = &g->docs[local];
    memset(out, 0, sizeof *out);
    out->id = g->strings + r->id_off;
    out->source = g->strings + r->source_off;
    out->title = g->strings + r->title_off;
    out->text_len = (size_t)r->text_len;
    if (r->flags & LE_DOC_TEXT_STORED) out->text = g->strings + r->text_off;
    else out->source_offset = r->text_off;
    out->tokens = (int)r->tokens;
    out->tokens_in_text = (int)r->tokens_in_text;
    out->truncated = (r->flags & LE_DOC_TRUNCATED) != 0;
    return LE_OK;
}

size_t le_index_doc_passages_count(const le_index *ix, size_t doc) {
    if (doc >= ix->n_live || !ix->params.passages) return 0;
    int s;
    uint32_t local;
    le_index_locate(ix, doc, &s, &local);
    uint64_t a, e;
    le_seg_pass_range(&ix->seg[s], local, &a, &e);
    return (size_t)(e - a);
}

le_status le_index_get_passage(const le_index *ix, size_t doc, size_t i, le_passage *out,
                               le_error *err) {
    size_t n = le_index_doc_passages_count(ix, doc);
    if (i >= n)
        return le_fail(err, LE_ERR_ARG, "index: document %zu has no passage %zu (it has %zu)", doc,
                       i, n);
    int s;
    uint32_t local;
    le_index_locate(ix, doc, &s, &local);
    const le_pass_rec *r = &ix->seg[s].pass[ix->seg[s].pass_off[local] + i];
    out->text = doc;
    out->byte_start = (size_t)r->byte_start;
    out->byte_end = (size_t)r->byte_end;
    out->token_start = (int)r->token_start;
    out->token_end = (int)r->token_end;
    out->exact = (r->flags & LE_PASS_EXACT) != 0;
    return LE_OK;
}

static int ensure_ids(le_index *ix) {
    if (ix->ids_ready) return 0;
    for (int s = 0; s < ix->n_seg; s++) {
        const le_segment *g = &ix->seg[s];
        for (uint32_t d = 0; d < g->n_docs; d++) {
            if (le_bit_get(ix->del[s], d)) continue;
            const le_doc_rec *r = &g->docs[d];
            if (le_map_put(&ix->ids, g->strings + r->id_off, r->id_len, le_index_live_number(ix, s, d)))
                return -1;
        }
    }
    ix->ids_ready = 1;
    return 0;
}

long le_index_find(le_index *ix, const char *id) {
    if (!id || ensure_ids(ix)) return -1;
    return (long)le_map_get(&ix->ids, id, strlen(id));
}

void le_index_get_info(const le_index *ix, le_index_info *out) {
    memset(out, 0, sizeof *out);
    out->model = ix->model;
    out->format_version = ix->version;
    out->generation = ix->generation;
    out->file_size = ix->size;
    out->docs = ix->n_live;
    out->segments = ix->n_seg;
    out->encoding = ix->settings.encoding;
    out->hnsw_m = ix->settings.hnsw_m;
    out->hnsw_ef_construction = ix->settings.hnsw_ef_construction;
    out->hnsw_ef_search = ix->settings.hnsw_ef_search;
    out->hnsw_min_docs = ix->settings.hnsw_min_docs;
    out->store_text = ix->settings.store_text;
    out->stopwords = ix->settings.stopwords;
    le_seg_sizes sz = {0};
    for (int s = 0; s < ix->n_seg; s++) {
        const le_segment *g = &ix->seg[s];
        out->deleted += ix->n_del[s];
        out->segments_with_graph += g->has_hnsw;
        if (g->has_hnsw && g->hnsw_ef > out->hnsw_ef_calibrated) out->hnsw_ef_calibrated = g->hnsw_ef;
        out->terms += g->bm25.n_terms;
        out->postings += g->bm25.n_terms ? g->bm25.post_off[g->bm25.n_terms] : 0;
        for (uint32_t d = 0; d < g->n_docs; d++) {
            if (le_bit_get(ix->del[s], d)) continue;
            out->tokens += g->docs[d].tokens;
            if (g->pass_off) out->passages += g->pass_off[d + 1] - g->pass_off[d];
        }
        le_segment_sizes(g, &sz);
    }
    out->bytes_docs = sz.docs;
    out->bytes_text = sz.text;
    out->bytes_dense = sz.dense;
    out->bytes_bm25 = sz.bm25;
    out->bytes_hnsw = sz.hnsw;
    out->bytes_sparse = sz.sparse;
    out->bytes_multi = sz.multi;
    out->bytes_passages = sz.passages;
}

le_status le_index_verify(const char *path, int deep, le_index_info *info, le_error *err) {
    le_index_options o;
    le_index_options_init(&o);
    o.verify = 1;
    le_index *ix;
    le_status st = le_index_open(path, &o, &ix, err);
    if (st) return st;
    if (deep) {
        for (int s = 0; s < ix->n_seg && !st; s++)
            if ((st = le_segment_check_deep(&ix->seg[s], err)))
                le_error_wrap(err, st, "%s: segment %d", path, s);
        /* live ids are unique */
        le_map seen;
        le_map_init(&seen, &le_map_borrowed);
        for (int s = 0; s < ix->n_seg && !st; s++) {
            const le_segment *g = &ix->seg[s];
            for (uint32_t d = 0; d < g->n_docs && !st; d++) {
                if (le_bit_get(ix->del[s], d)) continue;
                const char *id = g->strings + g->docs[d].id_off;
                if (le_map_get(&seen, id, g->docs[d].id_len) >= 0)
                    st = le_fail(err, LE_ERR_FORMAT, "%s: id \"%s\" is held by two live documents",
                                 path, id);
                else if (le_map_put(&seen, id, g->docs[d].id_len, 0))
                    st = le_fail(err, LE_ERR_NOMEM, "verify: out of memory");
            }
        }
        le_map_free(&seen);
    }
    if (!st && info) le_index_get_info(ix, info);
    le_index_close(ix);
    return st;
}

/* ------------------------------------------------------------ searching */

static le_status ensure_pool(le_index *ix, le_error *err) {
    if (ix->pool) return LE_OK;
    ix->pool = le_pool_acquire(ix->threads); /* the shared pool (base/pool.h) */
    if (!ix->pool) return le_fail(err, LE_ERR_NOMEM, "index: cannot start threads");
    ix->kc.pool = ix->pool;
    return LE_OK;
}

/* Exact scores of one query against segment s, best (k + deleted) kept
 * per segment so that k live ones survive the filter. */
static le_status dense_exact_segment(le_index *ix, int s, const float *q, le_topk *top,
                                     le_error *err) {
    const le_segment *g = &ix->seg[s];
    size_t want = (size_t)top->k + ix->n_del[s];
    if (want > g->n_docs) want = g->n_docs;
    if (g->encoding == LE_VEC_F32) {
        if (!ix->dense) {
            ix->dense = calloc((size_t)ix->n_seg, sizeof *ix->dense);
            ix->dense_ready = calloc((size_t)ix->n_seg, sizeof *ix->dense_ready);
            if (!ix->dense || !ix->dense_ready) { /* both or neither: close and retries test one */
                free(ix->dense);
                free(ix->dense_ready);
                ix->dense = NULL;
                ix->dense_ready = NULL;
                return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
            }
        }
        if (!ix->dense_ready[s]) {
            le_status st = le_dense_build(&ix->dense[s], g->f32, g->n_docs, g->dim, ix->kc.isa, err);
            if (st) return st;
            ix->dense_ready[s] = 1;
        }
        le_hit *hits = malloc(want * sizeof *hits);
        if (!hits) return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
        int count = 0;
        le_status st = le_dense_search(&ix->dense[s], &ix->kc, q, 1, (int)want, hits, &count, err);
        for (int i = 0; !st && i < count; i++)
            if (!le_bit_get(ix->del[s], hits[i].doc))
                le_topk_push(top, le_index_live_number(ix, s, hits[i].doc), hits[i].score);
        free(hits);
        return st;
    }
    const le_vdot_kernels *K = le_vdot();
    for (uint32_t d = 0; d < g->n_docs; d++) {
        if (le_bit_get(ix->del[s], d)) continue;
        float sc = K->i8(q, g->i8 + (size_t)d * (size_t)g->dim, g->dim) * g->scale[d];
        le_topk_push(top, le_index_live_number(ix, s, d), sc);
    }
    return LE_OK;
}

/* Whether segment g is searched through its graph. exact 1: never; -1: always
 * when it has one; 0 (default): when a beam was asked for, or when the
 * calibrated beam is expected to cost less than a scan. A beam of ef expands
 * about ef nodes of up to 2M links each, one at a time, while the scan is a
 * blocked product over all rows on every thread: bench_index measures the
 * break-even near ef * 3M = n (on random 384-d vectors the calibrated beam at
 * 100,000 rows is 2048, and the graph takes twice the scan's time). */
static int use_graph(const le_segment *g, int exact, int ef) {
    if (!g->has_hnsw || exact == 1) return 0;
    if (exact == -1 || ef > 0) return 1;
    return (double)g->hnsw_ef * 3.0 * g->hnsw.m < (double)g->n_docs;
}

/* The best k documents for the query vector q: by their passages when the
 * index has them (exact, passage_search.h), else by their vectors per
 * segment, through the graph or exactly (use_graph). */
static le_status search_dense(le_index *ix, const float *q, int k, int exact, int ef, int topk,
                              le_hit *out, int *n_out, le_error *err) {
    le_topk top;
    le_topk_init(&top, out, k);
    le_status st = ensure_pool(ix, err);
    if (st) return st;
    if (ix->params.passages) return le_passage_dense(ix, q, k, topk, out, n_out, err);
    le_hit *buf = NULL;
    for (int s = 0; s < ix->n_seg && !st; s++) {
        const le_segment *g = &ix->seg[s];
        if (use_graph(g, exact, ef)) {
            if (!buf && !(buf = malloc((size_t)k * sizeof *buf))) {
                st = le_fail(err, LE_ERR_NOMEM, "index: out of memory");
                break;
            }
            le_vecs v = {g->dim, g->n_docs, g->f32, g->i8, g->scale};
            int e = ef > 0 ? ef : g->hnsw_ef;
            if ((uint32_t)e > g->n_docs) e = (int)g->n_docs; /* a wider beam finds nothing more */
            int n = le_hnsw_search(&g->hnsw, &v, q, k, e, ix->del[s], &ix->hnsw_scratch, buf);
            if (n < 0) st = le_fail(err, LE_ERR_NOMEM, "index: out of memory");
            for (int i = 0; i < n; i++) le_topk_push(&top, le_index_live_number(ix, s, buf[i].doc), buf[i].score);
        } else {
            st = dense_exact_segment(ix, s, q, &top, err);
        }
    }
    free(buf);
    *n_out = le_topk_finish(&top);
    return st;
}

static le_status ensure_bm25(le_index *ix, le_error *err) {
    if (ix->bm25_state) return LE_OK;
    if (ix->n_seg == 1 && !ix->n_del[0]) {
        ix->bm25 = &ix->seg[0].bm25;
        ix->bm25_state = 1;
        return LE_OK;
    }
    const le_bm25 **src = malloc((size_t)(ix->n_seg ? ix->n_seg : 1) * sizeof *src);
    if (!src) return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
    for (int s = 0; s < ix->n_seg; s++) src[s] = &ix->seg[s].bm25;
    le_status st = le_bm25_merge(&ix->bm25_merged, &ix->params.analyzer, ix->n_seg, src, ix->del, err);
    free(src);
    if (st) return st;
    ix->bm25 = &ix->bm25_merged;
    ix->bm25_state = 2;
    return LE_OK;
}

static le_status search_bm25(le_index *ix, const char *text, size_t len, const le_search_options *o,
                             int k, le_hit *out, int *n_out, le_error *err) {
    *n_out = 0;
    le_status st = ensure_bm25(ix, err);
    if (st) return st;
    le_bm25_params bp = {o->bm25_k1, o->bm25_b};
    return le_bm25_search(ix->bm25, &bp, text, len, k, &ix->bm25_scratch, out, n_out, err);
}

typedef struct qterm {
    uint32_t id;
    float w;
} qterm;

static int cmp_qterm(const void *pa, const void *pb) {
    const qterm *a = pa, *b = pb;
    if (a->id != b->id) return a->id < b->id ? -1 : 1;
    return (a->w < b->w) - (a->w > b->w);
}

/* the query's sparse terms: ascending, repeated ids keep the largest weight, weights <= 0 dropped */
static size_t sparse_query(const le_index_query *q, qterm *t) {
    size_t n = 0;
    for (size_t i = 0; i < q->n_sparse; i++) t[n++] = (qterm){q->sparse_ids[i], q->sparse_weights[i]};
    qsort(t, n, sizeof *t, cmp_qterm);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && t[i].id == t[i - 1].id) continue;
        if (!(t[i].w > 0) || !isfinite(t[i].w)) continue;
        t[k++] = t[i];
    }
    return k;
}

static long find_sparse_term(const le_segment *g, uint32_t id) {
    size_t lo = 0, hi = g->sp_n_terms;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (g->sp_terms[mid] < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < g->sp_n_terms && g->sp_terms[lo] == id ? (long)lo : -1;
}

static le_status search_sparse(le_index *ix, const le_index_query *q, int k, le_hit *out,
                               int *n_out, le_error *err) {
    *n_out = 0;
    if (!ix->acc) {
        ix->acc = calloc(ix->n_live ? ix->n_live : 1, sizeof *ix->acc);
        ix->touched = malloc((ix->n_live ? ix->n_live : 1) * sizeof *ix->touched);
        if (!ix->acc || !ix->touched) return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
    }
    qterm *t = malloc((q->n_sparse ? q->n_sparse : 1) * sizeof *t);
    if (!t) return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
    size_t nt = sparse_query(q, t), n_touched = 0;
    /* score-at-a-time over each term's postings, in term order, segments in order */
    for (size_t i = 0; i < nt; i++)
        for (int s = 0; s < ix->n_seg; s++) {
            const le_segment *g = &ix->seg[s];
            if (!g->has_sparse) continue;
            long at = find_sparse_term(g, t[i].id);
            if (at < 0) continue;
            for (uint64_t x = g->sp_off[at]; x < g->sp_off[at + 1]; x++) {
                uint32_t d = g->sp_doc[x];
                if (le_bit_get(ix->del[s], d)) continue;
                uint32_t o = le_index_live_number(ix, s, d);
                if (ix->acc[o] == 0) ix->touched[n_touched++] = o;
                ix->acc[o] += (double)t[i].w * g->sp_w[x];
            }
        }
    free(t);
    le_topk top;
    le_topk_init(&top, out, k);
    for (size_t i = 0; i < n_touched; i++) {
        uint32_t o = ix->touched[i];
        le_topk_push(&top, o, (float)ix->acc[o]);
        ix->acc[o] = 0;
    }
    *n_out = le_topk_finish(&top);
    return LE_OK;
}

/* MaxSim: (1/nq) Σ_i max_j q_i · d_j over the document's vectors (0 when it has none) */
static float maxsim(const le_index *ix, size_t doc, const le_index_query *q) {
    int s;
    uint32_t local;
    le_index_locate(ix, doc, &s, &local);
    const le_segment *g = &ix->seg[s];
    int md = g->multi_dim;
    uint64_t a = g->mv_off[local], e = g->mv_off[local + 1];
    if (a == e || q->n_multi == 0) return 0;
    const le_vdot_kernels *K = le_vdot();
    double sum = 0;
    for (size_t i = 0; i < q->n_multi; i++) {
        const float *qi = q->multi + i * (size_t)md;
        float best = -INFINITY;
        for (uint64_t j = a; j < e; j++) {
            float v = K->f32(qi, g->mv + j * (uint64_t)md, md);
            if (v > best) best = v;
        }
        sum += best;
    }
    return (float)(sum / (double)q->n_multi);
}

static void hits_init(le_index_hit *h, const le_hit *src, int n) {
    for (int i = 0; i < n; i++) {
        h[i].doc = src[i].doc;
        h[i].score = src[i].score;
        h[i].dense = h[i].bm25 = h[i].sparse = h[i].multi = NAN;
    }
}

static float score_in(const le_hit *list, int n, uint32_t doc) {
    for (int i = 0; i < n; i++)
        if (list[i].doc == doc) return list[i].score;
    return NAN;
}

/* One search: which lists it asks for, how long they are, and the lists. */
typedef struct search_run {
    const le_index_query *q;
    const le_search_options *opt;
    int k;       /* hits to return */
    int n_first; /* length of each first-stage list (candidates when fused or re-ranked) */
    int ef, rerank;
    int want_dense, want_bm25, want_sparse, has_multi;
    le_hit *ld, *lb, *ls, *fused; /* dense, BM25, sparse, and the combined list */
    int nd, nb, nsp, nf;
    double m3w[3]; /* m3 mode: the weights of dense, sparse, colbert */
    float *m3;     /* m3 mode: per live document its dense, sparse and colbert scores */
} search_run;

/* m3 mode's weights into w: the caller's, or BGE-M3's {0.4, 0.2, 0.4} when
 * all three are 0 (the default). */
static le_status m3_weights(const le_search_options *o, double w[3], le_error *err) {
    const double *g = o->m3_weights;
    int given = 0;
    for (int i = 0; i < 3; i++) {
        if (!(g[i] >= 0) || !(g[i] <= 1e12))
            return le_fail(err, LE_ERR_ARG,
                           "search: m3 weights must be finite and >= 0 (got %g, %g, %g)", g[0],
                           g[1], g[2]);
        given |= g[i] > 0;
    }
    static const double flag[3] = {0.4, 0.2, 0.4}; /* BGE-M3's model card, compute_score */
    memcpy(w, given ? g : flag, 3 * sizeof *w);
    return LE_OK;
}

/* Checks that the index and the query have m3 mode's three parts. */
static le_status plan_m3(const le_index *ix, search_run *r, le_error *err) {
    if (!ix->model.dim || !ix->params.sparse || !ix->model.multi_dim)
        return le_fail(err, LE_ERR_ARG,
                       "search: m3 needs an index with dense vectors, learned-sparse weights and "
                       "multi-vectors (one built with a BGE-M3 model and its head files)");
    if (!r->q->dense || !r->q->n_multi)
        return le_fail(err, LE_ERR_ARG, "search: m3 needs the query's dense vector and ColBERT "
                                        "vectors (le_index_search_text makes them)");
    return m3_weights(r->opt, r->m3w, err);
}

/* Decides from opt's mode which first-stage lists r needs, and checks that
 * the index and the query q have what they need. */
static le_status plan_lists(const le_index *ix, search_run *r, le_error *err) {
    const le_index_query *q = r->q;
    const le_search_options *opt = r->opt;
    int has_dense = ix->model.dim > 0, has_sparse = ix->params.sparse;
    r->has_multi = ix->model.multi_dim > 0;
    switch (opt->mode) {
    case LE_SEARCH_DENSE: r->want_dense = 1; break;
    case LE_SEARCH_BM25: r->want_bm25 = 1; break;
    case LE_SEARCH_SPARSE: r->want_sparse = 1; break;
    case LE_SEARCH_HYBRID:
        r->want_dense = has_dense;
        r->want_bm25 = 1;
        r->want_sparse = has_sparse && q->n_sparse > 0;
        break;
    case LE_SEARCH_MULTI: break;
    case LE_SEARCH_M3: return plan_m3(ix, r, err);
    default: return le_fail(err, LE_ERR_ARG, "search: unknown mode %d", (int)opt->mode);
    }
    if (r->want_dense && !has_dense)
        return le_fail(err, LE_ERR_ARG, "search: the index has no dense vectors (it was built without a model); use bm25");
    if (r->want_dense && !q->dense)
        return le_fail(err, LE_ERR_ARG, "search: dense mode needs a query vector");
    if (r->want_bm25 && !q->text)
        return le_fail(err, LE_ERR_ARG, "search: bm25 needs a query text");
    if (r->want_sparse && !has_sparse)
        return le_fail(err, LE_ERR_ARG, "search: the index has no learned-sparse weights");
    if (opt->mode == LE_SEARCH_MULTI && !r->has_multi)
        return le_fail(err, LE_ERR_ARG, "search: the index has no multi-vectors");
    if ((opt->mode == LE_SEARCH_MULTI || opt->rerank) && r->has_multi && q->n_multi == 0)
        return le_fail(err, LE_ERR_ARG, "search: MaxSim needs query multi-vectors");
    if (opt->rerank && !r->has_multi)
        return le_fail(err, LE_ERR_ARG, "search: re-ranking needs an index with multi-vectors");
    return LE_OK;
}

/* Sets the beam, the re-ranking and the list length n_first of r, and
 * allocates the lists. */
static le_status size_lists(const le_index *ix, search_run *r, le_error *err) {
    const le_search_options *opt = r->opt;
    r->ef = opt->ef > 0 ? opt->ef : ix->settings.hnsw_ef_search;
    r->rerank = opt->rerank && opt->mode != LE_SEARCH_MULTI && opt->mode != LE_SEARCH_M3;
    int cand = opt->candidates > 0 ? opt->candidates : (r->k > 100 ? r->k : 100);
    if (cand < r->k) cand = r->k;
    r->n_first = opt->mode == LE_SEARCH_HYBRID || r->rerank ? cand : r->k;
    size_t nl = (size_t)r->n_first;
    r->ld = malloc(nl * sizeof *r->ld);
    r->lb = malloc(nl * sizeof *r->lb);
    r->ls = malloc(nl * sizeof *r->ls);
    r->fused = malloc(nl * sizeof *r->fused);
    if (!r->ld || !r->lb || !r->ls || !r->fused)
        return le_fail(err, LE_ERR_NOMEM, "search: out of memory");
    return LE_OK;
}

/* Runs the dense, BM25 and learned-sparse searches r wants, n_first each. */
static le_status first_stage(le_index *ix, search_run *r, le_error *err) {
    const le_index_query *q = r->q;
    const char *text = q->text;
    size_t tlen = q->text_len ? q->text_len : text ? strlen(text) : 0;
    le_status st = LE_OK;
    if (r->want_dense)
        st = search_dense(ix, q->dense, r->n_first, r->opt->exact, r->ef, r->opt->passage_topk, r->ld,
                          &r->nd, err);
    if (!st && r->want_bm25)
        st = search_bm25(ix, text, tlen, r->opt, r->n_first, r->lb, &r->nb, err);
    if (!st && r->want_sparse) st = search_sparse(ix, q, r->n_first, r->ls, &r->nsp, err);
    return st;
}

/* Fuses r's first-stage lists into r->fused (hybrid mode), weighted by the
 * options. */
static le_status fuse_lists(search_run *r, le_error *err) {
    const le_search_options *opt = r->opt;
    const le_hit *lists[3];
    int counts[3];
    double w[3], floors[3] = {NAN, NAN, NAN}; /* dense, sparse: their lowest hit */
    int nlists = 0;
    if (r->want_dense) {
        lists[nlists] = r->ld;
        counts[nlists] = r->nd;
        w[nlists++] = opt->dense_weight;
    }
    lists[nlists] = r->lb;
    counts[nlists] = r->nb;
    floors[nlists] = 0; /* BM25 of a document without any query term */
    w[nlists++] = opt->bm25_weight;
    if (r->want_sparse) {
        lists[nlists] = r->ls;
        counts[nlists] = r->nsp;
        w[nlists++] = opt->sparse_weight;
    }
    le_fusion_kind kind = opt->fuse == LE_FUSE_RRF      ? LE_FUSION_RRF
                          : opt->fuse == LE_FUSE_ZSCORE ? LE_FUSION_ZSCORE
                                                        : LE_FUSION_MINMAX;
    return le_fuse(kind, nlists, lists, counts, w, floors, opt->rrf_k, r->n_first, r->fused, &r->nf,
                   err);
}

/* m3 mode: every live document's dense score (exact; its best passage, or
 * the mean of its best passage_topk, in an index with passages), lexical
 * matching score and ColBERT score into r->m3, and the best k by
 * compute_score's weighted mean into r->fused. */
static le_status search_m3(le_index *ix, search_run *r, le_error *err) {
    size_t n = ix->n_live;
    if (n > (size_t)INT32_MAX) return le_fail(err, LE_ERR_UNSUPPORTED, "search: too many documents for m3");
    le_hit *l = malloc(n * sizeof *l);
    r->m3 = calloc(n * 3, sizeof *r->m3);
    if (!l || !r->m3) {
        free(l);
        return le_fail(err, LE_ERR_NOMEM, "search: out of memory");
    }
    int nl = 0;
    le_status st = search_dense(ix, r->q->dense, (int)n, 1, 0, r->opt->passage_topk, l, &nl, err);
    for (int i = 0; !st && i < nl; i++) r->m3[3 * (size_t)l[i].doc] = l[i].score;
    if (!st) st = search_sparse(ix, r->q, (int)n, l, &nl, err);
    for (int i = 0; !st && i < nl; i++) r->m3[3 * (size_t)l[i].doc + 1] = l[i].score;
    free(l);
    if (st) return st;
    const double *w = r->m3w;
    double wsum = w[0] + w[1] + w[2];
    le_topk top;
    le_topk_init(&top, r->fused, r->k);
    for (size_t d = 0; d < n; d++) {
        float *c = r->m3 + 3 * d;
        c[2] = maxsim(ix, d, r->q);
        le_topk_push(&top, (uint32_t)d, (float)((w[0] * c[0] + w[1] * c[1] + w[2] * c[2]) / wsum));
    }
    r->nf = le_topk_finish(&top);
    return LE_OK;
}

/* The ranked list r->fused: MaxSim over every document (multi mode),
 * compute_score's weighted mean (m3), the fused lists (hybrid), or the one
 * list searched; then MaxSim re-ranking. */
static le_status combine_lists(le_index *ix, search_run *r, le_error *err) {
    if (r->opt->mode == LE_SEARCH_M3) return search_m3(ix, r, err);
    if (r->opt->mode == LE_SEARCH_MULTI) {
        le_topk top;
        le_topk_init(&top, r->fused, r->k);
        for (size_t d = 0; d < ix->n_live; d++)
            le_topk_push(&top, (uint32_t)d, maxsim(ix, d, r->q));
        r->nf = le_topk_finish(&top);
    } else if (r->opt->mode == LE_SEARCH_HYBRID) {
        le_status st = fuse_lists(r, err);
        if (st) return st;
    } else {
        const le_hit *src = r->want_dense ? r->ld : r->want_bm25 ? r->lb : r->ls;
        r->nf = r->want_dense ? r->nd : r->want_bm25 ? r->nb : r->nsp;
        memcpy(r->fused, src, (size_t)r->nf * sizeof *r->fused);
    }
    if (r->rerank) {
        for (int i = 0; i < r->nf; i++) r->fused[i].score = maxsim(ix, r->fused[i].doc, r->q);
        le_hits_sort(r->fused, (size_t)r->nf);
    }
    return LE_OK;
}

/* Writes the best k of r->fused to hits with each list's own score of the
 * document (NAN where it was not asked for or not found); returns their
 * number. */
static int write_hits(const search_run *r, le_index_hit *hits) {
    int nf = r->nf > r->k ? r->k : r->nf;
    int multi = r->opt->mode == LE_SEARCH_MULTI;
    hits_init(hits, r->fused, nf);
    for (int i = 0; i < nf && r->m3; i++) {
        const float *c = r->m3 + 3 * (size_t)r->fused[i].doc;
        hits[i].dense = c[0];
        hits[i].sparse = c[1];
        hits[i].multi = c[2];
    }
    for (int i = 0; i < nf && !r->m3; i++) {
        uint32_t d = r->fused[i].doc;
        if (r->want_dense) hits[i].dense = score_in(r->ld, r->nd, d);
        if (r->want_bm25) hits[i].bm25 = score_in(r->lb, r->nb, d);
        if (r->want_sparse) hits[i].sparse = score_in(r->ls, r->nsp, d);
        if (r->has_multi && r->q->n_multi && (r->rerank || multi))
            hits[i].multi = multi || r->rerank ? r->fused[i].score : NAN;
    }
    return nf;
}

/* The best passage of each of hits[0..n) into r->opt->passages. */
static le_status hit_passages(le_index *ix, const search_run *r, const le_index_hit *hits, int n,
                              le_error *err) {
    const le_index_query *q = r->q;
    const le_search_options *o = r->opt;
    /* m3: the passage that gave the document its dense score */
    le_passage_query pq = {.mode = o->mode == LE_SEARCH_M3 ? LE_SEARCH_DENSE : o->mode,
                           .dense = q->dense,
                           .text = q->text,
                           .text_len = q->text_len ? q->text_len : q->text ? strlen(q->text) : 0,
                           .dense_weight = o->dense_weight,
                           .bm25_weight = o->bm25_weight,
                           .bm25 = {o->bm25_k1, o->bm25_b},
                           .bm25_index = r->want_bm25 ? ix->bm25 : NULL,
                           .dense_scanned = r->want_dense || o->mode == LE_SEARCH_M3};
    return le_passage_hits(ix, &pq, hits, n, o->passages, err);
}

le_status le_index_query_check(const char *text, size_t len, le_error *err) {
    size_t bad = le_utf8_check(text, len);
    if (bad == len) return LE_OK;
    return le_fail(err, LE_ERR_UTF8, "search: the query is not valid UTF-8 at byte %zu (0x%02X)",
                   bad, (unsigned char)text[bad]);
}

le_status le_index_search(le_index *ix, const le_index_query *q, const le_search_options *opt,
                          le_index_hit *hits, int *n_out, le_error *err) {
    *n_out = 0;
    le_search_options given;
    le_search_options_init(&given);
    if (!opt && !ix->model.dim) given.mode = LE_SEARCH_BM25;
    le_status taken = le_options_take(&given, sizeof given, opt, "le_search_options", err);
    if (taken) return taken;
    opt = &given;
    int k = opt->k;
    if (k < 0 || k > 1 << 20) return le_fail(err, LE_ERR_ARG, "search: k must be in [0, 2^20]");
    if (opt->passage_topk < 0 || opt->passage_topk > 1 << 20)
        return le_fail(err, LE_ERR_ARG, "search: passage_topk must be in [0, 2^20]");
    if ((unsigned)opt->fuse > LE_FUSE_ZSCORE)
        return le_fail(err, LE_ERR_ARG, "search: unknown fusion %d", (int)opt->fuse);
    if (q->text) {
        le_status bad = le_index_query_check(q->text, q->text_len ? q->text_len : strlen(q->text), err);
        if (bad) return bad;
    }
    if (k == 0 || ix->n_live == 0) return LE_OK;
    search_run r = {.q = q, .opt = opt, .k = k};
    le_status st = plan_lists(ix, &r, err);
    if (st) return st;
    st = size_lists(ix, &r, err);
    if (!st) st = first_stage(ix, &r, err);
    if (!st) st = combine_lists(ix, &r, err);
    if (!st) *n_out = write_hits(&r, hits);
    if (!st && opt->passages) st = hit_passages(ix, &r, hits, *n_out, err);
    free(r.ld);
    free(r.lb);
    free(r.ls);
    free(r.fused);
    free(r.m3);
    return st;
}
