/* longembed tokenize: texts → token ids and pieces (JSONL). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "cli.h"
#include "input.h"

static const char *USAGE =
    "usage: longembed tokenize -m MODEL [--no-special] [--input FORMAT] [FILE...]\n"
    "Writes {\"id\", \"tokens\", \"ids\", \"pieces\"} per input (each FILE, or each line of\n"
    "standard input).\n\nOptions:\n" CLI_COMMON_HELP
    "      --no-special      leave out the special tokens ([CLS], [SEP], …)\n"
    "      --input FORMAT    stdin format: auto (default), lines, jsonl\n";

static int tokenize_one(le_model *m, const cli_text *t, int special) {
    int32_t *ids = NULL;
    size_t cap = 0, n = 0;
    le_error err;
    le_status s = le_array_reserve(ids, cap, t->len + 16);
    if (!s) s = le_tokenize(m, t->text, t->len, special, ids, cap, &n, &err);
    if (s == LE_OK && n > cap) { /* more ids than bytes: only with many special tokens */
        s = le_array_reserve(ids, cap, n);
        if (!s) s = le_tokenize(m, t->text, t->len, special, ids, cap, &n, &err);
    }
    if (s != LE_OK) { /* le_tokenize's own LE_ERR_NOMEM says "out of memory" too */
        cli_error("%s: %s", t->where, s == LE_ERR_NOMEM ? "out of memory" : err.message);
        free(ids);
        return -1;
    }
    printf("{\"id\":%s,\"tokens\":%zu,\"ids\":[", t->id_json, n);
    for (size_t i = 0; i < n; i++) printf(i ? ",%d" : "%d", ids[i]);
    fputs("],\"pieces\":[", stdout);
    for (size_t i = 0; i < n; i++) {
        const char *p = le_token_piece(m, ids[i]);
        if (i) fputc(',', stdout);
        cli_json_string(stdout, p ? p : "", p ? strlen(p) : 0);
    }
    fputs("]}\n", stdout);
    free(ids);
    return 0;
}

int cmd_tokenize(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_LONG_OPTIONS,
                                         {"no-special", no_argument, 0, 2001},
                                         {"input", required_argument, 0, 2002},
                                         {0, 0, 0, 0}};
    cli_common c;
    cli_common_init(&c);
    int special = 1, ch;
    input_format fmt = INPUT_AUTO;
    optind = 1;
    while ((ch = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
        int r = cli_common_option(&c, ch, optarg);
        if (r < 0) return CLI_USAGE;
        if (r) continue;
        if (ch == 'h') {
            fputs(USAGE, stdout);
            return CLI_OK;
        } else if (ch == 2001) {
            special = 0;
        } else if (ch == 2002 && !cli_input_parse_format(optarg, &fmt)) {
        } else {
            fputs(USAGE, stderr);
            return CLI_USAGE;
        }
    }
    cli_setup_logging(&c);
    le_model *m = cli_open_model(&c);
    if (!m) return CLI_FAIL;
    cli_input in;
    cli_input_init(&in, argv + optind, argc - optind, fmt);
    cli_text t;
    int got, rc = CLI_OK;
    while ((got = cli_input_next(&in, &t)) > 0) {
        int bad = tokenize_one(m, &t, special) || cli_output_failed(); /* main says why */
        cli_text_free(&t);
        if (bad) {
            rc = CLI_FAIL;
            break;
        }
    }
    if (got == CLI_INPUT_BAD) {
        cli_error("%s", t.error);
        cli_text_free(&t);
    }
    if (got < 0) rc = CLI_FAIL;
    cli_input_free(&in);
    le_model_close(m);
    return rc;
}
