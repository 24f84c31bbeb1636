#include "eval/cache.h"

#include "base/hash.h"
#include "base/mapfile.h"
#include "base/outfile.h"
#include "base/sbuf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "LEVEC001"
#define HEADER_WORDS 5 /* dim, tokens, tokens_in_text, truncated, chunks */

void le_embcache_close(le_embcache *c) {
    free(c->dir);
    memset(c, 0, sizeof *c);
}

le_status le_embcache_open(le_embcache *c, const char *root, const char *config, int dim,
                           le_error *err) {
    memset(c, 0, sizeof *c);
    c->dim = dim;
    if (!root) return LE_OK;
    char h[33];
    le_hash128_hex(config, strlen(config), h);
    h[16] = 0; /* 64 bits name a configuration well enough */
    char *emb = le_path_join(root, "embeddings");
    char *dir = emb ? le_path_join(emb, h) : NULL;
    free(emb);
    if (!dir) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    if (le_mkdir_p(dir)) {
        le_status s = le_fail(err, LE_ERR_IO, "%s: cannot create the embedding cache: %s", dir,
                              strerror(errno));
        free(dir);
        return s;
    }
    char *cfg = le_path_join(dir, "config.txt");
    le_status s = LE_OK;
    if (!cfg)
        s = le_fail(err, LE_ERR_NOMEM, "out of memory");
    else if (!le_file_exists(cfg))
        s = le_write_file_atomic(cfg, config, strlen(config), err);
    free(cfg);
    if (s) {
        free(dir);
        return s;
    }
    c->dir = dir;
    return LE_OK;
}

/* <dir>/<h[0..2]>/<h[2..]>.vec, malloc'd; sub (optional) gets the folder */
static char *entry_path(const le_embcache *c, const char *prefix, const char *text, size_t len,
                        char **sub) {
    size_t pl = prefix ? strlen(prefix) : 0;
    /* prefix, a NUL, the text: the NUL keeps ("ab", "c") and ("a", "bc") apart */
    char *key = malloc(pl + 1 + len);
    if (!key) return NULL;
    if (pl) memcpy(key, prefix, pl);
    key[pl] = 0;
    if (len) memcpy(key + pl + 1, text, len);
    char h[33];
    le_hash128_hex(key, pl + 1 + len, h);
    free(key);
    size_t dl = strlen(c->dir);
    char *p = malloc(dl + 48);
    if (!p) return NULL;
    snprintf(p, dl + 48, "%s/%.2s/%s.vec", c->dir, h, h + 2);
    if (sub) {
        *sub = strndup(p, dl + 3);
        if (!*sub) {
            free(p);
            return NULL;
        }
    }
    return p;
}

static size_t record_size(int dim, size_t rows) {
    return 8 + HEADER_WORDS * 4 + rows * (size_t)dim * 4 + 8;
}

/* The whole entry file of path, when it is one valid record: its bytes and
 * how many vectors it holds (from its size). NULL otherwise (a miss). */
static unsigned char *read_record(const le_embcache *c, const char *path, size_t *rows) {
    char *text;
    size_t size;
    if (le_read_file(path, 1u << 30, &text, &size, NULL)) return NULL;
    unsigned char *buf = (unsigned char *)text;
    size_t fixed = record_size(c->dim, 0), row = (size_t)c->dim * 4;
    uint64_t sum = 0;
    int32_t dim = 0;
    if (size >= fixed + row) {
        memcpy(&sum, buf + size - 8, 8);
        memcpy(&dim, buf + 8, 4);
    }
    if (size < fixed + row || (size - fixed) % row || memcmp(buf, MAGIC, 8) || dim != c->dim ||
        sum != le_hash64(buf, size - 8, 0x63616368ULL)) {
        free(buf);
        return NULL;
    }
    *rows = (size - fixed) / row;
    return buf;
}

int le_embcache_get_rows(le_embcache *c, const char *prefix, const char *text, size_t len,
                         float **vecs, size_t *rows, le_text_result *res) {
    *vecs = NULL;
    *rows = 0;
    if (!c->dir) return 0;
    char *path = entry_path(c, prefix, text, len, NULL);
    unsigned char *buf = path ? read_record(c, path, rows) : NULL;
    free(path);
    if (buf) *vecs = malloc(*rows * (size_t)c->dim * sizeof **vecs);
    int ok = buf && *vecs;
    if (ok) {
        int32_t hdr[HEADER_WORDS];
        memcpy(hdr, buf + 8, sizeof hdr);
        memcpy(*vecs, buf + 8 + sizeof hdr, *rows * (size_t)c->dim * 4);
        if (res) {
            res->tokens = hdr[1];
            res->tokens_in_text = hdr[2];
            res->truncated = hdr[3];
            res->chunks = hdr[4];
        }
    }
    free(buf);
    if (ok)
        c->hits++;
    else
        c->misses++;
    return ok;
}

int le_embcache_get(le_embcache *c, const char *prefix, const char *text, size_t len, float *vec,
                    le_text_result *res) {
    float *v;
    size_t rows;
    int ok = le_embcache_get_rows(c, prefix, text, len, &v, &rows, res);
    if (ok && rows != 1) { /* another configuration's entry: a miss */
        ok = 0;
        c->hits--;
        c->misses++;
    }
    if (ok) memcpy(vec, v, (size_t)c->dim * sizeof *vec);
    free(v);
    return ok;
}

le_status le_embcache_put_rows(le_embcache *c, const char *prefix, const char *text, size_t len,
                               const float *vecs, size_t rows, const le_text_result *res,
                               le_error *err) {
    if (!c->dir) return LE_OK;
    char *sub = NULL;
    char *path = entry_path(c, prefix, text, len, &sub);
    if (!path) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    size_t size = record_size(c->dim, rows);
    unsigned char *buf = malloc(size);
    le_status s = LE_OK;
    if (!buf) {
        s = le_fail(err, LE_ERR_NOMEM, "out of memory");
    } else {
        memcpy(buf, MAGIC, 8);
        int32_t hdr[HEADER_WORDS] = {c->dim, res->tokens, res->tokens_in_text, res->truncated,
                                     res->chunks};
        memcpy(buf + 8, hdr, sizeof hdr);
        memcpy(buf + 8 + sizeof hdr, vecs, rows * (size_t)c->dim * 4);
        uint64_t sum = le_hash64(buf, size - 8, 0x63616368ULL);
        memcpy(buf + size - 8, &sum, 8);
        if (le_mkdir_p(sub))
            s = le_fail(err, LE_ERR_IO, "%s: cannot create the directory: %s", sub,
                        strerror(errno));
        else
            s = le_write_file_atomic(path, (const char *)buf, size, err);
    }
    if (!s) c->writes++;
    free(buf);
    free(path);
    free(sub);
    return s;
}

le_status le_embcache_put(le_embcache *c, const char *prefix, const char *text, size_t len,
                          const float *vec, const le_text_result *res, le_error *err) {
    return le_embcache_put_rows(c, prefix, text, len, vec, 1, res, err);
}
