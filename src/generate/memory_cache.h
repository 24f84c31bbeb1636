/* MemoRAG's memory on disk (docs/ask.md, "The memory cache"): the gists of
 * a document's chunks (MemoRAG-lite) and the KV cache of the memory
 * conversation [memory prompt, acknowledgement], each in a file of the
 * memory directory named by a digest of what it depends on: the model's
 * identity (le_rag_gen.identity), the document or memory text, the prompts
 * and the settings. A second question about the same document then loads
 * the memory instead of gisting and prefilling it again. A file that
 * cannot be read, written or trusted is logged and recomputed: the cache
 * never makes a run fail. */
#ifndef LE_GENERATE_MEMORY_CACHE_H
#define LE_GENERATE_MEMORY_CACHE_H

#include "generate/rag_pipeline.h"

/* The memory directory for an option: NULL → <cache root>/memory (the
 * cache root of le_cache_root, e.g. ~/.cache/longembed), "" → NULL (no
 * memory on disk), else a copy. malloc'd. */
char *le_rag_memory_dir(const char *opt);

/* dir/<32 hex digits>.<ext>, the digest of identity, ext and
 * parts[0..n); dir created when missing. NULL (no file) when dir is NULL,
 * identity is 0 or dir cannot be made (logged). malloc'd. */
char *le_rag_memory_file(const char *dir, uint64_t identity, const char *ext,
                         const char *const *parts, size_t n);

/* The gists file at path into gists (emptied first) and *chunks: 1 when
 * it holds them, 0 when it is missing or unreadable (logged). */
int le_rag_gists_read(const char *path, le_sbuf *gists, size_t *chunks);
/* Writes gists and chunks to path (a failure logged). */
void le_rag_gists_write(const char *path, const char *gists, size_t chunks);

/* memorize's last step: the memory conversation [mem, acknowledgement]
 * made the start of the memory model's KV cache through m->memory (a
 * generator without it: nothing), from o->memory_dir's file when it holds
 * it; res gets memory_tokens, memory_prefilled, memory_loaded, and the
 * memorize stage one call with the prefilled tokens when there were any. */
le_status le_rag_memory_prime(const le_rag_gen *m, const le_rag_options *o, const char *mem,
                              le_rag_result *res, le_error *err);

#endif
