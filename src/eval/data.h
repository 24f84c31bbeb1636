/* The benchmark's own data, compiled in from data/ by tools/gen_eval_data.py:
 * person names for passkey, fact/question pairs for needle. Both are
 * original to this project. */
#ifndef LE_EVAL_DATA_H
#define LE_EVAL_DATA_H

#include <stddef.h>

extern const char *const le_data_names[];
extern const size_t le_data_n_names;

typedef struct le_needle_pair {
    int id;
    const char *topic;
    const char *fact;     /* inserted into the haystack */
    const char *question; /* the query; answerable only from the fact */
} le_needle_pair;

extern const le_needle_pair le_data_needles[];
extern const size_t le_data_n_needles;

#endif
