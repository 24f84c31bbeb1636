/* The passages of a segment (index_format.h, sections 22–26): built from
 * new documents, carried through a merge for the live documents, and
 * checked when a file is opened (structure) or verified (deep).
 *
 * Every document of an index with passages has at least one; document d's
 * are records pass_off[d] .. pass_off[d+1] of the segment, each with a
 * vector in the index's encoding (f32, or int8 with a scale per vector as
 * the document vectors). */
#ifndef LE_INDEX_PASSAGE_STORE_H
#define LE_INDEX_PASSAGE_STORE_H

#include "index/segment.h"

/* The passage sections of the fresh segment s from docs[0..n) (owned by s). */
le_status le_seg_pass_build(le_segment *s, const le_seg_params *p, size_t n,
                            const le_seg_doc *docs, le_error *err);

/* The passage sections of the merged segment s: the passages of the live
 * documents of src[0..n_src) in order (deleted as le_segment_merge's). */
le_status le_seg_pass_merge(le_segment *s, const le_seg_params *p, int n_src,
                            const le_segment *const *src, const uint8_t *const *deleted,
                            le_error *err);

/* Structural checks of a parsed segment's passages: offsets rise strictly
 * from 0 to n_pass (each document has one or more), every span lies within
 * its document's text length with start <= end (bytes and tokens), flags
 * known, the reserved field zero. Searching cannot read outside the
 * sections afterwards. */
le_status le_seg_pass_check(const le_segment *s, le_error *err);

/* Deep checks (le_index_verify --deep): each document's spans in order
 * (starts and ends never decrease), on UTF-8 character boundaries of the
 * stored text, vectors (and int8 scales) finite. */
le_status le_seg_pass_check_deep(const le_segment *s, le_error *err);

/* The passages [*first, *end) of document d of s. */
static inline void le_seg_pass_range(const le_segment *s, uint32_t d, uint64_t *first,
                                     uint64_t *end) {
    *first = s->pass_off[d];
    *end = s->pass_off[d + 1];
}

#endif
