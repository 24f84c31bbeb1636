/* The manifest of an index file (index_format.h, docs/index-format.md): the
 * model identity, the settings, the segment table and the deletion bitmaps.
 * A commit writes it last, just before the header (index_writer.c); opening
 * a file reads it first (index.c). Both directions live here so that the
 * layout is spelt out once. */
#ifndef LE_INDEX_MANIFEST_H
#define LE_INDEX_MANIFEST_H

#include "index/index.h"

#include <stddef.h>
#include <stdint.h>

/* One row of the segment table, as the writer knows it. */
typedef struct le_manifest_seg {
    uint64_t off, len; /* where the segment lies in the file */
    uint32_t n_docs;
    uint32_t dir_crc;   /* the checksum of the segment's directory */
    const uint8_t *del; /* its deletion bitmap, or NULL: none */
} le_manifest_seg;

/* The size in bytes of a manifest over seg[0..n_seg). */
size_t le_manifest_size(int n_seg, const le_manifest_seg *seg);

/* Writes the manifest of model m, settings st and seg[0..n_seg) into buf,
 * which holds le_manifest_size bytes, all zero. */
void le_manifest_write(unsigned char *buf, const le_index_model *m, const le_index_options *st,
                       int n_seg, const le_manifest_seg *seg);

/* Checks the manifest mf[0..mlen) of a file of format ix->version and
 * reads it into ix: model, settings,
 * segment parameters, and the segment table (allocated here: n_seg and the
 * per-segment arrays; offsets, lengths, directory checksums, deletion
 * bitmaps pointing into mf). Segments must lie in [header, data_end) in
 * file order. LE_ERR_FORMAT says what is wrong, without the file name. */
le_status le_manifest_read(le_index *ix, const unsigned char *mf, uint64_t mlen, uint64_t data_end,
                           le_error *err);

#endif
