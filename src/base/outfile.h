/* Output files that are safe to replace. Every writer that replaces a whole
 * file (bench reports, exported tasks, run files, the embedding cache, the
 * index commit) writes a temporary file next to its target and renames it
 * over the target. The rules for that target, kept here once:
 *
 *   - it does not exist: a new file, mode 0666 less the umask (as a shell
 *     redirection makes it);
 *   - it is a symbolic link (or a chain of them): the file the link finally
 *     names is the target, so the link stays and the file it points at is
 *     replaced (a dangling link: the file it names is created);
 *   - it is a regular file: replaced, and the new file gets its permission
 *     bits and, where permitted, its owner and group;
 *   - anything else (a directory, FIFO, device, socket) is refused with
 *     LE_ERR_IO and a message naming it: such a file is never replaced. */
#ifndef LE_BASE_OUTFILE_H
#define LE_BASE_OUTFILE_H

#include "base/error.h"

#include <stddef.h>

/* The real target of an output path: *real gets a malloc'd path (path
 * itself, or the end of its chain of links). A target that exists and is
 * not a regular file is refused. */
le_status le_outfile_resolve(const char *path, char **real, le_error *err);

/* Gives the open file fd (the replacement of real) the permission bits,
 * owner and group of the file real, when it exists; a failed change of
 * owner (not permitted to an ordinary user) is ignored. real must still be
 * a regular file or missing (refused otherwise, as le_outfile_resolve). */
le_status le_outfile_keep_attrs(int fd, const char *real, le_error *err);

/* Creates a new temporary file next to real (real + ".tmp-<pid>-<n>"),
 * never following a link: *fd gets it, open for writing, and *tmp its
 * malloc'd name. */
le_status le_outfile_create_tmp(const char *real, char **tmp, int *fd, le_error *err);

/* Writes data[0..n) as the whole new content of path by the rules above,
 * through a temporary file and a rename, so that readers never see a
 * half-written file. Every write error (a full disk, a file size limit)
 * is reported. */
le_status le_write_file_atomic(const char *path, const char *data, size_t n, le_error *err);

/* Writes data[0..n) to fd (retrying short writes); the errno of a failure, or 0. */
int le_outfile_write(int fd, const void *data, size_t n);

/* A writer of a file's whole content into fd: a write error's errno into
 * *e (reported as "cannot write"), or a status of its own. */
typedef le_status (*le_outfile_writer)(int fd, void *user, int *e, le_error *err);

/* le_write_file_atomic for content written by fn (streamed: a large file
 * need not be in memory at once); nothing replaces path when fn fails. */
le_status le_write_file_with(const char *path, le_outfile_writer fn, void *user, le_error *err);

/* Checks that path, when it exists, is a directory (or a link to one):
 * LE_ERR_IO naming it otherwise. For writers that fill a directory. */
le_status le_outdir_check(const char *path, le_error *err);

#endif
