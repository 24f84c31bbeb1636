#include "embed/pooling.h"

#include <stdlib.h>

le_status le_pooling_add(const float *hidden, int n, int dim, le_pooling p, float *out) {
    if (n <= 0) return LE_OK;
    if (p == LE_POOLING_CLS) {
        for (int i = 0; i < dim; i++) out[i] += hidden[i];
        return LE_OK;
    }
    /* mean and max walk the rows in order (cache-friendly for long inputs);
     * the mean is summed in double so rounding hardly depends on length */
    double *acc = malloc(sizeof *acc * (size_t)dim);
    if (!acc) return LE_ERR_NOMEM;
    for (int i = 0; i < dim; i++) acc[i] = hidden[i];
    for (int t = 1; t < n; t++) {
        const float *row = hidden + (size_t)t * dim;
        if (p == LE_POOLING_MAX)
            for (int i = 0; i < dim; i++) acc[i] = row[i] > acc[i] ? row[i] : acc[i];
        else
            for (int i = 0; i < dim; i++) acc[i] += row[i];
    }
    for (int i = 0; i < dim; i++) out[i] += (float)(p == LE_POOLING_MAX ? acc[i] : acc[i] / n);
    free(acc);
    return LE_OK;
}
