/* The decoder's request bodies: /v1/completions, /v1/chat/completions and
 * /ask (request.h). Unknown fields are ignored, as OpenAI's clients send
 * many (user, frequency_penalty, ...); fields whose value would change the
 * reply in a way this server cannot give (n > 1, several prompts) are
 * refused. */
#include "server/request.h"

#include "base/sbuf.h"
#include "base/utf8.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The most messages of one chat request. */
#define MAX_MESSAGES 4096

int le_srv_opt_number(const cJSON *o, const char *key, double lo, double hi, double *out,
                      le_srv_fail *f) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || cJSON_IsNull(v)) return 0;
    double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    if (!(d >= lo && d <= hi))
        return le_srv_failf(f, 400, key, "'%s' must be a number from %g to %g", key, lo, hi);
    *out = d;
    return 1;
}

/* 'stop': a string or an array of at most LE_SRV_MAX_STOP non-empty strings. */
static int take_stop(le_srv_gen_req *r, le_srv_fail *f) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->root, "stop");
    if (!v || cJSON_IsNull(v)) return 0;
    int one = cJSON_IsString(v);
    if (!one && (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > LE_SRV_MAX_STOP))
        return le_srv_failf(f, 400, "stop", "'stop' must be a string or an array of at most %d "
                            "strings", LE_SRV_MAX_STOP);
    for (const cJSON *s = one ? v : v->child; s; s = one ? NULL : s->next) {
        size_t n = cJSON_IsString(s) ? strlen(s->valuestring) : 0;
        if (!n || le_utf8_check(s->valuestring, n) != n)
            return le_srv_failf(f, 400, "stop", "'stop'[%zu] must be a non-empty UTF-8 string",
                                r->n_stop);
        r->stop[r->n_stop++] = s->valuestring;
    }
    return 0;
}

/* The sampling fields both routes take. */
static int take_sampling(le_srv_gen_req *r, le_srv_fail *f) {
    const cJSON *o = r->root;
    double seed = 0;
    int n = 1, rc;
    if (le_srv_opt_int(o, "max_tokens", 1, 1 << 20, &r->max_tokens, f) < 0) return -1;
    if (!r->max_tokens &&
        le_srv_opt_int(o, "max_completion_tokens", 1, 1 << 20, &r->max_tokens, f) < 0)
        return -1;
    if ((rc = le_srv_opt_number(o, "temperature", 0, 2, &r->temperature, f)) < 0) return -1;
    r->has_temperature = rc;
    if ((rc = le_srv_opt_number(o, "top_p", 0, 1, &r->top_p, f)) < 0) return -1;
    r->has_top_p = rc;
    if ((rc = le_srv_opt_number(o, "min_p", 0, 1, &r->min_p, f)) < 0) return -1;
    r->has_min_p = rc;
    if ((r->has_top_k = le_srv_opt_int(o, "top_k", 0, 1 << 20, &r->top_k, f)) < 0) return -1;
    if ((rc = le_srv_opt_number(o, "seed", -9007199254740992.0, 9007199254740992.0, &seed, f)) < 0)
        return -1;
    if (rc && seed != floor(seed)) return le_srv_failf(f, 400, "seed", "'seed' must be an integer");
    r->has_seed = rc;
    r->seed = (uint64_t)(int64_t)seed;
    if (le_srv_opt_int(o, "n", 1, 1 << 20, &n, f) < 0) return -1;
    if (n != 1) return le_srv_failf(f, 400, "n", "'n' must be 1: one choice per request");
    const char *model = NULL;
    if (le_srv_opt_string(o, "model", &model, f) < 0) return -1;
    if (le_srv_opt_bool(o, "stream", &r->stream, f) < 0) return -1;
    if (le_srv_opt_bool(o, "ignore_eos", &r->ignore_eos, f) < 0) return -1;
    return take_stop(r, f);
}

int le_srv_parse_completion(const char *body, size_t len, le_srv_gen_req *r, le_srv_fail *f) {
    memset(r, 0, sizeof *r);
    if (le_srv_parse_object(body, len, &r->root, f)) return -1;
    cJSON *p = cJSON_GetObjectItemCaseSensitive(r->root, "prompt");
    if (cJSON_IsArray(p)) {
        if (cJSON_GetArraySize(p) != 1 || !cJSON_IsString(p->child))
            return le_srv_failf(f, 400, "prompt", "'prompt' must be one string (an array of "
                                "several prompts is not supported: send one request each)");
        /* read the one string as the field itself */
        cJSON *one = cJSON_DetachItemFromArray(p, 0);
        if (!cJSON_ReplaceItemInObjectCaseSensitive(r->root, "prompt", one)) cJSON_Delete(one);
    }
    if (le_srv_opt_string(r->root, "prompt", &r->prompt, f) < 0) return -1;
    if (!r->prompt) return le_srv_failf(f, 400, "prompt", "'prompt' is required (a string)");
    if (!r->prompt[0]) return le_srv_failf(f, 400, "prompt", "'prompt' is empty");
    int echo = 0;
    if (le_srv_opt_bool(r->root, "echo", &echo, f) < 0) return -1;
    if (echo) return le_srv_failf(f, 400, "echo", "'echo' is not supported");
    return take_sampling(r, f);
}

