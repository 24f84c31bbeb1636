#include "index/segment.h"

#include "base/array.h"
#include "base/checksum.h"
#include "base/finite.h"
#include "index/passage_store.h"
#include "index/vecdot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void le_segment_free(le_segment *s) {
    if (s->owned) {
        free((void *)s->docs);
        free((void *)s->strings);
        free((void *)s->f32);
        free((void *)s->i8);
        free((void *)s->scale);
        free((void *)s->sp_terms);
        free((void *)s->sp_off);
        free((void *)s->sp_doc);
        free((void *)s->sp_w);
        free((void *)s->mv_off);
        free((void *)s->mv);
        free((void *)s->pass_off);
        free((void *)s->pass);
        free((void *)s->pass_f32);
        free((void *)s->pass_i8);
        free((void *)s->pass_scale);
        if (s->has_hnsw) le_hnsw_free(&s->hnsw);
    }
    if (s->bm25_owned) le_bm25_free(&s->bm25);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------ the sections */

typedef struct section {
    uint32_t kind;
    const void *data;
    uint64_t len;
} section;

/* The sections of s in file order; returns their number. */
static int list_sections(const le_segment *s, section *sec) {
    int n = 0;
    uint64_t nd = s->n_docs, dim = (uint64_t)s->dim;
    sec[n++] = (section){LE_SEC_DOCS, s->docs, nd * sizeof(le_doc_rec)};
    sec[n++] = (section){LE_SEC_STRINGS, s->strings, s->strings_len};
    if (s->dim) {
        if (s->encoding == 0) {
            sec[n++] = (section){LE_SEC_VEC_F32, s->f32, nd * dim * 4};
        } else {
            sec[n++] = (section){LE_SEC_VEC_I8, s->i8, nd * dim};
            sec[n++] = (section){LE_SEC_VEC_SCALE, s->scale, nd * 4};
        }
    }
    const le_bm25 *b = &s->bm25;
    uint64_t np = b->n_terms ? b->post_off[b->n_terms] : 0;
    sec[n++] = (section){LE_SEC_BM25_DOCLEN, b->doc_len, nd * 4};
    sec[n++] = (section){LE_SEC_BM25_TERMS, b->term_bytes, b->n_terms ? b->term_off[b->n_terms] : 0};
    sec[n++] = (section){LE_SEC_BM25_TERMOFF, b->term_off, ((uint64_t)b->n_terms + 1) * 8};
    sec[n++] = (section){LE_SEC_BM25_POSTOFF, b->post_off, ((uint64_t)b->n_terms + 1) * 8};
    sec[n++] = (section){LE_SEC_BM25_DOC, b->post_doc, np * 4};
    sec[n++] = (section){LE_SEC_BM25_TF, b->post_tf, np * 4};
    if (s->has_hnsw) {
        const le_hnsw *g = &s->hnsw;
        sec[n++] = (section){LE_SEC_HNSW_LEVELS, g->levels, nd};
        sec[n++] = (section){LE_SEC_HNSW_L0, g->links0, nd * (uint64_t)(g->m0 + 1) * 4};
        sec[n++] = (section){LE_SEC_HNSW_UPOFF, g->upper_off, (nd + 1) * 8};
        sec[n++] = (section){LE_SEC_HNSW_UPPER, g->upper, g->n_upper * 4};
    }
    if (s->has_sparse) {
        sec[n++] = (section){LE_SEC_SP_TERMS, s->sp_terms, (uint64_t)s->sp_n_terms * 4};
        sec[n++] = (section){LE_SEC_SP_POSTOFF, s->sp_off, ((uint64_t)s->sp_n_terms + 1) * 8};
        sec[n++] = (section){LE_SEC_SP_DOC, s->sp_doc, s->sp_n_post * 4};
        sec[n++] = (section){LE_SEC_SP_WEIGHT, s->sp_w, s->sp_n_post * 4};
    }
    if (s->multi_dim) {
        sec[n++] = (section){LE_SEC_MV_OFF, s->mv_off, (nd + 1) * 8};
        sec[n++] = (section){LE_SEC_MV_VECS, s->mv, s->mv_total * (uint64_t)s->multi_dim * 4};
    }
    if (s->pass_off) {
        uint64_t npass = s->n_pass;
        sec[n++] = (section){LE_SEC_PASS_OFF, s->pass_off, (nd + 1) * 8};
        sec[n++] = (section){LE_SEC_PASS_SPANS, s->pass, npass * sizeof(le_pass_rec)};
        if (s->encoding == 0) {
            sec[n++] = (section){LE_SEC_PASS_F32, s->pass_f32, npass * dim * 4};
        } else {
            sec[n++] = (section){LE_SEC_PASS_I8, s->pass_i8, npass * dim};
            sec[n++] = (section){LE_SEC_PASS_SCALE, s->pass_scale, npass * 4};
        }
    }
    return n;
}

void le_segment_sizes(const le_segment *s, le_seg_sizes *acc) {
    section sec[LE_SEC_KINDS];
    int n = list_sections(s, sec);
    for (int i = 0; i < n; i++) {
        uint64_t l = sec[i].len;
        switch (sec[i].kind) {
        case LE_SEC_DOCS: acc->docs += l; break;
        case LE_SEC_STRINGS: acc->text += l; break;
        case LE_SEC_VEC_F32:
        case LE_SEC_VEC_I8:
        case LE_SEC_VEC_SCALE: acc->dense += l; break;
        case LE_SEC_HNSW_LEVELS:
        case LE_SEC_HNSW_L0:
        case LE_SEC_HNSW_UPOFF:
        case LE_SEC_HNSW_UPPER: acc->hnsw += l; break;
        case LE_SEC_SP_TERMS:
        case LE_SEC_SP_POSTOFF:
        case LE_SEC_SP_DOC:
        case LE_SEC_SP_WEIGHT: acc->sparse += l; break;
        case LE_SEC_MV_OFF:
        case LE_SEC_MV_VECS: acc->multi += l; break;
        case LE_SEC_PASS_OFF:
        case LE_SEC_PASS_SPANS:
        case LE_SEC_PASS_F32:
        case LE_SEC_PASS_I8:
        case LE_SEC_PASS_SCALE: acc->passages += l; break;
        default: acc->bm25 += l; break;
        }
    }
}

/* -------------------------------------------------------------- writing */

static const unsigned char g_zeros[LE_IDX_ALIGN];

