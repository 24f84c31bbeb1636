/* Read-only file mapping, and whole-file reads for small files. */
#ifndef LE_BASE_MAPFILE_H
#define LE_BASE_MAPFILE_H

#include <stddef.h>

#include "base/error.h"

typedef struct le_mapfile {
    const unsigned char *data;
    size_t size;
    int mapped; /* 1: munmap on close; 0: heap (empty files) */
} le_mapfile;

le_status le_mapfile_open(le_mapfile *mf, const char *path, le_error *err);
void le_mapfile_close(le_mapfile *mf);
/* Drops the resident pages that [p, p + n) touches, when that range lies in
 * the mapping (they are clean: a later access reads them from the file
 * again). For data that was copied out once. Heap images are left alone. */
void le_mapfile_release(const le_mapfile *mf, const void *p, size_t n);

/* Reads a whole file into a NUL-terminated heap buffer (free()). max_size
 * bounds it (0: no bound). */
le_status le_read_file(const char *path, size_t max_size, char **out, size_t *size_out,
                       le_error *err);

int le_file_exists(const char *path);
int le_dir_exists(const char *path);
/* Joins a and b with one '/'; returns a malloc'd string (NULL when out of memory). */
char *le_path_join(const char *a, const char *b);
/* mkdir -p; returns 0 when path is a directory (or a link to one) at the end,
 * else -1 with errno (ENOTDIR: a file, FIFO, … has that name). */
int le_mkdir_p(const char *path);

#endif
