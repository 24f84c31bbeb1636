#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>

static le_log_fn g_log_fn;
static void *g_log_user;

void le_set_log(le_log_fn fn, void *user) {
    g_log_fn = fn;
    g_log_user = user;
}

void le_log(int level, const char *fmt, ...) {
    if (!g_log_fn) return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    g_log_fn(level, msg, g_log_user);
}