le_status le_segment_write(const le_segment *s, le_sink_fn out, void *user, uint64_t *size_out,
                           uint32_t *dir_crc, le_error *err) {
    section sec[LE_SEC_KINDS];
    int ns = list_sections(s, sec);
    uint64_t dir_len = LE_SEG_DIR_SIZE + (uint64_t)ns * LE_SEG_ENTRY_SIZE;
    unsigned char *dir = calloc(1, dir_len);
    if (!dir) return le_fail(err, LE_ERR_NOMEM, "index: out of memory writing a segment");
    memcpy(dir + LE_SEG_MAGIC, LE_SEGMENT_MAGIC, 8);
    le_st32(dir + LE_SEG_N_DOCS, s->n_docs);
    le_st32(dir + LE_SEG_N_SECTIONS, (uint32_t)ns);
    le_st32(dir + LE_SEG_DIM, (uint32_t)s->dim);
    le_st32(dir + LE_SEG_ENCODING, (uint32_t)s->encoding);
    le_st32(dir + LE_SEG_MULTI_DIM, (uint32_t)s->multi_dim);
    le_st32(dir + LE_SEG_FLAGS, (s->has_hnsw ? LE_SEG_FLAG_HNSW : 0) |
                                    (s->has_sparse ? LE_SEG_FLAG_SPARSE : 0));
    le_st64(dir + LE_SEG_BM25_TOTAL, s->bm25.total_len);
    le_st32(dir + LE_SEG_BM25_TERMS, s->bm25.n_terms);
    le_st32(dir + LE_SEG_SP_TERMS, s->sp_n_terms);
    le_st64(dir + LE_SEG_BM25_POSTINGS, s->bm25.n_terms ? s->bm25.post_off[s->bm25.n_terms] : 0);
    le_st64(dir + LE_SEG_SP_POSTINGS, s->sp_n_post);
    le_st64(dir + LE_SEG_MV_TOTAL, s->mv_total);
    if (s->has_hnsw) {
        le_st32(dir + LE_SEG_HNSW_M, (uint32_t)s->hnsw.m);
        le_st32(dir + LE_SEG_HNSW_ENTRY, s->hnsw.entry);
        le_st32(dir + LE_SEG_HNSW_TOP, (uint32_t)s->hnsw.max_level);
        le_st32(dir + LE_SEG_HNSW_EFC, (uint32_t)s->hnsw_efc);
        le_st64(dir + LE_SEG_HNSW_UPPER, s->hnsw.n_upper);
        le_st32(dir + LE_SEG_HNSW_EF, (uint32_t)s->hnsw_ef);
    }
    le_st64(dir + LE_SEG_STRINGS_LEN, s->strings_len);
    le_st64(dir + LE_SEG_PASSAGES, s->n_pass);
    uint64_t off = le_align_up(dir_len, LE_IDX_ALIGN);
    for (int i = 0; i < ns; i++) {
        unsigned char *e = dir + LE_SEG_DIR_SIZE + (size_t)i * LE_SEG_ENTRY_SIZE;
        le_st32(e, sec[i].kind);
        le_st32(e + 4, le_crc32c(sec[i].data, (size_t)sec[i].len));
        le_st64(e + 8, off);
        le_st64(e + 16, sec[i].len);
        off = le_align_up(off + sec[i].len, LE_IDX_ALIGN);
    }
    *dir_crc = le_crc32c(dir, (size_t)dir_len);
    int bad = out(user, dir, (size_t)dir_len);
    uint64_t at = dir_len;
    for (int i = 0; i < ns && !bad; i++) {
        uint64_t want = le_align_up(at, LE_IDX_ALIGN);
        if (want > at) bad = out(user, g_zeros, (size_t)(want - at));
        at = want;
        if (!bad && sec[i].len) bad = out(user, sec[i].data, (size_t)sec[i].len);
        at += sec[i].len;
    }
    uint64_t end = le_align_up(at, LE_IDX_ALIGN);
    if (!bad && end > at) bad = out(user, g_zeros, (size_t)(end - at));
    free(dir);
    if (bad) return le_fail(err, LE_ERR_IO, "index: cannot write a segment");
    *size_out = end;
    return LE_OK;
}

/* -------------------------------------------------------------- parsing */

#define BAD(...) return le_fail(err, LE_ERR_FORMAT, __VA_ARGS__)

static const char *kind_name(uint32_t k) {
    static const char *names[LE_SEC_KINDS] = {
        "?",          "documents",   "strings",        "f32 vectors",     "int8 vectors",
        "scales",     "BM25 lengths", "BM25 terms",    "BM25 term offsets", "BM25 posting offsets",
        "BM25 docs",  "BM25 tfs",    "HNSW levels",    "HNSW base links", "HNSW upper offsets",
        "HNSW upper links", "sparse terms", "sparse offsets", "sparse docs", "sparse weights",
        "multi-vector offsets", "multi-vectors", "passage offsets", "passage spans",
        "passage f32 vectors", "passage int8 vectors", "passage scales"};
    return k < LE_SEC_KINDS ? names[k] : "?";
}

/* offsets must rise from 0 to their end value */
static int offsets_ok(const uint64_t *off, uint64_t n, uint64_t end) {
    if (off[0] != 0) return 0;
    for (uint64_t i = 0; i < n; i++)
        if (off[i + 1] < off[i]) return 0;
    return off[n] == end;
}

/* a C string of exactly len bytes: in bounds, NUL-terminated, no NUL inside */
static int str_ok(const le_segment *s, uint64_t off, uint32_t len) {
    return off < s->strings_len && len < s->strings_len - off && s->strings[off + len] == 0 &&
           !memchr(s->strings + off, 0, len);
}

/* The counts of a segment's directory that are not kept in le_segment. */
typedef struct seg_dir {
    uint32_t ns;      /* sections */
    uint64_t dir_len; /* bytes of the directory */
    uint64_t np;      /* BM25 postings */
    uint64_t n_upper; /* HNSW upper-layer link slots */
    uint32_t hm;      /* HNSW M */
} seg_dir;

/* Reads the directory at base[0..size) into s and dir: magic, checksum,
 * shape (which must be the index's, p), flags and counts. */
static le_status read_directory(le_segment *s, seg_dir *dir, const unsigned char *base,
                                uint64_t size, const le_seg_params *p, const uint32_t *dir_crc,
                                le_error *err) {
    if (size < LE_SEG_DIR_SIZE) BAD("segment of %llu bytes is too short", (unsigned long long)size);
    if (memcmp(base, LE_SEGMENT_MAGIC, 8)) BAD("segment does not start with its magic");
    uint32_t nd = le_ld32(base + LE_SEG_N_DOCS), ns = le_ld32(base + LE_SEG_N_SECTIONS);
    if (ns > LE_SEC_KINDS) BAD("segment has %u sections", ns);
    uint64_t dir_len = LE_SEG_DIR_SIZE + (uint64_t)ns * LE_SEG_ENTRY_SIZE;
    if (dir_len > size) BAD("segment directory runs past the segment");
    if (dir_crc && le_crc32c(base, (size_t)dir_len) != *dir_crc)
        BAD("segment directory checksum mismatch");
    s->n_docs = nd;
    s->dim = (int)le_ld32(base + LE_SEG_DIM);
    s->encoding = (int)le_ld32(base + LE_SEG_ENCODING);
    s->multi_dim = (int)le_ld32(base + LE_SEG_MULTI_DIM);
    uint32_t flags = le_ld32(base + LE_SEG_FLAGS);
    if (s->dim != p->dim || s->multi_dim != p->multi_dim ||
        (s->dim && s->encoding != p->encoding))
        BAD("segment shape (dim %d, encoding %d, multi %d) differs from the index's", s->dim,
            s->encoding, s->multi_dim);
    if (flags & ~(LE_SEG_FLAG_HNSW | LE_SEG_FLAG_SPARSE)) BAD("segment has unknown flags %#x", flags);
    if (nd == 0) BAD("segment has no documents");
    s->has_hnsw = (flags & LE_SEG_FLAG_HNSW) != 0;
    s->has_sparse = (flags & LE_SEG_FLAG_SPARSE) != 0;
    if (s->has_hnsw && !s->dim) BAD("segment has a graph but no vectors");
    if (s->has_sparse && !p->sparse) BAD("segment has sparse postings the index does not declare");
    s->bm25.analyzer = p->analyzer;
    s->bm25.n_docs = nd;
    s->bm25.n_terms = le_ld32(base + LE_SEG_BM25_TERMS);
    s->bm25.total_len = le_ld64(base + LE_SEG_BM25_TOTAL);
    s->sp_n_terms = le_ld32(base + LE_SEG_SP_TERMS);
    s->sp_n_post = le_ld64(base + LE_SEG_SP_POSTINGS);
    s->mv_total = le_ld64(base + LE_SEG_MV_TOTAL);
    s->strings_len = le_ld64(base + LE_SEG_STRINGS_LEN);
    s->n_pass = le_ld64(base + LE_SEG_PASSAGES);
    if (s->n_pass && !p->passages) BAD("segment has passages the index does not declare");
    *dir = (seg_dir){ns, dir_len, le_ld64(base + LE_SEG_BM25_POSTINGS),
                     le_ld64(base + LE_SEG_HNSW_UPPER), le_ld32(base + LE_SEG_HNSW_M)};
    if (s->has_hnsw && (dir->hm < 2 || dir->hm > LE_HNSW_MAX_M))
        BAD("segment graph has M %u", dir->hm);
    return LE_OK;
}

