/* Request bodies: JSON → checked structs (request.h). */
#include "server/request.h"

#include "base/json.h"
#include "base/utf8.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most inputs one request may carry (OpenAI allows 2048). */
#define MAX_INPUTS 2048

int le_srv_failf(le_srv_fail *f, int http, const char *param, const char *fmt, ...) {
    f->http = http;
    f->type = http == 429   ? "rate_limit_error"
              : http >= 500 ? "server_error"
              : http == 401 ? "authentication_error"
                            : "invalid_request_error";
    snprintf(f->param, sizeof f->param, "%s", param ? param : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
    return -1;
}

/* Line and column (from 1) of byte off of s. */
static void line_col(const char *s, size_t off, size_t *line, size_t *col) {
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (s[i] == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

int le_srv_parse_object(const char *body, size_t len, cJSON **out, le_srv_fail *f) {
    *out = NULL;
    size_t lead = 0;
    while (lead < len && strchr(" \t\r\n", body[lead])) lead++;
    if (lead == len) return le_srv_failf(f, 400, "", "the request body is empty: expected JSON");
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    size_t off = end && end >= body && end <= body + len ? (size_t)(end - body) : len;
    if (j) {
        while (off < len && strchr(" \t\r\n", body[off])) off++;
        if (off == len) {
            if (cJSON_IsObject(j)) {
                *out = j;
                return 0;
            }
            cJSON_Delete(j);
            return le_srv_failf(f, 400, "", "the request body must be a JSON object");
        }
        cJSON_Delete(j);
    }
    size_t line, col;
    line_col(body, off, &line, &col);
    const char *why = j ? "unexpected data after the value" : le_json_failure(body, len, off);
    return le_srv_failf(f, 400, "", "invalid JSON at byte %zu (line %zu, column %zu)%s%s", off,
                        line, col, why ? ": " : "", why ? why : "");
}

/* A string field: 0 absent (or null), 1 present, -1 of another type. */
int le_srv_opt_string(const cJSON *o, const char *key, const char **out, le_srv_fail *f) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || cJSON_IsNull(v)) return 0;
    if (!cJSON_IsString(v)) return le_srv_failf(f, 400, key, "'%s' must be a string", key);
    size_t n = strlen(v->valuestring), bad = le_utf8_check(v->valuestring, n);
    if (bad != n)
        return le_srv_failf(f, 400, key, "'%s' is not valid UTF-8 (byte %zu)", key, bad);
    *out = v->valuestring;
    return 1;
}

/* A boolean field into *out (left as it is when absent); -1 when of another type. */
int le_srv_opt_bool(const cJSON *o, const char *key, int *out, le_srv_fail *f) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || cJSON_IsNull(v)) return 0;
    if (!cJSON_IsBool(v)) return le_srv_failf(f, 400, key, "'%s' must be true or false", key);
    *out = cJSON_IsTrue(v);
    return 1;
}

/* An integer field in [lo, hi] into *out (left as it is when absent). */
int le_srv_opt_int(const cJSON *o, const char *key, int lo, int hi, int *out, le_srv_fail *f) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || cJSON_IsNull(v)) return 0;
    double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    if (!(d >= lo && d <= hi) || d != floor(d))
        return le_srv_failf(f, 400, key, "'%s' must be an integer from %d to %d", key, lo, hi);
    *out = (int)d;
    return 1;
}

/* The texts of a string or an array of strings (field key) into r. */
static int take_texts(le_srv_embed_req *r, const cJSON *in, const char *key, le_srv_fail *f) {
    r->n = cJSON_IsString(in) ? 1 : (size_t)cJSON_GetArraySize(in);
    r->texts = calloc(r->n, sizeof *r->texts);
    r->lens = calloc(r->n, sizeof *r->lens);
    if (!r->texts || !r->lens) return le_srv_failf(f, 503, "", "out of memory");
    size_t i = 0;
    const cJSON *v = in;
    if (!cJSON_IsString(in)) v = in->child;
    for (; i < r->n; i++, v = v->next) {
        if (!cJSON_IsString(v))
            return le_srv_failf(f, 400, key, "'%s'[%zu] must be a string", key, i);
        size_t n = strlen(v->valuestring), bad = le_utf8_check(v->valuestring, n);
        if (bad != n)
            return le_srv_failf(f, 400, key, "'%s'[%zu] is not valid UTF-8 (byte %zu)", key, i,
                                bad);
        r->texts[i] = v->valuestring;
        r->lens[i] = n;
    }
    return 0;
}

/* One token array (OpenAI's token input) into ids[i]. */
static int take_id_array(le_srv_embed_req *r, size_t i, const cJSON *a, le_srv_fail *f) {
    size_t n = (size_t)cJSON_GetArraySize(a);
    r->ids[i] = malloc((n ? n : 1) * sizeof *r->ids[i]);
    if (!r->ids[i]) return le_srv_failf(f, 503, "", "out of memory");
    r->n_ids[i] = n;
    size_t k = 0;
    for (const cJSON *v = a->child; v; v = v->next, k++) {
        double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
        if (!(d >= 0 && d <= INT32_MAX) || d != floor(d))
            return le_srv_failf(f, 400, "input", "input[%zu][%zu] must be a token id (an integer >= 0)",
                                i, k);
        r->ids[i][k] = (int32_t)d;
    }
    return 0;
}

