/* Shared pieces of the command-line client: options every subcommand takes,
 * opening the model, printing errors, JSON output. The CLI uses the public
 * API (longembed.h) and, of the internals, only the base utilities
 * base/array.h, base/map.h and base/json.h. */
#ifndef LE_CLI_H
#define LE_CLI_H

#include "longembed.h"

#include <stdio.h>

/* Exit codes: 0 ok, 1 bad input or runtime failure, 2 bad usage. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

typedef struct cli_common {
    const char *model;
    le_model_options mo;
    int quiet, verbose;
} cli_common;

void cli_common_init(cli_common *c);
/* Handles a common option (getopt_long code with optarg); 1 when handled,
 * 0 when not a common option, -1 on a bad value (message printed). */
int cli_common_option(cli_common *c, int code, const char *arg);
/* The long options every subcommand accepts, for getopt_long tables. */
#define CLI_COMMON_LONG_OPTIONS                                                                    \
    {"model", required_argument, 0, 'm'}, {"threads", required_argument, 0, 1001},                 \
        {"isa", required_argument, 0, 1002}, {"cache-dir", required_argument, 0, 1003},            \
        {"precision", required_argument, 0, 1004}, {"quiet", no_argument, 0, 'q'},                 \
        {"verbose", no_argument, 0, 'v'}, {                                                        \
        "help", no_argument, 0, 'h'                                                                \
    }
#define CLI_COMMON_SHORT "m:qvh"
#define CLI_COMMON_HELP                                                                            \
    "  -m, --model MODEL     alias (minilm) or Hugging Face model directory (required)\n"          \
    "      --threads N       worker threads (default: all cores)\n"                                \
    "      --isa ISA         kernels: auto, scalar, avx2, avx512 (default auto)\n"                 \
    "      --precision P     matrix products in fp32 (default) or bf16 (AVX512_BF16)\n"            \
    "      --cache-dir DIR   model cache (default ~/.cache/longembed)\n"                           \
    "  -q, --quiet           no progress or notes on stderr\n"                                     \
    "  -v, --verbose         more notes on stderr\n"

/* Ends the handling of option code ch once the subcommand's handlers gave
 * r (1 handled, 0 not theirs, -1 bad value, message printed): 0 to read
 * the next option; 1 after printing usage on stdout for -h; -1 for a bad
 * value, or for an unknown option after printing usage on stderr. */
/* The passage options of embed and index add: which 0 --passages, 1
 * --passage-overlap, 2 --passage-mode, into po. 1 taken, -1 a bad value
 * (message printed). */
int cli_passage_option(le_passage_options *po, int which, const char *arg);

int cli_option_end(int r, int ch, const char *usage);

/* Installs the stderr logger (per quiet/verbose). */
void cli_setup_logging(const cli_common *c);
/* Opens c->model; prints the error and returns NULL on failure. */
le_model *cli_open_model(const cli_common *c);

void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parses an integer option in [lo, hi]; LE_ERR_ARG (and a message) when invalid. */
le_status cli_parse_int(const char *opt, const char *s, int lo, int hi, int *out);
/* Parses a number in [lo, hi]; LE_ERR_ARG (and a message) when invalid. */
le_status cli_parse_double(const char *opt, const char *s, double lo, double hi, double *out);

/* Writes s (len bytes) as a JSON string literal (escaped, quoted) through
 * base's le_json_write_string, DEL left as it is. */
void cli_json_string(FILE *f, const char *s, size_t len);
/* Characters (code points of UTF-8) from byte *at up to byte upto of s, added
 * to *chars; *at moves to upto. Returns *chars: the character offset of upto
 * when *at and *chars started at 0 (call again with rising upto). */
size_t cli_count_chars(const char *s, size_t *at, size_t *chars, size_t upto);

/* The characters (code points) of the UTF-8 text s[0..n). */
size_t cli_utf8_chars(const char *s, size_t n);
/* Writes s[0..n) on one line: white space runs as one space, trimmed; a
 * text of more than max_chars characters is cut at its last word boundary
 * within them (or at max_chars when one word is longer) and ends in "…". */
void cli_snippet(FILE *f, const char *s, size_t n, size_t max_chars);

/* Subcommands: argc/argv start at the subcommand name. */
int cmd_embed(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_fetch_model(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_index(int argc, char **argv);
int cmd_search(int argc, char **argv);

#endif
