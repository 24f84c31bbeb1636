#include "index/passage_search.h"

#include <stdlib.h>

void le_passage_search_free(le_index *ix) {
    for (int s = 0; ix->pdense && ix->pdense_ready && s < ix->n_seg; s++)
        if (ix->pdense_ready[s]) le_dense_free(&ix->pdense[s]);
    free(ix->pdense);
    free(ix->pdense_ready);
    free(ix->pscores);
    free(ix->pbest);
    free(ix->pbest_score);
}