/* [int] (one input) or [[int], …] into r->ids. */
static int take_ids(le_srv_embed_req *r, const cJSON *in, le_srv_fail *f) {
    int nested = cJSON_IsArray(in->child);
    r->n = nested ? (size_t)cJSON_GetArraySize(in) : 1;
    r->ids = calloc(r->n, sizeof *r->ids);
    r->n_ids = calloc(r->n, sizeof *r->n_ids);
    if (!r->ids || !r->n_ids) return le_srv_failf(f, 503, "", "out of memory");
    if (!nested) return take_id_array(r, 0, in, f);
    size_t i = 0;
    for (const cJSON *a = in->child; a; a = a->next, i++) {
        if (!cJSON_IsArray(a))
            return le_srv_failf(f, 400, "input", "input[%zu] must be an array of token ids", i);
        if (take_id_array(r, i, a, f)) return -1;
    }
    return 0;
}

/* The input field key: a string, strings, or (tokens_ok) token arrays. */
static int take_input(le_srv_embed_req *r, const char *key, int tokens_ok, le_srv_fail *f) {
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(r->root, key);
    if (!in || cJSON_IsNull(in)) return le_srv_failf(f, 400, key, "'%s' is required", key);
    if (cJSON_IsString(in)) return take_texts(r, in, key, f);
    if (!cJSON_IsArray(in))
        return le_srv_failf(f, 400, key, "'%s' must be a string or an array of strings%s", key,
                            tokens_ok ? " or of token arrays" : "");
    int n = cJSON_GetArraySize(in);
    if (n == 0) return le_srv_failf(f, 400, key, "'%s' is an empty array", key);
    if (n > MAX_INPUTS)
        return le_srv_failf(f, 413, key, "'%s' has %d inputs, more than %d", key, n, MAX_INPUTS);
    if (tokens_ok && (cJSON_IsNumber(in->child) || cJSON_IsArray(in->child)))
        return take_ids(r, in, f);
    return take_texts(r, in, key, f);
}

/* The fields of ours both shapes take. */
static int take_extras(le_srv_embed_req *r, le_srv_fail *f) {
    if (le_srv_opt_string(r->root, "extend", &r->extend, f) < 0) return -1;
    if (le_srv_opt_string(r->root, "prefix", &r->prefix, f) < 0) return -1;
    if (le_srv_opt_int(r->root, "max_tokens", 1, 1 << 30, &r->max_tokens, f) < 0) return -1;
    if (le_srv_opt_bool(r->root, "truncate", &r->truncate, f) < 0) return -1;
    if (le_srv_opt_bool(r->root, "normalize", &r->normalize, f) < 0) return -1;
    return 0;
}

static void embed_req_init(le_srv_embed_req *r) {
    memset(r, 0, sizeof *r);
    r->truncate = -1;
    r->normalize = -1;
    r->add_special = 1;
}

int le_srv_parse_openai(const char *body, size_t len, le_srv_embed_req *r, le_srv_fail *f) {
    embed_req_init(r);
    if (le_srv_parse_object(body, len, &r->root, f)) return -1;
    if (take_input(r, "input", 1, f) || take_extras(r, f)) return -1;
    const char *model = NULL, *format = NULL, *user = NULL;
    if (le_srv_opt_string(r->root, "model", &model, f) < 0) return -1;
    if (le_srv_opt_string(r->root, "user", &user, f) < 0) return -1;
    if (le_srv_opt_string(r->root, "encoding_format", &format, f) < 0) return -1;
    if (format && strcmp(format, "float") && strcmp(format, "base64"))
        return le_srv_failf(f, 400, "encoding_format",
                            "'encoding_format' must be \"float\" or \"base64\", not \"%s\"", format);
    r->base64 = format && !strcmp(format, "base64");
    return le_srv_opt_int(r->root, "dimensions", 1, 1 << 20, &r->dimensions, f) < 0 ? -1 : 0;
}

int le_srv_parse_tei(const char *body, size_t len, le_srv_embed_req *r, le_srv_fail *f) {
    embed_req_init(r);
    if (le_srv_parse_object(body, len, &r->root, f)) return -1;
    if (take_input(r, "inputs", 0, f) || take_extras(r, f)) return -1;
    const char *prompt = NULL;
    if (le_srv_opt_string(r->root, "prompt_name", &prompt, f) < 0) return -1;
    if (prompt && r->prefix)
        return le_srv_failf(f, 400, "prompt_name", "give 'prompt_name' or 'prefix', not both");
    if (prompt) r->prefix = prompt;
    return le_srv_opt_bool(r->root, "add_special_tokens", &r->add_special, f) < 0 ? -1 : 0;
}

