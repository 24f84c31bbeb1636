#include "extend/plan.h"

#include <math.h>
#include <string.h>

const char *le_extend_name(le_extend e) {
    switch (e) {
    case LE_EXTEND_NONE: return "none";
    case LE_EXTEND_PCW: return "pcw";
    case LE_EXTEND_GP: return "gp";
    case LE_EXTEND_RP: return "rp";
    case LE_EXTEND_PI: return "pi";
    }
    return "unknown";
}

le_status le_extend_parse(const char *s, le_extend *out, le_error *err) {
    static const le_extend all[] = {LE_EXTEND_NONE, LE_EXTEND_PCW, LE_EXTEND_GP, LE_EXTEND_RP,
                                    LE_EXTEND_PI};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (s && !strcmp(s, le_extend_name(all[i]))) {
            *out = all[i];
            return LE_OK;
        }
    return le_fail(err, LE_ERR_ARG, "unknown extension method \"%s\" (none, pcw, gp, rp, pi)",
                   s ? s : "");
}

int le_plan_window(const le_plan_params *p) {
    int stride = p->stride > 0 ? p->stride : 1;
    return p->table_rows / stride;
}

int le_plan_max_tokens(const le_plan_params *p) {
    if (p->method == LE_EXTEND_NONE) return p->table_rows;
    return LE_PLAN_MAX_TOKENS;
}

le_status le_plan_positions(const le_plan_params *p, int n, int32_t *rows, float *frac,
                            float *attn_scale, le_error *err) {
    int max = le_plan_max_tokens(p);
    if (n > max)
        return le_fail(err, LE_ERR_TOO_LONG, "%d tokens exceed the %d that method %s allows", n,
                       max, le_extend_name(p->method));
    int stride = p->stride > 0 ? p->stride : 1;
    int lo = le_plan_window(p);
    /* s = ceil(L / Lo) per sequence (the paper's scaling factor) */
    int s = n <= lo ? 1 : (n + lo - 1) / lo;
    if (frac) memset(frac, 0, sizeof *frac * (size_t)n);
    *attn_scale = 1.0f;
    if (n > lo && p->attn_scale == LE_ATTN_SCALE_LOG)
        *attn_scale = (float)(log((double)n) / log((double)lo));
    switch (p->method) {
    case LE_EXTEND_NONE:
    case LE_EXTEND_PCW:
        /* a tuned table (stride > 1) is used as is past the original window */
        for (int t = 0; t < n; t++) rows[t] = n <= lo ? t * stride : t;
        break;
    case LE_EXTEND_GP:
        for (int t = 0; t < n; t++) rows[t] = t / s;
        break;
    case LE_EXTEND_RP:
        for (int t = 0; t < n; t++) rows[t] = t % lo;
        break;
    case LE_EXTEND_PI:
        /* position t/s between anchors floor(t/s) and floor(t/s)+1; past the
         * last anchor (t > (Lo−1)·s) the position is clamped to row Lo−1 */
        for (int t = 0; t < n; t++) {
            int i = t / s;
            if (i >= lo - 1) {
                rows[t] = lo - 1;
            } else {
                rows[t] = i;
                if (frac) frac[t] = (float)(t - i * s) / (float)s;
            }
        }
        break;
    }
    return LE_OK;
}
