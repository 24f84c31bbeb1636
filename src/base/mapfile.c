#include "base/mapfile.h"

#include "base/array.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

le_status le_mapfile_open(le_mapfile *mf, const char *path, le_error *err) {
    memset(mf, 0, sizeof *mf);
    /* O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below) */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return le_fail(err, LE_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return le_fail(err, LE_ERR_IO, "%s: cannot stat: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return le_fail(err, LE_ERR_IO, "%s: not a regular file", path);
    }
    if (st.st_size == 0) {
        close(fd);
        mf->data = (const unsigned char *)"";
        mf->size = 0;
        return LE_OK;
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (p == MAP_FAILED) return le_fail(err, LE_ERR_IO, "%s: cannot map: %s", path, strerror(e));
    mf->data = p;
    mf->size = (size_t)st.st_size;
    mf->mapped = 1;
    return LE_OK;
}

void le_mapfile_release(const le_mapfile *mf, const void *p, size_t n) {
    const unsigned char *b = p;
    if (!mf->mapped || !n || b < mf->data || b + n > mf->data + mf->size) return;
    /* the mapping starts on a page, so the pages the range touches are in it */
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = (uintptr_t)b & ~(page - 1), hi = (uintptr_t)(b + n);
    madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

void le_mapfile_close(le_mapfile *mf) {
    if (mf->mapped) munmap((void *)mf->data, mf->size);
    memset(mf, 0, sizeof *mf);
}

le_status le_read_file(const char *path, size_t max_size, char **out, size_t *size_out,
                       le_error *err) {
    *out = NULL;
    /* O_NONBLOCK: a FIFO must not wait for a writer; only regular files are read */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return le_fail(err, LE_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    int regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    FILE *f = regular ? fdopen(fd, "rb") : NULL;
    if (!f) {
        int e = errno;
        close(fd);
        if (!regular) return le_fail(err, LE_ERR_IO, "%s: not a regular file", path);
        return le_fail(err, LE_ERR_IO, "%s: cannot open: %s", path, strerror(e));
    }
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    le_status s = LE_OK;
    do {
        /* a chunk more, and one byte for the terminating NUL */
        if (le_array_reserve(buf, cap, n + (1u << 16) + 1)) {
            s = le_fail(err, LE_ERR_NOMEM, "%s: out of memory", path);
            break;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (max_size && n > max_size)
            s = le_fail(err, LE_ERR_FORMAT, "%s: larger than the limit of %zu bytes", path,
                        max_size);
    } while (got && !s);
    if (!s && ferror(f)) s = le_fail(err, LE_ERR_IO, "%s: read error", path);
    fclose(f);
    if (s) {
        free(buf);
        return s;
    }
    buf[n] = 0;
    *out = buf;
    if (size_out) *size_out = n;
    return LE_OK;
}

int le_file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int le_dir_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *le_path_join(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    int slash = la > 0 && a[la - 1] != '/';
    char *p = malloc(la + lb + 2);
    if (!p) return NULL;
    memcpy(p, a, la);
    if (slash) p[la++] = '/';
    memcpy(p + la, b, lb + 1);
    return p;
}

int le_mkdir_p(const char *path) {
    char *p = strdup(path);
    if (!p) return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = 0;
            if (mkdir(p, 0755) != 0 && errno != EEXIST) {
                free(p);
                return -1;
            }
            *s = '/';
        }
    }
    int rc = (mkdir(p, 0755) == 0 || errno == EEXIST) ? 0 : -1;
    if (rc == 0 && !le_dir_exists(p)) { /* a file, FIFO, … of that name is not a directory */
        rc = -1;
        errno = ENOTDIR;
    }
    free(p);
    return rc;
}
