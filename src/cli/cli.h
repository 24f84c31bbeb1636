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
    "      --precision P     matrix products: auto (default: bf16 where the CPU multiplies bf16\n" \
    "                        natively, else fp32), fp32 (the reference's numbers), bf16, int8\n"   \
    "      --cache-dir DIR   model cache (default ~/.cache/longembed)\n"                           \
    "  -q, --quiet           no progress or notes on stderr\n"                                     \
    "  -v, --verbose         more notes on stderr\n"

/* The options of how texts are embedded (prefix, length, method, pooling,
 * normalisation, batches), shared by embed and serve (whose values are the
 * defaults of its requests). */
#define CLI_EMBED_LONG_OPTIONS                                                                     \
    {"prefix", required_argument, 0, 'p'}, {"max-tokens", required_argument, 0, 2001},             \
        {"truncate", no_argument, 0, 2002}, {"extend", required_argument, 0, 2003},                \
        {"attn-scale", required_argument, 0, 2004},                                                \
        {"position-stride", required_argument, 0, 2005}, {"pooling", required_argument, 0, 2006},  \
        {"no-normalize", no_argument, 0, 2007}, {"normalize", no_argument, 0, 2008},               \
        {"batch-tokens", required_argument, 0, 2009}, {"ntk-lambda", required_argument, 0, 2012},  \
        {"rope-factor", required_argument, 0, 2013}, {"se-group", required_argument, 0, 2014},     \
        {"se-window", required_argument, 0, 2015}, {                                               \
        "rotary-scaling-factor", required_argument, 0, 2016                                        \
    }
#define CLI_EMBED_SHORT "p:"
#define CLI_EMBED_HELP                                                                             \
    "      --prefix P        text put before every input: a preset (query, passage: the\n"         \
    "                        model's own; e5-query, e5-passage, bge-query; none) or any string\n"  \
    "      --max-tokens N    most tokens per text, special tokens included (default: the\n"        \
    "                        model window; with --extend: up to 262144)\n"                         \
    "      --truncate        cut longer texts to --max-tokens instead of failing\n"                \
    "      --extend METHOD   past the trained window: none, pcw, gp, rp, pi (learned\n"            \
    "                        position tables); none, pcw, gp, pi, ntk, yarn, selfextend\n"         \
    "                        (RoPE models); none, pcw (ALiBi). `info` lists what fits\n"           \
    "      --ntk-lambda L    ntk: base theta x L (default: the paper's 3/5/10 for a\n"             \
    "                        target of 2/4/8 windows; the target is --max-tokens)\n"               \
    "      --rope-factor S   pi, yarn: the scale factor (default: target / window)\n"              \
    "      --se-group G      selfextend: group size (default: the paper's, 9 for 512->4k)\n"       \
    "      --se-window W     selfextend: neighbour window (default: the paper's, 64 for 4k)\n"     \
    "      --rotary-scaling-factor F  nomic-bert's dynamic NTK factor (LongEmbed: 16);\n"          \
    "                        -1 turns a config's off\n"                                            \
    "      --attn-scale S    log (default) or none: attention log-length scaling\n"                \
    "      --position-stride N  multiply position ids by N (E5-Base-4k: 8, set automatically)\n"   \
    "      --pooling P       cls, mean or max (default: as the model declares)\n"                  \
    "      --no-normalize    do not L2-normalise the vectors\n"                                    \
    "      --normalize       L2-normalise even if the model does not declare it\n"                 \
    "      --batch-tokens N  token budget of one forward batch (default 8192)\n"

/* Handles an option of CLI_EMBED_LONG_OPTIONS into eo (--prefix into
 * *prefix_arg, resolved once the model is open): 1 when c was one, 0 when
 * not, -1 on a bad value (message printed). */
int cli_embed_option(le_embed_options *eo, const char **prefix_arg, int c, const char *arg);

/* Ends the handling of option code ch once the subcommand's handlers gave
 * r (1 handled, 0 not theirs, -1 bad value, message printed): 0 to read
 * the next option; 1 after printing usage on stdout for -h; -1 for a bad
 * value, or for an unknown option after printing usage on stderr. */
/* The passage options of embed and index add: which 0 --passages, 1
 * --passage-overlap, 2 --passage-mode, into po. 1 taken, -1 a bad value
 * (message printed). */
int cli_passage_option(le_passage_options *po, int which, const char *arg);

int cli_option_end(int r, int ch, const char *usage);
/* The value of --pooling (cls, mean, max) into *out: 1, or -1 when it is
 * none of them (message printed). */
int cli_pooling_option(const char *arg, const char **out);

/* Installs the stderr logger (per quiet/verbose). */
void cli_setup_logging(const cli_common *c);
/* Opens c->model; prints the error and returns NULL on failure. */
le_model *cli_open_model(const cli_common *c);

void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Ends a command that returned rc: flushes and closes stdout, and turns a
 * failed write (a full disk, a closed pipe, a size limit) into exit 1 and
 * "cannot write the output: <reason>". main calls it after every command,
 * so no command can forget. */
int cli_finish_output(int rc);
/* fflush(stdout) that keeps the reason of a failure for cli_finish_output:
 * 0, or -1 when the output could not be written. */
int cli_flush_output(void);
/* 1 once a write to stdout has failed: commands that write as they go
 * stop there (cli_finish_output says why). */
int cli_output_failed(void);
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
int cmd_ask(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_chat(int argc, char **argv);

#endif
