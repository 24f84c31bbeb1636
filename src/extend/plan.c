#include "extend/plan.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const le_extend all_methods[] = {LE_EXTEND_NONE, LE_EXTEND_PCW,       LE_EXTEND_GP,
                                        LE_EXTEND_RP,   LE_EXTEND_PI,        LE_EXTEND_NTK,
                                        LE_EXTEND_YARN, LE_EXTEND_SELFEXTEND};

const char *le_extend_name(le_extend e) {
    switch (e) {
    case LE_EXTEND_NONE: return "none";
    case LE_EXTEND_PCW: return "pcw";
    case LE_EXTEND_GP: return "gp";
    case LE_EXTEND_RP: return "rp";
    case LE_EXTEND_PI: return "pi";
    case LE_EXTEND_NTK: return "ntk";
    case LE_EXTEND_YARN: return "yarn";
    case LE_EXTEND_SELFEXTEND: return "selfextend";
    }
    return "unknown";
}

le_status le_extend_parse(const char *s, le_extend *out, le_error *err) {
    for (size_t i = 0; i < sizeof all_methods / sizeof *all_methods; i++)
        if (s && !strcmp(s, le_extend_name(all_methods[i]))) {
            *out = all_methods[i];
            return LE_OK;
        }
    return le_fail(err, LE_ERR_ARG,
                   "unknown extension method \"%s\" (none, pcw, gp, rp, pi, ntk, yarn, selfextend)",
                   s ? s : "");
}

int le_plan_window(const le_plan_spec *p) {
    int stride = p->stride > 0 ? p->stride : 1;
    return p->table_rows / stride;
}

int le_plan_max_tokens(const le_plan_spec *p) {
    if (p->method == LE_EXTEND_NONE) return p->table_rows;
    return LE_PLAN_MAX_TOKENS;
}

unsigned le_plan_fitting(unsigned methods, le_pos_kind pos, int model_scaling) {
    if (!methods)
        methods = pos == LE_POS_TABLE  ? LE_METHODS_TABLE
                  : pos == LE_POS_ROPE ? LE_METHODS_ROPE
                                       : LE_METHODS_ALIBI;
    if (pos == LE_POS_ROPE && model_scaling) methods &= LE_METHODS_OWN_SCALING;
    return methods;
}

const char *le_plan_methods(unsigned methods, char *buf, size_t cap) {
    size_t n = 0;
    if (cap) buf[0] = 0;
    for (size_t i = 0; i < sizeof all_methods / sizeof *all_methods; i++) {
        if (!(methods & LE_METHOD_BIT(all_methods[i])) || n >= cap) continue;
        int w = snprintf(buf + n, cap - n, "%s%s", n ? "," : "", le_extend_name(all_methods[i]));
        n += w > 0 ? (size_t)w : 0;
    }
    return buf;
}

le_status le_plan_check(const le_plan_spec *p, le_error *err) {
    const int model_scaling = p->dynamic_factor > 0;
    const unsigned fit = le_plan_fitting(p->methods, p->pos, model_scaling);
    const char *m = le_extend_name(p->method);
    if ((unsigned)p->method >= 32 || !(fit & LE_METHOD_BIT(p->method))) {
        char list[LE_PLAN_METHODS_CAP];
        le_plan_methods(fit, list, sizeof list);
        const char *kind = p->pos == LE_POS_TABLE  ? "a learned position table"
                           : p->pos == LE_POS_ROPE ? "rotary positions (RoPE)"
                                                   : "ALiBi attention biases";
        if (p->pos == LE_POS_ROPE && model_scaling)
            return le_fail(err, LE_ERR_ARG,
                           "method %s does not fit this model: it scales its rotary positions "
                           "itself (rotary_scaling_factor); methods: %s (or turn its scaling "
                           "off with rotary_scaling_factor -1)",
                           m, list);
        return le_fail(err, LE_ERR_ARG,
                       "method %s does not fit this model, which has %s; methods that fit: %s", m,
                       kind, list);
    }
    if (!(p->ntk_lambda >= 0) || (p->ntk_lambda > 0 && p->ntk_lambda < 1) || p->ntk_lambda > 1e6)
        return le_fail(err, LE_ERR_ARG, "ntk_lambda must be >= 1 (0: the paper's), got %g",
                       p->ntk_lambda);
    if (!(p->rope_factor >= 0) || (p->rope_factor > 0 && p->rope_factor < 1) ||
        p->rope_factor > 1e6)
        return le_fail(err, LE_ERR_ARG,
                       "rope_factor must be >= 1 (0: from the target length), got %g",
                       p->rope_factor);
    if (p->se_group < 0 || p->se_window < 0 || p->se_group > (1 << 20) ||
        p->se_window > LE_PLAN_MAX_TOKENS)
        return le_fail(err, LE_ERR_ARG,
                       "SelfExtend group and window must be >= 1 (0: the paper's)");
    if (p->ntk_lambda > 0 && p->method != LE_EXTEND_NTK)
        return le_fail(err, LE_ERR_ARG, "ntk_lambda is a parameter of method ntk, not %s", m);
    if (p->rope_factor > 0 && p->method != LE_EXTEND_PI && p->method != LE_EXTEND_YARN)
        return le_fail(err, LE_ERR_ARG, "rope_factor is a parameter of methods pi and yarn, not %s",
                       m);
    if ((p->se_group > 0 || p->se_window > 0) && p->method != LE_EXTEND_SELFEXTEND)
        return le_fail(err, LE_ERR_ARG,
                       "se_group and se_window are parameters of method selfextend, not %s", m);
    if (p->rope_factor > 0 && p->method == LE_EXTEND_PI && p->pos != LE_POS_ROPE)
        return le_fail(err, LE_ERR_ARG,
                       "rope_factor applies to pi on RoPE models (tables use s = ceil(L / %d))",
                       le_plan_window(p));
    return LE_OK;
}

