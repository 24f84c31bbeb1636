/* libFuzzer target: any byte string given to the safetensors reader must
 * either open, with every tensor inside the input and readable, or fail
 * with a status and a message. */
#include "model/safetensors.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    le_safetensors *st;
    le_error err;
    if (le_st_open_memory(data, size, "fuzz.safetensors", &st, &err) != LE_OK) {
        if (err.code == LE_OK || !err.message[0]) abort();
        return 0;
    }
    const char *const prefixes[] = {"bert.", "model.", NULL};
    for (size_t i = 0; i < le_st_count(st); i++) {
        const le_st_tensor *t = le_st_at(st, i);
        if (le_st_find(st, t->name) != t) abort();
        if (!le_st_find_prefixed(st, t->name, prefixes)) abort();
        if (t->data < data || t->nbytes > size || t->data + t->nbytes > data + size) abort();
        if (le_st_check_shape(t, t->ndim, t->shape, &err) != LE_OK) abort();
        if (t->numel > (1u << 20)) continue;
        float *out = malloc(t->numel * sizeof(float) + 1);
        if (!out) continue;
        le_status s = le_st_tensor_to_f32(t, out, &err);
        if (s != LE_OK && s != LE_ERR_UNSUPPORTED) abort();
        const float *view = le_st_tensor_f32_view(t);
        if (view && t->numel && memcmp(view, out, t->numel * sizeof(float)) != 0) abort();
        free(out);
    }
    le_st_metadata(st, "format");
    le_st_close(st);
    return 0;
}
