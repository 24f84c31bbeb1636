/* longembed's HTTP server (docs/server.md): OpenAI- and TEI-compatible
 * embeddings, search and index updates over libmicrohttpd, and with a
 * decoder, OpenAI's completions and chat completions and /ask. The CLI's
 * `serve` fills a le_srv_config and calls le_srv_run. */
#ifndef LE_SERVER_SERVER_H
#define LE_SERVER_SERVER_H

#include "longembed.h"

#include <stddef.h>

typedef struct le_srv_index_spec {
    const char *name; /* the name requests use ("index": …) */
    const char *path; /* created (empty, with the model's identity) when missing */
} le_srv_index_spec;

typedef struct le_srv_config {
    const char *host;          /* default 127.0.0.1 */
    int port;                  /* 0: any free port (printed on stderr) */
    le_model *model;           /* open; the server's worker thread owns it */
    const char *model_spec;    /* how the model was named (alias or directory) */
    const le_model_options *model_options; /* how it was opened (NULL: defaults): /ask opens
                                              a second handle for the decoder's worker */
    le_embed_options eo;       /* the defaults of every embedding request (prefix resolved) */
    const le_srv_index_spec *indexes;
    size_t n_indexes;
    const char *api_key;       /* NULL: no authentication */
    size_t max_request_bytes;  /* default 16 MiB */
    int max_queue;             /* embedding jobs waiting; default 256 */
    int max_batch_tokens;      /* token budget of one packed forward batch; default 8192 */
    int max_tokens_per_text;   /* default 32768 */
    int http_threads;          /* libmicrohttpd's thread pool; default 4 */
    int timeout_seconds;       /* an idle or stalled connection is closed; default 30 */
    int shutdown_seconds;      /* SIGTERM: the longest wait for requests in flight; default 30 */
    int matryoshka;            /* 1: 'dimensions' below the model's may truncate and renormalise */
    int verbose;               /* 1: one line per request on stderr */
    le_llm *llm;               /* a decoder (/v1/completions, /v1/chat/completions, /ask),
                                  NULL: none; its own worker thread owns it */
    int llm_max_queue;         /* generation requests waiting; default 16 */
    int llm_max_new_tokens;    /* a generation's default max_tokens; default 256 */
    const char *ask_memory_dir; /* /ask's MemoRAG memory on disk (le_ask_options.memory_dir):
                                   NULL the library's default, "" none */
} le_srv_config;

void le_srv_config_init(le_srv_config *c);

/* Blocks SIGTERM, SIGINT and SIGHUP in the calling thread, so that the
 * threads started after it (the model's thread pool) inherit the mask and
 * leave the signals to le_srv_run's sigwait: call it before opening the
 * model. */
void le_srv_block_signals(void);

/* Serves until SIGTERM or SIGINT (SIGHUP re-opens the indexes). LE_OK after
 * a clean shutdown; an error when the server cannot start (the port is
 * taken, an index cannot be opened). */
le_status le_srv_run(const le_srv_config *c, le_error *err);

#endif
