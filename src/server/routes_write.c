/* POST /index/add, /index/delete, /index/reload. Writes go through the
 * library's writer, whose commit publishes a new version by an atomic
 * rename (crash-safe); searches running meanwhile keep their reader of the
 * previous version, and later ones open the new one. Adds embed the
 * documents, so they run on the batch worker as one job (embed, commit);
 * deletes and reloads need no model and run on the connection's thread. */
#include "server/server_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct write_state {
    le_srv_index_req req;
    le_srv_index *x;
    le_text_result *res;
    size_t n_found;
} write_state;

static void write_cleanup(le_srv_conn *c) {
    write_state *st = c->state;
    le_srv_index_req_free(&st->req);
    free(st->res);
    free(st);
    c->state = NULL;
}

/* The state of a write request, its body parsed by parse and its index
 * found; NULL after replying an error. */
static write_state *start_write(le_srv_conn *c,
                                int (*parse)(const char *, size_t, le_srv_index_req *,
                                             le_srv_fail *)) {
    le_srv_fail f;
    write_state *st = calloc(1, sizeof *st);
    if (!st) {
        le_srv_failf(&f, 503, "", "out of memory");
        le_srv_reply_fail(c, &f);
        return NULL;
    }
    c->state = st;
    c->cleanup = write_cleanup;
    if (parse(c->body ? c->body : "", c->len, &st->req, &f)) {
        le_srv_reply_fail(c, &f);
        return NULL;
    }
    return (st->x = le_srv_find_index(c, st->req.index)) ? st : NULL;
}

/* Opens the writer of x, runs the change, commits and re-opens: under the
 * index's write mutex, so writes of this server never meet at the lock. */
static le_status write_commit(le_srv_index *x, le_model *m, write_state *st, int add,
                              le_error *err) {
    pthread_mutex_lock(&x->write_mu);
    le_index_writer *w = NULL;
    le_status s = le_index_writer_open(x->path, NULL, NULL, &w, err);
    if (!s && add) {
        le_embed_options eo;
        le_embed_options_init(&eo);
        eo.truncate = st->req.truncate;
        s = le_index_writer_add_texts(w, m, &eo, st->req.n, st->req.docs, st->res, err);
    } else if (!s) {
        s = le_index_writer_delete(w, st->req.n, st->req.ids, &st->n_found, err);
    }
    if (!s) s = le_index_writer_commit(w, err);
    le_index_writer_close(w);
    if (!s) le_srv_index_reload(x);
    pthread_mutex_unlock(&x->write_mu);
    return s;
}

/* The outcome of a write: {"index", "generation", "docs", and what extra says}. */
static void write_reply(le_srv_conn *c, le_status s, const le_error *err, const char *param,
                        const char *extra) {
    write_state *st = c->state;
    le_srv_fail f;
    if (s) {
        le_srv_fail_from(&f, s, err, param);
        if (strstr(err->message, "locked")) f.http = 409;
        le_srv_reply_fail(c, &f);
        return;
    }
    le_index_info info;
    le_srv_index_get_info(st->x, &info, NULL);
    le_sbuf *b = &c->reply;
    le_sbuf_puts(b, "{\"index\":");
    le_sbuf_json_string(b, st->x->name, strlen(st->x->name));
    le_sbuf_printf(b, ",\"generation\":%llu,\"docs\":%zu,%s}",
                      (unsigned long long)info.generation, info.docs, extra);
    le_srv_reply(c, 200, "application/json");
}

static void add_task(le_srv_job *j, le_model *m) {
    le_srv_conn *c = j->user;
    write_state *st = c->state;
    j->status = write_commit(st->x, m, st, 1, &j->err);
}

static void resume_add(le_srv_conn *c) {
    write_state *st = c->state;
    char extra[96] = "";
    size_t tokens = 0;
    for (size_t i = 0; !c->job.status && i < st->req.n; i++) tokens += (size_t)st->res[i].tokens;
    snprintf(extra, sizeof extra, "\"added\":%zu,\"tokens\":%zu", st->req.n, tokens);
    write_reply(c, c->job.status, &c->job.err, "documents", extra);
}

void le_srv_h_index_add(le_srv_conn *c) {
    write_state *st = start_write(c, le_srv_parse_index_add);
    if (!st) return;
    if (!(st->res = calloc(st->req.n, sizeof *st->res))) {
        le_srv_fail f;
        le_srv_failf(&f, 503, "", "out of memory");
        le_srv_reply_fail(c, &f);
        return;
    }
    le_srv_job *j = &c->job;
    j->kind = LE_SRV_JOB_TASK;
    j->task = add_task;
    for (size_t i = 0; i < st->req.n; i++) j->tokens += st->req.docs[i].text_len / 4 + 2;
    le_srv_submit(c, resume_add);
}

void le_srv_h_index_delete(le_srv_conn *c) {
    write_state *st = start_write(c, le_srv_parse_index_delete);
    if (!st) return;
    le_error err;
    le_status s = write_commit(st->x, NULL, st, 0, &err);
    char extra[64];
    snprintf(extra, sizeof extra, "\"deleted\":%zu", st->n_found);
    write_reply(c, s, &err, "ids", extra);
}

/* Re-opens one index (body {"index": name}) or, with no body, all. */
void le_srv_h_index_reload(le_srv_conn *c) {
    le_srv *s = c->srv;
    le_srv_fail f;
    cJSON *root = NULL;
    const char *name = NULL;
    if (c->len && le_srv_parse_object(c->body, c->len, &root, &f)) {
        le_srv_reply_fail(c, &f);
        return;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "index");
    if (cJSON_IsString(v)) name = v->valuestring;
    le_srv_index *one = name ? le_srv_find_index(c, name) : NULL;
    if (name && !one) {
        cJSON_Delete(root);
        return;
    }
    le_sbuf *b = &c->reply;
    le_sbuf_puts(b, "{\"indexes\":[");
    for (size_t i = 0, k = 0; i < s->n_indexes; i++) {
        le_srv_index *x = &s->indexes[i];
        if (one && x != one) continue;
        le_srv_index_reload(x);
        le_index_info info;
        le_srv_index_get_info(x, &info, NULL);
        le_sbuf_puts(b, k++ ? ",{\"name\":" : "{\"name\":");
        le_sbuf_json_string(b, x->name, strlen(x->name));
        le_sbuf_printf(b, ",\"generation\":%llu,\"docs\":%zu}",
                          (unsigned long long)info.generation, info.docs);
    }
    le_sbuf_puts(b, "]}");
    cJSON_Delete(root);
    le_srv_reply(c, 200, "application/json");
}
