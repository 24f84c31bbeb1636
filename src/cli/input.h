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
    char where[64]; /* "line 7" or the file name, for messages */
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
/* 1: a text in *t (free with cli_text_free); 0: no more; -1: error (printed). */
int cli_input_next(cli_input *in, cli_text *t);
void cli_text_free(cli_text *t);
void cli_input_free(cli_input *in);
/* "auto", "lines", "jsonl" → format; LE_ERR_ARG when unknown. */
le_status cli_input_parse_format(const char *s, input_format *out);
/* The value of --input, as cli_input_parse_format, with a message when it is unknown. */
le_status cli_input_option(const char *arg, input_format *out);

#endif
