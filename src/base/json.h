/* JSON helpers over cJSON: loading files with a message that names the file,
 * line and byte offset of a syntax error, typed field access, and the one
 * string escaper for JSON the library and the CLI write themselves. */
#ifndef LE_BASE_JSON_H
#define LE_BASE_JSON_H

#include "base/error.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* Parses text (len bytes): one JSON value, then only white space. On an
 * error the message reads "<what>: invalid JSON at line L, byte B", with
 * the reason when it is more than syntax (": text after the value", ": an
 * unpaired UTF-16 surrogate escape", ": nested deeper than 1000 levels"). */
le_status le_json_parse(const char *text, size_t len, const char *what, cJSON **out, le_error *err);
/* Why cJSON stopped at byte off of s[0..n), for the failures it does not
 * name ("an unpaired UTF-16 surrogate escape", "nested deeper than 1000
 * levels"); NULL for a plain syntax error (the offset says enough). */
const char *le_json_failure(const char *s, size_t n, size_t off);
/* le_json_parse for one line of JSONL: "<what>: invalid JSON at byte B...". */
le_status le_json_parse_line(const char *text, size_t len, const char *what, cJSON **out,
                             le_error *err);
/* 1 when the JSON text escapes U+0000 (a backslash run of odd length
 * before "u0000"): cJSON ends a string there, so a text would be cut
 * without a word; readers refuse such a line instead. */
int le_json_escapes_nul(const char *line, size_t len);
/* The text of an id given as a JSON number: an integer of at most 2^53 - 1
 * in magnitude (beyond it a double drops digits, so two ids could become
 * one), written in full digits into buf (32 bytes). 0, or -1 when v is not
 * such an integer. */
int le_json_id_number(double v, char buf[32]);
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
