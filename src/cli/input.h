/* Where the texts come from: whole files given as arguments (one document
 * each), or standard input as one text per line or JSONL {"text", "id"}. */
#ifndef LE_CLI_INPUT_H
#define LE_CLI_INPUT_H

#include <stddef.h>
#include <stdio.h>

#include "longembed.h" /* le_status */

typedef enum { INPUT_AUTO, INPUT_LINES, INPUT_JSONL } input_format;

typedef struct cli_text {
    char *id_json; /* the id as a JSON literal: "path", 7, or the JSONL id */
    char *text;
    size_t len;
    char where[64]; /* "stdin line 7" or the file name, for messages */
    int id_given;   /* 1: the id is the input's own (a path, a JSONL "id"); 0: a line number */
    char *error;    /* a bad input (CLI_INPUT_BAD): why, naming where */
} cli_text;

typedef struct cli_input {
    char **files;
    int n_files, next_file;
    FILE *in;
    input_format format;
    size_t line_no;
    char *line;
    size_t line_cap;
} cli_input;

void cli_input_init(cli_input *in, char **files, int n_files, input_format format);
/* What cli_input_next returns for an input that cannot be a text (a file
 * that is missing, a directory or binary; a JSONL line that is not an
 * object with a "text" string): t->error says why, t->id_json and t->where
 * name it; the next call goes on with the next input. */
#define CLI_INPUT_BAD (-2)
/* 1: a text in *t; CLI_INPUT_BAD: a bad input, see above; 0: no more; -1:
 * an error that ends the input (read error, out of memory: printed). Free
 * *t with cli_text_free after 1 and CLI_INPUT_BAD. In JSONL (and in auto
 * mode before the first line with text) blank lines are skipped; a UTF-8
 * byte order mark before the first line is dropped. */
int cli_input_next(cli_input *in, cli_text *t);
void cli_text_free(cli_text *t);
void cli_input_free(cli_input *in);
/* "auto", "lines", "jsonl" → format; LE_ERR_ARG when unknown. */
le_status cli_input_parse_format(const char *s, input_format *out);
/* The value of --input, as cli_input_parse_format, with a message when it is unknown. */
le_status cli_input_option(const char *arg, input_format *out);

#endif
