/* Library logging goes through the user's callback (le_set_log); nothing is
 * printed by default. */
#ifndef LE_BASE_LOG_H
#define LE_BASE_LOG_H

#include "base/error.h"

enum { LE_LOG_ERROR = 0, LE_LOG_WARN = 1, LE_LOG_INFO = 2, LE_LOG_DEBUG = 3 };

void le_log(int level, const char *fmt, ...) LE_PRINTF(2, 3);

#endif
