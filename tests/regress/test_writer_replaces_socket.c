/* Bug (issue 13): the whole-file writers renamed their temporary file over
 * the target whatever it was; a UNIX socket (like a FIFO or a device) was
 * replaced by a regular file, cutting off whoever listened on it. Fixed:
 * le_write_file_atomic and le_index_writer_open refuse a target that
 * exists and is not a regular file (base/outfile.c), also through a link,
 * and leave it as it was. The shell tests cover FIFOs and directories; a
 * socket needs C to make. */
#include "base/outfile.h"
#include "check.h"
#include "longembed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int is_socket(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

int main(void) {
    char dir[] = "/tmp/le-sock-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char sock[64], link[64];
    snprintf(sock, sizeof sock, "%s/s", dir);
    snprintf(link, sizeof link, "%s/to-s", dir);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", sock);
    CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
    CHECK(symlink("s", link) == 0);

    le_error err;
    CHECK_EQ_INT(le_write_file_atomic(sock, "x", 1, &err), LE_ERR_IO);
    CHECK_MSG(strstr(err.message, "is a socket") && strstr(err.message, sock), "%s", err.message);
    CHECK(is_socket(sock));
    CHECK_EQ_INT(le_write_file_atomic(link, "x", 1, &err), LE_ERR_IO);
    CHECK_MSG(strstr(err.message, "is a socket") && strstr(err.message, link), "%s", err.message);
    CHECK(is_socket(sock));

    le_index_writer *w = NULL;
    CHECK_EQ_INT(le_index_writer_open(sock, NULL, NULL, &w, &err), LE_ERR_IO);
    CHECK_MSG(strstr(err.message, "is a socket"), "%s", err.message);
    CHECK(w == NULL && is_socket(sock));
    char lock[160];
    snprintf(lock, sizeof lock, "%s.lock", sock);
    CHECK(access(lock, F_OK) != 0); /* refused before any lock file was made */

    close(fd);
    unlink(link);
    unlink(sock);
    rmdir(dir);
    return check_report("test_writer_replaces_socket");
}
