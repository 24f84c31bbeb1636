/* JSON helpers over cJSON: loading files with a message that names the file,
 * line and byte offset of a syntax error, typed field access, and the one
 * string escaper for JSON the library and the CLI write themselves. */
#ifndef LE_BASE_JSON_H
#define LE_BASE_JSON_H

#include "base/error.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* Parses text (len bytes); on a syntax error the message reads
 * "<what>: invalid JSON at line L, byte B". */
le_status le_json_parse(const char *text, size_t len, const char *what, cJSON **out, le_error *err);
/* Reads and parses a file (bounded by max_size bytes, 0 = no bound). */
le_status le_json_load(const char *path, size_t max_size, cJSON **out, le_error *err);

/* Field lookups: return 1 when the field exists with the right type. */
int le_json_int(const cJSON *obj, const char *key, long long *out);
int le_json_num(const cJSON *obj, const char *key, double *out);
int le_json_bool(const cJSON *obj, const char *key, int *out);
const char *le_json_str(const cJSON *obj, const char *key);

/* Writes s[0..n) as a JSON string literal through put: quoted, with ", \
 * and control characters escaped (\n, \r, \t, else \u00XX), DEL too with
 * LE_JSON_ESCAPE_DEL in flags (the benchmark's reports escape it, the CLI's
 * output does not), other bytes (UTF-8) as they are. Runs of plain bytes go
 * out in one call, so a long text costs no copy. */
enum { LE_JSON_ESCAPE_DEL = 1 };
typedef void (*le_json_put)(void *ctx, const char *bytes, size_t n);
void le_json_write_string(const char *s, size_t n, unsigned flags, le_json_put put, void *ctx);

#endif
