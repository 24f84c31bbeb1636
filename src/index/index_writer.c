/* Writing an index: one writer at a time (an flock on path + ".lock"),
 * changes buffered in memory, and each commit publishing a whole new file:
 *
 *   1. path.tmp is written: header placeholder, the old segments that keep
 *      live documents (copied byte for byte), the new segment, the manifest
 *      (deletion bitmaps included), then the header;
 *   2. path.tmp is fsynced, renamed over path, and the directory fsynced.
 *
 * A crash before the rename leaves the old file untouched (and a stale
 * path.tmp that the next writer overwrites); after it, the new file is
 * complete. Readers map whichever file the name pointed at when they opened
 * it and never see a partial one.
 *
 * "path" here is the real file (base/outfile.h): a symbolic link given as
 * the index is resolved, so the link stays, the file it names is replaced,
 * and the lock sits next to that file whichever name a writer was given. A
 * path that exists and is not a regular file is refused. The new file keeps
 * the mode, owner and group of the one it replaces. */
#define _GNU_SOURCE
#include "base/array.h"
#include "base/checksum.h"
#include "base/fault.h"
#include "base/finite.h"
#include "base/options.h"
#include "base/outfile.h"
#include "base/utf8.h"
#include "index/index.h"
#include "index/manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* a commit step fails when a test's fault hook says so (base/fault.h) */
static int fault(const char *step) { return le_fault(step); }

typedef struct pdoc {
    char *id, *source, *title, *text;
    size_t text_len;
    uint64_t source_offset;
    uint32_t tokens, tokens_in_text;
    int truncated;
    float *dense;
    uint32_t *sp_ids;
    float *sp_w;
    size_t n_sparse;
    float *multi;
    size_t n_multi;
    le_pass_rec *pass; /* passages (an index with passages) */
    float *pass_vecs;
    size_t n_pass;
    int dropped; /* replaced by a later add of the same id, or deleted */
} pdoc;

struct le_index_writer {
    char *path;                          /* as the caller gave it, for messages */
    char *real, *lock_path, *tmp_path, *dir_path; /* the real file (links resolved) */
    int lock_fd;
    le_index_options opt;
    le_index *cur;
    pdoc *docs;
    size_t n_docs, cap_docs, n_live_pending;
    le_map pending; /* id (borrowed from docs) → position in docs */
    char **dels;
    size_t n_dels, cap_dels;
    le_map deleted; /* the ids in dels (borrowed), so that one is counted once */
    le_pool *pool;
};

static void pdoc_free(pdoc *d) {
    free(d->id);
    free(d->source);
    free(d->title);
    free(d->text);
    free(d->dense);
    free(d->sp_ids);
    free(d->sp_w);
    free(d->multi);
    free(d->pass);
    free(d->pass_vecs);
}

static void clear_pending(le_index_writer *w) {
    for (size_t i = 0; i < w->n_docs; i++) pdoc_free(&w->docs[i]);
    w->n_docs = w->n_live_pending = 0;
    le_map_free(&w->pending);
    le_map_free(&w->deleted);
    for (size_t i = 0; i < w->n_dels; i++) free(w->dels[i]);
    w->n_dels = 0;
}

/* ------------------------------------------------------------ file sink */

typedef struct sink {
    int fd;
    uint64_t pos;
    unsigned char *buf;
    size_t used, cap;
    int failed, err_no;
} sink;