/* The passage sections an index with passages needs in segment s (whose
 * counts are bounded by its size) and their lengths. */
static void expect_passages(const le_segment *s, uint64_t *want, int *need) {
    uint64_t np = s->n_pass, dim = (uint64_t)s->dim;
    want[LE_SEC_PASS_OFF] = ((uint64_t)s->n_docs + 1) * 8;
    want[LE_SEC_PASS_SPANS] = np * sizeof(le_pass_rec);
    need[LE_SEC_PASS_OFF] = need[LE_SEC_PASS_SPANS] = 1;
    if (s->encoding == 0) {
        want[LE_SEC_PASS_F32] = np * dim * 4;
        need[LE_SEC_PASS_F32] = 1;
    } else {
        want[LE_SEC_PASS_I8] = np * dim;
        want[LE_SEC_PASS_SCALE] = np * 4;
        need[LE_SEC_PASS_I8] = need[LE_SEC_PASS_SCALE] = 1;
    }
}

/* Which sections segment s (of a segment of size bytes) must have
 * (need[kind]) and the length of each (want[kind]; UINT64_MAX: any). */
static le_status expect_sections(const le_segment *s, const le_seg_params *p, const seg_dir *dir,
                                 uint64_t size, uint64_t *want, int *need, le_error *err) {
    uint32_t nd = s->n_docs;
    /* sizes are bounded by the segment size first so the products below cannot overflow */
    uint64_t dim = (uint64_t)s->dim, mdim = (uint64_t)s->multi_dim;
    if (dim > (1u << 20) || mdim > (1u << 20)) BAD("segment has %llu dimensions", (unsigned long long)dim);
    if ((uint64_t)nd > size || dir->np > size || s->sp_n_post > size || s->mv_total > size ||
        dir->n_upper > size || s->bm25.n_terms > size || s->sp_n_terms > size ||
        s->n_pass > size)
        BAD("segment counts exceed its size");
    want[LE_SEC_DOCS] = (uint64_t)nd * 64;
    want[LE_SEC_STRINGS] = s->strings_len;
    need[LE_SEC_DOCS] = need[LE_SEC_STRINGS] = 1;
    if (s->dim) {
        if (s->encoding == 0) {
            want[LE_SEC_VEC_F32] = (uint64_t)nd * dim * 4;
            need[LE_SEC_VEC_F32] = 1;
        } else if (s->encoding == 1) {
            want[LE_SEC_VEC_I8] = (uint64_t)nd * dim;
            want[LE_SEC_VEC_SCALE] = (uint64_t)nd * 4;
            need[LE_SEC_VEC_I8] = need[LE_SEC_VEC_SCALE] = 1;
        } else {
            BAD("segment has unknown vector encoding %d", s->encoding);
        }
    }
    want[LE_SEC_BM25_DOCLEN] = (uint64_t)nd * 4;
    want[LE_SEC_BM25_TERMS] = UINT64_MAX; /* any length; checked by the offsets */
    want[LE_SEC_BM25_TERMOFF] = want[LE_SEC_BM25_POSTOFF] = ((uint64_t)s->bm25.n_terms + 1) * 8;
    want[LE_SEC_BM25_DOC] = want[LE_SEC_BM25_TF] = dir->np * 4;
    for (int k = LE_SEC_BM25_DOCLEN; k <= LE_SEC_BM25_TF; k++) need[k] = 1;
    if (s->has_hnsw) {
        want[LE_SEC_HNSW_LEVELS] = nd;
        want[LE_SEC_HNSW_L0] = (uint64_t)nd * (2 * dir->hm + 1) * 4;
        want[LE_SEC_HNSW_UPOFF] = ((uint64_t)nd + 1) * 8;
        want[LE_SEC_HNSW_UPPER] = dir->n_upper * 4;
        for (int k = LE_SEC_HNSW_LEVELS; k <= LE_SEC_HNSW_UPPER; k++) need[k] = 1;
    }
    if (s->has_sparse) {
        want[LE_SEC_SP_TERMS] = (uint64_t)s->sp_n_terms * 4;
        want[LE_SEC_SP_POSTOFF] = ((uint64_t)s->sp_n_terms + 1) * 8;
        want[LE_SEC_SP_DOC] = want[LE_SEC_SP_WEIGHT] = s->sp_n_post * 4;
        for (int k = LE_SEC_SP_TERMS; k <= LE_SEC_SP_WEIGHT; k++) need[k] = 1;
    }
    if (s->multi_dim) {
        want[LE_SEC_MV_OFF] = ((uint64_t)nd + 1) * 8;
        want[LE_SEC_MV_VECS] = s->mv_total * mdim * 4;
        need[LE_SEC_MV_OFF] = need[LE_SEC_MV_VECS] = 1;
    }
    if (p->passages) expect_passages(s, want, need);
    return LE_OK;
}

/* Finds each section the directory lists: ptr[kind] and len[kind] once it
 * is known, needed, single, inside the segment, of the expected length and
 * (check_crc) of the right checksum; then every needed one must be there. */
