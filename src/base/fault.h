/* Fault injection for tests: the one hook through which a test makes the
 * library fail at a named point, as a real failure there would.
 *
 * Points: the steps of an index commit ("tmp-open", "write",
 * "segments-copied", "segment-written", "manifest-written",
 * "header-written", "fsync", "rename", "dir-fsync"; src/index/index_writer.c
 * asks le_fault at each), and "alloc": every allocation of library code in
 * a test program that links the allocation shim (tests/fault/alloc_shim.h:
 * malloc and friends wrapped at link time with -Wl,--wrap), so the library
 * itself pays nothing for allocation faults. A hook may also kill the
 * process to simulate a crash at that point. */
#ifndef LE_BASE_FAULT_H
#define LE_BASE_FAULT_H

/* A non-zero return makes the point fail. */
typedef int (*le_fault_fn)(const char *point, void *user);

/* Installs the hook (NULL: none, the default). Not thread-safe: set it
 * before the calls it should reach, clear it after. */
void le_fault_set_hook(le_fault_fn fn, void *user);

/* 1 when the hook says the point fails; 0 without a hook. */
int le_fault(const char *point);

#endif