static int write_all(sink *k, const void *data, size_t len) {
    const unsigned char *p = data;
    while (len) {
        if (fault("write")) {
            k->err_no = EIO;
            return -1;
        }
        ssize_t n = write(k->fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            k->err_no = n < 0 ? errno : ENOSPC;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int sink_flush(sink *k) {
    if (k->failed) return -1;
    if (k->used && write_all(k, k->buf, k->used)) k->failed = 1;
    k->used = 0;
    return k->failed ? -1 : 0;
}

static int sink_out(void *user, const void *data, size_t len) {
    sink *k = user;
    if (k->failed) return -1;
    k->pos += len;
    if (len >= k->cap) {
        if (sink_flush(k) || write_all(k, data, len)) k->failed = 1;
        return k->failed ? -1 : 0;
    }
    if (k->used + len > k->cap && sink_flush(k)) return -1;
    memcpy(k->buf + k->used, data, len);
    k->used += len;
    return 0;
}

static int sink_pad(sink *k, uint64_t align) {
    static const unsigned char zeros[LE_IDX_ALIGN];
    uint64_t want = le_align_up(k->pos, align);
    return want > k->pos ? sink_out(k, zeros, (size_t)(want - k->pos)) : 0;
}

/* ------------------------------------------------------------ committing */

static le_status io_fail(le_index_writer *w, const char *what, int e, le_error *err) {
    return le_fail(err, LE_ERR_IO, "%s: cannot %s: %s", w->tmp_path, what, strerror(e ? e : EIO));
}

static le_status commit_oom(le_error *err) {
    return le_fail(err, LE_ERR_NOMEM, "index: out of memory while committing");
}

/* Makes the sink fail as an I/O error would when the fault hook asks so at step. */
static void sink_fault(sink *k, const char *step) {
    if (fault(step)) k->failed = 1, k->err_no = EIO;
}

/* Marks the committed documents with this id deleted in del (allocating
 * bitmaps as needed). */
static le_status mark_deleted(le_index *cur, const char *id, uint8_t **del, le_error *err) {
    long o = le_index_find(cur, id);
    if (o < 0) return LE_OK;
    int s;
    uint32_t local;
    le_index_locate(cur, (size_t)o, &s, &local);
    if (!del[s]) {
        size_t bl = (cur->seg[s].n_docs + 7) / 8;
        del[s] = calloc(bl, 1);
        if (!del[s]) return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
        if (cur->del[s]) memcpy(del[s], cur->del[s], bl);
    }
    le_bit_set(del[s], local);
    return LE_OK;
}

/* One commit: which segments the new file holds, and the buffers that
 * write it. */
typedef struct commit_job {
    le_index *cur;               /* the committed index; NULL: a new file */
    const le_index_model *model; /* the identity and settings the manifest records */
    const le_index_options *settings;
    le_seg_params params;
    int n_old;     /* cur's segments */
    uint8_t **del; /* [n_old] changed deletion bitmaps (NULL: cur's stands) */
    int *keep;     /* [n_old] 1: the segment is copied into the new file */
    int n_keep;
    le_segment fresh, merged; /* from the pending documents; of everything, merged */
    const le_segment *newseg; /* the one written after the kept ones: fresh, merged or NULL */
    int n_seg;                /* n_keep + (newseg != NULL) */
    le_manifest_seg *table;   /* [n_seg] the new file's segment table */
    unsigned char *mf;        /* the manifest, mlen bytes at moff */
    size_t mlen;
    uint64_t moff;
    sink k; /* the temporary file */
} commit_job;

/* Starts j for w: the current index's identity, settings and segment
 * parameters, or for a new file those given; zeroed per-segment arrays. */
static le_status job_start(commit_job *j, le_index_writer *w, const le_index_model *new_model,
                           const le_index_options *new_settings, le_error *err) {
    le_index *cur = w->cur;
    j->cur = cur;
    j->model = cur ? &cur->model : new_model;
    j->settings = cur ? &cur->settings : new_settings;
    if (cur)
        j->params = cur->params;
    else
        le_index_seg_params(&j->params, j->model, j->settings);
    j->n_old = cur ? cur->n_seg : 0;
    j->k.fd = -1;
    j->del = calloc((size_t)(j->n_old ? j->n_old : 1), sizeof *j->del);
    j->keep = calloc((size_t)(j->n_old ? j->n_old : 1), sizeof *j->keep);
    return j->del && j->keep ? LE_OK : commit_oom(err);
}

/* Marks deleted, in j->del, the committed documents that w's deletions
 * name or that its pending documents replace. */
static le_status mark_replaced(commit_job *j, const le_index_writer *w, le_error *err) {
    le_status st = LE_OK;
    for (size_t i = 0; j->cur && i < w->n_dels && !st; i++)
        st = mark_deleted(j->cur, w->dels[i], j->del, err);
    for (size_t i = 0; j->cur && i < w->n_docs && !st; i++)
        if (!w->docs[i].dropped) st = mark_deleted(j->cur, w->docs[i].id, j->del, err);
    return st;
}

/* The deletion bitmap old segment s has in the new file. */
static const uint8_t *old_bits(const commit_job *j, int s) {
    return j->del[s] ? j->del[s] : j->cur->del[s];
}

/* Sets keep[s] (and n_keep) for the old segments that still hold a live
 * document. */
static void find_kept(commit_job *j) {
    for (int s = 0; s < j->n_old; s++) {
        uint32_t live = 0;
        const uint8_t *b = old_bits(j, s);
        for (uint32_t d = 0; d < j->cur->seg[s].n_docs; d++) live += !le_bit_get(b, d);
        j->keep[s] = live > 0;
        j->n_keep += j->keep[s];
    }
}

/* Builds j->fresh from w's live pending documents, in the order they were
 * added; with_graph 0 leaves the graph to the merge that follows. */
static le_status build_fresh(commit_job *j, le_index_writer *w, int with_graph, le_error *err) {
    le_seg_doc *sd = malloc(w->n_live_pending * sizeof *sd);
    if (!sd) return commit_oom(err);
    size_t n = 0;
    for (size_t i = 0; i < w->n_docs; i++) {
        const pdoc *p = &w->docs[i];
        if (p->dropped) continue;
        sd[n++] = (le_seg_doc){.id = p->id,
                               .source = p->source,
                               .title = p->title,
                               .text = p->text,
                               .text_len = p->text_len,
                               .source_offset = p->source_offset,
                               .tokens = p->tokens,
                               .tokens_in_text = p->tokens_in_text,
                               .truncated = p->truncated,
                               .dense = p->dense,
                               .n_sparse = p->n_sparse,
                               .sparse_ids = p->sp_ids,
                               .sparse_weights = p->sp_w,
                               .n_multi = p->n_multi,
                               .multi = p->multi,
                               .n_pass = p->n_pass,
                               .pass = p->pass,
                               .pass_vecs = p->pass_vecs};
    }
    le_status st = le_segment_build(&j->fresh, &j->params, n, sd, with_graph, w->pool, err);
    free(sd);
    if (!st) j->newseg = &j->fresh;
    return st;
}

/* Merges the kept old segments and (has_new) j->fresh into j->merged,
 * which then stands for all of them: no old segment is kept. */
static le_status merge_all(commit_job *j, int has_new, le_pool *pool, le_error *err) {
    int n_src = j->n_keep + has_new, i = 0;
    const le_segment **src = malloc((size_t)n_src * sizeof *src);
    const uint8_t **sdel = malloc((size_t)n_src * sizeof *sdel);
    if (!src || !sdel) {
        free(src);
        free(sdel);
        return commit_oom(err);
    }
    for (int s = 0; s < j->n_old; s++)
        if (j->keep[s]) {
            src[i] = &j->cur->seg[s];
            sdel[i++] = old_bits(j, s);
        }
    if (has_new) {
        src[i] = &j->fresh;
        sdel[i++] = NULL;
    }
    le_status st = le_segment_merge(&j->merged, &j->params, n_src, src, sdel, pool, err);
    free(src);
    free(sdel);
    if (st) return st;
    j->newseg = &j->merged;
    for (int s = 0; s < j->n_old; s++) j->keep[s] = 0;
    j->n_keep = 0;
    return LE_OK;
}

/* Decides the new file's segments: the old ones that keep live documents,
 * then one new segment from the pending documents; all merged into one when
 * compacting or when they would be more than w's max_segments. */
static le_status plan_segments(commit_job *j, le_index_writer *w, int compact, le_error *err) {
    find_kept(j);
    int has_new = w->n_live_pending > 0;
    int max_seg = w->opt.max_segments > 0 ? w->opt.max_segments : 8;
    int merge = (compact && (j->n_keep + has_new) > 0) || j->n_keep + has_new > max_seg;
    le_status st;
    if (has_new && (st = build_fresh(j, w, !merge, err))) return st;
    if (merge && (st = merge_all(j, has_new, w->pool, err))) return st;
    j->n_seg = j->n_keep + (j->newseg != NULL);
    return LE_OK;
}

/* Allocates the segment table and the sink's buffer. */
static le_status alloc_table(commit_job *j, le_error *err) {
    j->table = calloc((size_t)(j->n_seg ? j->n_seg : 1), sizeof *j->table);
    j->k.cap = 1 << 20;
    j->k.buf = malloc(j->k.cap);
    return j->table && j->k.buf ? LE_OK : commit_oom(err);
}

/* Creates w's temporary file for the sink, anew (never through a link),
 * with the mode, owner and group of the index it will replace. */
static le_status open_tmp(commit_job *j, le_index_writer *w, le_error *err) {
    unlink(w->tmp_path); /* a failed commit's leftover */
    j->k.fd = fault("tmp-open") ? (errno = EIO, -1)
                                : open(w->tmp_path,
                                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (j->k.fd < 0) return io_fail(w, "create it", errno, err);
    return le_outfile_keep_attrs(j->k.fd, w->real, err);
}

/* Copies the kept old segments byte for byte, each 64-byte aligned, into
 * table rows 0, 1, …; returns the number of rows filled. */
static int copy_kept(commit_job *j) {
    int row = 0;
    for (int s = 0; s < j->n_old; s++) {
        if (!j->keep[s]) continue;
        sink_pad(&j->k, LE_IDX_ALIGN);
        le_manifest_seg *t = &j->table[row++];
        t->off = j->k.pos;
        t->len = j->cur->seg_len[s];
        t->n_docs = j->cur->seg[s].n_docs;
        t->dir_crc = j->cur->seg_dir_crc[s];
        t->del = old_bits(j, s);
        sink_out(&j->k, j->cur->base + j->cur->seg_off[s], (size_t)j->cur->seg_len[s]);
    }
    return row;
}

/* Serialises j->newseg, aligned, as table row `row`. An I/O failure stays
 * in the sink (reported when it is flushed); any other error is returned. */
static le_status write_new_segment(commit_job *j, int row, le_error *err) {
    le_manifest_seg *t = &j->table[row];
    sink_pad(&j->k, LE_IDX_ALIGN);
    t->off = j->k.pos;
    t->n_docs = j->newseg->n_docs;
    uint64_t sl = 0;
    if (!j->k.failed) {
        le_status ws = le_segment_write(j->newseg, sink_out, &j->k, &sl, &t->dir_crc, err);
        if (ws && !j->k.failed) return ws; /* not an I/O error: out of memory */
    }
    t->len = sl;
    return LE_OK;
}

/* Builds the manifest of the new file and appends it, aligned. */
static le_status append_manifest(commit_job *j, le_error *err) {
    sink_pad(&j->k, LE_IDX_ALIGN);
    j->moff = j->k.pos;
    j->mlen = le_manifest_size(j->n_seg, j->table);
    j->mf = calloc(1, j->mlen);
    if (!j->mf) return commit_oom(err);
    le_manifest_write(j->mf, j->model, j->settings, j->n_seg, j->table);
    sink_out(&j->k, j->mf, j->mlen);
    return LE_OK;
}

/* Writes the header, which points at the manifest, over the placeholder at
 * offset 0 of the flushed file. */
static le_status write_header(commit_job *j, le_index_writer *w, le_error *err) {
    unsigned char hdr[LE_IDX_HEADER_SIZE] = {0};
    memcpy(hdr + LE_HDR_MAGIC, LE_IDX_MAGIC, 8);
    le_st32(hdr + LE_HDR_VERSION, LE_IDX_VERSION);
    le_st32(hdr + LE_HDR_HEADER_SIZE, LE_IDX_HEADER_SIZE);
    le_st64(hdr + LE_HDR_FILE_SIZE, j->k.pos);
    le_st64(hdr + LE_HDR_GENERATION, (j->cur ? j->cur->generation : 0) + 1);
    le_st64(hdr + LE_HDR_MANIFEST_OFF, j->moff);
    le_st64(hdr + LE_HDR_MANIFEST_LEN, j->mlen);
    le_st32(hdr + LE_HDR_MANIFEST_CRC, le_crc32c(j->mf, j->mlen));
    le_st32(hdr + LE_HDR_CRC, le_crc32c(hdr, LE_HDR_CRC));
    if (fault("header-written") || pwrite(j->k.fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr)
        return io_fail(w, "write its header", errno, err);
    return LE_OK;
}

/* Writes the whole temporary file: header placeholder, kept segments, the
 * new segment, the manifest, then the header. */
static le_status write_tmp(commit_job *j, le_index_writer *w, le_error *err) {
    static const unsigned char zero_header[LE_IDX_HEADER_SIZE];
    le_status st;
    if ((st = alloc_table(j, err)) || (st = open_tmp(j, w, err))) return st;
    sink_out(&j->k, zero_header, sizeof zero_header);
    int row = copy_kept(j);
    sink_fault(&j->k, "segments-copied");
    if (j->newseg && (st = write_new_segment(j, row, err))) return st;
    sink_fault(&j->k, "segment-written");
    if ((st = append_manifest(j, err))) return st;
    sink_fault(&j->k, "manifest-written");
    if (sink_flush(&j->k)) return io_fail(w, "write it", j->k.err_no, err);
    return write_header(j, w, err);
}

/* Makes the temporary file durable, renames it over w->real (the commit
 * point), then syncs the directory so that the rename is durable too. */
static le_status publish(commit_job *j, le_index_writer *w, le_error *err) {
    if (fault("fsync") || fsync(j->k.fd) != 0) return io_fail(w, "fsync it", errno, err);
    int fd = j->k.fd;
    j->k.fd = -1;
    if (close(fd) != 0) return io_fail(w, "close it", errno, err);
    if (fault("rename") || rename(w->tmp_path, w->real) != 0)
        return le_fail(err, LE_ERR_IO, "%s: cannot rename it over %s: %s", w->tmp_path, w->real,
                       strerror(errno ? errno : EIO));
    /* the rename is durable once the directory is synced; it is visible already */
    int dfd = open(w->dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        if (!fault("dir-fsync")) fsync(dfd);
        close(dfd);
    }
    return LE_OK;
}

/* Opens the file just published as w's current index and drops the
 * pending changes it now holds. */
static le_status reopen(le_index_writer *w, le_error *err) {
    le_index *next = NULL;
    le_index_options ro = w->opt;
    le_status st = le_index_open(w->real, &ro, &next, err);
    if (st) {
        le_error_wrap(err, st, "index: reopening after a commit");
        return st;
    }
    le_index_close(w->cur);
    w->cur = next;
    clear_pending(w);
    return LE_OK;
}

/* Frees j; after a failure (st) also removes the temporary file. */
static void job_end(commit_job *j, le_index_writer *w, le_status st) {
    if (j->k.fd >= 0) close(j->k.fd);
    if (st && w->tmp_path) unlink(w->tmp_path);
    for (int s = 0; j->del && s < j->n_old; s++) free(j->del[s]);
    free(j->del);
    free(j->keep);
    free(j->table);
    free(j->mf);
    free(j->k.buf);
    le_segment_free(&j->fresh);
    le_segment_free(&j->merged);
}

/* Publishes a new version of w's file holding its committed documents less
 * the deleted and replaced ones, plus its pending documents (compact:
 * merged into one segment). new_model and new_settings describe a file
 * that does not exist yet (w->cur NULL). */
static le_status commit(le_index_writer *w, int compact, const le_index_model *new_model,
                        const le_index_options *new_settings, le_error *err) {
    commit_job j = {0};
    le_status st = job_start(&j, w, new_model, new_settings, err);
    if (!st) st = mark_replaced(&j, w, err);
    if (!st) st = plan_segments(&j, w, compact, err);
    if (!st) st = write_tmp(&j, w, err);
    if (!st) st = publish(&j, w, err);
    if (!st) st = reopen(w, err);
    job_end(&j, w, st);
    return st;
}

/* ------------------------------------------------------------ opening */

/* Opens w's lock file, never through a link (a link there could make the
 * writer truncate another file): it must be a regular file. */
static le_status open_lock(le_index_writer *w, le_error *err) {
    int fd = open(w->lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    if (fd < 0 && errno != ELOOP && errno != EISDIR)
        return le_fail(err, LE_ERR_IO, "%s: cannot create the lock file: %s", w->lock_path,
                       strerror(errno));
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0) close(fd);
        return le_fail(err, LE_ERR_IO,
                       "%s: the lock file is not a regular file (a link, FIFO, device or "
                       "directory); refusing to use it",
                       w->lock_path);
    }
    w->lock_fd = fd;
    return LE_OK;
}

static le_status take_lock(le_index_writer *w, le_error *err) {
    le_status ls = open_lock(w, err);
    if (ls) return ls;
    if (flock(w->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        char who[32] = "";
        ssize_t n = pread(w->lock_fd, who, sizeof who - 1, 0);
        who[n > 0 ? n : 0] = 0;
        who[strcspn(who, "\n")] = 0;
        close(w->lock_fd);
        w->lock_fd = -1;
        if (e == EWOULDBLOCK)
            return le_fail(err, LE_ERR_IO,
                           "%s: the index is locked by another writer%s%s%s (one writer at a "
                           "time; readers are not blocked)",
                           w->path, who[0] ? " (process " : "", who, who[0] ? ")" : "");
        return le_fail(err, LE_ERR_IO, "%s: cannot lock: %s", w->lock_path, strerror(e));
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(w->lock_fd, 0) == 0 && pwrite(w->lock_fd, pid, (size_t)n, 0) < 0) {
        /* the pid is only for messages */
    }
    return LE_OK;
}

static char *with_suffix(const char *path, const char *suffix) {
    size_t a = strlen(path), b = strlen(suffix);
    char *s = malloc(a + b + 1);
    if (s) {
        memcpy(s, path, a);
        memcpy(s + a, suffix, b + 1);
    }
    return s;
}

/* Writes the first version of w's file: an empty index of identity model
 * (NULL: BM25 only) and w's settings, once both are checked. */
static le_status create_index(le_index_writer *w, const le_index_model *model, le_error *err) {
    le_index_model m;
    if (model) m = *model;
    else le_index_model_init(&m);
    if (m.dim < 0 || m.dim > 65536 || m.multi_dim < 0 || m.multi_dim > 65536 || m.sparse_vocab < 0)
        return le_fail(err, LE_ERR_ARG, "index: bad model dimensions");
    if (!le_index_passages_valid(&m))
        return le_fail(err, LE_ERR_ARG,
                       "index: bad passage settings (%d tokens, overlap %d, mode %d): tokens >= "
                       "0, 0 <= overlap < tokens, mode chunk or late, and dense vectors",
                       m.passage_tokens, m.passage_overlap, (int)m.passage_mode);
    if (w->opt.hnsw_m < 2 || w->opt.hnsw_m > LE_HNSW_MAX_M || w->opt.hnsw_ef_construction < 1 ||
        w->opt.hnsw_ef_construction > 65536 || w->opt.hnsw_ef_search < 0 ||
        w->opt.hnsw_ef_search > (1 << 20) || w->opt.hnsw_min_docs < 0 ||
        (unsigned)w->opt.encoding > LE_VEC_I8)
        return le_fail(err, LE_ERR_ARG,
                       "index: bad settings (M %d must be in [2, %d], ef >= 1, encoding f32 or int8)",
                       w->opt.hnsw_m, LE_HNSW_MAX_M);
    le_index_options s = w->opt;
    s.stopwords = s.stopwords ? 1 : 0;
    s.store_text = s.store_text ? 1 : 0;
    return commit(w, 0, &m, &s, err);
}

/* Fills w's paths for the index path: the real file (a link resolved, a
 * path that exists and is not a regular file refused; base/outfile.h),
 * then its lock, its temporary file and its directory. */
static le_status set_paths(le_index_writer *w, const char *path, le_error *err) {
    if (!(w->path = strdup(path))) return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
    le_status st = le_outfile_resolve(path, &w->real, err);
    if (st) return st;
    char *dir = strdup(w->real);
    w->lock_path = with_suffix(w->real, ".lock");
    w->tmp_path = with_suffix(w->real, ".tmp");
    if (dir) w->dir_path = strdup(dirname(dir));
    free(dir);
    if (!w->lock_path || !w->tmp_path || !w->dir_path)
        return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
    return LE_OK;
}

le_status le_index_writer_open(const char *path, const le_index_model *model,
                               const le_index_options *opt, le_index_writer **out, le_error *err) {
    *out = NULL;
    if (!path || !*path) return le_fail(err, LE_ERR_ARG, "index: no path");
    le_index_writer *w = calloc(1, sizeof *w);
    if (!w) return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
    le_map_init(&w->pending, &le_map_borrowed);
    le_map_init(&w->deleted, &le_map_borrowed);
    w->lock_fd = -1;
    le_index_options_init(&w->opt);
    le_status st = le_options_take(&w->opt, sizeof w->opt, opt, "le_index_options", err);
    if (st) {
        free(w);
        return st;
    }
    if ((st = set_paths(w, path, err)) || (st = take_lock(w, err))) goto fail;
    unlink(w->tmp_path); /* a crashed writer's leftover */
    w->pool = le_pool_acquire(w->opt.threads); /* the shared pool (base/pool.h) */
    if (!w->pool) {
        st = le_fail(err, LE_ERR_NOMEM, "index: cannot start threads");
        goto fail;
    }
    if (le_file_exists(w->real)) {
        if ((st = le_index_open(path, &w->opt, &w->cur, err))) goto fail;
        char why[512];
        if (model && w->cur->n_seg == 0 && le_index_model_differs(&w->cur->model, model, NULL, 0)) {
            /* an index that never held a document takes the new identity and settings */
            le_index_close(w->cur);
            w->cur = NULL;
        } else if (model && le_index_model_differs(&w->cur->model, model, why, sizeof why)) {
            char built[400];
            le_index_model_summary(&w->cur->model, built, sizeof built);
            st = le_fail(err, LE_ERR_ARG,
                         "%s was built with %s; refusing to mix: %s (use another index, or the "
                         "same model and method)",
                         path, built, why);
            goto fail;
        }
    }
    if (!w->cur && (st = create_index(w, model, err))) goto fail;
    *out = w;
    return LE_OK;
fail:
    le_index_writer_close(w);
    return st;
}

void le_index_writer_close(le_index_writer *w) {
    if (!w) return;
    clear_pending(w);
    free(w->docs);
    free(w->dels);
    le_index_close(w->cur);
    le_pool_release(w->pool);
    if (w->lock_fd >= 0) close(w->lock_fd); /* releases the lock */
    free(w->path);
    free(w->real);
    free(w->lock_path);
    free(w->tmp_path);
    free(w->dir_path);
    free(w);
}

const le_index_model *le_index_writer_model(const le_index_writer *w) { return &w->cur->model; }

size_t le_index_writer_pending(const le_index_writer *w) { return w->n_live_pending; }

/* ------------------------------------------------------------ buffering */

static char *dup_str(const char *s) { return strdup(s ? s : ""); }

/* The length of d's text as the writer keeps it. */
static size_t doc_text_len(const le_index_doc *d) {
    return d->text ? (d->text_len ? d->text_len : strlen(d->text)) : 0;
}

/* 1 when byte i of text[0..len) starts a UTF-8 character (or is the end). */
static int char_boundary(const char *text, size_t len, size_t i) {
    return i >= len || ((unsigned char)text[i] & 0xC0) != 0x80;
}

/* Checks span j of document i (text[0..len), NULL: not given) against its
 * text and the span before it, prev (NULL for the first). */
static le_status check_span(size_t i, size_t j, const le_passage *p, const le_passage *prev,
                            const char *text, size_t len, le_error *err) {
    if (p->byte_start > p->byte_end || p->byte_end > len)
        return le_fail(err, LE_ERR_ARG,
                       "index: passage %zu of document %zu spans bytes %zu..%zu of a %zu-byte text",
                       j, i, p->byte_start, p->byte_end, len);
    if (p->token_start < 0 || p->token_start > p->token_end)
        return le_fail(err, LE_ERR_ARG, "index: passage %zu of document %zu spans tokens %d..%d", j,
                       i, p->token_start, p->token_end);
    if (prev && (p->byte_start < prev->byte_start || p->byte_end < prev->byte_end ||
                 p->token_start < prev->token_start || p->token_end < prev->token_end))
        return le_fail(err, LE_ERR_ARG,
                       "index: passage %zu of document %zu starts or ends before the one before "
                       "it (passages go in text order)",
                       j, i);
    if (text && (!char_boundary(text, len, p->byte_start) || !char_boundary(text, len, p->byte_end)))
        return le_fail(err, LE_ERR_ARG,
                       "index: passage %zu of document %zu does not start and end on UTF-8 "
                       "characters",
                       j, i);
    return LE_OK;
}

/* Checks the passages p of document i (d) for an index of model m: at least
 * one, with vectors, every span within the text and in order. */
static le_status check_passages(const le_index_model *m, size_t i, const le_index_doc *d,
                                const le_index_doc_passages *p, le_error *err) {
    if (!m->passage_tokens)
        return le_fail(err, LE_ERR_ARG,
                       "index: document %zu has passages; the index holds none (its passage "
                       "tokens are 0)",
                       i);
    if (p->n == 0 || !p->spans || !p->vectors)
        return le_fail(err, LE_ERR_ARG,
                       "index: document %zu (\"%s\") has no passages or no passage vectors (every "
                       "document of an index with passages has one or more)",
                       i, d->id);
    size_t len = doc_text_len(d);
    for (size_t j = 0; j < p->n; j++) {
        le_status st = check_span(i, j, &p->spans[j], j ? &p->spans[j - 1] : NULL, d->text, len, err);
        if (st) return st;
    }
    return LE_OK;
}

/* Refuses document i (d, its passages p or NULL) when its text is not
 * UTF-8 or a number it brings is NaN or infinite: one rule for every text
 * (as le_embed's), and no number an index cannot rank by or JSON write.
 * The message starts "text i: " with err->text_index = i, as le_embed's. */
static le_status check_content(const le_index_model *m, size_t i, const le_index_doc *d,
                               const le_index_doc_passages *p, le_error *err) {
    size_t len = doc_text_len(d), bad = d->text ? le_utf8_check(d->text, len) : len;
    const char *what = NULL;
    if (bad != len) {
        le_fail(err, LE_ERR_UTF8, "text %zu: text is not valid UTF-8 at byte %zu (0x%02X)", i,
                bad, (unsigned char)d->text[bad]);
        if (err) err->text_index = (long)i;
        return LE_ERR_UTF8;
    }
    size_t nd = m->dim && d->dense ? (size_t)m->dim : 0, nm = d->n_multi * (size_t)m->multi_dim;
    if (le_first_non_finite(d->dense, nd) < nd) what = "its vector";
    else if (d->n_sparse && le_first_non_finite(d->sparse_weights, d->n_sparse) < d->n_sparse)
        what = "its sparse weights";
    else if (nm && le_first_non_finite(d->multi, nm) < nm) what = "its multi-vectors";
    else if (p && p->vectors && le_first_non_finite(p->vectors, p->n * (size_t)m->dim) <
                                    p->n * (size_t)m->dim)
        what = "its passage vectors";
    if (!what) return LE_OK;
    le_fail(err, LE_ERR_ARG, "text %zu: a NaN or infinity in %s (document \"%s\")", i, what,
            d->id);
    if (err) err->text_index = (long)i;
    return LE_ERR_ARG;
}

/* Checks docs[0..n) (with passages[i], or none when passages is NULL)
 * against model m: ids, vectors the index holds, sparse term ids inside its
 * vocabulary, UTF-8 texts and finite numbers, passages. Nothing is buffered when one fails. */
static le_status check_docs(const le_index_model *m, size_t n, const le_index_doc *docs,
                            const le_index_doc_passages *passages, le_error *err) {
    for (size_t i = 0; i < n; i++) {
        const le_index_doc *d = &docs[i];
        if (!d->id || !*d->id)
            return le_fail(err, LE_ERR_ARG, "index: document %zu has no id", i);
        if (m->dim && !d->dense)
            return le_fail(err, LE_ERR_ARG, "index: document %zu (\"%s\") has no vector", i, d->id);
        if (d->n_multi && !m->multi_dim)
            return le_fail(err, LE_ERR_ARG, "index: document %zu has multi-vectors; the index holds none", i);
        if (d->n_sparse && !m->sparse_vocab)
            return le_fail(err, LE_ERR_ARG, "index: document %zu has sparse weights; the index holds none", i);
        for (size_t j = 0; j < d->n_sparse; j++)
            if (d->sparse_ids[j] >= (uint32_t)m->sparse_vocab)
                return le_fail(err, LE_ERR_ARG,
                               "index: document %zu has sparse term id %u, past the vocabulary of %d",
                               i, d->sparse_ids[j], m->sparse_vocab);
        le_status st = check_content(m, i, d, passages ? &passages[i] : NULL, err);
        if (st) return st;
        if (passages) {
            if ((st = check_passages(m, i, d, &passages[i], err))) return st;
        } else if (m->passage_tokens) {
            return le_fail(err, LE_ERR_ARG,
                           "index: the index holds passages (%d tokens each): add documents with "
                           "their passages (le_index_writer_add_passages)",
                           m->passage_tokens);
        }
    }
    return LE_OK;
}

/* Copies d's strings and counts into p (zeroed); -1 when out of memory
 * (what was copied stays in p for pdoc_free). */
static int copy_doc_text(pdoc *p, const le_index_doc *d) {
    size_t tl = doc_text_len(d);
    p->id = dup_str(d->id);
    p->source = dup_str(d->source);
    p->title = dup_str(d->title);
    p->text = malloc(tl + 1);
    int bad = !p->id || !p->source || !p->title || !p->text;
    if (!bad) {
        if (tl) memcpy(p->text, d->text, tl);
        p->text[tl] = 0;
    }
    p->text_len = tl;
    p->source_offset = d->source_offset;
    p->tokens = d->tokens > 0 ? (uint32_t)d->tokens : 0;
    p->tokens_in_text = d->tokens_in_text > 0 ? (uint32_t)d->tokens_in_text : p->tokens;
    p->truncated = d->truncated != 0;
    return bad ? -1 : 0;
}

/* Copies d's dense vector, sparse weights and multi-vectors (shaped by m)
 * into p; -1 when out of memory (what was copied stays in p). */
static int copy_doc_vectors(pdoc *p, const le_index_doc *d, const le_index_model *m) {
    if (m->dim) {
        p->dense = malloc((size_t)m->dim * sizeof *p->dense);
        if (!p->dense) return -1;
        memcpy(p->dense, d->dense, (size_t)m->dim * sizeof *p->dense);
    }
    if (d->n_sparse) {
        p->sp_ids = malloc(d->n_sparse * sizeof *p->sp_ids);
        p->sp_w = malloc(d->n_sparse * sizeof *p->sp_w);
        if (!p->sp_ids || !p->sp_w) return -1;
        memcpy(p->sp_ids, d->sparse_ids, d->n_sparse * sizeof *p->sp_ids);
        memcpy(p->sp_w, d->sparse_weights, d->n_sparse * sizeof *p->sp_w);
        p->n_sparse = d->n_sparse;
    }
    if (d->n_multi) {
        size_t nf = d->n_multi * (size_t)m->multi_dim;
        p->multi = malloc(nf * sizeof *p->multi);
        if (!p->multi) return -1;
        memcpy(p->multi, d->multi, nf * sizeof *p->multi);
        p->n_multi = d->n_multi;
    }
    return 0;
}

/* Copies the checked passages ps (NULL: none) of a document into p as
 * records and vectors of m->dim floats; -1 when out of memory. */
static int copy_doc_passages(pdoc *p, const le_index_doc_passages *ps, const le_index_model *m) {
    if (!ps) return 0;
    size_t n = ps->n, dim = (size_t)m->dim;
    p->pass = malloc(n * sizeof *p->pass);
    p->pass_vecs = malloc(n * dim * sizeof *p->pass_vecs);
    if (!p->pass || !p->pass_vecs) return -1;
    for (size_t j = 0; j < n; j++) {
        const le_passage *x = &ps->spans[j];
        p->pass[j] = (le_pass_rec){.byte_start = x->byte_start,
                                   .byte_end = x->byte_end,
                                   .token_start = (uint32_t)x->token_start,
                                   .token_end = (uint32_t)x->token_end,
                                   .flags = x->exact ? LE_PASS_EXACT : 0};
    }
    memcpy(p->pass_vecs, ps->vectors, n * dim * sizeof *p->pass_vecs);
    p->n_pass = n;
    return 0;
}

/* Appends a copy of the checked document d (with its passages ps, or NULL)
 * to w's pending documents; a pending document of the same id is dropped
 * (the later add wins). */
static le_status buffer_doc(le_index_writer *w, const le_index_doc *d,
                            const le_index_doc_passages *ps, const le_index_model *m,
                            le_error *err) {
    if (le_array_reserve(w->docs, w->cap_docs, w->n_docs + 1))
        return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
    pdoc *p = &w->docs[w->n_docs];
    memset(p, 0, sizeof *p);
    if (copy_doc_text(p, d) || copy_doc_vectors(p, d, m) || copy_doc_passages(p, ps, m)) {
        pdoc_free(p);
        return le_fail(err, LE_ERR_NOMEM, "index: out of memory buffering documents");
    }
    int64_t prev = le_map_get(&w->pending, p->id, strlen(p->id));
    if (prev >= 0) {
        w->docs[prev].dropped = 1;
        w->n_live_pending--;
    }
    if (le_map_put(&w->pending, p->id, strlen(p->id), (uint32_t)w->n_docs)) {
        pdoc_free(p);
        return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
    }
    w->n_docs++;
    w->n_live_pending++;
    return LE_OK;
}

le_status le_index_writer_add_passages(le_index_writer *w, size_t n, const le_index_doc *docs,
                                       const le_index_doc_passages *passages, le_error *err) {
    const le_index_model *m = &w->cur->model;
    le_status st = check_docs(m, n, docs, passages, err);
    for (size_t i = 0; i < n && !st; i++)
        st = buffer_doc(w, &docs[i], passages ? &passages[i] : NULL, m, err);
    return st;
}

le_status le_index_writer_add(le_index_writer *w, size_t n, const le_index_doc *docs,
                              le_error *err) {
    return le_index_writer_add_passages(w, n, docs, NULL, err);
}

le_status le_index_writer_delete(le_index_writer *w, size_t n, const char *const *ids,
                                 size_t *n_found, le_error *err) {
    size_t found = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ids[i]) continue;
        size_t l = strlen(ids[i]);
        int64_t prev = le_map_get(&w->pending, ids[i], l);
        int hit = 0;
        if (prev >= 0) {
            w->docs[prev].dropped = 1;
            w->n_live_pending--;
            le_map_del(&w->pending, ids[i], l);
            hit = 1;
        }
        int again = le_map_get(&w->deleted, ids[i], l) >= 0; /* deleted before, not committed */
        if (!again && le_index_find(w->cur, ids[i]) >= 0) hit = 1;
        found += hit;
        if (again) continue;
        if (le_array_reserve(w->dels, w->cap_dels, w->n_dels + 1))
            return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
        if (!(w->dels[w->n_dels] = strdup(ids[i])))
            return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
        if (le_map_put(&w->deleted, w->dels[w->n_dels], l, (uint32_t)w->n_dels)) {
            free(w->dels[w->n_dels]);
            return le_fail(err, LE_ERR_NOMEM, "index: out of memory");
        }
        w->n_dels++;
    }
    if (n_found) *n_found = found;
    return LE_OK;
}

le_status le_index_writer_commit(le_index_writer *w, le_error *err) {
    if (w->n_live_pending == 0 && w->n_dels == 0) {
        clear_pending(w);
        return LE_OK;
    }
    return commit(w, 0, NULL, NULL, err);
}

le_status le_index_writer_compact(le_index_writer *w, le_error *err) {
    return commit(w, 1, NULL, NULL, err);
}
