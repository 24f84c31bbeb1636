/* The post-processor of tokenizer.json, reduced to what a single sequence
 * needs: the special ids before and after it (TemplateProcessing,
 * BertProcessing, RobertaProcessing, ByteLevel which adds none, and
 * Sequence of them). */
#ifndef LE_TEXT_POSTPROCESSOR_H
#define LE_TEXT_POSTPROCESSOR_H

#include "base/error.h"
#include "text/tokenizer.h"

#include <cjson/cJSON.h>

/* Appends the ids to before and after (both start empty). */
le_status le_postprocessor_from_json(const cJSON *j, le_ids *before, le_ids *after,
                                     const char *what, le_error *err);

#endif
