/* The server's indexes. le_index readers are one thread at a time, so each
 * index keeps a small stack of idle readers of its newest version: a
 * search takes one (or opens one) and gives it back. A commit or a reload
 * bumps the generation; readers of older generations finish the searches
 * they are in (they hold a complete snapshot) and are closed when given
 * back. Writes (add, delete) take the index's write mutex and the
 * library's writer, whose commit is crash-safe. */
#ifndef LE_SERVER_INDEXES_H
#define LE_SERVER_INDEXES_H

#include "longembed.h"

#include <pthread.h>
#include <stdint.h>

typedef struct le_srv_index {
    char *name, *path;
    pthread_mutex_t mu;       /* guards gen, idle and info */
    pthread_mutex_t write_mu; /* one write at a time */
    uint64_t gen;
    le_index **idle;
    size_t n_idle, cap_idle;
    le_index_info info;       /* of the newest version opened */
    int model_ok;             /* 1: the server's model gives this index's vectors */
    char model_msg[1536];     /* else why not */
} le_srv_index;

/* Opens (creating when missing: empty, with the identity of m and eo) and
 * checks the index at path. */
le_status le_srv_index_init(le_srv_index *x, const char *name, const char *path, le_model *m,
                            const char *model_spec, const le_embed_options *eo, le_error *err);
void le_srv_index_free(le_srv_index *x);
/* A reader of the newest version and its generation. */
le_status le_srv_index_acquire(le_srv_index *x, le_index **ix, uint64_t *gen, le_error *err);
void le_srv_index_release(le_srv_index *x, le_index *ix, uint64_t gen);
/* The next acquire opens the newest committed version. */
void le_srv_index_reload(le_srv_index *x);
/* The info of the newest version opened, and its generation. */
void le_srv_index_get_info(le_srv_index *x, le_index_info *out, uint64_t *gen);

#endif
