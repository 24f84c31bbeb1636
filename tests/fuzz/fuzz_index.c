/* libFuzzer target for the index reader: any bytes must either open, and
 * then answer every kind of search and document lookup without reading
 * outside the input, or fail with a status and a message.
 *
 * Inputs that start with the index magic are taken as whole files. Other
 * inputs are edits of a valid index built at start-up (40 documents in two
 * segments, deletions, an HNSW graph, learned-sparse postings,
 * multi-vectors and passages): the first byte picks the checking mode (even: every
 * checksum skipped, so edits reach the structural checks; odd: checked as a
 * reader would), the next four bytes a length to cut the file to, and the
 * rest (offset, value) pairs written into the image. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index/index.h"

#define DIM 8
#define MDIM 4

static unsigned char *g_image;
static volatile unsigned g_sink; /* keeps reads that only ASan needs */
static size_t g_size;

static void build_image(void) {
    char dir[] = "/tmp/le_fuzz_index_XXXXXX";
    if (!mkdtemp(dir)) abort();
    char path[128];
    snprintf(path, sizeof path, "%s/seed.lei", dir);
    le_index_model m;
    le_index_model_init(&m);
    snprintf(m.name, sizeof m.name, "fuzz");
    m.dim = DIM;
    m.sparse_vocab = 50;
    m.multi_dim = MDIM;
    m.passage_tokens = 4;
    le_index_options o;
    le_index_options_init(&o);
    o.hnsw_min_docs = 10;
    o.hnsw_m = 4;
    o.hnsw_ef_construction = 16;
    le_index_writer *w;
    le_error err;
    if (le_index_writer_open(path, &m, &o, &w, &err)) abort();
    uint64_t s = 1;
    for (int c = 0; c < 2; c++) {
        for (int i = 0; i < 20; i++) {
            char id[16], text[64];
            float v[DIM], mv[3 * MDIM], sw[3];
            uint32_t si[3];
            for (int d = 0; d < DIM; d++) v[d] = (float)((s = s * 6364136223846793005ULL + 1) >> 40) / 16777216.0f - 0.5f;
            for (int d = 0; d < 3 * MDIM; d++) mv[d] = (float)(d % 5) - 2;
            for (int k = 0; k < 3; k++) si[k] = (uint32_t)(i * 3 + k) % 50, sw[k] = 0.5f + (float)k;
            snprintf(id, sizeof id, "d%d", c * 20 + i);
            snprintf(text, sizeof text, "river %d bread lease %d the mill", i % 7, c);
            le_index_doc d = {0};
            d.id = id;
            d.text = text;
            d.dense = v;
            d.n_sparse = 3;
            d.sparse_ids = si;
            d.sparse_weights = sw;
            d.n_multi = (size_t)(i % 4);
            d.multi = mv;
            /* passages: "river N", "bread lease N", "the mill" (1 to 3 of them) */
            size_t len = strlen(text), cut1 = (size_t)(strchr(text, 'b') - text),
                   cut2 = (size_t)(strstr(text, "the") - text);
            le_passage sp[3] = {{0, 0, cut1 - 1, 0, 2, 1}, {0, cut1, cut2 - 1, 2, 5, 1}, {0, cut2, len, 5, 7, 0}};
            float pv[3 * DIM];
            for (int k = 0; k < 3 * DIM; k++) pv[k] = v[k % DIM] * (float)(k / DIM + 1);
            le_index_doc_passages dp = {1 + (size_t)(i % 3), sp, pv};
            if (le_index_writer_add_passages(w, 1, &d, &dp, &err)) abort();
        }
        if (le_index_writer_commit(w, &err)) abort();
    }
    const char *del[2] = {"d3", "d25"};
    if (le_index_writer_delete(w, 2, del, NULL, &err) || le_index_writer_commit(w, &err)) abort();
    le_index_writer_close(w);
    FILE *f = fopen(path, "rb");
    if (!f) abort();
    fseek(f, 0, SEEK_END);
    g_size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    g_image = malloc(g_size);
    if (!g_image || fread(g_image, 1, g_size, f) != g_size) abort();
    fclose(f);
    unlink(path);
    char lock[160];
    snprintf(lock, sizeof lock, "%s.lock", path);
    unlink(lock);
    rmdir(dir);
}

