/* Status and error messages: every fallible call returns a le_status and,
 * when given an le_error, a message naming what was wrong and where. */
#ifndef LE_BASE_ERROR_H
#define LE_BASE_ERROR_H

#include "longembed.h"

#if defined(__GNUC__)
#define LE_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LE_PRINTF(a, b)
#endif

/* Sets err (if non-NULL) to code and the formatted message; returns code. */
le_status le_fail(le_error *err, le_status code, const char *fmt, ...) LE_PRINTF(3, 4);

/* Prepends "context: " to err's message (if err is non-NULL) and returns
 * code, the status of the failure being wrapped: with a NULL err the status
 * still reaches the caller unchanged. */
le_status le_error_wrap(le_error *err, le_status code, const char *fmt, ...) LE_PRINTF(3, 4);

void le_error_clear(le_error *err);

#endif
