/* The embedding cache of the benchmark: one file per embedded text under
 *   <cache root>/embeddings/<configuration>/<h[0..2]>/<h[2..32]>.vec
 * where <configuration> is a hash of everything that changes a vector other
 * than the text (model identity, extension method, max tokens, …; written
 * out in config.txt beside the files) and h is a 128-bit hash of the prefix
 * and the text. A file holds a header, the le_text_result and the vectors
 * (one, or a document's passage vectors: their number follows from the
 * file's size), and a checksum; a damaged or foreign file counts as a miss and is
 * rewritten. Files are written to a temporary name and renamed, so a killed
 * run leaves only whole files. */
#ifndef LE_EVAL_CACHE_H
#define LE_EVAL_CACHE_H

#include "longembed.h"

#include <stddef.h>

typedef struct le_embcache {
    char *dir; /* NULL: the cache is off */
    int dim;
    size_t hits, misses, writes;
} le_embcache;

/* Opens (creates) the cache of one configuration. root NULL: off. */
le_status le_embcache_open(le_embcache *c, const char *root, const char *config, int dim,
                           le_error *err);
void le_embcache_close(le_embcache *c);

/* 1 and the vector (dim floats) and result when text (with prefix) is cached. */
int le_embcache_get(le_embcache *c, const char *prefix, const char *text, size_t len, float *vec,
                    le_text_result *res);
le_status le_embcache_put(le_embcache *c, const char *prefix, const char *text, size_t len,
                          const float *vec, const le_text_result *res, le_error *err);
/* The same for an entry of rows vectors (a document's passages): get
 * returns them in *vecs (malloc'd, the caller frees) and their number. */
int le_embcache_get_rows(le_embcache *c, const char *prefix, const char *text, size_t len,
                         float **vecs, size_t *rows, le_text_result *res);
le_status le_embcache_put_rows(le_embcache *c, const char *prefix, const char *text, size_t len,
                               const float *vecs, size_t rows, const le_text_result *res,
                               le_error *err);

#endif
