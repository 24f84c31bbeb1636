/* Output files that are safe to replace (outfile.h). */
#define _GNU_SOURCE
#include "base/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 40 /* as the kernel's limit on a chain of links */

/* What st is, for a message. */
static const char *kind_of(const struct stat *st) {
    if (S_ISDIR(st->st_mode)) return "a directory";
    if (S_ISFIFO(st->st_mode)) return "a FIFO";
    if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) return "a device";
    if (S_ISSOCK(st->st_mode)) return "a socket";
    return "not a regular file";
}

static le_status refuse(const char *path, const struct stat *st, le_error *err) {
    return le_fail(err, LE_ERR_IO,
                   "%s: is %s, not a regular file; refusing to replace it (write to a regular "
                   "file or a new name)",
                   path, kind_of(st));
}

/* The path link (a symbolic link) points at, malloc'd: relative targets are
 * taken from link's directory. NULL with errno set on failure. */
static char *follow(const char *link) {
    char buf[PATH_MAX];
    ssize_t n = readlink(link, buf, sizeof buf - 1);
    if (n < 0) return NULL;
    if (n == (ssize_t)sizeof buf - 1) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    buf[n] = 0;
    const char *slash = strrchr(link, '/');
    size_t dl = buf[0] == '/' || !slash ? 0 : (size_t)(slash - link) + 1;
    char *out = malloc(dl + (size_t)n + 1);
    if (!out) return NULL;
    memcpy(out, link, dl);
    memcpy(out + dl, buf, (size_t)n + 1);
    return out;
}

le_status le_outfile_resolve(const char *path, char **real, le_error *err) {
    *real = NULL;
    if (!path || !*path) return le_fail(err, LE_ERR_ARG, "no output path");
    char *cur = strdup(path);
    for (int hops = 0; cur; hops++) {
        struct stat st;
        if (lstat(cur, &st) != 0) {
            if (errno == ENOENT) break; /* a new file (its directory is checked on create) */
            le_status s = le_fail(err, LE_ERR_IO, "%s: %s", path, strerror(errno));
            free(cur);
            return s;
        }
        if (S_ISREG(st.st_mode)) break;
        if (!S_ISLNK(st.st_mode)) {
            free(cur);
            return refuse(path, &st, err);
        }
        char *next = hops < MAX_LINKS ? follow(cur) : (errno = ELOOP, NULL);
        if (!next) {
            le_status s = le_fail(err, errno == ENOMEM ? LE_ERR_NOMEM : LE_ERR_IO, "%s: %s", path,
                                  strerror(errno));
            free(cur);
            return s;
        }
        free(cur);
        cur = next;
    }
    if (!cur) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", path);
    *real = cur;
    return LE_OK;
}

le_status le_outfile_keep_attrs(int fd, const char *real, le_error *err) {
    struct stat st;
    if (lstat(real, &st) != 0)
        return errno == ENOENT ? LE_OK : le_fail(err, LE_ERR_IO, "%s: %s", real, strerror(errno));
    if (!S_ISREG(st.st_mode)) return refuse(real, &st, err);
    /* the owner first: changing it may clear permission bits. Only root may
     * give a file away; an ordinary user keeps the group where a member. */
    if (fchown(fd, st.st_uid, st.st_gid) != 0 && fchown(fd, (uid_t)-1, st.st_gid) != 0) {
        /* not permitted: the file stays the writer's */
    }
    /* the writer owns fd, so only a file system without modes (vfat, some
     * FUSE) refuses; there is nothing to keep then */
    if (fchmod(fd, st.st_mode & 0777) != 0 && errno != EPERM && errno != ENOTSUP &&
        errno != EOPNOTSUPP && errno != EINVAL)
        return le_fail(err, LE_ERR_IO, "%s: cannot set the mode of its replacement: %s", real,
                       strerror(errno));
    return LE_OK;
}

le_status le_outfile_create_tmp(const char *real, char **tmp, int *fd, le_error *err) {
    static unsigned counter;
    size_t cap = strlen(real) + 48;
    *fd = -1;
    *tmp = malloc(cap);
    if (!*tmp) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", real);
    for (int tries = 0; tries < 100; tries++) {
        unsigned n = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
        snprintf(*tmp, cap, "%s.tmp-%ld-%u", real, (long)getpid(), n);
        *fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (*fd >= 0) return LE_OK;
        if (errno != EEXIST) break;
    }
    le_status s = le_fail(err, LE_ERR_IO, "%s: cannot create a temporary file next to it: %s",
                          real, strerror(errno));
    free(*tmp);
    *tmp = NULL;
    return s;
}

int le_outfile_write(int fd, const void *data, size_t n) {
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return w < 0 ? errno : EIO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

le_status le_write_file_with(const char *path, le_outfile_writer fn, void *user,
                             le_error *err) {
    char *real = NULL, *tmp = NULL;
    int fd = -1;
    le_status s = le_outfile_resolve(path, &real, err);
    if (!s) s = le_outfile_create_tmp(real, &tmp, &fd, err);
    if (!s) s = le_outfile_keep_attrs(fd, real, err);
    if (!s) {
        int e = 0;
        s = fn(fd, user, &e, err);
        if (close(fd) != 0 && !e) e = errno;
        fd = -1;
        if (!s && !e && rename(tmp, real) != 0) e = errno;
        if (!s && e) s = le_fail(err, LE_ERR_IO, "%s: cannot write: %s", path, strerror(e));
    }
    if (fd >= 0) close(fd);
    if (s && tmp) unlink(tmp);
    free(tmp);
    free(real);
    return s;
}

/* The writer of a buffer: {data, n}. */
typedef struct buf_writer {
    const char *data;
    size_t n;
} buf_writer;

static le_status write_buf(int fd, void *user, int *e, le_error *err) {
    (void)err;
    const buf_writer *b = user;
    *e = le_outfile_write(fd, b->data, b->n);
    return LE_OK;
}

le_status le_write_file_atomic(const char *path, const char *data, size_t n, le_error *err) {
    buf_writer b = {data, n};
    return le_write_file_with(path, write_buf, &b, err);
}

le_status le_outdir_check(const char *path, le_error *err) {
    struct stat st;
    const char *kind;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return LE_OK;
        kind = S_ISREG(st.st_mode) ? "a regular file" : kind_of(&st);
    } else if (errno == ENOENT && lstat(path, &st) == 0) {
        kind = "a link to nothing";
    } else {
        return LE_OK; /* missing (the writer makes it), or an error the writer reports */
    }
    return le_fail(err, LE_ERR_IO,
                   "%s: is %s, not a directory; refusing to write into it or replace it", path,
                   kind);
}
