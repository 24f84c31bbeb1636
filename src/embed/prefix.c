/* Prefix presets: the names a client may give instead of a prefix. */
#include "embed/model.h"
#include "model/arch.h"

#include <string.h>

/* Presets that do not depend on the model. */
static const struct {
    const char *name, *prefix;
} g_presets[] = {
    {"none", ""},
    {"e5-query", LE_PREFIX_E5_QUERY},
    {"e5-passage", LE_PREFIX_E5_PASSAGE},
    {"bge-query", LE_PREFIX_BGE_QUERY},
};

const char *le_prefix_resolve(const le_model *m, const char *name) {
    if (!name) return NULL;
    if (!strcmp(name, "query")) return m ? m->query_prefix : NULL;
    if (!strcmp(name, "passage")) return m ? m->passage_prefix : NULL;
    for (size_t i = 0; i < sizeof g_presets / sizeof *g_presets; i++)
        if (!strcmp(name, g_presets[i].name)) return g_presets[i].prefix;
    return name;
}
