/* A minimal, validating reader of PyTorch's torch.save files (the zip
 * format of torch >= 1.6), for the small head files models ship beside
 * their safetensors (BGE-M3's sparse_linear.pt and colbert_linear.pt).
 *
 * Only a state dict of plain tensors is accepted: data.pkl must be a dict
 * (or collections.OrderedDict, optionally with the _metadata state
 * nn.Module.state_dict attaches) whose values are
 * torch._utils._rebuild_tensor_v2 over float, half or bfloat16 storages,
 * contiguous, little-endian. The pickle is interpreted by a small stack
 * machine that knows only the opcodes such a file uses and only those four
 * globals: any other opcode or global is refused with a message naming
 * it, and nothing is ever imported, called or executed. The zip is
 * checked as well: stored (uncompressed) entries inside the file, CRC-32
 * of every entry read. */
#ifndef LE_MODEL_TORCH_PT_H
#define LE_MODEL_TORCH_PT_H

#include "base/error.h"

#include <stddef.h>
#include <stdint.h>

#define LE_PT_MAX_DIMS 4

typedef struct le_pt_tensor {
    char *name;
    int ndim;
    int64_t shape[LE_PT_MAX_DIMS];
    int64_t numel;
    float *data; /* converted to float32, row-major */
    const char *dtype; /* "float32", "float16", "bfloat16": what the file held */
} le_pt_tensor;

typedef struct le_pt_file {
    le_pt_tensor *tensors;
    size_t n;
} le_pt_file;

le_status le_pt_load(const char *path, le_pt_file *out, le_error *err);
/* The same from memory; what names the source in messages. */
le_status le_pt_load_mem(const uint8_t *buf, size_t n, const char *what, le_pt_file *out,
                         le_error *err);
void le_pt_free(le_pt_file *f);

/* The tensor of that name, or NULL. */
const le_pt_tensor *le_pt_find(const le_pt_file *f, const char *name);

#endif
