/* The manifest: its layout, its writer and its reader (manifest.h). */
#include "index/manifest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* fixed part of the manifest: magic, counts, identity, settings */
#define MF_MODEL 16
#define MF_NAME (MF_MODEL + LE_ID_MODEL)
#define MF_ARCH (MF_NAME + LE_ID_NAME)
#define MF_POOLING (MF_ARCH + LE_ID_ARCH)
#define MF_PPREFIX (MF_POOLING + LE_ID_POOLING)
#define MF_QPREFIX (MF_PPREFIX + LE_ID_PREFIX)
#define MF_INTS (MF_QPREFIX + LE_ID_PREFIX) /* 32 int32 */
#define MF_N_INTS 32
#define MF_DBLS (MF_INTS + 4 * MF_N_INTS) /* 8 float64 */
#define MF_N_DBLS 8
#define MF_FIXED (MF_DBLS + 8 * MF_N_DBLS)
_Static_assert(MF_FIXED == LE_MF_SEG_TABLE && MF_INTS == LE_MF_INTS, "index_format.h says where");

/* the int32 slots and float64 slots; their numbers are on disk */
enum {
    I_HIDDEN,
    I_LAYERS,
    I_VOCAB,
    I_WINDOW,
    I_DIM,
    I_NORMALIZE,
    I_EXTEND,
    I_MAX_TOKENS,
    I_ATTN_SCALE,
    I_STRIDE,
    I_SPARSE_VOCAB,
    I_MULTI_DIM,
    I_ENCODING,
    I_STOPWORDS,
    I_STORE_TEXT,
    I_HNSW_M,
    I_HNSW_EFC,
    I_HNSW_EFS,
    I_HNSW_MIN,
    I_SE_GROUP,
    I_SE_WINDOW,
    I_PASS_TOKENS, /* version 2 */
    I_PASS_OVERLAP,
    I_PASS_MODE,
    I_USED /* the slots from here on are zero */
};
enum { D_NTK_LAMBDA, D_ROPE_FACTOR, D_ROTARY_SCALING };

/* Each field of the manifest and the member it holds, listed once for the
 * writer and the reader: X(offset or slot, [capacity,] member). */
#define ID_STRINGS(X)                                                                              \
    X(MF_MODEL, LE_ID_MODEL, model)                                                                \
    X(MF_NAME, LE_ID_NAME, name)                                                                   \
    X(MF_ARCH, LE_ID_ARCH, architecture)                                                           \
    X(MF_POOLING, LE_ID_POOLING, pooling)                                                          \
    X(MF_PPREFIX, LE_ID_PREFIX, passage_prefix)                                                    \
    X(MF_QPREFIX, LE_ID_PREFIX, query_prefix)
#define MODEL_INTS(X)                                                                              \
    X(I_HIDDEN, hidden_size)                                                                       \
    X(I_LAYERS, num_layers)                                                                        \
    X(I_VOCAB, vocab_size)                                                                         \
    X(I_WINDOW, window)                                                                            \
    X(I_DIM, dim)                                                                                  \
    X(I_NORMALIZE, normalize)                                                                      \
    X(I_EXTEND, extend)                                                                            \
    X(I_MAX_TOKENS, max_tokens)                                                                    \
    X(I_ATTN_SCALE, attn_scale)                                                                    \
    X(I_STRIDE, position_stride)                                                                   \
    X(I_SPARSE_VOCAB, sparse_vocab)                                                                \
    X(I_MULTI_DIM, multi_dim)                                                                      \
    X(I_SE_GROUP, se_group)                                                                        \
    X(I_SE_WINDOW, se_window)                                                                      \
    X(I_PASS_TOKENS, passage_tokens)                                                               \
    X(I_PASS_OVERLAP, passage_overlap)                                                             \
    X(I_PASS_MODE, passage_mode)
#define SETTING_INTS(X)                                                                            \
    X(I_ENCODING, encoding)                                                                        \
    X(I_STOPWORDS, stopwords)                                                                      \
    X(I_STORE_TEXT, store_text)                                                                    \
    X(I_HNSW_M, hnsw_m)                                                                            \
    X(I_HNSW_EFC, hnsw_ef_construction)                                                            \
    X(I_HNSW_EFS, hnsw_ef_search)                                                                  \
    X(I_HNSW_MIN, hnsw_min_docs)
#define MODEL_DBLS(X)                                                                              \
    X(D_NTK_LAMBDA, ntk_lambda)                                                                    \
    X(D_ROPE_FACTOR, rope_factor)                                                                  \
    X(D_ROTARY_SCALING, rotary_scaling_factor)

