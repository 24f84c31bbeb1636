/* longembed chat: a conversation with a decoder LLM through its chat
 * template. On a terminal it asks for each turn; otherwise each line of
 * standard input is one user turn, and each reply is written as it is
 * generated, followed by an empty line. The cache keeps the conversation,
 * so each turn computes only its new tokens. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "llm_cli.h"

static const char *USAGE =
    "usage: longembed chat -m MODEL [--system S] [--chat-template NAME|FILE] [OPTIONS]\n"
    "Talks with the model: one user turn per line of standard input (asked for on a\n"
    "terminal), each reply streamed to stdout.\n\nOptions:\n"
    "      --system S        a system message first (default: the template's own, if any)\n"
    "      --chat-template NAME|FILE  chatml, llama3, or a file holding a template\n"
    "                        (default: the GGUF's tokenizer.chat_template)\n" LLM_CLI_HELP;

typedef struct convo {
    le_llm_message *msg;
    char **owned; /* the texts the messages point at */
    size_t n, cap;
} convo;

/* Appends a message (text copied). */
static int convo_add(convo *c, const char *role, const char *text) {
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        le_llm_message *m = realloc(c->msg, cap * sizeof *m);
        if (m) c->msg = m;
        char **o = m ? realloc(c->owned, cap * sizeof *o) : NULL;
        if (o) c->owned = o;
        if (!m || !o) return -1;
        c->cap = cap;
    }
    char *t = strdup(text);
    if (!t) return -1;
    c->owned[c->n] = t;
    c->msg[c->n++] = (le_llm_message){role, t};
    return 0;
}

static void convo_free(convo *c) {
    for (size_t i = 0; i < c->n; i++) free(c->owned[i]);
    free(c->msg);
    free(c->owned);
}

/* One user turn: the reply streamed, then kept in the conversation. */
static int turn(le_llm *m, llm_cli *l, convo *c, const char *line) {
    char *reply = NULL;
    le_llm_result res;
    le_error err;
    if (convo_add(c, "user", line)) {
        cli_error("out of memory");
        return -1;
    }
    if (le_llm_chat(m, c->msg, c->n, &l->go, &reply, &res, &err) != LE_OK) {
        if (!cli_output_failed()) cli_error("%s", err.message);
        return -1;
    }
    fputs("\n\n", stdout);
    llm_cli_report(l, &res);
    int bad = convo_add(c, "assistant", reply) || cli_flush_output();
    free(reply);
    return bad ? -1 : 0;
}

/* Reads turns until the end of input. */
static int chat_loop(le_llm *m, llm_cli *l, convo *c) {
    const int tty = isatty(0);
    char *line = NULL;
    size_t cap = 0;
    ssize_t k;
    int rc = CLI_OK;
    for (;;) {
        if (tty) fputs("> ", stderr);
        if ((k = getline(&line, &cap, stdin)) < 0) break;
        while (k > 0 && (line[k - 1] == '\n' || line[k - 1] == '\r')) line[--k] = 0;
        if (!k) continue;
        if (turn(m, l, c, line)) {
            rc = CLI_FAIL;
            break;
        }
    }
    free(line);
    return rc;
}

int cmd_chat(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_LONG_OPTIONS, LLM_CLI_LONG_OPTIONS,
                                         {"system", required_argument, 0, 3100},
                                         {0, 0, 0, 0}};
    llm_cli l;
    llm_cli_init(&l);
    const char *system = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, CLI_COMMON_SHORT, opts, NULL)) != -1) {
        int r = ch == 3100 ? (system = optarg, 1) : llm_cli_option(&l, ch, optarg);
        if (r < 0) return CLI_USAGE;
        if (!r && (r = cli_option_end(r, ch, USAGE))) return r > 0 ? CLI_OK : CLI_USAGE;
    }
    if (optind != argc) {
        cli_error("chat reads its turns from standard input; no arguments");
        return CLI_USAGE;
    }
    cli_setup_logging(&l.c);
    le_llm *m = llm_cli_open(&l);
    if (!m) return CLI_FAIL;
    l.go.on_text = llm_cli_print;
    convo c = {0};
    int rc = system && convo_add(&c, "system", system) ? CLI_FAIL : chat_loop(m, &l, &c);
    convo_free(&c);
    le_llm_close(m);
    return rc;
}