double le_plan_ntk_lambda(int lt, int lo) {
    int s = lt <= lo ? 1 : (lt + lo - 1) / lo;
    if (s <= 1) return 1;
    if (s <= 2) return 3;
    if (s <= 4) return 5;
    if (s <= 8) return 10;
    return 1.25 * s;
}

void le_plan_se_defaults(int lt, int lo, int *group, int *window) {
    int s = lt <= lo ? 1 : (lt + lo - 1) / lo, p = 1;
    while (p < s) p *= 2;
    if (p < 2) p = 2;
    *group = p + 1;
    *window = lo / p > 0 ? lo / p : 1;
}

float le_plan_attn_scale(const le_plan_spec *p, int n) {
    int lo = le_plan_window(p);
    if (n > lo && lo > 1 && p->attn_scale == LE_ATTN_SCALE_LOG)
        return (float)(log((double)n) / log((double)lo));
    return 1.0f;
}

static le_status check_length(const le_plan_spec *p, int n, le_error *err) {
    int max = le_plan_max_tokens(p);
    if (n > max)
        return le_fail(err, LE_ERR_TOO_LONG, "%d tokens exceed the %d that method %s allows", n,
                       max, le_extend_name(p->method));
    return LE_OK;
}

/* A learned table: rows[n] (and frac[n] for PI, else frac may be NULL). */
static le_status plan_table(const le_plan_spec *p, int n, int32_t *rows, float *frac,
                            float *attn_scale, le_error *err) {
    le_status st = check_length(p, n, err);
    if (st) return st;
    int stride = p->stride > 0 ? p->stride : 1;
    int lo = le_plan_window(p);
    /* s = ceil(L / Lo) per sequence (the paper's scaling factor) */
    int s = n <= lo ? 1 : (n + lo - 1) / lo;
    if (frac) memset(frac, 0, sizeof *frac * (size_t)n);
    *attn_scale = le_plan_attn_scale(p, n);
    switch (p->method) {
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
    default:
        /* none and pcw windows; a tuned table (stride > 1) is used as is
         * past the original window */
        for (int t = 0; t < n; t++) rows[t] = n <= lo ? t * stride : t;
        break;
    }
    return LE_OK;
}

/* RoPE: the rotary changes of the method; all neutral within the window. */
static le_status plan_rope(const le_plan_spec *p, int n, le_pos_plan *out, le_error *err) {
    le_status st = check_length(p, n, err);
    if (st) return st;
    out->pos_div = 1;
    out->dynamic_factor = p->dynamic_factor;
    out->attn_scale = le_plan_attn_scale(p, n);
    const int lo = le_plan_window(p);
    if (n <= lo) return LE_OK; /* within the trained window: as trained */
    const int lt = p->target > n ? p->target : n;
    const int s_seq = (n + lo - 1) / lo, s_target = (lt + lo - 1) / lo;
    switch (p->method) {
    case LE_EXTEND_GP: out->pos_div = s_seq; break;
    case LE_EXTEND_PI:
        out->rope_kind = LE_ROPE_LINEAR;
        out->rope_factor = p->rope_factor > 0 ? p->rope_factor : s_target;
        break;
    case LE_EXTEND_NTK:
        out->theta_scale = p->ntk_lambda > 0 ? p->ntk_lambda : le_plan_ntk_lambda(lt, lo);
        break;
    case LE_EXTEND_YARN:
        out->rope_kind = LE_ROPE_YARN;
        out->rope_factor = p->rope_factor > 0 ? p->rope_factor : s_target;
        out->yarn_window = lo;
        break;
    case LE_EXTEND_SELFEXTEND: {
        int g, w;
        le_plan_se_defaults(lt, lo, &g, &w);
        out->se_group = p->se_group > 0 ? p->se_group : g;
        out->se_window = p->se_window > 0 ? p->se_window : w;
        break;
    }
    default: break;
    }
    return LE_OK;
}

le_status le_plan_sequence(const le_plan_spec *spec, int n, int32_t *rows, float *frac,
                           le_pos_plan *out, le_error *err) {
    le_plan_spec p = *spec;
    if (p.method == LE_EXTEND_PCW) p.method = LE_EXTEND_NONE; /* one window of PCW */
    memset(out, 0, sizeof *out);
    out->attn_scale = 1.0f;
    switch (p.pos) {
    case LE_POS_TABLE: {
        float *f = p.method == LE_EXTEND_PI ? frac : NULL;
        out->rows = rows;
        out->frac = f;
        return plan_table(&p, n, rows, f, &out->attn_scale, err);
    }
    case LE_POS_ROPE: return plan_rope(&p, n, out, err);
    case LE_POS_ALIBI: out->attn_scale = le_plan_attn_scale(&p, n); return LE_OK;
    }
    return le_fail(err, LE_ERR_INTERNAL, "unknown position kind %d", (int)p.pos);
}