static le_status locate_sections(const unsigned char *base, uint64_t size, const seg_dir *dir,
                                 const uint64_t *want, const int *need, int check_crc,
                                 const unsigned char **ptr, uint64_t *len, le_error *err) {
    for (uint32_t i = 0; i < dir->ns; i++) {
        const unsigned char *e = base + LE_SEG_DIR_SIZE + (size_t)i * LE_SEG_ENTRY_SIZE;
        uint32_t kind = le_ld32(e), crc = le_ld32(e + 4);
        uint64_t off = le_ld64(e + 8), l = le_ld64(e + 16);
        if (kind == 0 || kind >= LE_SEC_KINDS) BAD("segment has unknown section kind %u", kind);
        if (!need[kind]) BAD("segment has an unexpected %s section", kind_name(kind));
        if (ptr[kind]) BAD("segment has two %s sections", kind_name(kind));
        if (off % LE_IDX_ALIGN || off < dir->dir_len || off > size || l > size - off)
            BAD("%s section (offset %llu, %llu bytes) lies outside its segment of %llu bytes",
                kind_name(kind), (unsigned long long)off, (unsigned long long)l,
                (unsigned long long)size);
        if (want[kind] != UINT64_MAX && l != want[kind])
            BAD("%s section has %llu bytes, expected %llu", kind_name(kind),
                (unsigned long long)l, (unsigned long long)want[kind]);
        if (check_crc && le_crc32c(base + off, (size_t)l) != crc)
            BAD("%s section checksum mismatch (offset %llu in its segment)", kind_name(kind),
                (unsigned long long)off);
        ptr[kind] = base + off;
        len[kind] = l;
    }
    for (int k = 1; k < LE_SEC_KINDS; k++)
        if (need[k] && !ptr[k]) BAD("segment lacks its %s section", kind_name(k));
    return LE_OK;
}

/* Checks every document record: its strings lie in the string section and
 * end where their lengths say, its flags are known. */
static le_status check_docs(const le_segment *s, le_error *err) {
    for (uint32_t d = 0; d < s->n_docs; d++) {
        const le_doc_rec *r = &s->docs[d];
        if (!r->id_len || !str_ok(s, r->id_off, r->id_len) ||
            !str_ok(s, r->source_off, r->source_len) || !str_ok(s, r->title_off, r->title_len))
            BAD("document %u of a segment has a bad string", d);
        if (r->flags & ~(LE_DOC_TEXT_STORED | LE_DOC_TRUNCATED))
            BAD("document %u has unknown flags %#x", d, r->flags);
        if ((r->flags & LE_DOC_TEXT_STORED) &&
            (r->text_off >= s->strings_len || r->text_len >= s->strings_len - r->text_off ||
             s->strings[r->text_off + r->text_len]))
            BAD("document %u has a bad stored text", d);
    }
    return LE_OK;
}

/* Checks the BM25 postings b of nd documents (np postings, term_bytes term
 * bytes): lengths add up, terms sorted and non-empty, postings in document
 * order with frequencies inside their document's length. */
static le_status check_bm25(const le_bm25 *b, uint32_t nd, uint64_t np, uint64_t term_bytes,
                            le_error *err) {
    uint64_t total = 0;
    for (uint32_t d = 0; d < nd; d++) total += b->doc_len[d];
    if (total != b->total_len) BAD("BM25 document lengths do not add up to the stored total");
    if (!offsets_ok(b->term_off, b->n_terms, term_bytes))
        BAD("BM25 term offsets are not increasing or do not end at the term bytes");
    if (!offsets_ok(b->post_off, b->n_terms, np)) BAD("BM25 posting offsets are inconsistent");
    for (uint32_t t = 0; t < b->n_terms; t++) {
        uint64_t a = b->post_off[t], e = b->post_off[t + 1];
        if (a == e) BAD("BM25 term %u has no postings", t);
        if (b->term_off[t + 1] == b->term_off[t]) BAD("BM25 term %u is empty", t);
        if (t) {
            const char *x = b->term_bytes + b->term_off[t - 1], *y = b->term_bytes + b->term_off[t];
            size_t lx = (size_t)(b->term_off[t] - b->term_off[t - 1]);
            size_t ly = (size_t)(b->term_off[t + 1] - b->term_off[t]);
            if (le_bm25_term_cmp(x, lx, y, ly) >= 0) BAD("BM25 terms are not sorted at term %u", t);
        }
        for (uint64_t x = a; x < e; x++) {
            if (b->post_doc[x] >= nd || (x > a && b->post_doc[x] <= b->post_doc[x - 1]))
                BAD("BM25 postings of term %u are out of range or order", t);
            if (b->post_tf[x] == 0 || b->post_tf[x] > b->doc_len[b->post_doc[x]])
                BAD("BM25 posting of term %u has a bad frequency", t);
        }
    }
    return LE_OK;
}

/* Points s's graph at its sections and checks it (le_hnsw_validate). */
static le_status parse_graph(le_segment *s, const unsigned char *base, const seg_dir *dir,
                             const unsigned char *const *ptr, le_error *err) {
    le_hnsw *g = &s->hnsw;
    g->n = s->n_docs;
    g->m = (int)dir->hm;
    g->m0 = (int)(2 * dir->hm);
    g->entry = le_ld32(base + LE_SEG_HNSW_ENTRY);
    uint32_t top = le_ld32(base + LE_SEG_HNSW_TOP);
    if (top > LE_HNSW_MAX_LEVEL) BAD("segment graph has top layer %u", top);
    g->max_level = (int)top;
    g->levels = ptr[LE_SEC_HNSW_LEVELS];
    g->links0 = (const uint32_t *)ptr[LE_SEC_HNSW_L0];
    g->upper_off = (const uint64_t *)ptr[LE_SEC_HNSW_UPOFF];
    g->upper = (const uint32_t *)ptr[LE_SEC_HNSW_UPPER];
    g->n_upper = dir->n_upper;
    s->hnsw_efc = (int)le_ld32(base + LE_SEG_HNSW_EFC);
    uint32_t ef = le_ld32(base + LE_SEG_HNSW_EF);
    if (ef < 1 || ef > (1u << 20)) BAD("segment graph has search beam %u", ef);
    s->hnsw_ef = (int)ef;
    return le_hnsw_validate(g, err);
}

/* Points s's learned-sparse postings at their sections and checks them:
 * term ids rising and inside the vocabulary, postings in document order
 * with positive finite weights. */
static le_status parse_sparse(le_segment *s, const unsigned char *const *ptr, uint32_t vocab,
                              le_error *err) {
    s->sp_terms = (const uint32_t *)ptr[LE_SEC_SP_TERMS];
    s->sp_off = (const uint64_t *)ptr[LE_SEC_SP_POSTOFF];
    s->sp_doc = (const uint32_t *)ptr[LE_SEC_SP_DOC];
    s->sp_w = (const float *)ptr[LE_SEC_SP_WEIGHT];
    if (!offsets_ok(s->sp_off, s->sp_n_terms, s->sp_n_post))
        BAD("sparse posting offsets are inconsistent");
    for (uint32_t t = 0; t < s->sp_n_terms; t++) {
        if (s->sp_terms[t] >= vocab || (t && s->sp_terms[t] <= s->sp_terms[t - 1]))
            BAD("sparse term ids are out of range or order at %u", t);
        uint64_t a = s->sp_off[t], e = s->sp_off[t + 1];
        if (a == e) BAD("sparse term %u has no postings", t);
        for (uint64_t x = a; x < e; x++)
            if (s->sp_doc[x] >= s->n_docs || (x > a && s->sp_doc[x] <= s->sp_doc[x - 1]) ||
                !(s->sp_w[x] > 0) || !isfinite(s->sp_w[x]))
                BAD("sparse postings of term %u are out of range or order", t);
    }
    return LE_OK;
}

