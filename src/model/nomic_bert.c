/* nomic-bert (model_type "nomic_bert", nomic-embed-text-v1/v1.5, remote
 * code modeling_hf_nomic_bert.py): GPT-2-style config names (n_embd, n_head,
 * n_layer, n_inner, n_positions), embeddings word + token type then emb_ln,
 * a fused Wqkv, out_proj, post-norm blocks (norm1 after attention, norm2
 * after the MLP), biases per qkv_proj_bias (Wqkv and out_proj),
 * mlp_fc1_bias and mlp_fc2_bias. RoPE on q and k (rotary_emb_fraction 1):
 * base rotary_emb_base, pairs (j, j + d/2) or interleaved (2j, 2j+1),
 * angles t·inv_freq in float32; rotary_scaling_factor > 0 makes it dynamic
 * NTK past max_trained_positions (base·(f·L/T − (f − 1))^(d/(d−2))). The
 * gated MLP: fc2(fc11(x) ⊙ act(fc12(x))), act SiLU (swiglu) or GELU (geglu),
 * hidden width n_inner (or 8·n_embd/3) rounded up to a multiple of 256; the
 * plain MLP uses erf GELU whatever activation_function says. */
#include "base/json.h"
#include "model/arch_impl.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static le_status refuse(le_error *err, const char *path, const char *what) {
    return le_fail(err, LE_ERR_UNSUPPORTED, "%s: %s is not supported", path, what);
}

/* The config.json fields beyond the model config that nomic-bert reads. */
typedef struct nomic_fields {
    int inner, pad_multiple, trained;
    int qkv_bias, fc1_bias, fc2_bias, interleaved;
    int prenorm, parallel, rms, causal, rotary_head_dim;
    double eps, fraction, base, dyn;
} nomic_fields;

/* Reads the GPT-2-style fields into c's shapes and f, with NomicBertConfig
 * / GPT2Config's defaults where a field is absent. */
static le_status read_fields(const cJSON *j, const char *path, le_model_config *c, nomic_fields *f,
                             le_error *err) {
    le_status s;
    c->hidden = 768, c->heads = 12, c->layers = 12, c->max_positions = 1024;
    c->vocab = 50257, c->type_vocab = 2;
    *f = (nomic_fields){.pad_multiple = 1,
                        .trained = 2048,
                        .qkv_bias = 1,
                        .fc1_bias = 1,
                        .fc2_bias = 1,
                        .eps = 1e-5,
                        .base = 1000,
                        .dyn = 1.0};
    if ((s = le_cfg_opt_int(j, path, "n_embd", 1, 65536, &c->hidden, err)) ||
        (s = le_cfg_opt_int(j, path, "n_head", 1, 1024, &c->heads, err)) ||
        (s = le_cfg_opt_int(j, path, "n_layer", 1, 1024, &c->layers, err)) ||
        (s = le_cfg_opt_int(j, path, "n_inner", 1, 1 << 20, &f->inner, err)) ||
        (s = le_cfg_opt_int(j, path, "n_positions", -1, 1 << 20, &c->max_positions, err)) ||
        (s = le_cfg_opt_int(j, path, "vocab_size", 1, 1 << 24, &c->vocab, err)) ||
        (s = le_cfg_opt_int(j, path, "pad_vocab_size_multiple", 1, 1 << 16, &f->pad_multiple,
                            err)) ||
        (s = le_cfg_opt_int(j, path, "type_vocab_size", 0, 1024, &c->type_vocab, err)) ||
        (s = le_cfg_opt_int(j, path, "max_trained_positions", 1, 1 << 20, &f->trained, err)) ||
        (s = le_cfg_opt_num(j, path, "layer_norm_epsilon", 1e-30, 0.5, &f->eps, err)) ||
        (s = le_cfg_opt_num(j, path, "rotary_emb_fraction", 0, 1, &f->fraction, err)) ||
        (s = le_cfg_opt_num(j, path, "rotary_emb_base", 1, 1e12, &f->base, err)) ||
        (s = le_cfg_opt_bool(j, path, "rotary_emb_interleaved", &f->interleaved, err)) ||
        (s = le_cfg_opt_bool(j, path, "qkv_proj_bias", &f->qkv_bias, err)) ||
        (s = le_cfg_opt_bool(j, path, "mlp_fc1_bias", &f->fc1_bias, err)) ||
        (s = le_cfg_opt_bool(j, path, "mlp_fc2_bias", &f->fc2_bias, err)) ||
        (s = le_cfg_opt_bool(j, path, "prenorm", &f->prenorm, err)) ||
        (s = le_cfg_opt_bool(j, path, "parallel_block", &f->parallel, err)) ||
        (s = le_cfg_opt_bool(j, path, "use_rms_norm", &f->rms, err)) ||
        (s = le_cfg_opt_bool(j, path, "causal", &f->causal, err)) ||
        (s = le_cfg_opt_bool(j, path, "rotary_head_dim", &f->rotary_head_dim, err)))
        return s;
    /* rotary_scaling_factor: the class default (1.0) when absent, none when null */
    const cJSON *rsf = cJSON_GetObjectItemCaseSensitive(j, "rotary_scaling_factor");
    if (cJSON_IsNull(rsf))
        f->dyn = 0;
    else
        return le_cfg_opt_num(j, path, "rotary_scaling_factor", 0, 1e6, &f->dyn, err);
    return LE_OK;
}

