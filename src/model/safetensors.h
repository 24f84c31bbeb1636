/* safetensors checkpoints, mapped read-only: one file, or the shards named
 * by a model.safetensors.index.json behind the same lookups.
 *
 * Everything in the header is checked at open (dtypes, shapes, offsets
 * inside the data block, sizes that match the shape, no overlaps, no
 * duplicate names), so a tensor handed out is safe to read. Messages name
 * the file and the tensor. Tensors and names stay valid until close.
 *
 * Shapes are in file order (PyTorch, outermost first): a Linear weight is
 * [out, in]. */
#ifndef LE_MODEL_SAFETENSORS_H
#define LE_MODEL_SAFETENSORS_H

#include "base/error.h"
#include "model/dtype.h"

#include <stddef.h>
#include <stdint.h>

#define LE_ST_MAX_DIMS 8
#define LE_ST_MAX_HEADER (100u << 20) /* bytes of JSON header we accept */

typedef struct le_st_tensor {
    const char *name;
    le_dtype dtype;
    int ndim;
    int64_t shape[LE_ST_MAX_DIMS];
    size_t numel;
    size_t nbytes;
    const unsigned char *data; /* in the mapping; aligned only as the file happens to be */
    const char *file;          /* the file that holds it (for messages) */
    uint64_t begin, end;       /* data_offsets, relative to the data block */
} le_st_tensor;

typedef struct le_safetensors le_safetensors;

/* path: a .safetensors file, a .safetensors.index.json, or a directory
 * holding model.safetensors or model.safetensors.index.json. */
le_status le_st_open(const char *path, le_safetensors **out, le_error *err);
/* A file image in memory (not copied: it must outlive the handle); name is
 * used in messages. */
le_status le_st_open_memory(const void *data, size_t size, const char *name, le_safetensors **out,
                            le_error *err);
void le_st_close(le_safetensors *st);
/* Drops the resident pages of a tensor of a mapped file (le_mapfile_release):
 * for weights that were copied out; a later read faults them back in. */
void le_st_release(const le_safetensors *st, const le_st_tensor *t);
/* The same for every mapped page (what fault-around and small reads left). */
void le_st_release_all(const le_safetensors *st);

/* The path given to open (or the name for memory images). */
const char *le_st_path(const le_safetensors *st);

/* Tensors in name order. */
size_t le_st_count(const le_safetensors *st);
const le_st_tensor *le_st_at(const le_safetensors *st, size_t i);
const le_st_tensor *le_st_find(const le_safetensors *st, const char *name);

/* Tries name, then for each prefix p (NULL-terminated list, may be NULL):
 * p + name, and name without p when it starts with p. So with {"bert.",
 * NULL}, "embeddings.x" finds "bert.embeddings.x" and vice versa. */
const le_st_tensor *le_st_find_prefixed(const le_safetensors *st, const char *name,
                                        const char *const *prefixes);

/* A __metadata__ value (of the first shard for sharded checkpoints), or NULL. */
const char *le_st_metadata(const le_safetensors *st, const char *key);

/* Checks t's shape against shape[0..ndim); the message reads
 * "<file>: tensor \"<name>\": expected shape [384, 384], found [384, 385]". */
le_status le_st_check_shape(const le_st_tensor *t, int ndim, const int64_t *shape, le_error *err);
/* Converts t (F32, F16 or BF16) to t->numel floats at dst. */
/* Reads every F32, F16 and BF16 tensor and fails (LE_ERR_FORMAT, naming
 * the file, the tensor and the element) at the first NaN or infinity. */
le_status le_st_check_finite(const le_safetensors *st, le_error *err);
le_status le_st_tensor_to_f32(const le_st_tensor *t, float *dst, le_error *err);
/* t's data in place when it is F32, 4-byte aligned and the host is
 * little-endian; NULL otherwise. */
const float *le_st_tensor_f32_view(const le_st_tensor *t);

/* Typed reads by name: find (with prefixes, as le_st_find_prefixed), check
 * the shape (shape NULL: any), convert to F32.
 * read_f32 writes numel floats to dst; load_f32 allocates them
 * (le_alloc_aligned: free with le_free_aligned); get_f32 gives the data in
 * place when possible (*owned = NULL) and a loaded copy otherwise (*owned =
 * the copy, to be freed with le_free_aligned). */
le_status le_st_read_f32(const le_safetensors *st, const char *name, const char *const *prefixes,
                         int ndim, const int64_t *shape, float *dst, le_error *err);
le_status le_st_load_f32(const le_safetensors *st, const char *name, const char *const *prefixes,
                         int ndim, const int64_t *shape, float **out, le_error *err);
le_status le_st_get_f32(const le_safetensors *st, const char *name, const char *const *prefixes,
                        int ndim, const int64_t *shape, const float **data, float **owned,
                        le_error *err);

/* Looks name up like le_st_find_prefixed; when missing, fails with
 * "<path>: no tensor \"<name>\"" (listing the other names tried). */
le_status le_st_require(const le_safetensors *st, const char *name, const char *const *prefixes,
                        const le_st_tensor **out, le_error *err);

#endif
