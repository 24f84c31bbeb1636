/* longembed generate: continues a raw prompt (no chat template) with a
 * decoder LLM, streaming the text to stdout. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "llm_cli.h"

static const char *USAGE =
    "usage: longembed generate -m MODEL [OPTIONS] [PROMPT...]\n"
    "Continues PROMPT (the words joined by spaces; standard input when none is given)\n"
    "and writes the continuation to stdout as it is generated.\n\nOptions:\n" LLM_CLI_HELP;

/* The prompt: the arguments joined by spaces, or all of stdin (malloc'd). */
static char *read_prompt(int argc, char **argv) {
    char *p = NULL;
    size_t n = 0, cap = 0;
    if (argc > 0) {
        for (int i = 0; i < argc; i++) {
            size_t k = strlen(argv[i]);
            if (le_array_reserve(p, cap, n + k + 2)) break;
            if (i) p[n++] = ' ';
            memcpy(p + n, argv[i], k);
            n += k;
            p[n] = 0;
        }
        return p;
    }
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, stdin)) > 0) {
        if (le_array_reserve(p, cap, n + k + 1)) break;
        memcpy(p + n, buf, k);
        n += k;
    }
    if (!le_array_reserve(p, cap, n + 1)) p[n] = 0;
    return p;
}

int cmd_generate(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_LONG_OPTIONS, LLM_CLI_LONG_OPTIONS,
                                         {0, 0, 0, 0}};
    llm_cli l;
    llm_cli_init(&l);
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
        int r = llm_cli_option(&l, ch, optarg);
        if (r < 0) return CLI_USAGE;
        if (!r && (r = cli_option_end(r, ch, USAGE))) return r > 0 ? CLI_OK : CLI_USAGE;
    }
    cli_setup_logging(&l.c);
    char *prompt = read_prompt(argc - optind, argv + optind);
    if (!prompt || !*prompt) {
        cli_error(prompt ? "empty prompt" : "out of memory");
        free(prompt);
        return prompt ? CLI_USAGE : CLI_FAIL;
    }
    le_llm *m = llm_cli_open(&l);
    if (!m) {
        free(prompt);
        return CLI_FAIL;
    }
    l.go.on_text = llm_cli_print;
    le_llm_result res;
    le_error err;
    le_status s = le_llm_generate(m, prompt, &l.go, NULL, &res, &err);
    if (s == LE_OK) {
        fputc('\n', stdout);
        llm_cli_report(&l, &res);
    } else if (!cli_output_failed()) {
        cli_error("%s", err.message);
    }
    le_llm_close(m);
    free(prompt);
    return s == LE_OK ? CLI_OK : CLI_FAIL;
}