/* Points s's multi-vectors at their sections; their offsets must rise to mv_total. */
static le_status parse_multi(le_segment *s, const unsigned char *const *ptr, le_error *err) {
    s->mv_off = (const uint64_t *)ptr[LE_SEC_MV_OFF];
    s->mv = (const float *)ptr[LE_SEC_MV_VECS];
    if (!offsets_ok(s->mv_off, s->n_docs, s->mv_total))
        BAD("multi-vector offsets are inconsistent");
    return LE_OK;
}

/* Points the document table, vectors and BM25 arrays of s at their sections. */
static void point_sections(le_segment *s, const unsigned char *const *ptr) {
    s->docs = (const le_doc_rec *)ptr[LE_SEC_DOCS];
    s->strings = (const char *)ptr[LE_SEC_STRINGS];
    s->f32 = (const float *)ptr[LE_SEC_VEC_F32];
    s->i8 = (const int8_t *)ptr[LE_SEC_VEC_I8];
    s->scale = (const float *)ptr[LE_SEC_VEC_SCALE];
    le_bm25 *b = &s->bm25;
    b->doc_len = (uint32_t *)ptr[LE_SEC_BM25_DOCLEN];
    b->term_bytes = (char *)ptr[LE_SEC_BM25_TERMS];
    b->term_off = (uint64_t *)ptr[LE_SEC_BM25_TERMOFF];
    b->post_off = (uint64_t *)ptr[LE_SEC_BM25_POSTOFF];
    b->post_doc = (uint32_t *)ptr[LE_SEC_BM25_DOC];
    b->post_tf = (uint32_t *)ptr[LE_SEC_BM25_TF];
    s->pass_off = (const uint64_t *)ptr[LE_SEC_PASS_OFF];
    s->pass = (const le_pass_rec *)ptr[LE_SEC_PASS_SPANS];
    s->pass_f32 = (const float *)ptr[LE_SEC_PASS_F32];
    s->pass_i8 = (const int8_t *)ptr[LE_SEC_PASS_I8];
    s->pass_scale = (const float *)ptr[LE_SEC_PASS_SCALE];
}

le_status le_segment_parse(le_segment *s, const unsigned char *base, uint64_t size,
                           const le_seg_params *p, const uint32_t *dir_crc, int check_crc,
                           le_error *err) {
    memset(s, 0, sizeof *s);
    seg_dir dir = {0};
    uint64_t want[LE_SEC_KINDS] = {0}, len[LE_SEC_KINDS] = {0};
    int need[LE_SEC_KINDS] = {0};
    const unsigned char *ptr[LE_SEC_KINDS] = {0};
    le_status st = read_directory(s, &dir, base, size, p, dir_crc, err);
    if (!st) st = expect_sections(s, p, &dir, size, want, need, err);
    if (!st) st = locate_sections(base, size, &dir, want, need, check_crc, ptr, len, err);
    if (st) return st;
    point_sections(s, ptr);
    st = check_docs(s, err);
    if (!st) st = check_bm25(&s->bm25, s->n_docs, dir.np, len[LE_SEC_BM25_TERMS], err);
    if (!st && s->has_hnsw) st = parse_graph(s, base, &dir, ptr, err);
    if (!st && s->has_sparse) st = parse_sparse(s, ptr, p->sparse_vocab, err);
    if (!st && s->multi_dim) st = parse_multi(s, ptr, err);
    if (!st && p->passages) st = le_seg_pass_check(s, err);
    return st;
}

/* The document of row r of an array with rows per document given by off
 * (off[d] .. off[d + 1]), or r itself when off is NULL (one row each). */
static uint32_t doc_of_row(const le_segment *s, const uint64_t *off, uint64_t r) {
    if (!off) return (uint32_t)r;
    uint32_t lo = 0, hi = s->n_docs; /* the last d with off[d] <= r */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (off[mid] <= r) lo = mid;
        else hi = mid;
    }
    return lo;
}

/* Refuses a NaN or infinity among the numbers of what (rows of width
 * floats; off: each document's rows, NULL for one row per document). */
static le_status check_finite(const le_segment *s, const char *what, const float *v,
                              uint64_t rows, size_t width, const uint64_t *off, le_error *err) {
    size_t n = v ? (size_t)rows * width : 0, at = le_first_non_finite(v, n);
    if (at == n) return LE_OK;
    uint32_t d = doc_of_row(s, off, at / width);
    BAD("document %u (\"%s\"): a NaN or infinity in %s", d, s->strings + s->docs[d].id_off,
        what);
}

/* Every number the segment ranks by is finite (an index written before
 * longembed refused them could hold NaN vectors of a damaged model). */
static le_status check_numbers(const le_segment *s, le_error *err) {
    size_t dim = (size_t)s->dim;
    le_status st = check_finite(s, "its vector", s->f32, s->n_docs, dim, NULL, err);
    if (!st) st = check_finite(s, "its vector's scale", s->scale, s->n_docs, 1, NULL, err);
    if (!st) st = check_finite(s, "its passage vectors", s->pass_f32, s->n_pass, dim, s->pass_off, err);
    if (!st) st = check_finite(s, "its passage vectors' scales", s->pass_scale, s->n_pass, 1, s->pass_off, err);
    if (!st) st = check_finite(s, "its multi-vectors", s->mv, s->mv_total, (size_t)s->multi_dim,
                               s->mv_off, err);
    if (!st && s->sp_w) {
        size_t at = le_first_non_finite(s->sp_w, (size_t)s->sp_n_post);
        if (at < s->sp_n_post) {
            uint32_t d = s->sp_doc[at];
            BAD("document %u (\"%s\"): a NaN or infinity in its sparse weights", d,
                s->strings + s->docs[d].id_off);
        }
    }
    return st;
}

