/* libFuzzer target: the server's request parsers (src/server/request.c).
 * The first byte picks the parser (OpenAI embeddings, TEI, search, index
 * add, index delete, completion, chat, ask), the rest is the body. Every body must be accepted
 * with well-formed fields (n >= 1, texts valid UTF-8 and as long as said)
 * or refused with a 4xx/5xx status and a message, never crash or leak. */
#include "server/request.h"
#include "base/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_embed(const le_srv_embed_req *r) {
    if (r->n < 1) abort();
    for (size_t i = 0; i < r->n; i++) {
        if (r->texts && (strlen(r->texts[i]) != r->lens[i] ||
                         le_utf8_check(r->texts[i], r->lens[i]) != r->lens[i]))
            abort();
        if (r->ids)
            for (size_t k = 0; k < r->n_ids[i]; k++)
                if (r->ids[i][k] < 0) abort();
    }
}

/* A generation request: valid UTF-8 texts, known roles, stop strings. */
static void check_gen(const le_srv_gen_req *r, int chat) {
    if (chat ? !r->n_messages : !r->prompt) abort();
    for (size_t i = 0; i < r->n_messages; i++)
        if (!r->messages[i].role || !r->messages[i].content ||
            le_utf8_check(r->messages[i].content, strlen(r->messages[i].content)) !=
                strlen(r->messages[i].content))
            abort();
    if (r->n_stop > LE_SRV_MAX_STOP) abort();
    for (size_t i = 0; i < r->n_stop; i++)
        if (!r->stop[i][0]) abort();
}

static void check_fail(const le_srv_fail *f) {
    if (f->http < 400 || f->http > 599 || !f->message[0]) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    le_srv_fail f;
    memset(&f, 0, sizeof f);
    if (data[0] % 8 >= 5) {
        int kind = data[0] % 8 - 5;
        if (kind == 2) {
            le_srv_ask_req r;
            if (le_srv_parse_ask(body, len, &r, &f)) check_fail(&f);
            else if (!r.question || !r.question[0]) abort();
            cJSON_Delete(r.root);
            return 0;
        }
        le_srv_gen_req r;
        int bad = kind ? le_srv_parse_chat(body, len, &r, &f)
                       : le_srv_parse_completion(body, len, &r, &f);
        if (bad) check_fail(&f);
        else check_gen(&r, kind);
        le_srv_gen_req_free(&r);
        return 0;
    }
    switch (data[0] % 8) {
    case 0:
    case 1: {
        le_srv_embed_req r;
        int bad = data[0] % 8 ? le_srv_parse_tei(body, len, &r, &f)
                              : le_srv_parse_openai(body, len, &r, &f);
        if (bad) check_fail(&f);
        else check_embed(&r);
        le_srv_embed_req_free(&r);
        break;
    }
    case 2: {
        le_srv_search_req r;
        if (le_srv_parse_search(body, len, &r, &f)) check_fail(&f);
        else if (!r.query || r.k < 1) abort();
        cJSON_Delete(r.root);
        break;
    }
    default: {
        le_srv_index_req r;
        int bad = data[0] % 8 == 3 ? le_srv_parse_index_add(body, len, &r, &f)
                                   : le_srv_parse_index_delete(body, len, &r, &f);
        if (bad) check_fail(&f);
        else if (r.n < 1 || (r.docs && (!r.docs[0].id || !r.docs[0].text))) abort();
        le_srv_index_req_free(&r);
        break;
    }
    }
    return 0;
}
