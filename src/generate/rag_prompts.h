/* The prompts of the long-document QA pipelines (docs/ask.md lists them):
 * MemoRAG's roles (the memorised document, clue spans, surrogate questions,
 * a draft answer, chunk gists, the answer over retrieved passages), plain
 * RAG's and full context's answer prompts, and LC-Boost's step and final
 * prompts. Written in this project's words after the papers' descriptions
 * (FlagEmbedding spec §3, §4).
 *
 * A template is text with {name} placeholders; "{{" and "}}" stand for
 * literal braces. Each prompt allows a fixed set of placeholders. A prompt
 * file (`ask --prompts FILE`) is one JSON object of prompt name → template
 * string that replaces the named defaults; an unknown prompt name, a
 * placeholder the prompt does not allow, an unpaired brace or a value that
 * is not a string is an error naming it. */
#ifndef LE_GENERATE_RAG_PROMPTS_H
#define LE_GENERATE_RAG_PROMPTS_H

#include "base/error.h"
#include "base/sbuf.h"

typedef enum le_rag_prompt_id {
    LE_RP_MEMORY = 0,   /* memorag.memory {document}: the user turn that holds the document */
    LE_RP_MEMORY_ACK,   /* memorag.ack: the assistant's reply after it (no placeholders) */
    LE_RP_SPANS,        /* memorag.spans {question}: clue text spans, one per line */
    LE_RP_SURROGATE,    /* memorag.surrogate {question}: surrogate questions, one per line */
    LE_RP_DRAFT,        /* memorag.draft {question}: the memory's own short answer */
    LE_RP_GIST,         /* memorag.gist {text}: one chunk compressed (MemoRAG-lite) */
    LE_RP_ANSWER,       /* answer {passages} {question}: over numbered passages, citing [n] */
    LE_RP_FULL,         /* full {document} {question}: over the whole document */
    LE_RP_LCB_STEP,     /* lcboost.step {question} {notes} {chunk} {position} {chunks} */
    LE_RP_LCB_FINAL,    /* lcboost.final {question} {notes}: the answer from the notes */
    LE_RP_COUNT
} le_rag_prompt_id;

typedef struct le_rag_prompts {
    char *text[LE_RP_COUNT]; /* NULL: the default */
} le_rag_prompts;

/* One placeholder's value. */
typedef struct le_rag_var {
    const char *name, *value;
} le_rag_var;

/* The prompt's name ("memorag.spans") and its default template. */
const char *le_rag_prompt_name(le_rag_prompt_id id);
const char *le_rag_prompt_default(le_rag_prompt_id id);
/* The template in use: p's override, else the default (p may be NULL). */
const char *le_rag_prompt_text(const le_rag_prompts *p, le_rag_prompt_id id);

/* Reads a prompt file (see above) into p (which starts empty: {0}); free
 * with le_rag_prompts_free. */
le_status le_rag_prompts_load(le_rag_prompts *p, const char *path, le_error *err);
/* The same from JSON text; what names it in messages. */
le_status le_rag_prompts_parse(le_rag_prompts *p, const char *json, size_t len, const char *what,
                               le_error *err);
void le_rag_prompts_free(le_rag_prompts *p);

/* Checks template as the text of prompt id (placeholders allowed, braces
 * paired); what names it in messages. */
le_status le_rag_prompt_check(le_rag_prompt_id id, const char *tmpl, const char *what,
                              le_error *err);
/* Appends prompt id with vars substituted to out. A placeholder without a
 * value in vars is LE_ERR_ARG (a bug of the caller, never of a file: files
 * are checked when loaded). */
le_status le_rag_prompt_render(const le_rag_prompts *p, le_rag_prompt_id id,
                               const le_rag_var *vars, size_t n_vars, le_sbuf *out, le_error *err);

#endif