le_status le_segment_check_deep(const le_segment *s, le_error *err) {
    le_status pst = le_seg_pass_check_deep(s, err);
    if (!pst) pst = check_numbers(s, err);
    if (pst) return pst;
    const le_bm25 *b = &s->bm25;
    uint64_t *sum = calloc(s->n_docs, sizeof *sum);
    if (!sum) return le_fail(err, LE_ERR_NOMEM, "verify: out of memory");
    uint64_t np = b->n_terms ? b->post_off[b->n_terms] : 0;
    for (uint64_t x = 0; x < np; x++) sum[b->post_doc[x]] += b->post_tf[x];
    for (uint32_t d = 0; d < s->n_docs; d++)
        if (sum[d] != b->doc_len[d]) {
            unsigned long long got = (unsigned long long)sum[d];
            free(sum);
            BAD("document %u: its postings sum to %llu terms, its length says %u", d, got,
                b->doc_len[d]);
        }
    free(sum);
    /* stored texts analyse to the stored postings: rebuild and compare */
    int all_stored = 1;
    for (uint32_t d = 0; d < s->n_docs; d++)
        if (!(s->docs[d].flags & LE_DOC_TEXT_STORED)) all_stored = 0;
    if (!all_stored) return LE_OK;
    const char **texts = malloc(s->n_docs * sizeof *texts);
    size_t *lens = malloc(s->n_docs * sizeof *lens);
    if (!texts || !lens) {
        free(texts);
        free(lens);
        return le_fail(err, LE_ERR_NOMEM, "verify: out of memory");
    }
    for (uint32_t d = 0; d < s->n_docs; d++) {
        texts[d] = s->strings + s->docs[d].text_off;
        lens[d] = (size_t)s->docs[d].text_len;
    }
    le_bm25 fresh;
    le_status st = le_bm25_build(&fresh, s->n_docs, texts, lens, &b->analyzer, err);
    free(texts);
    free(lens);
    if (st) return st;
    int same = fresh.n_terms == b->n_terms && fresh.total_len == b->total_len &&
               !memcmp(fresh.doc_len, b->doc_len, s->n_docs * 4) &&
               !memcmp(fresh.term_off, b->term_off, ((size_t)b->n_terms + 1) * 8) &&
               !memcmp(fresh.post_off, b->post_off, ((size_t)b->n_terms + 1) * 8) &&
               !memcmp(fresh.term_bytes, b->term_bytes, (size_t)b->term_off[b->n_terms]) &&
               !memcmp(fresh.post_doc, b->post_doc, (size_t)np * 4) &&
               !memcmp(fresh.post_tf, b->post_tf, (size_t)np * 4);
    le_bm25_free(&fresh);
    if (!same) BAD("the stored texts do not analyse to the stored BM25 postings");
    return LE_OK;
}

/* -------------------------------------------------------------- building */

typedef struct strheap {
    char *buf;
    uint64_t len;
    size_t cap;
} strheap;

static int heap_add(strheap *h, const char *s, uint64_t n, uint64_t *off) {
    if (le_array_reserve(h->buf, h->cap, (size_t)(h->len + n + 1))) return -1;
    *off = h->len;
    if (n) memcpy(h->buf + h->len, s, (size_t)n);
    h->buf[h->len + n] = 0;
    h->len += n + 1;
    return 0;
}

static le_status oom(le_error *err) {
    return le_fail(err, LE_ERR_NOMEM, "index: out of memory building a segment");
}

static le_status build_graph(le_segment *s, const le_seg_params *p, le_pool *pool,
                             le_error *err) {
    if (!s->dim || s->n_docs < p->hnsw_min_docs || s->n_docs < 2) return LE_OK;
    le_vecs v = {s->dim, s->n_docs, s->f32, s->i8, s->scale};
    le_status st = le_hnsw_build(&s->hnsw, &v, &p->hnsw, pool, err);
    if (st) return st;
    s->has_hnsw = 1;
    s->hnsw_efc = p->hnsw.ef_construction;
    s->hnsw_ef = le_hnsw_calibrate(&s->hnsw, &v, p->hnsw_target > 0 ? p->hnsw_target : 0.99, pool,
                                   &s->hnsw_recall);
    if (s->hnsw_ef < 0) return oom(err);
    return LE_OK;
}

typedef struct sp_triple {
    uint32_t term, doc;
    float w;
} sp_triple;

static int cmp_sp(const void *pa, const void *pb) {
    const sp_triple *a = pa, *b = pb;
    if (a->term != b->term) return a->term < b->term ? -1 : 1;
    if (a->doc != b->doc) return a->doc < b->doc ? -1 : 1;
    return (a->w < b->w) - (a->w > b->w); /* larger weight first */
}

/* Inverts (term, doc, weight) triples: duplicates keep the largest weight,
 * weights <= 0 (and NaN) are dropped. */
static le_status sparse_from_triples(le_segment *s, sp_triple *tr, size_t n, le_error *err) {
    qsort(tr, n, sizeof *tr, cmp_sp);
    size_t kept = 0, terms = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && tr[i].term == tr[i - 1].term && tr[i].doc == tr[i - 1].doc) continue;
        if (!(tr[i].w > 0) || !isfinite(tr[i].w)) continue;
        if (!kept || tr[kept - 1].term != tr[i].term) terms++;
        tr[kept++] = tr[i];
    }
    uint32_t *tid = malloc((terms ? terms : 1) * sizeof *tid);
    uint64_t *off = malloc((terms + 1) * sizeof *off);
    uint32_t *doc = malloc((kept ? kept : 1) * sizeof *doc);
    float *w = malloc((kept ? kept : 1) * sizeof *w);
    s->sp_terms = tid;
    s->sp_off = off;
    s->sp_doc = doc;
    s->sp_w = w;
    if (!tid || !off || !doc || !w) return oom(err);
    size_t t = 0;
    off[0] = 0;
    for (size_t i = 0; i < kept; i++) {
        if (i == 0 || tr[i].term != tr[i - 1].term) {
            if (i) off[t] = i;
            tid[t++] = tr[i].term;
        }
        doc[i] = tr[i].doc;
        w[i] = tr[i].w;
    }
    off[t] = kept;
    s->sp_n_terms = (uint32_t)terms;
    s->sp_n_post = kept;
    s->has_sparse = 1;
    return LE_OK;
}

/* Sets the shape of a fresh segment s of n documents with parameters p;
 * s owns its arrays from here on (le_segment_free frees what is set). */
static void fresh_init(le_segment *s, const le_seg_params *p, uint64_t n) {
    s->owned = 1;
    s->n_docs = (uint32_t)n;
    s->dim = p->dim;
    s->encoding = p->dim ? p->encoding : 0;
    s->multi_dim = p->multi_dim;
}

/* Fills one document record r for d and puts its strings (the text too when
 * store_text) into h. */
static le_status build_record(le_doc_rec *r, strheap *h, const le_seg_doc *d, size_t i,
                              int store_text, le_error *err) {
    const char *src = d->source ? d->source : "", *title = d->title ? d->title : "";
    size_t li = strlen(d->id), ls = strlen(src), lt = strlen(title);
    if (li > UINT32_MAX || ls > UINT32_MAX || lt > UINT32_MAX)
        return le_fail(err, LE_ERR_ARG,
                       "index: document %zu has an id, source or title longer than 4 GiB", i);
    r->id_len = (uint32_t)li;
    r->source_len = (uint32_t)ls;
    r->title_len = (uint32_t)lt;
    if (heap_add(h, d->id, li, &r->id_off) || heap_add(h, src, ls, &r->source_off) ||
        heap_add(h, title, lt, &r->title_off))
        return oom(err);
    r->text_len = d->text_len;
    if (store_text) {
        if (heap_add(h, d->text ? d->text : "", d->text_len, &r->text_off)) return oom(err);
        r->flags |= LE_DOC_TEXT_STORED;
    } else {
        r->text_off = d->source_offset;
    }
    if (d->truncated) r->flags |= LE_DOC_TRUNCATED;
    r->tokens = d->tokens;
    r->tokens_in_text = d->tokens_in_text;
    return LE_OK;
}

