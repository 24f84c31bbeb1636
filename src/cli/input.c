#define _GNU_SOURCE /* asprintf, open_memstream */
#include "input.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/array.h"
#include "base/json.h"
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
    free(t->error);
    memset(t, 0, sizeof *t);
}

/* Marks t as a bad input with the message fmt: CLI_INPUT_BAD, or -1 when
 * out of memory (printed). t->id_json and t->where are set already. */
__attribute__((format(printf, 2, 3))) static int bad_input(cli_text *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = vasprintf(&t->error, fmt, ap);
    va_end(ap);
    if (r < 0 || !t->id_json) {
        t->error = NULL;
        cli_error("out of memory");
        return -1;
    }
    return CLI_INPUT_BAD;
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

/* A file given as an argument: one text, or a bad input (missing, a
 * directory, unreadable, too large, holding a NUL byte). */
static int read_whole_file(const char *path, cli_text *t) {
    snprintf(t->where, sizeof t->where, "%s", path);
    if (!(t->id_json = json_literal(path))) {
        cli_error("out of memory");
        return -1;
    }
    t->id_given = 1;
    struct stat st;
    if (stat(path, &st) != 0) return bad_input(t, "%s: cannot open: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return bad_input(t, "%s: is a directory (give files, one document each)", path);
    FILE *f = fopen(path, "rb");
    if (!f) return bad_input(t, "%s: cannot open: %s", path, strerror(errno));
    char *buf;
    size_t n;
    int r = read_all(f, &buf, &n);
    int bad = r == 0 && ferror(f);
    fclose(f);
    if (r == -1) {
        free(buf);
        cli_error("out of memory");
        return -1;
    }
    if (r || bad) {
        free(buf);
        if (r == -2) return bad_input(t, "%s: larger than %zu bytes", path, MAX_FILE_BYTES);
        return bad_input(t, "%s: read error", path);
    }
    buf[n] = 0;
    t->text = buf;
    t->len = n;
    const char *nul = memchr(buf, 0, n);
    if (nul)
        return bad_input(t, "%s: contains a NUL byte at byte %zu (not a text file?)", path,
                         (size_t)(nul - buf));
    return 1;
}

/* The id of a JSONL object into t->id_json, as a JSON literal: a string
 * as given, a number in full digits (an integer below 2^53 only, so that
 * two ids never become one); without an id, the line number. */
static int jsonl_id(cli_input *in, const cJSON *id, cli_text *t) {
    char digits[32];
    if (!id) return 0; /* the line number, set already */
    char *lit = NULL;
    if (cJSON_IsString(id)) {
        lit = json_literal(id->valuestring);
    } else if (!cJSON_IsNumber(id)) {
        return bad_input(t, "stdin line %zu: \"id\" must be a string or a number", in->line_no);
    } else if (le_json_id_number(id->valuedouble, digits)) {
        return bad_input(t,
                         "stdin line %zu: a numeric \"id\" must be an integer of at most 2^53 - 1 "
                         "(9007199254740991; larger numbers lose digits: give them as strings)",
                         in->line_no);
    } else {
        lit = strdup(digits);
    }
    if (!lit) {
        cli_error("out of memory");
        return -1;
    }
    free(t->id_json);
    t->id_json = lit;
    t->id_given = 1;
    return 0;
}

/* A JSONL line: {"text": "...", "id": "x" | 7}; 1, or a bad input. */
static int parse_jsonl(cli_input *in, const char *line, size_t len, cli_text *t) {
    if (asprintf(&t->id_json, "%zu", in->line_no) < 0) { /* until its own id is read */
        t->id_json = NULL;
        cli_error("out of memory");
        return -1;
    }
    if (le_json_escapes_nul(line, len))
        return bad_input(t, "stdin line %zu: the text contains U+0000, which is not supported",
                         in->line_no);
    cJSON *j;
    le_error err;
    char what[64];
    snprintf(what, sizeof what, "stdin line %zu", in->line_no);
    if (le_json_parse_line(line, len, what, &j, &err))
        return bad_input(t, "%s", err.message);
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(j, "text");
    int r = 1;
    if (!cJSON_IsObject(j))
        r = bad_input(t, "stdin line %zu: not a JSON object (JSONL input wants {\"text\": ...})",
                      in->line_no);
    else if (!cJSON_IsString(text))
        r = bad_input(t, "stdin line %zu: no \"text\" string", in->line_no);
    else if ((r = jsonl_id(in, cJSON_GetObjectItemCaseSensitive(j, "id"), t)) == 0 &&
             !(t->text = strdup(text->valuestring))) {
        cli_error("out of memory");
        r = -1;
    }
    if (r == 0) {
        t->len = strlen(t->text);
        r = 1;
    }
    cJSON_Delete(j);
    return r;
}

/* 1 when line[0..len) holds only spaces and tabs. */
static int blank(const char *line, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (line[i] != ' ' && line[i] != '\t') return 0;
    return 1;
}

/* The next line of standard input into in->line (without its end of line
 * or, on the first line, a UTF-8 byte order mark), its length in *len:
 * 1, 0 at the end, -1 on a read error (printed). */
static int next_line(cli_input *in, size_t *len) {
    ssize_t got = getline(&in->line, &in->line_cap, in->in);
    if (got < 0) {
        if (!ferror(in->in)) return 0;
        cli_error("stdin: read error");
        return -1;
    }
    size_t n = (size_t)got;
    if (n && in->line[n - 1] == '\n') n--;
    if (n && in->line[n - 1] == '\r') n--;
    in->line[n] = 0;
    if (in->line_no++ == 0 && n >= 3 && !memcmp(in->line, "\xEF\xBB\xBF", 3)) {
        memmove(in->line, in->line + 3, n - 2);
        n -= 3;
    }
    *len = n;
    return 1;
}

int cli_input_next(cli_input *in, cli_text *t) {
    memset(t, 0, sizeof *t);
    if (in->n_files > 0) {
        if (in->next_file >= in->n_files) return 0;
        return read_whole_file(in->files[in->next_file++], t);
    }
    size_t len;
    for (;;) {
        int r = next_line(in, &len);
        if (r <= 0) return r;
        /* blank lines are no JSONL texts, nor the line auto mode decides by */
        if (in->format == INPUT_LINES || !blank(in->line, len)) break;
    }
    if (in->format == INPUT_AUTO) { /* JSONL when the first line with text starts with '{' */
        const char *p = in->line;
        while (*p == ' ' || *p == '\t') p++;
        in->format = *p == '{' ? INPUT_JSONL : INPUT_LINES;
    }
    snprintf(t->where, sizeof t->where, "stdin line %zu", in->line_no);
    if (in->format == INPUT_JSONL) return parse_jsonl(in, in->line, len, t);
    if (asprintf(&t->id_json, "%zu", in->line_no) < 0) {
        t->id_json = NULL;
        cli_error("out of memory");
        return -1;
    }
    if (memchr(in->line, 0, len))
        return bad_input(t, "stdin line %zu: contains a NUL byte at byte %zu", in->line_no,
                         (size_t)((char *)memchr(in->line, 0, len) - in->line));
    if (!(t->text = strdup(in->line))) {
        cli_error("out of memory");
        return -1;
    }
    t->len = len;
    return 1;
}