/* OpenAI's content parts [{"type": "text", "text": …}, …] of message m
 * joined by newlines into one string in place of the array (the root owns
 * it, as vLLM joins them); 0, or -1 for a part that is not text. */
static int join_parts(cJSON *m, size_t i, le_srv_fail *f) {
    cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "content");
    if (!cJSON_IsArray(c)) return 0;
    le_sbuf b = {0};
    for (const cJSON *p = c->child; p; p = p->next) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "type");
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(p, "text");
        if (!cJSON_IsString(t) || strcmp(t->valuestring, "text") || !cJSON_IsString(x)) {
            le_sbuf_free(&b);
            return le_srv_failf(f, 400, "messages", "messages[%zu]: only text content parts "
                                "({\"type\": \"text\", \"text\": …}) are supported", i);
        }
        if (p != c->child) le_sbuf_puts(&b, "\n");
        le_sbuf_puts(&b, x->valuestring);
    }
    cJSON *joined = b.failed ? NULL : cJSON_CreateString(b.p ? b.p : "");
    le_sbuf_free(&b);
    if (!joined || !cJSON_ReplaceItemInObjectCaseSensitive(m, "content", joined)) {
        cJSON_Delete(joined);
        return le_srv_failf(f, 503, "", "out of memory");
    }
    return 0;
}

/* messages[i] into r->messages[i]. */
static int take_message(le_srv_gen_req *r, size_t i, cJSON *m, le_srv_fail *f) {
    static const char *const roles[] = {"system", "user", "assistant"};
    if (!cJSON_IsObject(m))
        return le_srv_failf(f, 400, "messages", "messages[%zu] must be an object", i);
    if (join_parts(m, i, f)) return -1;
    const char *role = NULL, *content = NULL;
    if (le_srv_opt_string(m, "role", &role, f) < 0 || le_srv_opt_string(m, "content", &content, f) < 0) {
        char why[sizeof f->message];
        memcpy(why, f->message, sizeof why);
        return le_srv_failf(f, 400, "messages", "messages[%zu]: %s", i, why);
    }
    if (!role || !content)
        return le_srv_failf(f, 400, "messages", "messages[%zu]: 'role' and 'content' are "
                            "required (strings)", i);
    int known = 0;
    for (size_t k = 0; k < sizeof roles / sizeof *roles; k++) known |= !strcmp(role, roles[k]);
    if (!known)
        return le_srv_failf(f, 400, "messages", "messages[%zu]: unknown role \"%.40s\" (system, "
                            "user or assistant)", i, role);
    r->messages[i] = (le_llm_message){role, content};
    return 0;
}

int le_srv_parse_chat(const char *body, size_t len, le_srv_gen_req *r, le_srv_fail *f) {
    memset(r, 0, sizeof *r);
    if (le_srv_parse_object(body, len, &r->root, f)) return -1;
    cJSON *a = cJSON_GetObjectItemCaseSensitive(r->root, "messages");
    if (!cJSON_IsArray(a))
        return le_srv_failf(f, 400, "messages", "'messages' is required: an array of "
                            "{role, content}");
    int n = cJSON_GetArraySize(a);
    if (n == 0) return le_srv_failf(f, 400, "messages", "'messages' is an empty array");
    if (n > MAX_MESSAGES)
        return le_srv_failf(f, 400, "messages", "'messages' has %d messages, more than %d", n,
                            MAX_MESSAGES);
    r->messages = calloc((size_t)n, sizeof *r->messages);
    if (!r->messages) return le_srv_failf(f, 503, "", "out of memory");
    r->n_messages = (size_t)n;
    size_t i = 0;
    for (cJSON *m = a->child; m; m = m->next, i++)
        if (take_message(r, i, m, f)) return -1;
    return take_sampling(r, f);
}

void le_srv_gen_req_free(le_srv_gen_req *r) {
    free(r->messages);
    cJSON_Delete(r->root);
    memset(r, 0, sizeof *r);
}

int le_srv_parse_ask(const char *body, size_t len, le_srv_ask_req *r, le_srv_fail *f) {
    memset(r, 0, sizeof *r);
    if (le_srv_parse_object(body, len, &r->root, f)) return -1;
    if (le_srv_opt_string(r->root, "question", &r->question, f) < 0) return -1;
    if (!r->question || !r->question[0])
        return le_srv_failf(f, 400, "question", "'question' is required (a non-empty string)");
    if (le_srv_opt_string(r->root, "index", &r->index, f) < 0) return -1;
    if (le_srv_opt_string(r->root, "mode", &r->mode, f) < 0) return -1;
    if (le_srv_opt_string(r->root, "id_prefix", &r->id_prefix, f) < 0) return -1;
    if (le_srv_opt_string(r->root, "search", &r->search, f) < 0) return -1;
    if (le_srv_opt_int(r->root, "k", 1, 1000, &r->k, f) < 0) return -1;
    return le_srv_opt_int(r->root, "max_new_tokens", 1, 1 << 20, &r->max_new_tokens, f) < 0 ? -1
                                                                                            : 0;
}

void le_srv_ask_req_free(le_srv_ask_req *r) {
    cJSON_Delete(r->root);
    memset(r, 0, sizeof *r);
}