/* The document table and string section of s from docs[0..n). */
static le_status build_docs(le_segment *s, const le_seg_params *p, size_t n, const le_seg_doc *docs,
                            le_error *err) {
    strheap h = {0};
    le_doc_rec *recs = calloc(n, sizeof *recs);
    s->docs = recs;
    if (!recs) return oom(err);
    for (size_t i = 0; i < n; i++) {
        le_status st = build_record(&recs[i], &h, &docs[i], i, p->store_text, err);
        if (st) {
            free(h.buf);
            return st;
        }
    }
    if (!h.buf && heap_add(&h, "", 0, &(uint64_t){0})) return oom(err);
    s->strings = h.buf;
    s->strings_len = h.len;
    return LE_OK;
}

/* The dense vectors of s from docs[0..n): copied, or quantised to int8
 * with a scale each. */
static le_status build_dense(le_segment *s, const le_seg_params *p, size_t n,
                             const le_seg_doc *docs, le_error *err) {
    size_t dim = (size_t)p->dim;
    if (p->encoding == 0) {
        float *v = malloc(n * dim * sizeof *v);
        s->f32 = v;
        if (!v) return oom(err);
        for (size_t i = 0; i < n; i++) memcpy(v + i * dim, docs[i].dense, dim * sizeof *v);
        return LE_OK;
    }
    int8_t *q = malloc(n * dim);
    float *sc = malloc(n * sizeof *sc);
    s->i8 = q;
    s->scale = sc;
    if (!q || !sc) return oom(err);
    for (size_t i = 0; i < n; i++) sc[i] = le_quantize_i8(docs[i].dense, p->dim, q + i * dim);
    return LE_OK;
}

/* The BM25 postings of s over the texts of docs[0..n). */
static le_status build_bm25(le_segment *s, const le_seg_params *p, size_t n, const le_seg_doc *docs,
                            le_error *err) {
    const char **texts = malloc(n * sizeof *texts);
    size_t *lens = malloc(n * sizeof *lens);
    if (!texts || !lens) {
        free(texts);
        free(lens);
        return oom(err);
    }
    for (size_t i = 0; i < n; i++) {
        texts[i] = docs[i].text ? docs[i].text : "";
        lens[i] = docs[i].text ? docs[i].text_len : 0;
    }
    le_status st = le_bm25_build(&s->bm25, n, texts, lens, &p->analyzer, err);
    free(texts);
    free(lens);
    if (!st) s->bm25_owned = 1;
    return st;
}

/* The learned-sparse postings of s from the weights of docs[0..n); every
 * term id must lie inside the vocabulary. */
static le_status build_sparse(le_segment *s, const le_seg_params *p, size_t n,
                              const le_seg_doc *docs, le_error *err) {
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += docs[i].n_sparse;
    sp_triple *tr = malloc((total ? total : 1) * sizeof *tr);
    if (!tr) return oom(err);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < docs[i].n_sparse; j++) {
            if (docs[i].sparse_ids[j] >= p->sparse_vocab) {
                free(tr);
                return le_fail(
                    err, LE_ERR_ARG,
                    "index: document %zu has sparse term id %u, past the vocabulary of %u", i,
                    docs[i].sparse_ids[j], p->sparse_vocab);
            }
            tr[k++] = (sp_triple){docs[i].sparse_ids[j], (uint32_t)i, docs[i].sparse_weights[j]};
        }
    le_status st = sparse_from_triples(s, tr, k, err);
    free(tr);
    return st;
}

/* The multi-vectors of s from docs[0..n), back to back with offsets. */
static le_status build_multi(le_segment *s, const le_seg_params *p, size_t n,
                             const le_seg_doc *docs, le_error *err) {
    size_t md = (size_t)p->multi_dim, total = 0;
    uint64_t *off = malloc((n + 1) * sizeof *off);
    s->mv_off = off;
    if (!off) return oom(err);
    off[0] = 0;
    for (size_t i = 0; i < n; i++) off[i + 1] = off[i] + docs[i].n_multi;
    total = (size_t)off[n];
    float *mv = malloc((total ? total : 1) * md * sizeof *mv);
    s->mv = mv;
    if (!mv) return oom(err);
    for (size_t i = 0; i < n; i++)
        if (docs[i].n_multi)
            memcpy(mv + off[i] * md, docs[i].multi, docs[i].n_multi * md * sizeof *mv);
    s->mv_total = total;
    return LE_OK;
}

le_status le_segment_build(le_segment *s, const le_seg_params *p, size_t n, const le_seg_doc *docs,
                           int with_graph, le_pool *pool, le_error *err) {
    memset(s, 0, sizeof *s);
    if (n == 0 || n >= UINT32_MAX)
        return le_fail(err, LE_ERR_ARG, "index: a segment needs 1 to 2^32-2 documents");
    fresh_init(s, p, n);
    le_status st = build_docs(s, p, n, docs, err);
    if (!st && p->dim) st = build_dense(s, p, n, docs, err);
    if (!st) st = build_bm25(s, p, n, docs, err);
    if (!st && p->sparse) st = build_sparse(s, p, n, docs, err);
    if (!st && p->multi_dim) st = build_multi(s, p, n, docs, err);
    if (!st && p->passages) st = le_seg_pass_build(s, p, n, docs, err);
    if (!st && with_graph) st = build_graph(s, p, pool, err);
    if (st) le_segment_free(s);
    return st;
}

/* -------------------------------------------------------------- merging */

/* the number of documents of s that del leaves live */
static uint32_t count_live(const le_segment *s, const uint8_t *del) {
    uint32_t n = 0;
    for (uint32_t d = 0; d < s->n_docs; d++) n += !le_bit_get(del, d);
    return n;
}

/* What the live documents of a merge's sources add up to. */
typedef struct merge_size {
    uint64_t n;        /* documents */
    uint64_t strings;  /* bytes of their strings, NULs included */
    uint64_t mv_total; /* multi-vectors */
} merge_size;

/* Adds up the live documents of src[0..n_src) (deleted[i]: src i's bitmap,
 * or deleted NULL: none). */
static merge_size measure_merge(const le_seg_params *p, int n_src, const le_segment *const *src,
                                const uint8_t *const *deleted) {
    merge_size z = {0};
    for (int i = 0; i < n_src; i++) {
        const uint8_t *del = deleted ? deleted[i] : NULL;
        z.n += count_live(src[i], del);
        for (uint32_t d = 0; d < src[i]->n_docs; d++) {
            if (le_bit_get(del, d)) continue;
            const le_doc_rec *r = &src[i]->docs[d];
            z.strings += (uint64_t)r->id_len + r->source_len + r->title_len + 3;
            if (r->flags & LE_DOC_TEXT_STORED) z.strings += r->text_len + 1;
            if (p->multi_dim) z.mv_total += src[i]->mv_off[d + 1] - src[i]->mv_off[d];
        }
    }
    return z;
}

/* The arrays of a merged segment, writable (s holds the same pointers). */
typedef struct merge_out {
    le_doc_rec *recs;
    char *heap;
    float *f32, *scale, *mv;
    int8_t *i8;
    uint64_t *mv_off;
    uint64_t hl; /* bytes of heap used */
} merge_out;