/* Refuses the variants the forward pass does not run (xPos, grouped-query
 * attention, pre-norm, parallel blocks, RMSNorm, causal, partial rotary). */
static le_status refuse_variants(const cJSON *j, const char *path, const le_model_config *c,
                                 const nomic_fields *f, le_error *err) {
    const cJSON *scale_base = cJSON_GetObjectItemCaseSensitive(j, "rotary_emb_scale_base");
    if (scale_base && !cJSON_IsNull(scale_base))
        return refuse(err, path, "rotary_emb_scale_base (xPos scaling)");
    const cJSON *kv = cJSON_GetObjectItemCaseSensitive(j, "num_heads_kv");
    if (kv && !cJSON_IsNull(kv) && !(cJSON_IsNumber(kv) && kv->valuedouble == c->heads))
        return refuse(err, path, "num_heads_kv (grouped-query attention)");
    if (f->prenorm) return refuse(err, path, "prenorm");
    if (f->parallel) return refuse(err, path, "parallel_block");
    if (f->rms) return refuse(err, path, "use_rms_norm");
    if (f->causal) return refuse(err, path, "causal");
    if (f->rotary_head_dim) return refuse(err, path, "rotary_head_dim");
    if (f->fraction != 1.0)
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "%s: rotary_emb_fraction %g is not supported (only full rotary, 1.0)", path,
                       f->fraction);
    return LE_OK;
}

/* The MLP from activation_function: gated (swiglu, geglu; n_inner or
 * 8·n_embd/3, rounded up to 256) or plain with erf GELU (4·n_embd). */
static le_status read_mlp(const cJSON *j, const char *path, int inner, le_model_config *c,
                          le_error *err) {
    const char *act = le_json_str(j, "activation_function");
    if (!act) act = "gelu_new";
    if (!strcmp(act, "swiglu") || !strcmp(act, "geglu")) {
        c->ffn = LE_FFN_GATED;
        c->act = !strcmp(act, "swiglu") ? LE_ACT_SILU : LE_ACT_GELU_ERF;
        long long hid = inner > 0 ? inner : (long long)(8.0 * c->hidden / 3);
        hid = (hid + 255) / 256 * 256;
        if (hid > (1 << 20)) return le_fail(err, LE_ERR_FORMAT, "%s: n_inner is too large", path);
        c->intermediate = (int)hid;
    } else if (!strcmp(act, "gelu") || !strcmp(act, "gelu_new") || !strcmp(act, "gelu_fast") ||
               !strcmp(act, "gelu_pytorch_tanh")) {
        c->ffn = LE_FFN_PLAIN;
        c->act = LE_ACT_GELU_ERF; /* the block hands F.gelu to its MLP */
        c->intermediate = inner > 0 ? inner : 4 * c->hidden;
    } else {
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "%s: activation_function \"%s\" is not supported (swiglu, geglu, gelu)",
                       path, act);
    }
    return LE_OK;
}

