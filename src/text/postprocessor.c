#include "text/postprocessor.h"

#include "base/json.h"

#include <limits.h>
#include <string.h>

static int json_id(const cJSON *v, int32_t *out) {
    if (!cJSON_IsNumber(v)) return 0;
    double d = v->valuedouble;
    if (!(d >= 0 && d <= INT32_MAX) || d != (double)(int32_t)d) return 0;
    *out = (int32_t)d;
    return 1;
}

/* Prepends ids to v (the outer processor of a Sequence wraps the inner). */
static le_status ids_prepend(le_ids *v, const int32_t *ids, size_t n) {
    if (n == 0) return LE_OK;
    for (size_t i = 0; i < n; i++) {
        le_status s = le_ids_push(v, 0);
        if (s) return s;
    }
    memmove(v->ids + n, v->ids, (v->n - n) * sizeof *v->ids);
    memcpy(v->ids, ids, n * sizeof *ids);
    return LE_OK;
}

/* ["[CLS]", 101] */
static le_status pair_id(const cJSON *j, const char *key, const char *type, int32_t *id,
                         const char *what, le_error *err) {
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, key);
    if (!cJSON_IsArray(p) || cJSON_GetArraySize(p) != 2 || !json_id(cJSON_GetArrayItem(p, 1), id))
        return le_fail(err, LE_ERR_FORMAT, "%s: %s needs \"%s\": [token, id]", what, type, key);
    return LE_OK;
}

static le_status template_parse(const cJSON *j, le_ids *before, le_ids *after, const char *what,
                                le_error *err) {
    const cJSON *single = cJSON_GetObjectItemCaseSensitive(j, "single");
    const cJSON *specials = cJSON_GetObjectItemCaseSensitive(j, "special_tokens");
    if (!cJSON_IsArray(single))
        return le_fail(err, LE_ERR_FORMAT, "%s: TemplateProcessing needs a \"single\" array", what);
    int seen_a = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, single) {
        const cJSON *seq = cJSON_GetObjectItemCaseSensitive(it, "Sequence");
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(it, "SpecialToken");
        if (cJSON_IsObject(seq)) {
            const char *id = le_json_str(seq, "id");
            if (!id || strcmp(id, "A") || seen_a)
                return le_fail(err, LE_ERR_UNSUPPORTED,
                               "%s: TemplateProcessing single template must hold $A exactly once",
                               what);
            seen_a = 1;
            continue;
        }
        const char *name = cJSON_IsObject(sp) ? le_json_str(sp, "id") : NULL;
        if (!name)
            return le_fail(err, LE_ERR_FORMAT,
                           "%s: TemplateProcessing single template has an unknown piece", what);
        const cJSON *tok =
            cJSON_IsObject(specials) ? cJSON_GetObjectItemCaseSensitive(specials, name) : NULL;
        const cJSON *ids = tok ? cJSON_GetObjectItemCaseSensitive(tok, "ids") : NULL;
        if (!cJSON_IsArray(ids))
            return le_fail(err, LE_ERR_FORMAT,
                           "%s: TemplateProcessing special token \"%s\" is missing from "
                           "special_tokens",
                           what, name);
        const cJSON *idv;
        cJSON_ArrayForEach(idv, ids) {
            int32_t id;
            if (!json_id(idv, &id))
                return le_fail(err, LE_ERR_FORMAT,
                               "%s: TemplateProcessing special token \"%s\" has a bad id", what,
                               name);
            if (le_ids_push(seen_a ? after : before, id))
                return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
        }
    }
    if (!seen_a)
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "%s: TemplateProcessing single template must hold $A exactly once", what);
    return LE_OK;
}

static le_status processor_parse(const cJSON *j, le_ids *before, le_ids *after, const char *what,
                                 le_error *err) {
    if (!cJSON_IsObject(j))
        return le_fail(err, LE_ERR_FORMAT, "%s: a post_processor must be an object", what);
    const char *type = le_json_str(j, "type");
    if (!type) return le_fail(err, LE_ERR_FORMAT, "%s: post_processor without a \"type\"", what);
    if (!strcmp(type, "TemplateProcessing")) return template_parse(j, before, after, what, err);
    if (!strcmp(type, "ByteLevel")) return LE_OK; /* changes offsets only */
    if (!strcmp(type, "BertProcessing") || !strcmp(type, "RobertaProcessing")) {
        int32_t cls, sep;
        le_status s;
        if ((s = pair_id(j, "cls", type, &cls, what, err)) ||
            (s = pair_id(j, "sep", type, &sep, what, err)))
            return s;
        if (le_ids_push(before, cls) || le_ids_push(after, sep))
            return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
        return LE_OK;
    }
    if (!strcmp(type, "Sequence")) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(j, "processors");
        if (!cJSON_IsArray(list))
            return le_fail(err, LE_ERR_FORMAT,
                           "%s: Sequence post_processor needs a \"processors\" array", what);
        const cJSON *it;
        cJSON_ArrayForEach(it, list) {
            le_ids b = {0}, a = {0};
            le_status s = processor_parse(it, &b, &a, what, err);
            if (!s && ids_prepend(before, b.ids, b.n))
                s = le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
            for (size_t i = 0; !s && i < a.n; i++)
                if (le_ids_push(after, a.ids[i]))
                    s = le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
            le_ids_free(&b);
            le_ids_free(&a);
            if (s) return s;
        }
        return LE_OK;
    }
    return le_fail(err, LE_ERR_UNSUPPORTED, "%s: post_processor \"%s\" is not supported yet", what,
                   type);
}

le_status le_postprocessor_from_json(const cJSON *j, le_ids *before, le_ids *after,
                                     const char *what, le_error *err) {
    if (!j || cJSON_IsNull(j)) return LE_OK;
    return processor_parse(j, before, after, what, err);
}
