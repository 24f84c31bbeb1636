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

/* Field readers the parsers share: 0 when the field is absent (or null),
 * 1 when read into *out, -1 when of another type or out of range (f says
 * so, naming the field). Strings must be valid UTF-8. */
int le_srv_opt_string(const cJSON *o, const char *key, const char **out, le_srv_fail *f);
int le_srv_opt_bool(const cJSON *o, const char *key, int *out, le_srv_fail *f);
int le_srv_opt_int(const cJSON *o, const char *key, int lo, int hi, int *out, le_srv_fail *f);
int le_srv_opt_number(const cJSON *o, const char *key, double lo, double hi, double *out,
                      le_srv_fail *f);

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

/* The most stop strings of a generation request (OpenAI's limit). */
#define LE_SRV_MAX_STOP 4

/* POST /v1/completions and /v1/chat/completions (request_llm.c). Absent
 * sampling fields keep le_llm_gen_options' defaults; the strings point
 * into root. */
typedef struct le_srv_gen_req {
    cJSON *root;
    const char *prompt;        /* completions: the text to continue */
    le_llm_message *messages;  /* chat: n_messages turns (role system|user|assistant) */
    size_t n_messages;
    int max_tokens;            /* 0: not given (the server's default) */
    int has_temperature, has_top_p, has_top_k, has_min_p, has_seed;
    double temperature, top_p, min_p;
    int top_k;
    uint64_t seed;
    const char *stop[LE_SRV_MAX_STOP];
    size_t n_stop;
    int stream;
    int ignore_eos;            /* ours (as llama.cpp's server): the end token does not stop it */
} le_srv_gen_req;
int le_srv_parse_completion(const char *body, size_t len, le_srv_gen_req *r, le_srv_fail *f);
int le_srv_parse_chat(const char *body, size_t len, le_srv_gen_req *r, le_srv_fail *f);
void le_srv_gen_req_free(le_srv_gen_req *r);

/* POST /ask (request_llm.c). */
typedef struct le_srv_ask_req {
    cJSON *root;
    const char *question;
    const char *index;     /* NULL: the only index */
    const char *mode;      /* NULL: rag */
    const char *id_prefix; /* NULL: every document */
    const char *search;    /* bm25, dense, hybrid; NULL: le_ask's choice */
    int k;                 /* 0: le_ask's default */
    int max_new_tokens;    /* 0: le_ask's default */
} le_srv_ask_req;
int le_srv_parse_ask(const char *body, size_t len, le_srv_ask_req *r, le_srv_fail *f);
void le_srv_ask_req_free(le_srv_ask_req *r);

#endif