size_t le_manifest_size(int n_seg, const le_manifest_seg *seg) {
    size_t s = MF_FIXED + (size_t)n_seg * LE_MF_SEG_ENTRY;
    for (int i = 0; i < n_seg; i++) s += le_align_up((seg[i].n_docs + 7) / 8, 8);
    return s;
}

/* ------------------------------------------------------------- writing */

/* Writes m's identity strings, NUL-padded, into their fixed fields of buf. */
static void write_identity(unsigned char *buf, const le_index_model *m) {
#define PUT_STR(at, cap, f) memcpy(buf + (at), m->f, strnlen(m->f, (cap)-1));
    ID_STRINGS(PUT_STR)
#undef PUT_STR
}

/* Writes m's numbers and the settings st into the int32 and float64 fields
 * of buf (unused slots stay 0). */
static void write_numbers(unsigned char *buf, const le_index_model *m, const le_index_options *st) {
    int32_t v[MF_N_INTS] = {0};
    double dv[MF_N_DBLS] = {0};
#define PUT_MODEL(slot, f) v[slot] = (int32_t)m->f;
#define PUT_SETTING(slot, f) v[slot] = (int32_t)st->f;
#define PUT_DBL(slot, f) dv[slot] = m->f;
    MODEL_INTS(PUT_MODEL)
    SETTING_INTS(PUT_SETTING)
    MODEL_DBLS(PUT_DBL)
#undef PUT_MODEL
#undef PUT_SETTING
#undef PUT_DBL
    for (int i = 0; i < MF_N_INTS; i++) le_st32(buf + MF_INTS + 4 * i, (uint32_t)v[i]);
    for (int i = 0; i < MF_N_DBLS; i++) memcpy(buf + MF_DBLS + 8 * i, &dv[i], 8);
}

/* Writes the segment table of buf and, after it, each segment's deletion
 * bitmap (8-byte aligned; only segments with deletions have one). */
static void write_segment_table(unsigned char *buf, int n_seg, const le_manifest_seg *seg) {
    size_t bits = MF_FIXED + (size_t)n_seg * LE_MF_SEG_ENTRY;
    for (int i = 0; i < n_seg; i++) {
        unsigned char *e = buf + MF_FIXED + (size_t)i * LE_MF_SEG_ENTRY;
        size_t bl = (seg[i].n_docs + 7) / 8;
        uint32_t nd = 0;
        if (seg[i].del) {
            memcpy(buf + bits, seg[i].del, bl);
            for (uint32_t d = 0; d < seg[i].n_docs; d++) nd += le_bit_get(seg[i].del, d);
        }
        le_st64(e, seg[i].off);
        le_st64(e + 8, seg[i].len);
        le_st32(e + 16, seg[i].n_docs);
        le_st32(e + 20, nd);
        le_st32(e + 24, seg[i].dir_crc);
        le_st32(e + 28, 0);
        le_st64(e + 32, nd ? bits : 0);
        le_st64(e + 40, nd ? bl : 0);
        bits += le_align_up(bl, 8);
    }
}

void le_manifest_write(unsigned char *buf, const le_index_model *m, const le_index_options *st,
                       int n_seg, const le_manifest_seg *seg) {
    memcpy(buf, LE_MANIFEST_MAGIC, 8);
    le_st32(buf + 8, (uint32_t)n_seg);
    le_st32(buf + 12, 0);
    write_identity(buf, m);
    write_numbers(buf, m, st);
    write_segment_table(buf, n_seg, seg);
}

/* ------------------------------------------------------------- reading */

#define BAD(...) return le_fail(err, LE_ERR_FORMAT, __VA_ARGS__)

/* Copies the NUL-padded field src[0..cap) into dst; -1 when it has no NUL
 * or bytes after the first NUL. */
static int fixed_str(char *dst, const unsigned char *src, size_t cap) {
    size_t n = strnlen((const char *)src, cap);
    if (n == cap) return -1;
    memcpy(dst, src, n);
    dst[n] = 0;
    for (size_t i = n; i < cap; i++)
        if (src[i]) return -1;
    return 0;
}

/* Checks the manifest's length, magic and flags; *n_seg gets its segment
 * count, which fits in mlen. */