le_status le_nomic_bert_read_config(const cJSON *j, const char *path, le_model_config *c,
                                    le_error *err) {
    nomic_fields f;
    le_status s;
    if ((s = read_fields(j, path, c, &f, err)) || (s = refuse_variants(j, path, c, &f, err)))
        return s;
    if (c->max_positions <= 0) c->max_positions = 2048; /* as NomicBertModel.from_pretrained */
    if (c->vocab % f.pad_multiple) c->vocab += f.pad_multiple - c->vocab % f.pad_multiple;
    c->ln_eps = (float)f.eps;
    if ((s = read_mlp(j, path, f.inner, c, err))) return s;
    c->qkv_bias = c->out_bias = f.qkv_bias;
    c->ffn_in_bias = f.fc1_bias;
    c->ffn_out_bias = f.fc2_bias;
    c->rope_theta = f.base;
    c->rope_interleaved = f.interleaved;
    c->rope_f32_angles = 1;
    c->rope_dynamic_factor = f.dyn;
    c->rope_trained_positions = f.trained;
    return LE_OK;
}

le_status le_nomic_bert_load_weights(le_loader *ld) {
    le_status s = le_load_embeddings(ld, "embeddings.word_embeddings.weight",
                                     "embeddings.token_type_embeddings.weight", NULL,
                                     "emb_ln.weight", "emb_ln.bias");
    if (s || (s = le_load_layers_alloc(ld))) return s;
    const le_model_config *c = &ld->m->cfg;
    int64_t h = c->hidden, inter = c->intermediate;
    for (int l = 0; l < c->layers; l++) {
        le_encoder_layer *L = &ld->m->layers[l];
        char a[128], b[128], g[160], be[160];
        const char *one[1] = {a};
        snprintf(a, sizeof a, "encoder.layers.%d.attn.Wqkv", l);
        if ((s = le_load_linear(ld, one, 1, 3 * h, h, c->qkv_bias, &L->qkv, &L->qkv_bias)))
            return s;
        snprintf(a, sizeof a, "encoder.layers.%d.attn.out_proj", l);
        if ((s = le_load_linear(ld, one, 1, h, h, c->out_bias, &L->attn_out, &L->attn_out_bias)))
            return s;
        snprintf(g, sizeof g, "encoder.layers.%d.norm1.weight", l);
        snprintf(be, sizeof be, "encoder.layers.%d.norm1.bias", l);
        if ((s = le_load_vector(ld, g, h, &L->ln_attn_gamma)) ||
            (s = le_load_vector(ld, be, h, &L->ln_attn_beta)))
            return s;
        if (c->ffn == LE_FFN_GATED) {
            /* gate (activated) rows first: fc12, then fc11 */
            snprintf(a, sizeof a, "encoder.layers.%d.mlp.fc12", l);
            snprintf(b, sizeof b, "encoder.layers.%d.mlp.fc11", l);
            const char *two[2] = {a, b};
            s = le_load_linear(ld, two, 2, inter, h, c->ffn_in_bias, &L->ffn_in, &L->ffn_in_bias);
        } else {
            snprintf(a, sizeof a, "encoder.layers.%d.mlp.fc1", l);
            s = le_load_linear(ld, one, 1, inter, h, c->ffn_in_bias, &L->ffn_in, &L->ffn_in_bias);
        }
        if (s) return s;
        snprintf(a, sizeof a, "encoder.layers.%d.mlp.fc2", l);
        if ((s = le_load_linear(ld, one, 1, h, inter, c->ffn_out_bias, &L->ffn_out,
                                &L->ffn_out_bias)))
            return s;
        snprintf(g, sizeof g, "encoder.layers.%d.norm2.weight", l);
        snprintf(be, sizeof be, "encoder.layers.%d.norm2.bias", l);
        if ((s = le_load_vector(ld, g, h, &L->ln_ffn_gamma)) ||
            (s = le_load_vector(ld, be, h, &L->ln_ffn_beta)))
            return s;
    }
    return LE_OK;
}
