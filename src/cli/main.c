/* longembed: long-context text embeddings on the CPU. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *about;
} g_commands[] = {
    {"embed", cmd_embed, "texts or documents to embedding vectors (JSONL)"},
    {"tokenize", cmd_tokenize, "texts to token ids and pieces (JSONL)"},
    {"info", cmd_info, "describe a model"},
    {"fetch-model", cmd_fetch_model, "download a known model into the cache"},
    {"bench", cmd_bench, "the LongEmbed benchmark (passkey, needle, task directories)"},
    {"index", cmd_index, "build a retrieval index: add, delete, compact, info, verify"},
    {"search", cmd_search, "ranked documents of an index for text queries"},
    {"ask", cmd_ask, "answer questions about long documents (RAG, MemoRAG, LC-Boost)"},
    {"serve", cmd_serve, "HTTP server: OpenAI/TEI embeddings, search, index updates"},
    {"generate", cmd_generate, "continue a prompt with a decoder LLM (GGUF), streamed"},
    {"chat", cmd_chat, "talk with a decoder LLM through its chat template"},
};

static void usage(FILE *f) {
    fprintf(f, "usage: longembed COMMAND [OPTIONS]   (longembed COMMAND --help for more)\n\n");
    for (size_t i = 0; i < sizeof g_commands / sizeof *g_commands; i++)
        fprintf(f, "  %-12s %s\n", g_commands[i].name, g_commands[i].about);
    fprintf(f, "\nversion %s\n", le_version());
}

/* Runs the command argv[1]; its exit code. */
static int run(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("longembed %s\n", le_version());
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof g_commands / sizeof *g_commands; i++)
        if (!strcmp(argv[1], g_commands[i].name)) return g_commands[i].run(argc - 1, argv + 1);
    cli_error("unknown command \"%s\"", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}

int main(int argc, char **argv) {
    /* A closed pipe and a file size limit make a write fail (EPIPE, EFBIG)
     * instead of killing the process without a word; the failure is
     * reported by cli_finish_output, which every command ends through. */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
    return cli_finish_output(run(argc, argv));
}