void le_srv_embed_req_free(le_srv_embed_req *r) {
    if (r->ids)
        for (size_t i = 0; i < r->n; i++) free(r->ids[i]);
    free(r->ids);
    free(r->n_ids);
    free(r->texts);
    free(r->lens);
    cJSON_Delete(r->root);
    memset(r, 0, sizeof *r);
}

int le_srv_parse_search(const char *body, size_t len, le_srv_search_req *r, le_srv_fail *f) {
    memset(r, 0, sizeof *r);
    r->k = 10;
    r->passages = 1;
    if (le_srv_parse_object(body, len, &r->root, f)) return -1;
    if (le_srv_opt_string(r->root, "query", &r->query, f) < 0) return -1;
    if (!r->query) return le_srv_failf(f, 400, "query", "'query' is required");
    if (le_srv_opt_string(r->root, "index", &r->index, f) < 0) return -1;
    if (le_srv_opt_string(r->root, "mode", &r->mode, f) < 0) return -1;
    if (le_srv_opt_string(r->root, "id_prefix", &r->id_prefix, f) < 0) return -1;
    if (le_srv_opt_int(r->root, "k", 1, 10000, &r->k, f) < 0) return -1;
    if (le_srv_opt_bool(r->root, "truncate", &r->truncate, f) < 0) return -1;
    return le_srv_opt_bool(r->root, "passages", &r->passages, f) < 0 ? -1 : 0;
}

/* The array field key of r->root, non-empty, into *out and r->n. */
static int take_array(le_srv_index_req *r, const char *key, const cJSON **out, le_srv_fail *f) {
    if (le_srv_opt_string(r->root, "index", &r->index, f) < 0) return -1;
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(r->root, key);
    if (!cJSON_IsArray(a))
        return le_srv_failf(f, 400, key, "'%s' is required: an array", key);
    int n = cJSON_GetArraySize(a);
    if (n == 0) return le_srv_failf(f, 400, key, "'%s' is an empty array", key);
    r->n = (size_t)n;
    *out = a;
    return 0;
}

/* One document object of /index/add into d. */
static int take_doc(const cJSON *o, size_t i, le_index_doc *d, le_srv_fail *f) {
    if (!cJSON_IsObject(o))
        return le_srv_failf(f, 400, "documents", "documents[%zu] must be an object", i);
    const char *keys[4] = {"id", "text", "title", "source"};
    const char **dst[4] = {&d->id, &d->text, &d->title, &d->source};
    for (int k = 0; k < 4; k++) {
        if (le_srv_opt_string(o, keys[k], dst[k], f) < 0) {
            char why[sizeof f->message];
            memcpy(why, f->message, sizeof why);
            return le_srv_failf(f, 400, "documents", "documents[%zu]: %s", i, why);
        }
        if (k < 2 && !*dst[k])
            return le_srv_failf(f, 400, "documents", "documents[%zu]: '%s' is required (a string)",
                                i, keys[k]);
    }
    if (!d->id[0]) return le_srv_failf(f, 400, "documents", "documents[%zu]: 'id' is empty", i);
    d->text_len = strlen(d->text);
    return 0;
}

int le_srv_parse_index_add(const char *body, size_t len, le_srv_index_req *r, le_srv_fail *f) {
    memset(r, 0, sizeof *r);
    const cJSON *a;
    if (le_srv_parse_object(body, len, &r->root, f) || take_array(r, "documents", &a, f))
        return -1;
    if (le_srv_opt_bool(r->root, "truncate", &r->truncate, f) < 0) return -1;
    r->docs = calloc(r->n, sizeof *r->docs);
    if (!r->docs) return le_srv_failf(f, 503, "", "out of memory");
    size_t i = 0;
    for (const cJSON *o = a->child; o; o = o->next, i++)
        if (take_doc(o, i, &r->docs[i], f)) return -1;
    return 0;
}

int le_srv_parse_index_delete(const char *body, size_t len, le_srv_index_req *r,
                              le_srv_fail *f) {
    memset(r, 0, sizeof *r);
    const cJSON *a;
    if (le_srv_parse_object(body, len, &r->root, f) || take_array(r, "ids", &a, f)) return -1;
    r->ids = calloc(r->n, sizeof *r->ids);
    if (!r->ids) return le_srv_failf(f, 503, "", "out of memory");
    size_t i = 0;
    for (const cJSON *v = a->child; v; v = v->next, i++) {
        if (!cJSON_IsString(v)) return le_srv_failf(f, 400, "ids", "ids[%zu] must be a string", i);
        r->ids[i] = v->valuestring;
    }
    return 0;
}

void le_srv_index_req_free(le_srv_index_req *r) {
    free(r->docs);
    free(r->ids);
    cJSON_Delete(r->root);
    memset(r, 0, sizeof *r);
}
