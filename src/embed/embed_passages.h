/* Passages through the embedding call (le_embed_passages): the windows of
 * one text's passages, chunk or late, for the public call and for tests that
 * give token ids and spans directly. */
#ifndef LE_EMBED_EMBED_PASSAGES_H
#define LE_EMBED_EMBED_PASSAGES_H

#include "embed/embed_call.h"
#include "embed/passages.h"

/* Lays out the windows of one text (input `text`, content ids `ids`) whose
 * passages are ps[0..n), pooled into rows row0 .. row0 + n - 1:
 *   chunk: one window per passage;
 *   late:  consecutive passages share a window while the window (specials and
 *          prefix included) stays within the call's limit; each passage is a
 *          pool span of its window (an empty passage pools the whole window).
 * Passages must be in order and each fit a window. *windows gets the count. */
le_status le_embed_call_add_passages(le_embed_call *c, le_passage_mode mode, size_t text,
                                     const int32_t *ids, const le_span *ps, size_t n, size_t row0,
                                     int *windows);

/* le_embed_passages with fn called on every window (BGE-M3's heads,
 * m3_embed.c): a window's text is the input, its row LE_EMBED_NO_ROW in
 * late chunking (its passages are spans). */
le_status le_embed_passages_with(le_model *m, size_t n, const char *const *texts,
                                 const size_t *lengths, const le_embed_options *opt,
                                 const le_passage_options *popt, le_passages **out,
                                 le_text_result *results, le_window_fn fn, void *user,
                                 le_error *err);

#endif
