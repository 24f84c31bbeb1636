/* longembed info: what a model is and how longembed will run it. */
#include <dirent.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/array.h"
#include "cli.h"

/* The model's files with their sizes, one directory level deep. */
static void list_files(const char *dir, const char *rel, int json, int *first) {
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", dir, *rel ? "/" : "", rel);
    DIR *d = opendir(path);
    if (!d) return;
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (le_array_push(names, n, cap, strdup(e->d_name))) break;
    }
    closedir(d);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (names[i] && names[j] && strcmp(names[i], names[j]) > 0) {
                char *tmp = names[i];
                names[i] = names[j];
                names[j] = tmp;
            }
    for (size_t i = 0; i < n; i++) {
        if (!names[i]) continue;
        char full[4600], relname[1200];
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        snprintf(relname, sizeof relname, "%s%s%s", rel, *rel ? "/" : "", names[i]);
        struct stat st;
        if (stat(full, &st) == 0 && S_ISDIR(st.st_mode) && !*rel) {
            list_files(dir, relname, json, first);
        } else if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
            if (json) {
                printf("%s{\"name\":", *first ? "" : ",");
                cli_json_string(stdout, relname, strlen(relname));
                printf(",\"bytes\":%lld}", (long long)st.st_size);
            } else {
                printf("  %-40s %12lld bytes\n", relname, (long long)st.st_size);
            }
            *first = 0;
        }
        free(names[i]);
    }
    free(names);
}

static void print_text(const le_model_info *i, const char *backend) {
    printf("model          %s\n", i->name);
    printf("directory      %s\n", i->directory);
    printf("architecture   %s: %d layers, hidden %d, %d heads, FFN %d, vocabulary %d\n",
           i->architecture, i->num_layers, i->hidden_size, i->num_heads, i->intermediate_size,
           i->vocab_size);
    printf("window         %d tokens", i->window);
    if (i->position_stride > 1) printf(" (position stride %d)", i->position_stride);
    if (i->st_max_seq_length)
        printf("; sentence-transformers max_seq_length %d", i->st_max_seq_length);
    printf("\n");
    printf("output         %d dims, %s pooling, %s\n", i->hidden_size, i->pooling,
           i->normalize ? "L2-normalised" : "not normalised");
    printf("tokenizer      %s%s\n", i->tokenizer, i->lowercase ? " (lowercasing)" : " (cased)");
    printf("prefixes       query \"%s\", passage \"%s\"\n", i->query_prefix, i->passage_prefix);
    printf("methods        %s\n", i->methods);
    printf("kernels        %s, %s, %d threads\n", i->isa, i->precision, i->threads);
    printf("products       %s\n", backend);
    printf("files\n");
}

static void print_json(const le_model_info *i, const char *backend) {
    printf("{\"name\":");
    cli_json_string(stdout, i->name, strlen(i->name));
    printf(",\"directory\":");
    cli_json_string(stdout, i->directory, strlen(i->directory));
    printf(",\"architecture\":\"%s\",\"layers\":%d,\"hidden_size\":%d,\"heads\":%d,"
           "\"intermediate_size\":%d,\"vocab_size\":%d,\"window\":%d,\"position_stride\":%d,"
           "\"st_max_seq_length\":%d,\"dim\":%d,\"pooling\":\"%s\",\"normalize\":%s,"
           "\"tokenizer\":\"%s\",\"lowercase\":%s,\"query_prefix\":",
           i->architecture, i->num_layers, i->hidden_size, i->num_heads, i->intermediate_size,
           i->vocab_size, i->window, i->position_stride, i->st_max_seq_length, i->hidden_size,
           i->pooling, i->normalize ? "true" : "false", i->tokenizer,
           i->lowercase ? "true" : "false");
    cli_json_string(stdout, i->query_prefix, strlen(i->query_prefix));
    printf(",\"passage_prefix\":");
    cli_json_string(stdout, i->passage_prefix, strlen(i->passage_prefix));
    printf(",\"methods\":\"%s\",\"isa\":\"%s\",\"precision\":\"%s\",\"threads\":%d,\"backend\":",
           i->methods, i->isa, i->precision, i->threads);
    cli_json_string(stdout, backend, strlen(backend));
    printf(",\"files\":[");
}

int cmd_info(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_LONG_OPTIONS,
                                         {"json", no_argument, 0, 2001},
                                         {"check", no_argument, 0, 2002},
                                         {0, 0, 0, 0}};
    cli_common c;
    cli_common_init(&c);
    int json = 0, check = 0, ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
        int r = cli_common_option(&c, ch, optarg);
        if (r < 0) return CLI_USAGE;
        if (r) continue;
        if (ch == 'h') {
            printf("usage: longembed info -m MODEL [--json] [--check]\n\nOptions:\n%s"
                   "      --json            one JSON object instead of text\n"
                   "      --check           read every weight: fail (exit 1) on a NaN or infinity\n",
                   CLI_COMMON_HELP);
            return CLI_OK;
        }
        if (ch == 2001) json = 1;
        else if (ch == 2002) check = 1;
        else return CLI_USAGE;
    }
    cli_setup_logging(&c);
    le_model *m = cli_open_model(&c);
    if (!m) return CLI_FAIL;
    le_error err;
    if (check && le_model_check(m, &err) != LE_OK) {
        cli_error("%s", err.message);
        le_model_close(m);
        return CLI_FAIL;
    }
    le_model_info info;
    le_model_get_info(m, &info);
    int first = 1;
    if (json) {
        print_json(&info, le_model_backend(m));
        list_files(info.directory, "", 1, &first);
        printf("]%s}\n", check ? ",\"weights_finite\":true" : "");
    } else {
        print_text(&info, le_model_backend(m));
        list_files(info.directory, "", 0, &first);
        if (check) printf("check          every weight is a finite number\n");
    }
    le_model_close(m);
    return CLI_OK;
}
