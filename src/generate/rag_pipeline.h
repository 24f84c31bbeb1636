/* The long-document QA pipelines of `longembed ask` (issue 18,
 * docs/ask.md), over a generator and a retriever (rag_gen.h):
 *
 *   rag      question → top-k passages → answer citing them as [n]
 *   full     the whole document in one prompt (too long: an error naming
 *            the sizes, or cut to fit when asked, and said so)
 *   memorag  memorize (the document, or the gists of its chunks when it
 *            does not fit, as a conversation prefix the generator may keep
 *            as a KV cache) → recall clue spans and surrogate questions →
 *            each clue's top-k passages, their union in document order →
 *            the answer by the generator, citing them
 *   lcboost  the document in chunks that fit the window; at each step the
 *            model chooses an action (lcboost.h) with notes carried over;
 *            it stops when it answers, the input ends or the step limit
 *            is reached (then it answers from its notes)
 *
 * Every run fills an le_rag_result: the answer, the passages it was given
 * and which it cited, and per stage the calls, seconds and tokens read and
 * generated. */
#ifndef LE_GENERATE_RAG_PIPELINE_H
#define LE_GENERATE_RAG_PIPELINE_H

#include "generate/lcboost.h"
#include "generate/rag_gen.h"
#include "generate/rag_parse.h"
#include "generate/rag_prompts.h"
#include "generate/rag_retrieve.h"

/* The document a question is about: segments (index documents) in order. */
typedef struct le_rag_doc {
    size_t n;
    const char *const *text;
    const size_t *len;
    const size_t *doc;       /* each segment's index document number (for retrieval hits) */
    const char *const *id;
} le_rag_doc;

/* A line of LC-Boost's trace (-v): step number, chunk, action, fallback. */
typedef void (*le_rag_trace_fn)(void *user, const char *line);

typedef struct le_rag_options {
    const le_rag_prompts *prompts; /* NULL: the defaults */
    int k;                         /* passages per query; 0: 3 (MemoRAG's ret_hit) */
    size_t max_new_tokens;         /* the answer; 0: 256 */
    size_t clue_tokens;            /* each recall reply; 0: 128 */
    int min_clue_words;            /* clue lines need more words than this; 0: 3 */
    int draft;                     /* memorag: add the memory's draft answer as a clue and hint */
    int truncate;                  /* full: cut the document to fit instead of failing */
    size_t gist_tokens;            /* memorag-lite: each chunk's gist; 0: 256 */
    size_t chunk_tokens;           /* lcboost and gists: tokens per chunk; 0: from the window */
    int max_steps;                 /* lcboost: 0: 2 × chunks + 4 */
    int fallback_append;           /* lcboost: a reply without an action is appended to the
                                      notes (1) instead of moving on (0) */
    le_rag_trace_fn trace;         /* NULL: no trace */
    void *trace_user;
    const char *memory_dir;        /* memorag: the memory cache's directory (NULL: none) */
} le_rag_options;

typedef struct le_rag_result {
    le_sbuf answer;
    le_rag_passage *passages;  /* what the answer was given, numbered [1..n] in the prompt */
    size_t n_passages;
    size_t dropped;            /* passages left out so the prompt fits the window */
    unsigned char *cited;      /* n_passages flags: cited as [i+1] */
    size_t n_cited, bad_citations;
    le_rag_lines clues;        /* memorag: the retrieval queries (clues, then the question) */
    int memory_gists;          /* memorag: the memory holds gists of chunks, not the text */
    int truncated;             /* full: the document was cut to fit */
    size_t doc_tokens;         /* full and memorag: the document's tokens */
    int steps, fallbacks, step_limit; /* lcboost: steps taken, unreadable choices, limit hit */
    size_t chunks;             /* lcboost and gists: chunks of the document */
    le_rag_stats stats;
    /* memorag's memory (memory_cache.h): its tokens, of them those prefilled
     * by this run, and whether the KV cache and the gists came from disk */
    size_t memory_tokens, memory_prefilled;
    int memory_loaded, gists_loaded;
} le_rag_result;

void le_rag_result_free(le_rag_result *r);

le_status le_rag_run_rag(const le_rag_gen *gen, const le_rag_retriever *r, const char *question,
                         const le_rag_options *o, le_rag_result *res, le_error *err);
le_status le_rag_run_full(const le_rag_gen *gen, const le_rag_doc *doc, const char *question,
                          const le_rag_options *o, le_rag_result *res, le_error *err);
/* memory reads and recalls, gen writes the answer (may be the same). */
le_status le_rag_run_memorag(const le_rag_gen *memory, const le_rag_gen *gen,
                             const le_rag_retriever *r, const le_rag_doc *doc,
                             const char *question, const le_rag_options *o, le_rag_result *res,
                             le_error *err);
/* r may be NULL (retrieve then moves on). */
le_status le_rag_run_lcboost(const le_rag_gen *gen, const le_rag_retriever *r,
                             const le_rag_doc *doc, const char *question, const le_rag_options *o,
                             le_rag_result *res, le_error *err);

/* --- shared steps (rag_answer.c, rag_chunks.c) --- */

/* The options with their defaults filled in. */
le_rag_options le_rag_options_resolve(const le_rag_options *o);
/* The start of every run: res emptied, gen checked, opt resolved into o. */
le_status le_rag_begin(const le_rag_gen *gen, const le_rag_options *opt, le_rag_result *res,
                       le_rag_options *o, le_error *err);
/* The answer prompt over res->passages and its generation: passages are
 * dropped, lowest score first, until the prompt and the answer fit
 * gen->window (LE_ERR_TOO_LONG when not even the question does); hint (may
 * be NULL) is added after the passages; citations read back. */
le_status le_rag_answer(const le_rag_gen *gen, const char *question, const char *hint,
                        const le_rag_options *o, le_rag_result *res, le_error *err);

/* A piece of the document: from byte start of segment seg to byte end of
 * segment seg_end (the segments between whole); within one segment when
 * seg == seg_end. */
typedef struct le_rag_chunk {
    size_t seg, start, seg_end, end;
} le_rag_chunk;

/* Cuts the document into chunks of at most max_tokens tokens by gen's
 * tokenizer, consecutive segments together while they fit, between lines
 * where it can, else between words (a single word longer than that is a
 * chunk of its own). *out malloc'd. */
le_status le_rag_chunks(const le_rag_gen *gen, const le_rag_doc *doc, size_t max_tokens,
                        le_rag_chunk **out, size_t *n_out, le_error *err);
/* The document's text: its segments joined by blank lines, into out. */
void le_rag_doc_text(const le_rag_doc *doc, le_sbuf *out);
/* Chunk c's text (its segments' pieces joined by blank lines) into out. */
void le_rag_chunk_text(const le_rag_doc *doc, const le_rag_chunk *c, le_sbuf *out);

#endif
