/* The on-disk layout of an index file (docs/index-format.md says the same in
 * prose). Everything is little-endian; arrays are read in place from the
 * mapped file, so every section starts at a multiple of 64 bytes from its
 * segment, and every segment at a multiple of 64 bytes from the file start.
 *
 *   header   (128 bytes at offset 0; its own CRC-32C in the last 4 bytes)
 *   segment 0, segment 1, …   (immutable once written; copied byte for byte
 *                              into the next version of the file)
 *   manifest (identity, settings, segment table, deletion bitmaps)
 *
 * The header points at the manifest and holds its CRC; the manifest holds
 * each segment's offset, length and directory CRC; a segment's directory
 * holds each section's CRC. A file is only ever published whole, by an
 * atomic rename, so a reader sees one committed version or the one before. */
#ifndef LE_INDEX_FORMAT_H
#define LE_INDEX_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the index file is read in place: little-endian hosts only"
#endif

#define LE_IDX_MAGIC "\x89LEI\r\n\x1a\n"
#define LE_IDX_VERSION 2u     /* what the writer writes */
#define LE_IDX_VERSION_MIN 1u /* the oldest the reader reads (version 1: no passages) */
#define LE_IDX_HEADER_SIZE 128u
#define LE_IDX_ALIGN 64u

/* header fields (byte offsets) */
enum {
    LE_HDR_MAGIC = 0,         /* 8 bytes */
    LE_HDR_VERSION = 8,       /* u32 */
    LE_HDR_HEADER_SIZE = 12,  /* u32 = 128 */
    LE_HDR_FILE_SIZE = 16,    /* u64 */
    LE_HDR_GENERATION = 24,   /* u64: commits so far */
    LE_HDR_MANIFEST_OFF = 32, /* u64 */
    LE_HDR_MANIFEST_LEN = 40, /* u64 */
    LE_HDR_MANIFEST_CRC = 48, /* u32 */
    LE_HDR_FLAGS = 52,        /* u32, 0 */
    LE_HDR_CRC = 124          /* u32: CRC-32C of bytes 0..124 */
};

#define LE_MANIFEST_MAGIC "LEIMANI1"
#define LE_SEGMENT_MAGIC "LEISEG01"

/* fixed string fields of the identity, NUL-padded */
#define LE_ID_MODEL 512
#define LE_ID_NAME 128
#define LE_ID_ARCH 32
#define LE_ID_POOLING 16
#define LE_ID_PREFIX 256

/* A segment's directory: 128 bytes, then n_sections entries of 32 bytes. */
#define LE_SEG_DIR_SIZE 128u
#define LE_SEG_ENTRY_SIZE 32u
enum {
    LE_SEG_MAGIC = 0,         /* 8 bytes */
    LE_SEG_N_DOCS = 8,        /* u32 */
    LE_SEG_N_SECTIONS = 12,   /* u32 */
    LE_SEG_DIM = 16,          /* u32: dense dimensions, 0 = none */
    LE_SEG_ENCODING = 20,     /* u32: 0 f32, 1 int8 + scale */
    LE_SEG_MULTI_DIM = 24,    /* u32: multi-vector dimensions, 0 = none */
    LE_SEG_FLAGS = 28,        /* u32: bit 0 HNSW present, bit 1 sparse present */
    LE_SEG_BM25_TOTAL = 32,   /* u64: Σ document lengths (terms) */
    LE_SEG_BM25_TERMS = 40,   /* u32 */
    LE_SEG_SP_TERMS = 44,     /* u32 */
    LE_SEG_BM25_POSTINGS = 48, /* u64 */
    LE_SEG_SP_POSTINGS = 56,  /* u64 */
    LE_SEG_MV_TOTAL = 64,     /* u64: multi-vectors in all */
    LE_SEG_HNSW_M = 72,       /* u32 */
    LE_SEG_HNSW_ENTRY = 76,   /* u32 */
    LE_SEG_HNSW_TOP = 80,     /* u32: top layer */
    LE_SEG_HNSW_EFC = 84,     /* u32: ef_construction it was built with */
    LE_SEG_STRINGS_LEN = 88,  /* u64 */
    LE_SEG_HNSW_UPPER = 96,   /* u64: upper-layer link slots */
    LE_SEG_HNSW_EF = 104,     /* u32: the calibrated search beam */
    LE_SEG_PASSAGES = 112     /* u64: passages in all (version 2; 0: the index has none) */
};
#define LE_SEG_FLAG_HNSW 1u
#define LE_SEG_FLAG_SPARSE 2u

