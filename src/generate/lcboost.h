/* LC-Boost (arXiv 2405.15318; FlagEmbedding spec §4): a short-context model
 * answers a question about a long document by walking it chunk by chunk
 * and deciding at each step what to read and what to keep. The actions
 * follow the paper's action space: understand the task, retrieve (jump to
 * the chunk a query finds), move (skip to the next chunk), append (add what
 * is relevant to the notes), merge (replace the notes by a consolidated
 * version), answer. docs/ask.md describes the prompt and the parser. */
#ifndef LE_GENERATE_LCBOOST_H
#define LE_GENERATE_LCBOOST_H

#include <stddef.h>

typedef enum le_lcb_action {
    LE_LCB_UNDERSTAND = 0,
    LE_LCB_RETRIEVE,
    LE_LCB_MOVE,
    LE_LCB_APPEND,
    LE_LCB_MERGE,
    LE_LCB_ANSWER,
    LE_LCB_ACTIONS
} le_lcb_action;

/* The action the model chose, and what it wrote for it. */
typedef struct le_lcb_choice {
    le_lcb_action action;
    int fallback;    /* 1: no action could be read; action is LE_LCB_MOVE (the default) */
    const char *arg; /* the text after the action's name (a query, notes, the answer) */
    size_t arg_len;  /* trimmed; 0 when nothing follows */
} le_lcb_choice;

/* The action's name: "understand", "retrieve", "move", "append", "merge",
 * "answer". */
const char *le_lcb_action_name(le_lcb_action a);

/* Reads the model's choice from free text: an "ACTION: <name>" line (any
 * case, markdown emphasis and quotes allowed) among the reply's lines, else
 * the first word of the first line; names and their synonyms
 * (understanding/task; retrieval/search/lookup/jump; skip/next/continue;
 * add/note/extract/keep; consolidate; final/respond). arg points into
 * reply. Anything else falls back to move (never an error). */
void le_lcb_parse(const char *reply, le_lcb_choice *out);
/* The reply's first characters for a trace: white space runs as one space,
 * cut at a character boundary to fit cap (with "..." when cut). */
void le_lcb_reply_start(const char *reply, char *buf, size_t cap);

#endif
