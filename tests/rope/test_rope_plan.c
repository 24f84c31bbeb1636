/* Position plans of the RoPE and ALiBi models (extend/plan.h): the paper's
 * defaults (NTK λ, SelfExtend g/w of LongEmbed Table 6), which methods fit
 * which position encoding, parameters refused when they are out of range or
 * meant for another method, and the per-sequence rotary plans (inputs within
 * the window untouched; the target length from max_tokens). Also the rotary
 * frequency formulas (model/rope.h) on known values. */
#include "check.h"
#include "extend/plan.h"
#include "model/rope.h"

#include <math.h>
#include <string.h>

/* Method m on a RoPE model with a window of `window` tokens. */
static le_plan_spec params(le_extend m, int window) {
    le_plan_spec p;
    memset(&p, 0, sizeof p);
    p.method = m, p.attn_scale = LE_ATTN_SCALE_LOG, p.table_rows = window, p.stride = 1;
    p.pos = LE_POS_ROPE;
    return p;
}

/* The rotary plan and attention scale of n tokens under p. */
static le_status rope_seq(const le_plan_spec *p, int n, le_pos_plan *r, float *scale,
                          le_error *err) {
    le_status s = le_plan_sequence(p, n, NULL, NULL, r, err);
    *scale = r->attn_scale;
    return s;
}

static void check_defaults(void) {
    /* LongEmbed Table 6, E5-RoPE-Base (512) and E5-Mistral (4096) */
    CHECK(le_plan_ntk_lambda(1024, 512) == 3);
    CHECK(le_plan_ntk_lambda(2048, 512) == 5);
    CHECK(le_plan_ntk_lambda(4096, 512) == 10);
    CHECK(le_plan_ntk_lambda(32768, 4096) == 10);
    CHECK(le_plan_ntk_lambda(512, 512) == 1);
    CHECK(le_plan_ntk_lambda(1500, 512) == 5);  /* s = 3 */
    CHECK(le_plan_ntk_lambda(8192, 512) == 20); /* 1.25 s past ×8 */
    int g, w;
    const int table[6][4] = {{1024, 512, 3, 256},   {2048, 512, 5, 128},    {4096, 512, 9, 64},
                             {8192, 4096, 3, 2048}, {16384, 4096, 5, 1024}, {32768, 4096, 9, 512}};
    for (int i = 0; i < 6; i++) {
        le_plan_se_defaults(table[i][0], table[i][1], &g, &w);
        CHECK_EQ_INT(g, table[i][2]);
        CHECK_EQ_INT(w, table[i][3]);
        /* the paper's rule: the farthest grouped distance is the window */
        int lt = table[i][0], lo = table[i][1];
        CHECK_EQ_INT((lt - 1) / g + w - w / g, lo);
    }
    le_plan_se_defaults(32768, 512, &g, &w);
    CHECK_EQ_INT(g, 65);
    CHECK_EQ_INT(w, 8);
    CHECK((32768 - 1) / g + w - w / g <= 512);
}

