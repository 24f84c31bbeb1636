/* le_embed_m3: one le_embed pass whose windows also go through BGE-M3's
 * heads, as FlagEmbedding's M3 inference computes them
 * (inference/embedder/encoder_only/m3.py, _process_token_weights and
 * _process_colbert_vecs; finetune/.../m3/modeling.py, _sparse_embedding and
 * _colbert_embedding):
 *   lexical weights  relu(w·h_t + b) for every token t, per token id the
 *                    maximum, the ids of <s>, </s>, <pad>, <unk> dropped,
 *                    weights <= 0 dropped;
 *   colbert vectors  W·h_t + B for t = 1 .. n-1 (after <s>, </s> included),
 *                    each normalised. */
#include "embed/m3.h"

#include "base/mapfile.h"
#include "embed/embed_call.h"
#include "kernels/ops.h"
#include "model/torch_pt.h"

#include <stdlib.h>
#include <string.h>

void le_m3_heads_free(le_m3_heads *h) {
    if (!h) return;
    le_gemm_weight_free(h->w);
    free(h->bias);
    free(h);
}

static char *head_path(const le_model *m, const char *file) { return le_path_join(m->dir, file); }

int le_model_has_m3(const le_model *m) {
    char *a = head_path(m, "sparse_linear.pt"), *b = head_path(m, "colbert_linear.pt");
    int ok = a && b && le_file_exists(a) && le_file_exists(b);
    free(a);
    free(b);
    return ok;
}

/* weight [rows][hidden] and bias [rows] of one head file. */
static le_status read_head(const le_model *m, const char *file, int rows, float *w, float *b,
                           le_error *err) {
    char *path = head_path(m, file);
    if (!path) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    le_pt_file f;
    le_status s = le_pt_load(path, &f, err);
    const le_pt_tensor *tw = s ? NULL : le_pt_find(&f, "weight");
    const le_pt_tensor *tb = s ? NULL : le_pt_find(&f, "bias");
    int h = m->cfg.hidden;
    if (!s && (!tw || tw->ndim != 2 || tw->shape[0] != rows || tw->shape[1] != h || !tb ||
               tb->ndim != 1 || tb->shape[0] != rows))
        s = le_fail(err, LE_ERR_FORMAT,
                    "%s: needs \"weight\" [%d][%d] and \"bias\" [%d] (a Linear(%d, %d))", path,
                    rows, h, rows, h, rows);
    if (!s) {
        memcpy(w, tw->data, (size_t)rows * (size_t)h * sizeof *w);
        memcpy(b, tb->data, (size_t)rows * sizeof *b);
    }
    le_pt_free(&f);
    free(path);
    return s;
}

/* colbert's output size: rows of its weight (colbert_dim, hidden by default). */
static le_status colbert_rows(const le_model *m, int *rows, le_error *err) {
    char *path = head_path(m, "colbert_linear.pt");
    if (!path) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    le_pt_file f;
    le_status s = le_pt_load(path, &f, err);
    const le_pt_tensor *tw = s ? NULL : le_pt_find(&f, "weight");
    if (!s && (!tw || tw->ndim != 2 || tw->shape[0] < 1 || tw->shape[0] > 65536))
        s = le_fail(err, LE_ERR_FORMAT, "%s: no 2-D \"weight\"", path);
    if (!s) *rows = (int)tw->shape[0];
    le_pt_free(&f);
    free(path);
    return s;
}

static void special_ids(const le_model *m, le_m3_heads *h) {
    const int32_t *before, *after;
    size_t nb, na;
    le_tokenizer_template(m->tok, &before, &nb, &after, &na);
    h->special[0] = nb ? before[0] : -1;
    h->special[1] = na ? after[na - 1] : -1;
    h->special[2] = le_tokenizer_find(m->tok, "<pad>");
    h->special[3] = le_tokenizer_find(m->tok, "<unk>");
}

static le_status heads_load(le_model *m, le_m3_heads **out, le_error *err) {
    if (!le_model_has_m3(m))
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "%s: no sparse_linear.pt and colbert_linear.pt: not a BGE-M3 model", m->dir);
    int dim = 0, hid = m->cfg.hidden;
    le_status s = colbert_rows(m, &dim, err);
    if (s) return s;
    le_m3_heads *h = calloc(1, sizeof *h);
    float *w = malloc((size_t)(dim + 1) * (size_t)hid * sizeof *w);
    if (h) h->bias = malloc((size_t)(dim + 1) * sizeof *h->bias);
    if (!h || !w || !h->bias) s = le_fail(err, LE_ERR_NOMEM, "out of memory");
    if (!s) s = read_head(m, "sparse_linear.pt", 1, w, h->bias, err);
    if (!s) s = read_head(m, "colbert_linear.pt", dim, w + hid, h->bias + 1, err);
    if (!s) s = le_gemm_pack_as(m->enc.isa, LE_GEMM_F32, w, dim + 1, hid, &h->w, err);
    free(w);
    if (s) {
        le_m3_heads_free(h);
        return s;
    }
    h->dim = dim;
    special_ids(m, h);
    *out = h;
    return LE_OK;
}

le_status le_m3_heads_get(le_model *m, const le_m3_heads **out, le_error *err) {
    if (!m->m3) {
        le_status s = heads_load(m, &m->m3, err);
        if (s) return s;
    }
    *out = m->m3;
    return LE_OK;
}
