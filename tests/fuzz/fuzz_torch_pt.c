/* libFuzzer target: any byte string as a torch.save file must either be
 * refused with a status and a message, or give tensors whose data covers
 * their shapes. Seed it with the .pt files of tests/fixtures/bge-m3-tiny-pt
 * and tests/fixtures/bge-m3-tiny. */
#include "model/torch_pt.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    le_pt_file f;
    le_error err;
    if (le_pt_load_mem(data, size, "fuzz.pt", &f, &err) != LE_OK) {
        if (err.code == LE_OK || !err.message[0] || f.n || f.tensors) abort();
        return 0;
    }
    volatile float sink = 0;
    for (size_t i = 0; i < f.n; i++) {
        const le_pt_tensor *t = &f.tensors[i];
        int64_t numel = 1;
        for (int k = 0; k < t->ndim; k++) numel *= t->shape[k];
        if (numel != t->numel || !t->name || le_pt_find(&f, t->name) == NULL) abort();
        for (int64_t j = 0; j < t->numel; j++) sink += t->data[j];
    }
    (void)sink;
    le_pt_free(&f);
    return 0;
}