static void check_fit(void) {
    le_error err;
    const le_extend rope_ok[] = {LE_EXTEND_NONE, LE_EXTEND_PCW,  LE_EXTEND_GP,        LE_EXTEND_PI,
                                 LE_EXTEND_NTK,  LE_EXTEND_YARN, LE_EXTEND_SELFEXTEND};
    for (int i = 0; i < 7; i++) {
        le_plan_spec p = params(rope_ok[i], 512);
        CHECK_MSG(le_plan_check(&p, &err) == LE_OK, "%s", le_extend_name(rope_ok[i]));
    }
    le_plan_spec p = params(LE_EXTEND_RP, 512);
    CHECK(le_plan_check(&p, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message,
                       "method rp does not fit this model, which has rotary positions");
    p = params(LE_EXTEND_NTK, 512);
    p.pos = LE_POS_TABLE;
    CHECK(le_plan_check(&p, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "learned position table; methods that fit: none,pcw,gp,rp,pi");
    p = params(LE_EXTEND_GP, 512);
    p.pos = LE_POS_ALIBI;
    CHECK(le_plan_check(&p, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "ALiBi attention biases; methods that fit: none,pcw");
    p = params(LE_EXTEND_PCW, 512);
    p.pos = LE_POS_ALIBI;
    CHECK(le_plan_check(&p, &err) == LE_OK);
    p = params(LE_EXTEND_SELFEXTEND, 512);
    p.dynamic_factor = 1; /* the model scales its rotary positions itself */
    CHECK(le_plan_check(&p, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "scales its rotary positions itself");
    char list[LE_PLAN_METHODS_CAP];
    CHECK(!strcmp(le_plan_methods(le_plan_fitting(0, LE_POS_ROPE, 0), list, sizeof list),
                  "none,pcw,gp,pi,ntk,yarn,selfextend"));
    CHECK(!strcmp(le_plan_methods(le_plan_fitting(0, LE_POS_ROPE, 1), list, sizeof list),
                  "none,pcw"));
    /* parameters: ranges, and only for their method */
    p = params(LE_EXTEND_NTK, 512);
    p.ntk_lambda = 0.5;
    CHECK(le_plan_check(&p, &err) == LE_ERR_ARG);
    p.ntk_lambda = 4;
    CHECK(le_plan_check(&p, &err) == LE_OK);
    p.method = LE_EXTEND_PI;
    CHECK(le_plan_check(&p, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "ntk_lambda is a parameter of method ntk, not pi");
    p = params(LE_EXTEND_PI, 512);
    p.rope_factor = 2;
    CHECK(le_plan_check(&p, &err) == LE_OK);
    p.method = LE_EXTEND_YARN;
    CHECK(le_plan_check(&p, &err) == LE_OK);
    p.method = LE_EXTEND_NTK;
    CHECK(le_plan_check(&p, &err) == LE_ERR_ARG);
    p = params(LE_EXTEND_NTK, 512);
    p.se_window = 64;
    CHECK(le_plan_check(&p, &err) == LE_ERR_ARG);
    CHECK_STR_CONTAINS(err.message, "parameters of method selfextend, not ntk");
    p.method = LE_EXTEND_SELFEXTEND;
    CHECK(le_plan_check(&p, &err) == LE_OK);
    p.se_group = -1;
    CHECK(le_plan_check(&p, &err) == LE_ERR_ARG);
    /* a factor for PI on a learned table is refused (tables use s = ceil(L / Lo)) */
    p = params(LE_EXTEND_PI, 512);
    p.pos = LE_POS_TABLE;
    p.rope_factor = 2;
    CHECK(le_plan_check(&p, &err) == LE_ERR_ARG);
    le_extend e;
    CHECK(le_extend_parse("selfextend", &e, &err) == LE_OK && e == LE_EXTEND_SELFEXTEND);
    CHECK(le_extend_parse("yarn", &e, &err) == LE_OK && e == LE_EXTEND_YARN);
    CHECK(le_extend_parse("ntk", &e, &err) == LE_OK && e == LE_EXTEND_NTK);
    CHECK(le_extend_parse("se", &e, &err) == LE_ERR_ARG);
}

static void check_sequences(void) {
    le_error err;
    le_pos_plan r;
    float scale;
    /* within the window every method leaves the sequence as trained */
    const le_extend all[] = {LE_EXTEND_GP, LE_EXTEND_PI, LE_EXTEND_NTK, LE_EXTEND_YARN,
                             LE_EXTEND_SELFEXTEND};
    for (int i = 0; i < 5; i++) {
        le_plan_spec p = params(all[i], 512);
        p.target = 4096;
        CHECK(rope_seq(&p, 512, &r, &scale, &err) == LE_OK);
        CHECK(r.rope_kind == LE_ROPE_DEFAULT && r.rope_factor == 0 && r.theta_scale == 0 &&
              r.pos_div == 1 && r.se_window == 0 && scale == 1.0f);
    }
    /* past it: parameters from the target (max_tokens), scale from the length */
    le_plan_spec p = params(LE_EXTEND_SELFEXTEND, 512);
    p.target = 4096;
    CHECK(rope_seq(&p, 1000, &r, &scale, &err) == LE_OK);
    CHECK_EQ_INT(r.se_group, 9);
    CHECK_EQ_INT(r.se_window, 64);
    CHECK(fabs(scale - log(1000.0) / log(512.0)) < 1e-6);
    p.target = 0; /* no target: the sequence's own length */
    CHECK(rope_seq(&p, 1000, &r, &scale, &err) == LE_OK);
    CHECK_EQ_INT(r.se_group, 3);
    CHECK_EQ_INT(r.se_window, 256);
    p.se_group = 7;
    CHECK(rope_seq(&p, 1000, &r, &scale, &err) == LE_OK);
    CHECK_EQ_INT(r.se_group, 7);
    CHECK_EQ_INT(r.se_window, 256);
    p = params(LE_EXTEND_NTK, 512);
    p.target = 4096;
    CHECK(rope_seq(&p, 600, &r, &scale, &err) == LE_OK);
    CHECK(r.theta_scale == 10);
    p.method = LE_EXTEND_YARN;
    CHECK(rope_seq(&p, 600, &r, &scale, &err) == LE_OK);
    CHECK(r.rope_kind == LE_ROPE_YARN && r.rope_factor == 8 && r.yarn_window == 512);
    p.method = LE_EXTEND_PI;
    CHECK(rope_seq(&p, 600, &r, &scale, &err) == LE_OK);
    CHECK(r.rope_kind == LE_ROPE_LINEAR && r.rope_factor == 8);
    p.method = LE_EXTEND_GP; /* grouped positions: s of the sequence, as on tables */
    CHECK(rope_seq(&p, 600, &r, &scale, &err) == LE_OK);
    CHECK_EQ_INT(r.pos_div, 2);
    p.attn_scale = LE_ATTN_SCALE_NONE;
    CHECK(rope_seq(&p, 600, &r, &scale, &err) == LE_OK);
    CHECK(scale == 1.0f);
    p = params(LE_EXTEND_NONE, 512);
    p.target = 4096;
    CHECK(rope_seq(&p, 513, &r, &scale, &err) == LE_ERR_TOO_LONG);
    p = params(LE_EXTEND_SELFEXTEND, 512);
    p.target = 4096;
    CHECK(rope_seq(&p, LE_PLAN_MAX_TOKENS + 1, &r, &scale, &err) == LE_ERR_TOO_LONG);
}

static void check_frequencies(void) {
    le_model_config c;
    memset(&c, 0, sizeof c);
    c.hidden = 128, c.heads = 2, c.rope_theta = 10000;
    le_pos_plan r;
    memset(&r, 0, sizeof r);
    float inv[32], sc;
    le_rope_inv_freq(&c, &r, 100, inv, &sc);
    CHECK(inv[0] == 1.0f && sc == 1.0f);
    CHECK(inv[16] == 1.0f / (float)pow(10000.0, 0.5)); /* 10000^(-32/64) */
    r.theta_scale = 10;                                /* NTK: base 100000 */
    float ntk[32];
    le_rope_inv_freq(&c, &r, 100, ntk, &sc);
    CHECK(ntk[16] == 1.0f / (float)pow(100000.0, 0.5));
    r.theta_scale = 0;
    r.rope_kind = LE_ROPE_LINEAR, r.rope_factor = 4;
    float lin[32];
    le_rope_inv_freq(&c, &r, 100, lin, &sc);
    for (int j = 0; j < 32; j++) CHECK(lin[j] == inv[j] / 4.0f);
    r.rope_kind = LE_ROPE_YARN, r.rope_factor = 8, r.yarn_window = 512;
    float y[32];
    le_rope_inv_freq(&c, &r, 100, y, &sc);
    CHECK(fabs(sc - (0.1 * log(8.0) + 1)) < 1e-7);
    CHECK(y[0] == inv[0]);          /* high frequencies extrapolate */
    CHECK(y[31] == inv[31] / 8.0f); /* low frequencies interpolate */
    /* nomic's dynamic NTK: untouched up to the trained positions */
    c.rope_trained_positions = 256;
    memset(&r, 0, sizeof r);
    r.dynamic_factor = 2;
    CHECK(le_rope_base(&c, &r, 256) == 10000);
    CHECK(fabs(le_rope_base(&c, &r, 512) - 10000 * pow(2.0 * 512 / 256 - 1, 64.0 / 62)) < 1e-6);
    /* tables: grouped positions repeat rows */
    memset(&r, 0, sizeof r);
    r.pos_div = 3;
    float cs[6 * 32], sn[6 * 32];
    le_rope_fill(&c, &r, inv, 1.0f, 6, cs, sn);
    CHECK(!memcmp(cs + 32, cs + 64, 32 * sizeof(float)) &&
          memcmp(cs + 64, cs + 96, 32 * sizeof(float)));
    CHECK(sn[0] == 0.0f && cs[0] == 1.0f);
}

int main(void) {
    check_defaults();
    check_fit();
    check_sequences();
    check_frequencies();
    return check_report("rope/plan");
}
