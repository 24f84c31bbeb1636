/* The decoder's KV cache on disk (le_llm_save_cache / le_llm_load_cache)
 * and the model identity that keys it.
 *
 * A file is a 128-byte header (kv_header, little-endian as the machines we
 * build for) then the token ids (int32 × n) and, per layer, the keys and
 * the values (fp32 × n × kv_dim each), exactly as the run holds them, so a
 * loaded cache continues bit for bit as the prefill that made it. The CRC
 * covers everything after the header. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/checksum.h"
#include "base/hash.h"
#include "base/log.h"
#include "base/mapfile.h"
#include "base/outfile.h"
#include "generate/llm_impl.h"

#define KV_MAGIC "LEKVCACH"
#define KV_VERSION 1u

typedef struct kv_header {
    char magic[8];
    uint32_t version, header_size;
    uint64_t identity;
    uint32_t layers, kv_dim, n_tokens, vocab;
    uint32_t crc, reserved0;
    char model[64]; /* the writer's le_llm_info.name, for messages */
    uint8_t reserved[16];
} kv_header;

_Static_assert(sizeof(kv_header) == 128, "the KV cache header is 128 bytes");

/* Hashes up to n bytes at each end and the middle of a tensor's data. */
static uint64_t hash_samples(uint64_t h, const unsigned char *p, size_t size, size_t n) {
    if (size <= 3 * n) return le_hash64(p, size, h);
    h = le_hash64(p, n, h);
    h = le_hash64(p + size / 2, n, h);
    return le_hash64(p + size - n, n, h);
}

/* The GGUF's part: metadata (scalars and strings; arrays by type and
 * count), the tensor table and samples of every tensor's bytes. */
static uint64_t gguf_identity(const le_gguf *g) {
    uint64_t h = 0x6c6c6d2d6b76ull;
    for (size_t i = 0; i < le_gguf_kv_count(g); i++) {
        const le_gguf_kv *kv = le_gguf_kv_at(g, i);
        const uint64_t nums[4] = {kv->type, kv->elem_type, kv->count, kv->num.u};
        h = le_hash64(kv->key, strlen(kv->key), h);
        h = le_hash64(nums, sizeof nums, h);
        if (kv->str) h = le_hash64(kv->str, kv->str_len, h);
    }
    for (size_t i = 0; i < le_gguf_tensor_count(g); i++) {
        const le_gguf_tensor *t = le_gguf_tensor_at(g, i);
        uint64_t nums[3 + LE_GGUF_MAX_DIMS] = {t->type, t->offset, t->nbytes};
        for (int d = 0; d < LE_GGUF_MAX_DIMS; d++) nums[3 + d] = (uint64_t)t->ne[d];
        h = le_hash64(t->name, strlen(t->name), h);
        h = le_hash64(nums, sizeof nums, h);
        h = hash_samples(h, t->data, t->nbytes, 1024);
    }
    return h;
}

void le_llm_compute_identity(le_llm *m) {
    const le_pos_plan *p = &m->run.plan;
    /* what else decides the keys and values: the activations' precision and
     * the positions (not the ISA or the threads: those give the same bits) */
    const double run[12] = {m->exact,      m->extend,      p->attn_scale, p->rope_kind,
                            p->rope_factor, p->yarn_window, p->theta_scale, p->pos_div,
                            p->se_group,   p->se_window,   p->dynamic_factor,
                            m->extend != LE_EXTEND_NONE ? m->run.max_tokens : 0};
    m->identity = le_hash64(run, sizeof run, gguf_identity(m->model->gguf));
}

/* The bytes of one layer's keys (or values) of n tokens. */
static size_t layer_bytes(const le_llm *m, size_t n) {
    return n * (size_t)le_llama_kv_dim(&m->model->c) * sizeof(float);
}

/* Writes p[0..n) to fd, into the CRC; 0 or the errno. */
static int put(int fd, const void *p, size_t n, uint32_t *crc) {
    *crc = le_crc32c_update(*crc, p, n);
    return le_outfile_write(fd, p, n);
}