static le_status read_head(const unsigned char *mf, uint64_t mlen, uint32_t *n_seg, le_error *err) {
    if (mlen < MF_FIXED) BAD("manifest of %llu bytes is too short", (unsigned long long)mlen);
    if (memcmp(mf, LE_MANIFEST_MAGIC, 8)) BAD("manifest does not start with its magic");
    *n_seg = le_ld32(mf + 8);
    if (le_ld32(mf + 12)) BAD("manifest has unknown flags");
    if (*n_seg > (mlen - MF_FIXED) / LE_MF_SEG_ENTRY) BAD("manifest lists %u segments", *n_seg);
    return LE_OK;
}

/* Reads the identity strings into m; each must be NUL-terminated and padded. */
static le_status read_identity(le_index_model *m, const unsigned char *mf, le_error *err) {
#define GET_STR(at, cap, f)                                                                        \
    if (fixed_str(m->f, mf + (at), (cap))) BAD("manifest has an unterminated identity string");
    ID_STRINGS(GET_STR)
#undef GET_STR
    return LE_OK;
}

/* Reads the model's numbers from the int32 fields v and the float64 fields
 * of mf into m; the method parameters must be finite and unused ones 0. */
static le_status read_model_numbers(le_index_model *m, const int32_t *v, const unsigned char *mf,
                                    le_error *err) {
    double dv[MF_N_DBLS];
    for (int i = 0; i < MF_N_DBLS; i++) memcpy(&dv[i], mf + MF_DBLS + 8 * i, 8);
#define GET_MODEL(slot, f) m->f = v[slot];
#define GET_DBL(slot, f) m->f = dv[slot];
    MODEL_INTS(GET_MODEL)
    MODEL_DBLS(GET_DBL)
#undef GET_MODEL
#undef GET_DBL
    for (int i = 0; i < MF_N_DBLS; i++)
        if (!isfinite(dv[i]) || (i > D_ROTARY_SCALING && dv[i] != 0))
            BAD("manifest has a bad method parameter");
    return LE_OK;
}

/* Reads the settings from v into st (the other fields at their defaults),
 * then checks that model and settings are in range and unused slots 0. */
static le_status read_settings(le_index_options *st, const le_index_model *m, const int32_t *v,
                               le_error *err) {
    le_index_options_init(st);
#define GET_SETTING(slot, f) st->f = v[slot];
    SETTING_INTS(GET_SETTING)
#undef GET_SETTING
    if (m->dim < 0 || m->dim > 65536 || m->multi_dim < 0 || m->multi_dim > 65536 ||
        m->sparse_vocab < 0 || (unsigned)m->extend > 63 || m->max_tokens < 0 ||
        (unsigned)m->attn_scale > LE_ATTN_SCALE_NONE || (unsigned)st->encoding > LE_VEC_I8 ||
        (unsigned)st->stopwords > 1 || (unsigned)st->store_text > 1 || st->hnsw_m < 2 ||
        st->hnsw_m > LE_HNSW_MAX_M || st->hnsw_ef_construction < 1 ||
        st->hnsw_ef_construction > 65536 || st->hnsw_ef_search < 0 ||
        st->hnsw_ef_search > (1 << 20) || st->hnsw_min_docs < 0)
        BAD("manifest has an out-of-range setting");
    for (int i = I_USED; i < MF_N_INTS; i++)
        if (v[i]) BAD("manifest has unknown settings");
    return LE_OK;
}

/* Checks the passage identity of m (read from a file of format version):
 * none in version 1, else consistent (le_index_passages_valid). */
static le_status check_passages(const le_index_model *m, uint32_t version, le_error *err) {
    if (version < 2 && (m->passage_tokens || m->passage_overlap || m->passage_mode))
        BAD("manifest of a version-1 file has passage settings");
    if (!le_index_passages_valid(m))
        BAD("manifest has bad passage settings (%d tokens, overlap %d, mode %d, %d dimensions)",
            m->passage_tokens, m->passage_overlap, (int)m->passage_mode, m->dim);
    return LE_OK;
}

/* Allocates ix's per-segment arrays for n_seg segments (all zero). */
static le_status alloc_segment_arrays(le_index *ix, uint32_t n_seg, le_error *err) {
    ix->n_seg = (int)n_seg;
    size_t ns = n_seg ? n_seg : 1;
    ix->seg = calloc(ns, sizeof *ix->seg);
    ix->seg_off = calloc(ns, sizeof *ix->seg_off);
    ix->seg_len = calloc(ns, sizeof *ix->seg_len);
    ix->seg_dir_crc = calloc(ns, sizeof *ix->seg_dir_crc);
    ix->del = calloc(ns, sizeof *ix->del);
    ix->n_del = calloc(ns, sizeof *ix->n_del);
    ix->first = calloc(ns + 1, sizeof *ix->first);
    ix->local_of = calloc(ns, sizeof *ix->local_of);
    ix->ord_of = calloc(ns, sizeof *ix->ord_of);
    if (!ix->seg || !ix->seg_off || !ix->seg_len || !ix->seg_dir_crc || !ix->del || !ix->n_del ||
        !ix->first || !ix->local_of || !ix->ord_of)
        return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
    return LE_OK;
}