/* Allocates the arrays of the merged segment s for z, owned by s. */
static le_status alloc_merged(le_segment *s, merge_out *o, const le_seg_params *p, merge_size z,
                              le_error *err) {
    size_t dim = (size_t)p->dim, md = (size_t)p->multi_dim;
    s->docs = o->recs = malloc(z.n * sizeof *o->recs);
    s->strings = o->heap = malloc(z.strings ? z.strings : 1);
    if (!o->recs || !o->heap) return oom(err);
    if (dim && p->encoding == 0 && !(s->f32 = o->f32 = malloc(z.n * dim * sizeof *o->f32)))
        return oom(err);
    if (dim && p->encoding == 1) {
        s->i8 = o->i8 = malloc(z.n * dim);
        s->scale = o->scale = malloc(z.n * sizeof *o->scale);
        if (!o->i8 || !o->scale) return oom(err);
    }
    if (md) {
        s->mv_off = o->mv_off = malloc((z.n + 1) * sizeof *o->mv_off);
        s->mv = o->mv = malloc((z.mv_total ? z.mv_total : 1) * md * sizeof *o->mv);
        if (!o->mv_off || !o->mv) return oom(err);
        o->mv_off[0] = 0;
    }
    return LE_OK;
}

/* Copies the string of len bytes (and its NUL) at strings + *off to the end
 * of o's heap; *off becomes its offset there. */
static void move_str(merge_out *o, const char *strings, uint64_t *off, uint64_t len) {
    memcpy(o->heap + o->hl, strings + *off, (size_t)len + 1);
    *off = o->hl;
    o->hl += len + 1;
}

/* Copies document d of g into o as document k: its record (strings moved
 * into o's heap), its vector and its multi-vectors. */
static void copy_doc(merge_out *o, const le_seg_params *p, const le_segment *g, uint32_t d,
                     uint64_t k) {
    size_t dim = (size_t)p->dim, md = (size_t)p->multi_dim;
    le_doc_rec r = g->docs[d];
    move_str(o, g->strings, &r.id_off, r.id_len);
    move_str(o, g->strings, &r.source_off, r.source_len);
    move_str(o, g->strings, &r.title_off, r.title_len);
    if (r.flags & LE_DOC_TEXT_STORED) move_str(o, g->strings, &r.text_off, r.text_len);
    o->recs[k] = r;
    if (o->f32) memcpy(o->f32 + k * dim, g->f32 + (size_t)d * dim, dim * sizeof *o->f32);
    if (o->i8) {
        memcpy(o->i8 + k * dim, g->i8 + (size_t)d * dim, dim);
        o->scale[k] = g->scale[d];
    }
    if (md) {
        uint64_t a = g->mv_off[d], e = g->mv_off[d + 1];
        o->mv_off[k + 1] = o->mv_off[k] + (e - a);
        if (e > a)
            memcpy(o->mv + o->mv_off[k] * md, g->mv + a * md, (size_t)(e - a) * md * sizeof *o->mv);
    }
}

/* Copies the live documents of src[0..n_src), in order, into o. */
static void copy_live_docs(merge_out *o, const le_seg_params *p, int n_src,
                           const le_segment *const *src, const uint8_t *const *deleted) {
    uint64_t k = 0;
    for (int i = 0; i < n_src; i++) {
        const uint8_t *del = deleted ? deleted[i] : NULL;
        for (uint32_t d = 0; d < src[i]->n_docs; d++)
            if (!le_bit_get(del, d)) copy_doc(o, p, src[i], d, k++);
    }
}

/* The BM25 postings of s: the sources' postings merged (le_bm25_merge). */
static le_status merge_bm25(le_segment *s, const le_seg_params *p, int n_src,
                            const le_segment *const *src, const uint8_t *const *deleted,
                            le_error *err) {
    const le_bm25 **bs = malloc((size_t)n_src * sizeof *bs);
    if (!bs) return oom(err);
    for (int i = 0; i < n_src; i++) bs[i] = &src[i]->bm25;
    le_status st = le_bm25_merge(&s->bm25, &p->analyzer, n_src, bs, deleted, err);
    free(bs);
    if (!st) s->bm25_owned = 1;
    return st;
}

/* Appends to tr[*m..] the (term, new number, weight) triples of g's live
 * documents, numbered from base; returns how many documents are live, or
 * -1 when out of memory. */
static long sparse_triples_of(const le_segment *g, const uint8_t *del, uint32_t base, sp_triple *tr,
                              size_t *m) {
    uint32_t *map = malloc(((size_t)g->n_docs + 1) * sizeof *map);
    if (!map) return -1;
    uint32_t live = 0;
    for (uint32_t d = 0; d < g->n_docs; d++)
        map[d] = le_bit_get(del, d) ? UINT32_MAX : base + live++;
    for (uint32_t t = 0; g->has_sparse && t < g->sp_n_terms; t++)
        for (uint64_t x = g->sp_off[t]; x < g->sp_off[t + 1]; x++)
            if (map[g->sp_doc[x]] != UINT32_MAX)
                tr[(*m)++] = (sp_triple){g->sp_terms[t], map[g->sp_doc[x]], g->sp_w[x]};
    free(map);
    return live;
}

/* The learned-sparse postings of s from the live postings of the sources. */
static le_status merge_sparse(le_segment *s, int n_src, const le_segment *const *src,
                              const uint8_t *const *deleted, le_error *err) {
    size_t sp_total = 0;
    for (int i = 0; i < n_src; i++)
        if (src[i]->has_sparse) sp_total += src[i]->sp_n_post;
    sp_triple *tr = malloc((sp_total ? sp_total : 1) * sizeof *tr);
    if (!tr) return oom(err);
    size_t m = 0;
    uint32_t base = 0;
    for (int i = 0; i < n_src; i++) {
        long live = sparse_triples_of(src[i], deleted ? deleted[i] : NULL, base, tr, &m);
        if (live < 0) {
            free(tr);
            return oom(err);
        }
        base += (uint32_t)live;
    }
    le_status st = sparse_from_triples(s, tr, m, err);
    free(tr);
    return st;
}

le_status le_segment_merge(le_segment *s, const le_seg_params *p, int n_src,
                           const le_segment *const *src, const uint8_t *const *deleted,
                           le_pool *pool, le_error *err) {
    memset(s, 0, sizeof *s);
    merge_size z = measure_merge(p, n_src, src, deleted);
    if (z.n == 0) return le_fail(err, LE_ERR_ARG, "index: nothing to merge");
    if (z.n >= UINT32_MAX) return le_fail(err, LE_ERR_ARG, "index: too many documents to merge");
    fresh_init(s, p, z.n);
    merge_out o = {0};
    le_status st = alloc_merged(s, &o, p, z, err);
    if (!st) {
        copy_live_docs(&o, p, n_src, src, deleted);
        s->strings_len = o.hl;
        s->mv_total = z.mv_total;
        st = merge_bm25(s, p, n_src, src, deleted, err);
    }
    if (!st && p->sparse) st = merge_sparse(s, n_src, src, deleted, err);
    if (!st && p->passages) st = le_seg_pass_merge(s, p, n_src, src, deleted, err);
    if (!st) st = build_graph(s, p, pool, err);
    if (st) le_segment_free(s);
    return st;
}
