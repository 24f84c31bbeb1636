#include "base/fault.h"

#include <stddef.h>

static le_fault_fn g_hook;
static void *g_user;

void le_fault_set_hook(le_fault_fn fn, void *user) {
    g_hook = fn;
    g_user = user;
}

int le_fault(const char *point) { return g_hook && g_hook(point, g_user); }
