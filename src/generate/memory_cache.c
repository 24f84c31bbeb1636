/* MemoRAG's memory on disk (memory_cache.h). */
#include "generate/memory_cache.h"

#include "base/checksum.h"
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

/* The gists of a file's image data[0..size) (NUL-terminated) into gists:
 * the header's chunks, byte count and CRC-32C must match the text. */
static int parse_gists(const char *data, size_t size, le_sbuf *gists, size_t *chunks) {
    const size_t head = strlen(GISTS_HEAD);
    unsigned long long n = 0, bytes = 0;
    unsigned crc = 0;
    const char *end = size > head ? strstr(data + head, "\n\n") : NULL;
    if (!end || memcmp(data, GISTS_HEAD, head) ||
        sscanf(data + head, "%llu bytes %llu crc %8x", &n, &bytes, &crc) != 3)
        return 0;
    const char *text = end + 2;
    if ((size_t)(data + size - text) != bytes || le_crc32c(text, bytes) != crc) return 0;
    le_sbuf_add(gists, text, bytes);
    *chunks = (size_t)n;
    return !gists->failed;
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
    const int ok = parse_gists(data, size, gists, chunks);
    if (!ok) le_log(LE_LOG_WARN, "%s: not a whole memory gists file (gisting again)", path);
    free(data);
    return ok;
}

void le_rag_gists_write(const char *path, const char *gists, size_t chunks) {
    le_sbuf b = {0};
    le_error err;
    const size_t n = strlen(gists);
    le_sbuf_printf(&b, GISTS_HEAD "%zu bytes %zu crc %08x\n\n", chunks, n, le_crc32c(gists, n));
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
