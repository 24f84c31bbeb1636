/* The server's request bodies: JSON → plain structs, every field checked,
 * before anything touches the model or an index. Kept apart from the HTTP
 * and model code so that the fuzz target (tests/fuzz/fuzz_server_request.c)
 * can run every parser alone. */
#ifndef LE_SERVER_REQUEST_H
#define LE_SERVER_REQUEST_H

#include "longembed.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* Why a request is refused: the HTTP status, the OpenAI error type and
 * param (the field at fault, "" for none) and a message for people. */
typedef struct le_srv_fail {
    int http;
    const char *type; /* "invalid_request_error", "rate_limit_error", "server_error", … */
    char param[64];
    char message[600];
} le_srv_fail;

/* Fills f; returns -1 so that a parser can `return le_srv_failf(...)`. */
int le_srv_failf(le_srv_fail *f, int http, const char *param, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The body as one JSON object. A syntax error names its byte offset, line
 * and column; an empty body and trailing bytes are errors too. */
int le_srv_parse_object(const char *body, size_t len, cJSON **out, le_srv_fail *f);

/* An embedding request (/v1/embeddings, /embed, /tokenize). The strings
 * point into root. */
typedef struct le_srv_embed_req {
    cJSON *root;
    size_t n;             /* inputs, >= 1 */
    const char **texts;   /* n texts (NULL when the input is token ids) */
    size_t *lens;
    int32_t **ids;        /* n token arrays (OpenAI's token input), else NULL */
    size_t *n_ids;
    int base64;           /* encoding_format "base64" */
    int dimensions;       /* 0: as the model */
    int truncate;         /* -1: the server's default */
    int normalize;        /* -1: as the model / the server */
    int max_tokens;       /* 0: the server's default */
    int add_special;      /* /tokenize: add_special_tokens (default 1) */
    const char *extend;   /* NULL: the server's default */
    const char *prefix;   /* NULL: the server's default; a preset name or a text */
} le_srv_embed_req;

/* OpenAI's shape: input (string | [string] | [int] | [[int]]), model,
 * encoding_format, dimensions, user; and ours: extend, max_tokens,
 * truncate, prefix, normalize. */
int le_srv_parse_openai(const char *body, size_t len, le_srv_embed_req *r, le_srv_fail *f);
/* TEI's shape (/embed, /tokenize): inputs (string | [string]), truncate,
 * normalize, prompt_name, add_special_tokens; and ours as above. */
int le_srv_parse_tei(const char *body, size_t len, le_srv_embed_req *r, le_srv_fail *f);
void le_srv_embed_req_free(le_srv_embed_req *r);

/* POST /search */
typedef struct le_srv_search_req {
    cJSON *root;
    const char *query;
    const char *index;     /* NULL: the only index */
    const char *mode;      /* NULL: dense with vectors, else bm25 */
    const char *id_prefix; /* NULL: every document */
    int k;                 /* default 10 */
    int passages;          /* 1 (default): the best passage of each hit */
    int truncate;          /* 1: cut a query past the index's token limit; 0 (default): 413 */
} le_srv_search_req;
int le_srv_parse_search(const char *body, size_t len, le_srv_search_req *r, le_srv_fail *f);

/* POST /index/add and /index/delete. */
typedef struct le_srv_index_req {
    cJSON *root;
    const char *index;
    size_t n;
    le_index_doc *docs; /* add: n documents */
    const char **ids;   /* delete: n ids */
    int truncate;       /* add: cut documents past the index's limit */
} le_srv_index_req;
int le_srv_parse_index_add(const char *body, size_t len, le_srv_index_req *r, le_srv_fail *f);
int le_srv_parse_index_delete(const char *body, size_t len, le_srv_index_req *r,
                              le_srv_fail *f);
void le_srv_index_req_free(le_srv_index_req *r);

#endif
