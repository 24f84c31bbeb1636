/* The options generate and chat share: the model and how it runs
 * (threads, ISA, cache, --extend and --max-tokens), and how tokens are
 * chosen (greedy or sampled, stop strings, limits). */
#ifndef LE_CLI_LLM_CLI_H
#define LE_CLI_LLM_CLI_H

#include "cli.h"

#define LLM_CLI_MAX_STOP 16

typedef struct llm_cli {
    cli_common c;
    le_llm_options lo;
    le_llm_gen_options go;
    const char *stop[LLM_CLI_MAX_STOP];
} llm_cli;

#define LLM_CLI_LONG_OPTIONS                                                                       \
    {"greedy", no_argument, 0, 3001}, {"temperature", required_argument, 0, 3002},                 \
        {"top-k", required_argument, 0, 3003}, {"top-p", required_argument, 0, 3004},             \
        {"min-p", required_argument, 0, 3005}, {"repeat-penalty", required_argument, 0, 3006},    \
        {"repeat-last-n", required_argument, 0, 3007}, {"seed", required_argument, 0, 3008},      \
        {"max-new-tokens", required_argument, 0, 3009}, {"stop", required_argument, 0, 3010},     \
        {"extend", required_argument, 0, 3011}, {"max-tokens", required_argument, 0, 3012},       \
        {"ntk-lambda", required_argument, 0, 3013}, {"rope-factor", required_argument, 0, 3014},  \
        {"se-group", required_argument, 0, 3015}, {"se-window", required_argument, 0, 3016},      \
        {"ignore-eos", no_argument, 0, 3017}, {                                                    \
        "chat-template", required_argument, 0, 3018                                                \
    }

#define LLM_CLI_HELP                                                                               \
    "  -m, --model MODEL     a GGUF file or a decoder alias (smollm2) (required)\n"                \
    "      --threads N       worker threads (default: all cores)\n"                                \
    "      --isa ISA         kernels: auto, scalar, avx2, avx512 (default auto)\n"                 \
    "      --cache-dir DIR   model cache (default ~/.cache/longembed)\n"                           \
    "      --precision P     exact (default: fp32 activations, transformers' numbers) or\n"       \
    "                        q8 (activations rounded per block as ggml does: faster decode)\n"   \
    "      --greedy          always the most likely token (same as --temperature 0)\n"             \
    "      --temperature T   sampling temperature (default 0.8)\n"                                 \
    "      --top-k K         sample among the K most likely tokens (default 40; 0 off)\n"          \
    "      --top-p P         ... the smallest set holding probability P (default 0.95)\n"          \
    "      --min-p P         drop tokens below P x the most likely one's (default 0.05)\n"         \
    "      --repeat-penalty R  CTRL repetition penalty (default 1: off)\n"                         \
    "      --repeat-last-n N   tokens the penalty looks back (default 64; -1 all)\n"               \
    "      --seed N          sampling seed (default 0): same seed, same text\n"                    \
    "      --max-new-tokens N  most tokens to generate (default 256)\n"                            \
    "      --stop S          end the text before S (repeatable)\n"                                 \
    "      --ignore-eos      do not stop at the end-of-generation token\n"                         \
    "      --max-tokens N    context: prompt + generated tokens (default: the model's)\n"         \
    "      --extend METHOD   past the trained context: pi, ntk, yarn, selfextend\n"                \
    "      --ntk-lambda L, --rope-factor S, --se-group G, --se-window W  method parameters\n"      \
    "  -q, --quiet / -v, --verbose  fewer / more notes on stderr (-v: speed)\n"

void llm_cli_init(llm_cli *l);
/* Handles option code ch: 1 handled, 0 not one of these, -1 bad value (message printed). */
int llm_cli_option(llm_cli *l, int ch, const char *arg);
/* Opens the model (after logging is set up); NULL after printing the error. */
le_llm *llm_cli_open(llm_cli *l);
/* Writes streamed text to stdout (on_text of le_llm_gen_options). */
int llm_cli_print(const char *text, size_t len, void *user);
/* The speed line of -v. */
void llm_cli_report(const llm_cli *l, const le_llm_result *r);

#endif
