/* The torch.save reader: a state dict of float32, float16 and bfloat16
 * tensors (a view with a storage offset too) reads exactly; BGE-M3's head
 * files read with their shapes; everything else is refused with a clear
 * message and nothing is run: a whole nn.Module, an nn.Parameter, a
 * non-tensor value, a transposed tensor, an int64 tensor, a pickle that
 * calls os.system, a truncated zip, a damaged entry. */
#include "base/mapfile.h"
#include "check.h"
#include "model/torch_pt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PT "tests/fixtures/bge-m3-tiny-pt/"

static void check_values(const le_pt_file *f, const char *name, const float *want, int n,
                         int ndim, int64_t d0) {
    const le_pt_tensor *t = le_pt_find(f, name);
    CHECK_MSG(t != NULL, "no tensor %s", name);
    if (!t) return;
    CHECK_EQ_INT(t->numel, n);
    CHECK_EQ_INT(t->ndim, ndim);
    CHECK_EQ_INT(t->shape[0], d0);
    for (int i = 0; i < n && t->numel == n; i++)
        CHECK_MSG(t->data[i] == want[i] || (isnan(want[i]) && isnan(t->data[i])),
                  "%s[%d] = %.9g, want %.9g", name, i, t->data[i], want[i]);
}

static void test_good(void) {
    le_pt_file f;
    le_error err;
    le_status s = le_pt_load(PT "good.pt", &f, &err);
    CHECK_MSG(s == LE_OK, "%s", err.message);
    if (s) return;
    CHECK_EQ_INT(f.n, 5);
    check_values(&f, "a", (float[]){-1, -0.5f, 0, 0.5f, 1, 1.5f}, 6, 2, 2);
    check_values(&f, "b", (float[]){1e-8f, -2.5f, 65504}, 3, 1, 3);
    /* 6e-8 is the float16 subnormal 2^-24 */
    check_values(&f, "h", (float[]){5.9604644775390625e-08f, -1.5f, 65504, 0.333251953125f}, 4,
                 1, 4);
    check_values(&f, "g", (float[]){1, -3.140625f, 1.0002555517425873e30f}, 3, 1, 3);
    check_values(&f, "s", (float[]){4, 5, 6, 7, 8, 9}, 6, 2, 3);
    CHECK(!strcmp(le_pt_find(&f, "h")->dtype, "float16"));
    CHECK(le_pt_find(&f, "zz") == NULL);
    le_pt_free(&f);
}

static void test_heads(void) {
    le_pt_file f;
    le_error err;
    CHECK(le_pt_load("tests/fixtures/bge-m3-tiny/colbert_linear.pt", &f, &err) == LE_OK);
    const le_pt_tensor *w = le_pt_find(&f, "weight"), *b = le_pt_find(&f, "bias");
    CHECK(w && w->ndim == 2 && w->shape[0] == 32 && w->shape[1] == 32);
    CHECK(b && b->ndim == 1 && b->shape[0] == 32);
    le_pt_free(&f);
}

static void refused(const char *file, le_status want, const char *needle) {
    le_pt_file f;
    le_error err = {0};
    le_status s = le_pt_load(file, &f, &err);
    CHECK_MSG(s == want && strstr(err.message, needle), "%s: status %d: %s", file, (int)s,
              err.message);
    CHECK(f.n == 0 && f.tensors == NULL);
}

static void refused_mem(const uint8_t *b, size_t n, const char *needle) {
    le_pt_file f;
    le_error err = {0};
    le_status s = le_pt_load_mem(b, n, "mem.pt", &f, &err);
    CHECK_MSG(s != LE_OK && strstr(err.message, needle), "status %d: %s", (int)s, err.message);
}

static void test_refused(void) {
    refused(PT "module.pt", LE_ERR_UNSUPPORTED, "torch.nn.modules.linear.Linear");
    refused(PT "parameter.pt", LE_ERR_UNSUPPORTED, "_rebuild_parameter");
    refused(PT "exploit.pt", LE_ERR_UNSUPPORTED, "\"os.system\"");
    refused(PT "int_value.pt", LE_ERR_UNSUPPORTED, "not a name and a plain tensor");
    refused(PT "transposed.pt", LE_ERR_FORMAT, "not contiguous");
    refused(PT "int64.pt", LE_ERR_UNSUPPORTED, "LongStorage");
    refused("tests/fixtures/bge-m3-tiny/config.json", LE_ERR_FORMAT, "not a torch.save zip");
    char *buf;
    size_t n;
    le_error err;
    if (le_read_file(PT "good.pt", 1 << 20, &buf, &n, &err)) return;
    /* truncated: the end record is gone, or the data the directory points at */
    refused_mem((const uint8_t *)buf, n / 2, "truncated");
    refused_mem((const uint8_t *)buf, n - 10, "truncated");
    refused_mem((const uint8_t *)buf, 0, "truncated");
    /* a flipped byte inside the first entry (data.pkl) */
    size_t at = 0;
    while (at + 11 <= n && memcmp(buf + at, "collections", 11)) at++;
    CHECK(at + 11 <= n);
    if (at + 11 <= n) {
        buf[at] ^= 1;
        refused_mem((const uint8_t *)buf, n, "CRC-32");
    }
    free(buf);
}

int main(void) {
    test_good();
    test_heads();
    test_refused();
    return check_report("model/torch_pt");
}