/* Points ix->del[i] at segment i's deletion bitmap mf[doff..doff+dlen) once
 * it is checked to lie in the manifest and to hold exactly ndel of nd bits. */
static le_status read_deletions(le_index *ix, const unsigned char *mf, uint64_t mlen, uint32_t i,
                                uint32_t nd, uint32_t ndel, uint64_t doff, uint64_t dlen,
                                le_error *err) {
    uint64_t bl = (nd + 7) / 8;
    if (dlen != bl || doff < MF_FIXED || doff % 8 || doff > mlen || dlen > mlen - doff)
        BAD("segment %u deletion bitmap lies outside the manifest", i);
    const uint8_t *bits = mf + doff;
    uint32_t c = 0;
    for (uint32_t d = 0; d < nd; d++) c += le_bit_get(bits, d);
    if (c != ndel) BAD("segment %u deletion bitmap holds %u deletions, not %u", i, c, ndel);
    if (nd % 8 && bits[bl - 1] >> (nd % 8)) BAD("segment %u deletion bitmap has stray bits", i);
    ix->del[i] = bits;
    return LE_OK;
}

/* Reads row i of the segment table into ix. The segment must start at or
 * after *prev_end and end by data_end; *prev_end moves past it and *live
 * grows by its live documents. */
static le_status read_segment_row(le_index *ix, const unsigned char *mf, uint64_t mlen, uint32_t i,
                                  uint64_t data_end, uint64_t *prev_end, uint64_t *live,
                                  le_error *err) {
    const unsigned char *e = mf + MF_FIXED + (size_t)i * LE_MF_SEG_ENTRY;
    uint64_t off = le_ld64(e), len = le_ld64(e + 8);
    uint32_t nd = le_ld32(e + 16), ndel = le_ld32(e + 20), crc = le_ld32(e + 24);
    uint64_t doff = le_ld64(e + 32), dlen = le_ld64(e + 40);
    if (le_ld32(e + 28)) BAD("segment %u entry has unknown flags", i);
    if (off % LE_IDX_ALIGN || off < *prev_end || off > data_end || len > data_end - off)
        BAD("segment %u (offset %llu, %llu bytes) lies outside the data area", i,
            (unsigned long long)off, (unsigned long long)len);
    *prev_end = off + len;
    if (nd == 0 || ndel > nd) BAD("segment %u has %u documents and %u deleted", i, nd, ndel);
    ix->seg_off[i] = off;
    ix->seg_len[i] = len;
    ix->seg_dir_crc[i] = crc;
    ix->n_del[i] = ndel;
    if (ndel) {
        le_status st = read_deletions(ix, mf, mlen, i, nd, ndel, doff, dlen, err);
        if (st) return st;
    } else if (doff || dlen) {
        BAD("segment %u has a bitmap but no deletions", i);
    }
    *live += nd - ndel;
    return LE_OK;
}

le_status le_manifest_read(le_index *ix, const unsigned char *mf, uint64_t mlen, uint64_t data_end,
                           le_error *err) {
    uint32_t n_seg = 0;
    le_status st;
    if ((st = read_head(mf, mlen, &n_seg, err))) return st;
    if ((st = read_identity(&ix->model, mf, err))) return st;
    int32_t v[MF_N_INTS];
    for (int i = 0; i < MF_N_INTS; i++) v[i] = (int32_t)le_ld32(mf + MF_INTS + 4 * i);
    if ((st = read_model_numbers(&ix->model, v, mf, err))) return st;
    if ((st = read_settings(&ix->settings, &ix->model, v, err))) return st;
    if ((st = check_passages(&ix->model, ix->version, err))) return st;
    le_index_seg_params(&ix->params, &ix->model, &ix->settings);
    if ((st = alloc_segment_arrays(ix, n_seg, err))) return st;
    uint64_t prev_end = LE_IDX_HEADER_SIZE, live = 0;
    for (uint32_t i = 0; i < n_seg; i++)
        if ((st = read_segment_row(ix, mf, mlen, i, data_end, &prev_end, &live, err))) return st;
    if (live >= UINT32_MAX) BAD("index holds too many documents");
    return LE_OK;
}