static void exercise(le_index *ix) {
    le_index_info info;
    le_index_get_info(ix, &info);
    size_t n = le_index_count(ix);
    for (size_t d = 0; d < n; d++) {
        le_index_doc_info di;
        if (le_index_get_doc(ix, d, &di, NULL) != LE_OK) abort();
        if (strlen(di.id) == 0) abort();
        if (le_index_find(ix, di.id) < 0) abort();
        size_t np = le_index_doc_passages_count(ix, d);
        for (size_t j = 0; j < np; j++) {
            le_passage p;
            if (le_index_get_passage(ix, d, j, &p, NULL) != LE_OK) abort();
            if (p.byte_end < p.byte_start || p.byte_end > di.text_len) abort();
            unsigned sum = 0; /* the span is readable (ASan watches) */
            for (size_t x = p.byte_start; di.text && x < p.byte_end; x++) sum += (unsigned char)di.text[x];
            g_sink += sum;
        }
    }
    float q[DIM] = {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f, 0.7f, -0.8f};
    float qm[2 * MDIM] = {1, 0, 0, 0, 0, 1, 0, 0};
    uint32_t si[3] = {1, 7, 49};
    float sw[3] = {1, 2, 0.5f};
    le_index_query qq = {"river the bread mill", 0, q, 3, si, sw, 2, qm};
    le_index_hit hits[8];
    le_hit_passage where[8];
    le_error err;
    for (int mode = 0; mode < 5; mode++)
        for (int exact = 0; exact < 2; exact++) {
            le_search_options so;
            le_search_options_init(&so);
            so.mode = (le_search_mode)mode;
            so.k = 8;
            so.exact = exact;
            so.rerank = exact && info.model.multi_dim > 0;
            so.fuse = exact ? LE_FUSE_RRF : LE_FUSE_ZSCORE;
            so.passages = where;
            so.passage_topk = exact ? 2 : 0;
            int nh = -1;
            /* a query of the wrong shape must not be read past: only search when it fits */
            if (info.model.dim > DIM || info.model.multi_dim > MDIM) continue;
            if (le_index_search(ix, &qq, &so, hits, &nh, &err) == LE_OK) {
                if (nh < 0 || nh > 8) abort();
                for (int i = 0; i < nh; i++) {
                    if (hits[i].doc >= n) abort();
                    if (where[i].passage >= (long)le_index_doc_passages_count(ix, hits[i].doc)) abort();
                }
            } else if (!err.message[0]) {
                abort();
            }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!g_image) build_image();
    unsigned char *buf;
    size_t len;
    int verify = 1;
    if (size >= 8 && !memcmp(data, LE_IDX_MAGIC, 8)) {
        len = size;
        buf = aligned_alloc(64, (len + 63) / 64 * 64);
        if (!buf) return 0;
        memcpy(buf, data, len);
    } else {
        if (size < 5) return 0;
        verify = data[0] & 1 ? 1 : -1;
        uint32_t cut;
        memcpy(&cut, data + 1, 4);
        len = cut % (g_size + 1) < g_size / 2 ? g_size : cut % (g_size + 1);
        buf = aligned_alloc(64, (g_size + 63) / 64 * 64);
        if (!buf) return 0;
        memcpy(buf, g_image, g_size);
        for (size_t i = 5; i + 3 <= size; i += 3) {
            size_t off = ((size_t)data[i] << 8 | data[i + 1]) * (g_size / 65536 + 1);
            if (off < len) buf[off] = data[i + 2];
        }
    }
    le_index_options o;
    le_index_options_init(&o);
    o.verify = verify;
    o.threads = 1;
    le_index *ix;
    le_error err;
    if (le_index_open_memory(buf, len, &o, &ix, &err) != LE_OK) {
        if (err.code == LE_OK || !err.message[0]) abort();
    } else {
        exercise(ix);
        le_index_close(ix);
    }
    free(buf);
    return 0;
}
