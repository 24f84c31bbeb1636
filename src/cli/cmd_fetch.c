/* longembed fetch-model: download a known model into the cache. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_fetch_model(int argc, char **argv) {
    static const struct option opts[] = {{"cache-dir", required_argument, 0, 1003},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    cli_common c;
    cli_common_init(&c);
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        if (ch == 'h') {
            printf("usage: longembed fetch-model [--cache-dir DIR] ALIAS\nAliases:");
            for (const char *const *a = le_model_aliases(); *a; a++) printf(" %s", *a);
            printf("\n");
            return CLI_OK;
        }
        if (cli_common_option(&c, ch, optarg) <= 0) return CLI_USAGE;
    }
    if (optind != argc - 1) {
        cli_error("fetch-model takes one alias (e.g. minilm)");
        return CLI_USAGE;
    }
    cli_setup_logging(&c);
    char *dir = NULL;
    le_error err;
    if (le_model_fetch(argv[optind], c.mo.cache_dir, &dir, &err) != LE_OK) {
        cli_error("%s", err.message);
        return CLI_FAIL;
    }
    printf("%s\n", dir);
    free(dir);
    return CLI_OK;
}
