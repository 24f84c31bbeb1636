/* Searching an index with passages (passage_store.h). */
#ifndef LE_INDEX_PASSAGE_SEARCH_H
#define LE_INDEX_PASSAGE_SEARCH_H

#include "index/index.h"

/* Frees ix's passage search state (le_index_close). */
void le_passage_search_free(le_index *ix);

#endif