/* section kinds */
enum {
    LE_SEC_DOCS = 1,         /* le_doc_rec[n_docs] */
    LE_SEC_STRINGS = 2,      /* bytes: ids, sources, titles, texts, each followed by NUL */
    LE_SEC_VEC_F32 = 3,      /* float[n_docs][dim] */
    LE_SEC_VEC_I8 = 4,       /* int8[n_docs][dim] */
    LE_SEC_VEC_SCALE = 5,    /* float[n_docs] */
    LE_SEC_BM25_DOCLEN = 6,  /* u32[n_docs] */
    LE_SEC_BM25_TERMS = 7,   /* bytes of the sorted terms, back to back */
    LE_SEC_BM25_TERMOFF = 8, /* u64[n_terms + 1] */
    LE_SEC_BM25_POSTOFF = 9, /* u64[n_terms + 1] */
    LE_SEC_BM25_DOC = 10,    /* u32[postings] */
    LE_SEC_BM25_TF = 11,     /* u32[postings] */
    LE_SEC_HNSW_LEVELS = 12, /* u8[n_docs] */
    LE_SEC_HNSW_L0 = 13,     /* u32[n_docs][2M + 1] */
    LE_SEC_HNSW_UPOFF = 14,  /* u64[n_docs + 1] */
    LE_SEC_HNSW_UPPER = 15,  /* u32[slots] */
    LE_SEC_SP_TERMS = 16,    /* u32[sp_terms], increasing */
    LE_SEC_SP_POSTOFF = 17,  /* u64[sp_terms + 1] */
    LE_SEC_SP_DOC = 18,      /* u32[sp_postings] */
    LE_SEC_SP_WEIGHT = 19,   /* float[sp_postings] */
    LE_SEC_MV_OFF = 20,      /* u64[n_docs + 1], in vectors */
    LE_SEC_MV_VECS = 21,     /* float[mv_total][multi_dim] */
    LE_SEC_PASS_OFF = 22,    /* u64[n_docs + 1], in passages (version 2) */
    LE_SEC_PASS_SPANS = 23,  /* le_pass_rec[passages] */
    LE_SEC_PASS_F32 = 24,    /* float[passages][dim] (encoding 0) */
    LE_SEC_PASS_I8 = 25,     /* int8[passages][dim] (encoding 1) */
    LE_SEC_PASS_SCALE = 26,  /* float[passages] (encoding 1) */
    LE_SEC_KINDS = 27
};

/* One document: 64 bytes, read in place. Strings live in LE_SEC_STRINGS,
 * each followed by a NUL byte (so they can be used as C strings). */
typedef struct le_doc_rec {
    uint64_t id_off;
    uint64_t source_off;
    uint64_t title_off;
    uint64_t text_off; /* stored: into the strings; else the byte offset in the source file */
    uint64_t text_len;
    uint32_t id_len;
    uint32_t source_len;
    uint32_t title_len;
    uint32_t tokens;         /* tokens embedded (special tokens included) */
    uint32_t tokens_in_text; /* tokens the whole text has (> tokens when cut) */
    uint32_t flags;          /* LE_DOC_* */
} le_doc_rec;

#define LE_DOC_TEXT_STORED 1u
#define LE_DOC_TRUNCATED 2u

_Static_assert(sizeof(le_doc_rec) == 64, "le_doc_rec is 64 bytes on disk");

/* Where one passage lies in its document: 32 bytes, read in place. Bytes
 * [byte_start, byte_end) of the document's text, tokens [token_start,
 * token_end) of its own tokens (no special tokens, no prefix). */
typedef struct le_pass_rec {
    uint64_t byte_start, byte_end;
    uint32_t token_start, token_end;
    uint32_t flags; /* LE_PASS_* */
    uint32_t zero;
} le_pass_rec;

#define LE_PASS_EXACT 1u /* the bytes tokenized alone give exactly these tokens */

_Static_assert(sizeof(le_pass_rec) == 32, "le_pass_rec is 32 bytes on disk");

/* The manifest's fixed part (magic, counts, identity strings, 32 int32 and
 * 8 float64 fields) ends at LE_MF_SEG_TABLE, where the segment table starts;
 * a segment table entry is 48 bytes. */
#define LE_MF_SEG_TABLE 1408u
#define LE_MF_INTS 1216u /* the 32 int32 fields */
#define LE_MF_SEG_ENTRY 48u

/* little-endian loads and stores (the host is little-endian; memcpy keeps
 * unaligned access defined) */
#include <string.h>
static inline uint32_t le_ld32(const unsigned char *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static inline uint64_t le_ld64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}
static inline void le_st32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void le_st64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }

static inline uint64_t le_align_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

#endif
