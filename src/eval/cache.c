#include "eval/cache.h"

#include "base/hash.h"
#include "base/mapfile.h"
#include "eval/sbuf.h"

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

static size_t record_size(int dim) { return 8 + HEADER_WORDS * 4 + (size_t)dim * 4 + 8; }

int le_embcache_get(le_embcache *c, const char *prefix, const char *text, size_t len, float *vec,
                    le_text_result *res) {
    if (!c->dir) return 0;
    char *path = entry_path(c, prefix, text, len, NULL);
    if (!path) return 0;
    FILE *f = fopen(path, "rb");
    free(path);
    int ok = 0;
    size_t size = record_size(c->dim);
    unsigned char *buf = f ? malloc(size + 1) : NULL;
    if (buf && fread(buf, 1, size + 1, f) == size && !memcmp(buf, MAGIC, 8)) {
        uint64_t sum;
        memcpy(&sum, buf + size - 8, 8);
        int32_t hdr[HEADER_WORDS];
        memcpy(hdr, buf + 8, sizeof hdr);
        if (sum == le_hash64(buf, size - 8, 0x63616368ULL) && hdr[0] == c->dim) {
            memcpy(vec, buf + 8 + sizeof hdr, (size_t)c->dim * 4);
            if (res) {
                res->tokens = hdr[1];
                res->tokens_in_text = hdr[2];
                res->truncated = hdr[3];
                res->chunks = hdr[4];
            }
            ok = 1;
        }
    }
    free(buf);
    if (f) fclose(f);
    if (ok)
        c->hits++;
    else
        c->misses++;
    return ok;
}

le_status le_embcache_put(le_embcache *c, const char *prefix, const char *text, size_t len,
                          const float *vec, const le_text_result *res, le_error *err) {
    if (!c->dir) return LE_OK;
    char *sub = NULL;
    char *path = entry_path(c, prefix, text, len, &sub);
    if (!path) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    size_t size = record_size(c->dim);
    unsigned char *buf = malloc(size);
    le_status s = LE_OK;
    if (!buf) {
        s = le_fail(err, LE_ERR_NOMEM, "out of memory");
    } else {
        memcpy(buf, MAGIC, 8);
        int32_t hdr[HEADER_WORDS] = {c->dim, res->tokens, res->tokens_in_text, res->truncated,
                                     res->chunks};
        memcpy(buf + 8, hdr, sizeof hdr);
        memcpy(buf + 8 + sizeof hdr, vec, (size_t)c->dim * 4);
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