/* The writer of le_write_file_with: the header (its CRC last) and the data. */
static le_status write_cache(int fd, void *user, int *e, le_error *err) {
    (void)err;
    const le_llm *m = user;
    const le_llm_run *r = &m->run;
    kv_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, KV_MAGIC, 8);
    h.version = KV_VERSION;
    h.header_size = sizeof h;
    h.identity = m->identity;
    h.layers = (uint32_t)m->model->c.layers;
    h.kv_dim = (uint32_t)le_llama_kv_dim(&m->model->c);
    h.n_tokens = (uint32_t)r->n;
    h.vocab = (uint32_t)m->model->c.vocab;
    memcpy(h.model, m->name, strnlen(m->name, sizeof h.model - 1)); /* cut: only for messages */
    *e = le_outfile_write(fd, &h, sizeof h);
    if (!*e && r->n) *e = put(fd, r->ids, (size_t)r->n * sizeof *r->ids, &h.crc);
    for (int l = 0; !*e && r->n && l < m->model->c.layers; l++) {
        *e = put(fd, r->k[l], layer_bytes(m, (size_t)r->n), &h.crc);
        if (!*e) *e = put(fd, r->v[l], layer_bytes(m, (size_t)r->n), &h.crc);
    }
    if (!*e && pwrite(fd, &h, sizeof h, 0) != (ssize_t)sizeof h) *e = errno ? errno : EIO;
    return LE_OK;
}

le_status le_llm_save_cache(le_llm *m, const char *path, le_error *err) {
    if (!m || !path || !*path) return le_fail(err, LE_ERR_ARG, "le_llm_save_cache: NULL argument");
    le_status s = le_write_file_with(path, write_cache, m, err);
    return s ? le_error_wrap(err, s, "saving the KV cache") : LE_OK;
}

/* The header's checks against the model and the file's size. */
static le_status check_header(const le_llm *m, const kv_header *h, uint64_t size,
                              const char *path, le_error *err) {
    const le_llama_config *c = &m->model->c;
    if (memcmp(h->magic, KV_MAGIC, 8))
        return le_fail(err, LE_ERR_FORMAT, "%s: not a longembed KV cache file", path);
    if (h->version != KV_VERSION || h->header_size != sizeof *h)
        return le_fail(err, LE_ERR_FORMAT, "%s: KV cache version %u (header %u bytes); this build "
                       "reads version %u", path, h->version, h->header_size, KV_VERSION);
    if (h->identity != m->identity)
        return le_fail(err, LE_ERR_FORMAT, "%s: the KV cache of another model or precision "
                       "(%.64s, identity %016llx), not of %s (identity %016llx)", path,
                       h->model, (unsigned long long)h->identity, m->name,
                       (unsigned long long)m->identity);
    if (h->layers != (uint32_t)c->layers || h->kv_dim != (uint32_t)le_llama_kv_dim(c) ||
        h->vocab != (uint32_t)c->vocab)
        return le_fail(err, LE_ERR_FORMAT, "%s: corrupt KV cache header (%u layers of width %u, "
                       "vocabulary %u; the model has %d, %d, %d)", path, h->layers, h->kv_dim,
                       h->vocab, c->layers, le_llama_kv_dim(c), c->vocab);
    if (h->n_tokens > (uint32_t)m->run.max_tokens)
        return le_fail(err, LE_ERR_FORMAT, "%s: the KV cache holds %u tokens, more than this "
                       "handle's context of %d", path, h->n_tokens, m->run.max_tokens);
    const uint64_t want = sizeof *h + (uint64_t)h->n_tokens * sizeof(int32_t) +
                          2 * (uint64_t)h->layers * layer_bytes(m, h->n_tokens);
    if (size != want)
        return le_fail(err, LE_ERR_FORMAT, "%s: %s KV cache: %llu bytes, %llu expected for %u "
                       "tokens", path, size < want ? "truncated" : "oversized",
                       (unsigned long long)size, (unsigned long long)want, h->n_tokens);
    return LE_OK;
}

/* Reads n bytes into p and the CRC. */
static le_status get(FILE *f, void *p, size_t n, uint32_t *crc, const char *path, le_error *err) {
    if (fread(p, 1, n, f) != n)
        return le_fail(err, LE_ERR_IO, "%s: cannot read the KV cache (it changed while read?)",
                       path);
    *crc = le_crc32c_update(*crc, p, n);
    return LE_OK;
}

