#define _GNU_SOURCE /* asprintf, open_memstream */
#include "input.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/array.h"
#include "cli.h"

#define MAX_FILE_BYTES ((size_t)1 << 30)

void cli_input_init(cli_input *in, char **files, int n_files, input_format format) {
    memset(in, 0, sizeof *in);
    in->files = files;
    in->n_files = n_files;
    in->format = format;
    in->in = stdin;
}

le_status cli_input_parse_format(const char *s, input_format *out) {
    if (!strcmp(s, "auto")) *out = INPUT_AUTO;
    else if (!strcmp(s, "lines")) *out = INPUT_LINES;
    else if (!strcmp(s, "jsonl")) *out = INPUT_JSONL;
    else return LE_ERR_ARG;
    return LE_OK;
}

le_status cli_input_option(const char *arg, input_format *out) {
    if (cli_input_parse_format(arg, out) == LE_OK) return LE_OK;
    cli_error("--input: expected auto, lines or jsonl, got \"%s\"", arg);
    return LE_ERR_ARG;
}

void cli_text_free(cli_text *t) {
    free(t->id_json);
    free(t->text);
    memset(t, 0, sizeof *t);
}

void cli_input_free(cli_input *in) { free(in->line); }

static char *json_literal(const char *s) {
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return NULL;
    cli_json_string(f, s, strlen(s));
    fclose(f);
    return buf;
}

/* Reads f to its end into *buf, with room for a NUL after the *n bytes: 0,
 * -1 when out of memory, -2 when it holds MAX_FILE_BYTES or more. *buf is
 * set (to free) whatever the outcome; a read error is left to ferror. */
static int read_all(FILE *f, char **buf, size_t *n) {
    size_t cap = 0;
    *buf = NULL;
    *n = 0;
    for (;;) {
        if (*n == cap) { /* full: 64 KiB to start, then twice as much */
            if (cap >= MAX_FILE_BYTES) return -2;
            if (le_array_reserve(*buf, cap, cap ? cap + 1 : (size_t)1 << 16)) return -1;
        }
        size_t got = fread(*buf + *n, 1, cap - *n, f);
        *n += got;
        if (got == 0) return 0; /* *n < cap: the NUL fits */
    }
}

static int read_whole_file(const char *path, cli_text *t) {
    struct stat st;
    if (stat(path, &st) != 0) {
        cli_error("%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        cli_error("%s: is a directory (give files, one document each)", path);
        return -1;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_error("%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char *buf;
    size_t n;
    int r = read_all(f, &buf, &n);
    int bad = r == 0 && ferror(f);
    fclose(f);
    if (r || bad) {
        free(buf);
        if (r == -2)
            cli_error("%s: larger than %zu bytes", path, MAX_FILE_BYTES);
        else
            cli_error("%s: %s", path, r ? "out of memory" : "read error");
        return -1;
    }
    buf[n] = 0;
    t->text = buf;
    t->len = n;
    t->id_json = json_literal(path);
    snprintf(t->where, sizeof t->where, "%s", path);
    return t->id_json ? 1 : -1;
}

/* 1 when the line escapes U+0000 (a backslash run of odd length before
 * "u0000"): cJSON would end the string there, cutting the text silently. */
static int escapes_nul(const char *line, size_t len) {
    for (size_t i = 0; i + 6 <= len; i++) {
        if (memcmp(line + i, "\\u0000", 6)) continue;
        size_t run = 0;
        while (run <= i && line[i - run] == '\\') run++;
        if (run % 2) return 1;
    }
    return 0;
}

/* A JSONL line: {"text": "...", "id": "x" | 7}. */
static int parse_jsonl(cli_input *in, const char *line, size_t len, cli_text *t) {
    if (escapes_nul(line, len)) {
        cli_error("stdin line %zu: the text contains U+0000, which is not supported", in->line_no);
        return -1;
    }
    cJSON *j = cJSON_ParseWithLength(line, len);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        cli_error("stdin line %zu: not a JSON object (JSONL input wants {\"text\": ...})",
                  in->line_no);
        return -1;
    }
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(j, "text");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
    if (!cJSON_IsString(text)) {
        cJSON_Delete(j);
        cli_error("stdin line %zu: no \"text\" string", in->line_no);
        return -1;
    }
    if (id && !cJSON_IsString(id) && !cJSON_IsNumber(id)) {
        cJSON_Delete(j);
        cli_error("stdin line %zu: \"id\" must be a string or a number", in->line_no);
        return -1;
    }
    t->text = strdup(text->valuestring);
    t->len = t->text ? strlen(t->text) : 0;
    if (id) t->id_json = cJSON_PrintUnformatted(id);
    else if (asprintf(&t->id_json, "%zu", in->line_no) < 0) t->id_json = NULL;
    cJSON_Delete(j);
    snprintf(t->where, sizeof t->where, "stdin line %zu", in->line_no);
    if (!t->text || !t->id_json) {
        cli_text_free(t);
        cli_error("out of memory");
        return -1;
    }
    return 1;
}

int cli_input_next(cli_input *in, cli_text *t) {
    memset(t, 0, sizeof *t);
    if (in->n_files > 0) {
        if (in->next_file >= in->n_files) return 0;
        return read_whole_file(in->files[in->next_file++], t);
    }
    ssize_t got = getline(&in->line, &in->line_cap, in->in);
    if (got < 0) {
        if (ferror(in->in)) {
            cli_error("stdin: read error");
            return -1;
        }
        return 0;
    }
    in->line_no++;
    size_t len = (size_t)got;
    if (len && in->line[len - 1] == '\n') len--;
    if (len && in->line[len - 1] == '\r') len--;
    in->line[len] = 0;
    if (in->format == INPUT_AUTO) {
        /* decided by the first line: JSONL when it is a JSON object */
        const char *p = in->line;
        while (*p == ' ' || *p == '\t') p++;
        cJSON *j = *p == '{' ? cJSON_ParseWithLength(in->line, len) : NULL;
        in->format = cJSON_IsObject(j) && cJSON_GetObjectItemCaseSensitive(j, "text")
                         ? INPUT_JSONL
                         : INPUT_LINES;
        cJSON_Delete(j);
    }
    if (in->format == INPUT_JSONL) return parse_jsonl(in, in->line, len, t);
    if (memchr(in->line, 0, len)) {
        cli_error("stdin line %zu: contains a NUL byte", in->line_no);
        return -1;
    }
    t->text = strdup(in->line);
    t->len = len;
    if (!t->text || asprintf(&t->id_json, "%zu", in->line_no) < 0) {
        free(t->text);
        t->text = NULL;
        cli_error("out of memory");
        return -1;
    }
    snprintf(t->where, sizeof t->where, "stdin line %zu", in->line_no);
    return 1;
}
