#include "model/rope.h"

#include <math.h>

double le_rope_base(const le_model_config *c, const le_pos_plan *r, int n) {
    double base = c->rope_theta;
    const int trained = c->rope_trained_positions;
    if (r->dynamic_factor > 0 && trained > 0 && n > trained) {
        /* nomic-bert's NomicBertDynamicNTKRotaryEmbedding (rotary dim = head_dim) */
        const double f = r->dynamic_factor, dim = c->hidden / c->heads;
        base = base * pow(f * n / trained - (f - 1), dim / (dim - 2));
    }
    if (r->theta_scale > 0) base *= r->theta_scale;
    return base;
}

/* base ** (arange(0, d, 2) / d) in float32: the exponent is a float32
 * division and the base is rounded to float first, as torch does. */
static float pos_freq(double base, int j, int d) {
    const float e = (float)(2 * j) / (float)d;
    return (float)pow((double)(float)base, (double)e);
}

void le_rope_inv_freq(const le_model_config *c, const le_pos_plan *r, int n, float *inv_freq,
                      float *cos_scale) {
    const int d = c->hidden / c->heads, half = d / 2;
    const double base = le_rope_base(c, r, n);
    *cos_scale = 1.0f;
    for (int j = 0; j < half; j++) inv_freq[j] = 1.0f / pos_freq(base, j, d);
    if (r->rope_kind == LE_ROPE_LINEAR && r->rope_factor > 0) {
        const float f = (float)r->rope_factor;
        for (int j = 0; j < half; j++) inv_freq[j] = inv_freq[j] / f;
    } else if (r->rope_kind == LE_ROPE_YARN && r->rope_factor > 1) {
        /* transformers' _compute_yarn_parameters: beta_fast 32, beta_slow 1,
         * truncate, attention factor 0.1·ln(factor) + 1 */
        const double factor = r->rope_factor, orig = r->yarn_window;
        const double two_pi = 2 * 3.14159265358979323846;
        double low = floor(d * log(orig / (32 * two_pi)) / (2 * log(base)));
        double high = ceil(d * log(orig / (1 * two_pi)) / (2 * log(base)));
        if (low < 0) low = 0;
        if (high > d - 1) high = d - 1;
        if (low == high) high += 0.001;
        const float lo_f = (float)low, span = (float)(high - low), ff = (float)factor;
        for (int j = 0; j < half; j++) {
            const float p = pos_freq(base, j, d);
            const float extrap = 1.0f / p, interp = 1.0f / (ff * p);
            float ramp = ((float)j - lo_f) / span;
            ramp = ramp < 0.0f ? 0.0f : ramp > 1.0f ? 1.0f : ramp;
            const float ef = 1.0f - ramp;
            const float a = interp * (1.0f - ef), b = extrap * ef;
            inv_freq[j] = a + b;
        }
        *cos_scale = (float)(0.1 * log(factor) + 1.0);
    }
}

void le_rope_fill(const le_model_config *c, const le_pos_plan *r, const float *inv_freq,
                  float cos_scale, int rows, float *cos_out, float *sin_out) {
    const int half = c->hidden / c->heads / 2;
    const int div = r->pos_div > 1 ? r->pos_div : 1;
    for (int p = 0; p < rows; p++) {
        const int pos = p / div;
        float *co = cos_out + (size_t)p * half, *so = sin_out + (size_t)p * half;
        for (int j = 0; j < half; j++) {
            double angle;
            if (c->rope_f32_angles)
                angle = (double)((float)pos * inv_freq[j]);
            else
                angle = (double)pos * (double)inv_freq[j];
            co[j] = (float)cos(angle);
            so[j] = (float)sin(angle);
            if (cos_scale != 1.0f) {
                co[j] = co[j] * cos_scale;
                so[j] = so[j] * cos_scale;
            }
        }
    }
}
