/* MemoRAG's memory on disk (memory_cache.h). */
#include "generate/memory_cache.h"

#include "base/hash.h"
#include "base/log.h"
#include "base/mapfile.h"
#include "base/outfile.h"
#include "base/wheel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GISTS_HEAD "longembed memory gists 1\nchunks "

char *le_rag_memory_dir(const char *opt) {
    if (opt) return *opt ? strdup(opt) : NULL;
    char *root = le_cache_root(NULL);
    char *dir = root ? le_path_join(root, "memory") : NULL;
    free(root);
    return dir;
}

char *le_rag_memory_file(const char *dir, uint64_t identity, const char *ext,
                         const char *const *parts, size_t n) {
    if (!dir || !identity) return NULL;
    le_sbuf key = {0};
    le_sbuf_printf(&key, "%016llx %s %zu", (unsigned long long)identity, ext, n);
    for (size_t i = 0; i < n; i++) { /* each part's length first: no two splits collide */
        le_sbuf_printf(&key, "\n%zu\n", strlen(parts[i]));
        le_sbuf_puts(&key, parts[i]);
    }
    char hex[33], name[48];
    le_hash128_hex(key.p ? key.p : "", key.n, hex);
    const int failed = key.failed;
    le_sbuf_free(&key);
    if (failed) return NULL;
    if (le_mkdir_p(dir) != 0) {
        le_log(LE_LOG_WARN, "memory cache %s: %s (the memory is not kept on disk)", dir,
               strerror(errno));
        return NULL;
    }
    snprintf(name, sizeof name, "%s.%s", hex, ext);
    return le_path_join(dir, name);
}

int le_rag_gists_read(const char *path, le_sbuf *gists, size_t *chunks) {
    char *data = NULL;
    size_t size = 0;
    le_error err;
    gists->n = 0;
    if (!le_file_exists(path)) return 0;
    if (le_read_file(path, 0, &data, &size, &err)) {
        le_log(LE_LOG_WARN, "%s (gisting again)", err.message);
        return 0;
    }
    const size_t head = strlen(GISTS_HEAD);
    char *end = NULL;
    unsigned long long n = size > head && !memcmp(data, GISTS_HEAD, head)
                               ? strtoull(data + head, &end, 10) : 0;
    const int ok = end && end[0] == '\n' && end[1] == '\n';
    if (ok) {
        le_sbuf_puts(gists, end + 2);
        *chunks = (size_t)n;
    } else {
        le_log(LE_LOG_WARN, "%s: not a memory gists file (gisting again)", path);
    }
    free(data);
    return ok && !gists->failed;
}

void le_rag_gists_write(const char *path, const char *gists, size_t chunks) {
    le_sbuf b = {0};
    le_error err;
    le_sbuf_printf(&b, GISTS_HEAD "%zu\n\n", chunks);
    le_sbuf_puts(&b, gists);
    if (b.failed) le_log(LE_LOG_WARN, "%s: out of memory (the gists are not kept)", path);
    else if (le_write_file_atomic(path, b.p, b.n, &err)) le_log(LE_LOG_WARN, "%s", err.message);
    le_sbuf_free(&b);
}

le_status le_rag_memory_prime(const le_rag_gen *m, const le_rag_options *o, const char *mem,
                              le_rag_result *res, le_error *err) {
    if (!m->memory) return LE_OK;
    const char *turns[2] = {mem ? mem : "", le_rag_prompt_text(o->prompts, LE_RP_MEMORY_ACK)};
    char *path = le_rag_memory_file(o->memory_dir, m->identity, "kv", turns, 2);
    le_rag_memory_use use;
    memset(&use, 0, sizeof use);
    le_status s = m->memory(m->ctx, turns, 2, path, &use, err);
    free(path);
    if (s) return le_error_wrap(err, s, "memorize");
    le_rag_stage *st = le_rag_stage_get(&res->stats, "memorize");
    if (st && use.prefilled) {
        st->calls++;
        st->tokens_read += use.prefilled;
    }
    res->memory_tokens = use.tokens;
    res->memory_prefilled = use.prefilled;
    res->memory_loaded = use.loaded;
    return LE_OK;
}