/* The data after the header into the run; the CRC and the ids checked. */
static le_status read_data(le_llm *m, FILE *f, const kv_header *h, const char *path,
                           le_error *err) {
    le_llm_run *r = &m->run;
    const size_t n = h->n_tokens;
    uint32_t crc = 0;
    le_status s = le_llm_run_reserve(r, (int)n, err);
    if (!s && n) s = get(f, r->ids, n * sizeof *r->ids, &crc, path, err);
    for (int l = 0; !s && n && l < m->model->c.layers; l++) {
        s = get(f, r->k[l], layer_bytes(m, n), &crc, path, err);
        if (!s) s = get(f, r->v[l], layer_bytes(m, n), &crc, path, err);
    }
    if (!s && crc != h->crc)
        return le_fail(err, LE_ERR_FORMAT, "%s: corrupt KV cache (checksum %08x, the header says "
                       "%08x)", path, crc, h->crc);
    for (size_t i = 0; !s && i < n; i++)
        if (r->ids[i] < 0 || r->ids[i] >= m->model->c.vocab)
            return le_fail(err, LE_ERR_FORMAT, "%s: corrupt KV cache (token %zu is %d)", path, i,
                           (int)r->ids[i]);
    return s;
}

le_status le_llm_load_cache(le_llm *m, const char *path, le_error *err) {
    if (!m || !path) return le_fail(err, LE_ERR_ARG, "le_llm_load_cache: NULL argument");
    le_llm_run_keep(&m->run, 0); /* empty from here: a failed load leaves no stale tokens */
    FILE *f = fopen(path, "rb");
    if (!f) return le_fail(err, LE_ERR_IO, "%s: cannot open the KV cache: %s", path,
                           strerror(errno));
    struct stat st;
    kv_header h;
    le_status s = LE_OK;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        s = le_fail(err, LE_ERR_IO, "%s: not a regular file", path);
    else if ((uint64_t)st.st_size < sizeof h)
        s = le_fail(err, LE_ERR_FORMAT, "%s: truncated KV cache: %llu bytes, less than its "
                    "header's %zu", path, (unsigned long long)st.st_size, sizeof h);
    else if (fread(&h, sizeof h, 1, f) != 1)
        s = le_fail(err, LE_ERR_IO, "%s: cannot read the KV cache header", path);
    if (!s) s = check_header(m, &h, (uint64_t)st.st_size, path, err);
    if (!s) s = read_data(m, f, &h, path, err);
    if (!s) m->run.n = (int)h.n_tokens;
    fclose(f);
    return s;
}

/* text's ids (no BOS) into *ids (malloc'd), *n. */
static le_status text_ids(le_llm *m, const char *text, int32_t **ids, size_t *n, le_error *err) {
    const size_t len = strlen(text);
    *ids = NULL;
    le_status s = le_llm_tokenize(m, text, len, 0, NULL, 0, n, err);
    if (!s && !(*ids = malloc(sizeof **ids * (*n ? *n : 1))))
        s = le_fail(err, LE_ERR_NOMEM, "out of memory");
    if (!s) s = le_llm_tokenize(m, text, len, 0, *ids, *n, n, err);
    if (!s && *n > (size_t)m->run.max_tokens)
        s = le_fail(err, LE_ERR_TOO_LONG, "the prefix is %zu tokens, more than the context of %d",
                    *n, m->run.max_tokens);
    return s;
}

/* The cache (its first n tokens) to path; a failure only logged. */
static void save_prefix(le_llm *m, size_t n, const char *path, le_llm_prefix_use *use) {
    le_error e;
    le_llm_run_keep(&m->run, (int)n);
    if (le_llm_save_cache(m, path, &e)) le_log(LE_LOG_WARN, "%s", e.message);
    else use->saved = 1;
}

le_status le_llm_cache_prefix(le_llm *m, const char *text, const char *path,
                              le_llm_prefix_use *use, le_error *err) {
    memset(use, 0, sizeof *use);
    int32_t *ids = NULL;
    size_t n = 0;
    le_status s = text_ids(m, text, &ids, &n, err);
    size_t c = s ? 0 : le_ids_shared(m->run.ids, (size_t)m->run.n, ids, n);
    const int on_disk = path && le_file_exists(path);
    if (!s && c < n && on_disk) {
        le_error e;
        if (le_llm_load_cache(m, path, &e)) le_log(LE_LOG_WARN, "%s (computing it again)", e.message);
        c = le_ids_shared(m->run.ids, (size_t)m->run.n, ids, n);
        use->loaded = c == n;
    }
    if (!s && c < n) {
        le_llm_run_keep(&m->run, (int)c);
        s = le_llm_run_eval(&m->run, ids + c, (int)(n - c), NULL, 0, err);
        use->prefilled = n - c;
    }
    use->tokens = n;
    if (!s && path && !use->loaded && (use->prefilled || !on_disk)) save_prefix(m, n, path, use);
    free(ids);
    return s;
}
