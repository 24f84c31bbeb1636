/* GGUF files (versions 2 and 3), mapped read-only: metadata key/values,
 * tensor infos and their data.
 *
 * Everything is checked at open: counts and string lengths against the
 * bytes left, value types, the alignment, tensor types, dimensions, and
 * every tensor's bytes inside the data section without overlaps. Messages
 * name the file, and the key or tensor. Strings, arrays and tensors stay
 * valid until close.
 *
 * Dimensions: a tensor's ne[] is in ggml order (ne[0] is the contiguous,
 * innermost one). The typed reads take shapes in row-major order like the
 * safetensors reader, so token_embd.weight with ne [576, 49152] is asked
 * for as [49152, 576]. */
#ifndef LE_MODEL_GGUF_H
#define LE_MODEL_GGUF_H

#include "base/error.h"
#include "model/quant.h"

#include <stddef.h>
#include <stdint.h>

#define LE_GGUF_MAX_DIMS 4
#define LE_GGUF_DEFAULT_ALIGNMENT 32

typedef enum le_gguf_vtype {
    LE_GGUF_U8 = 0,
    LE_GGUF_I8 = 1,
    LE_GGUF_U16 = 2,
    LE_GGUF_I16 = 3,
    LE_GGUF_U32 = 4,
    LE_GGUF_I32 = 5,
    LE_GGUF_F32 = 6,
    LE_GGUF_BOOL = 7,
    LE_GGUF_STRING = 8,
    LE_GGUF_ARRAY = 9,
    LE_GGUF_U64 = 10,
    LE_GGUF_I64 = 11,
    LE_GGUF_F64 = 12,
    LE_GGUF_VTYPE_COUNT
} le_gguf_vtype;

typedef struct le_gguf_kv {
    const char *key;
    le_gguf_vtype type;
    le_gguf_vtype elem_type; /* arrays */
    uint64_t count;          /* arrays: elements; scalars: 1 */
    union {
        uint64_t u; /* unsigned integers and bool (0/1) */
        int64_t i;  /* signed integers */
        double f;   /* F32, F64 */
    } num;
    const char *str; /* STRING: a NUL-terminated copy */
    size_t str_len;  /* its length (it may hold NUL bytes) */
    /* ARRAY of numbers or bools: an aligned native-endian copy of count
     * elements of elem_type; of strings: const char *[count] with str_lens;
     * of arrays: NULL (validated, not kept). */
    const void *array;
    const size_t *str_lens;
} le_gguf_kv;

typedef struct le_gguf_tensor {
    const char *name;
    uint32_t type; /* ggml type id (model/quant.h) */
    int ndim;
    int64_t ne[LE_GGUF_MAX_DIMS]; /* ggml order; unused dims are 1 */
    size_t numel;
    size_t nbytes;
    uint64_t offset; /* relative to the data section */
    const unsigned char *data;
    const char *file; /* for messages */
} le_gguf_tensor;

typedef struct le_gguf le_gguf;

le_status le_gguf_open(const char *path, le_gguf **out, le_error *err);
/* A file image in memory (not copied: it must outlive the handle). */
le_status le_gguf_open_memory(const void *data, size_t size, const char *name, le_gguf **out,
                              le_error *err);
void le_gguf_close(le_gguf *g);

const char *le_gguf_path(const le_gguf *g);
uint32_t le_gguf_version(const le_gguf *g);
size_t le_gguf_alignment(const le_gguf *g);
/* Offset of the data section in the file. */
size_t le_gguf_data_offset(const le_gguf *g);
const char *le_gguf_vtype_name(le_gguf_vtype t);

/* Key/values in file order. */
size_t le_gguf_kv_count(const le_gguf *g);
const le_gguf_kv *le_gguf_kv_at(const le_gguf *g, size_t i);
const le_gguf_kv *le_gguf_find_kv(const le_gguf *g, const char *key);

/* Typed getters: LE_ERR_FORMAT when the key is missing or its value does not
 * fit ("<file>: key \"k\": expected u32, found i32 -3"). Integer getters
 * accept any integer type whose value fits; f32 accepts F32 and F64. */
le_status le_gguf_get_u32(const le_gguf *g, const char *key, uint32_t *out, le_error *err);
le_status le_gguf_get_i32(const le_gguf *g, const char *key, int32_t *out, le_error *err);
le_status le_gguf_get_u64(const le_gguf *g, const char *key, uint64_t *out, le_error *err);
le_status le_gguf_get_f32(const le_gguf *g, const char *key, float *out, le_error *err);
le_status le_gguf_get_bool(const le_gguf *g, const char *key, int *out, le_error *err);
le_status le_gguf_get_str(const le_gguf *g, const char *key, const char **out, le_error *err);
/* Arrays: *out points at count elements owned by the handle. */
le_status le_gguf_get_str_array(const le_gguf *g, const char *key, const char *const **out,
                                size_t *count, le_error *err);
le_status le_gguf_get_f32_array(const le_gguf *g, const char *key, const float **out, size_t *count,
                                le_error *err);
le_status le_gguf_get_i32_array(const le_gguf *g, const char *key, const int32_t **out,
                                size_t *count, le_error *err);

/* Tensors in file order. */
size_t le_gguf_tensor_count(const le_gguf *g);
const le_gguf_tensor *le_gguf_tensor_at(const le_gguf *g, size_t i);
const le_gguf_tensor *le_gguf_find_tensor(const le_gguf *g, const char *name);
/* As find, failing with "<file>: no tensor \"name\"" when missing. */
le_status le_gguf_require_tensor(const le_gguf *g, const char *name, const le_gguf_tensor **out,
                                 le_error *err);

/* Checks t against a row-major shape[0..ndim). */
le_status le_gguf_check_shape(const le_gguf_tensor *t, int ndim, const int64_t *shape,
                              le_error *err);
/* Dequantises t (F32, F16, BF16, Q8_0, Q4_0, Q4_1) to t->numel floats;
 * other types give LE_ERR_UNSUPPORTED naming the type. */
le_status le_gguf_tensor_to_f32(const le_gguf_tensor *t, float *dst, le_error *err);

/* By name, with a row-major shape check (shape NULL: any). load_f32
 * allocates with le_alloc_aligned (free with le_free_aligned). */
le_status le_gguf_read_f32(const le_gguf *g, const char *name, int ndim, const int64_t *shape,
                           float *dst, le_error *err);
le_status le_gguf_load_f32(const le_gguf *g, const char *name, int ndim, const int64_t *shape,
                           float **out, le_error *err);

#endif
