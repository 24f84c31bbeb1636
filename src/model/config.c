#include "model/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/log.h"
#include "base/mapfile.h"
#include "model/arch_impl.h"

#define CONFIG_MAX_BYTES (4u << 20)

const char *le_pooling_name(le_pooling p) {
    switch (p) {
    case LE_POOLING_CLS: return "cls";
    case LE_POOLING_MEAN: return "mean";
    case LE_POOLING_MAX: return "max";
    default: return "default";
    }
}

le_status le_pooling_parse(const char *s, le_pooling *out) {
    if (!strcmp(s, "cls")) *out = LE_POOLING_CLS;
    else if (!strcmp(s, "mean")) *out = LE_POOLING_MEAN;
    else if (!strcmp(s, "max")) *out = LE_POOLING_MAX;
    else return LE_ERR_ARG;
    return LE_OK;
}

le_status le_cfg_int(const cJSON *j, const char *path, const char *key, long long lo,
                     long long hi, int *out, le_error *err) {
    long long v;
    if (!le_json_int(j, key, &v))
        return le_fail(err, LE_ERR_FORMAT, "%s: \"%s\" is missing or not an integer", path, key);
    if (v < lo || v > hi)
        return le_fail(err, LE_ERR_FORMAT, "%s: \"%s\" = %lld is outside [%lld, %lld]", path, key,
                       v, lo, hi);
    *out = (int)v;
    return LE_OK;
}

static int absent(const cJSON *j, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    return !v || cJSON_IsNull(v);
}

le_status le_cfg_opt_int(const cJSON *j, const char *path, const char *key, long long lo,
                         long long hi, int *out, le_error *err) {
    if (absent(j, key)) return LE_OK;
    return le_cfg_int(j, path, key, lo, hi, out, err);
}

le_status le_cfg_opt_num(const cJSON *j, const char *path, const char *key, double lo, double hi,
                         double *out, le_error *err) {
    if (absent(j, key)) return LE_OK;
    double v;
    if (!le_json_num(j, key, &v))
        return le_fail(err, LE_ERR_FORMAT, "%s: \"%s\" is not a number", path, key);
    if (!(v >= lo && v <= hi))
        return le_fail(err, LE_ERR_FORMAT, "%s: \"%s\" = %g is outside [%g, %g]", path, key, v,
                       lo, hi);
    *out = v;
    return LE_OK;
}

le_status le_cfg_opt_bool(const cJSON *j, const char *path, const char *key, int *out,
                          le_error *err) {
    if (absent(j, key)) return LE_OK;
    if (!le_json_bool(j, key, out))
        return le_fail(err, LE_ERR_FORMAT, "%s: \"%s\" is not true or false", path, key);
    return LE_OK;
}

le_status le_cfg_parse_act(const char *path, const char *s, le_act *out, le_error *err) {
    if (!s || !strcmp(s, "gelu")) *out = LE_ACT_GELU_ERF;
    else if (!strcmp(s, "gelu_new") || !strcmp(s, "gelu_pytorch_tanh")) *out = LE_ACT_GELU_TANH;
    else if (!strcmp(s, "relu")) *out = LE_ACT_RELU;
    else if (!strcmp(s, "silu") || !strcmp(s, "swish")) *out = LE_ACT_SILU;
    else
        return le_fail(err, LE_ERR_UNSUPPORTED, "%s: hidden_act \"%s\" is not supported", path, s);
    return LE_OK;
}

le_status le_cfg_bert_shapes(const cJSON *j, const char *path, le_model_config *c,
                             int default_positions, le_error *err) {
    le_status s;
    if ((s = le_cfg_int(j, path, "hidden_size", 1, 65536, &c->hidden, err)) ||
        (s = le_cfg_int(j, path, "num_hidden_layers", 1, 1024, &c->layers, err)) ||
        (s = le_cfg_int(j, path, "num_attention_heads", 1, 1024, &c->heads, err)) ||
        (s = le_cfg_int(j, path, "intermediate_size", 1, 1 << 20, &c->intermediate, err)) ||
        (s = le_cfg_int(j, path, "vocab_size", 1, 1 << 24, &c->vocab, err)))
        return s;
    if (default_positions > 0 && absent(j, "max_position_embeddings"))
        c->max_positions = default_positions;
    else if ((s = le_cfg_int(j, path, "max_position_embeddings", 1, 1 << 20, &c->max_positions,
                             err)))
        return s;
    long long tv = 2;
    if (cJSON_GetObjectItemCaseSensitive(j, "type_vocab_size") &&
        !le_json_int(j, "type_vocab_size", &tv))
        return le_fail(err, LE_ERR_FORMAT, "%s: \"type_vocab_size\" is not an integer", path);
    if (tv < 0 || tv > 1024)
        return le_fail(err, LE_ERR_FORMAT, "%s: \"type_vocab_size\" = %lld is out of range", path,
                       tv);
    c->type_vocab = (int)tv;
    double eps = 1e-12;
    le_json_num(j, "layer_norm_eps", &eps);
    if (!(eps > 0 && eps < 1))
        return le_fail(err, LE_ERR_FORMAT, "%s: \"layer_norm_eps\" = %g is out of range", path,
                       eps);
    c->ln_eps = (float)eps;
    return le_cfg_parse_act(path, le_json_str(j, "hidden_act"), &c->act, err);
}

static le_status read_config_json(const char *dir, le_model_config *c, le_error *err) {
    char *path = le_path_join(dir, "config.json");
    if (!path) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    cJSON *j = NULL;
    le_status s = LE_OK;
    if (!le_file_exists(path)) {
        s = le_fail(err, LE_ERR_IO, "%s: missing (is %s a Hugging Face model directory?)", path,
                    dir);
        goto done;
    }
    if ((s = le_json_load(path, CONFIG_MAX_BYTES, &j, err))) goto done;
    if (!cJSON_IsObject(j)) {
        s = le_fail(err, LE_ERR_FORMAT, "%s: not a JSON object", path);
        goto done;
    }
    const char *mt = le_json_str(j, "model_type");
    if (!mt) {
        s = le_fail(err, LE_ERR_FORMAT, "%s: \"model_type\" is missing", path);
        goto done;
    }
    snprintf(c->model_type, sizeof c->model_type, "%s", mt);
    c->arch = le_arch_find(mt, le_json_str(j, "position_embedding_type"));
    if (!c->arch) {
        char list[160];
        s = le_fail(err, LE_ERR_UNSUPPORTED,
                    "%s: model_type \"%s\" is not supported (supported: %s)", path, mt,
                    le_arch_supported(list, sizeof list));
        goto done;
    }
    c->pos = c->arch->pos;
    s = c->arch->read_config(j, path, c, err);
    if (s) goto done;
    if (c->hidden % c->heads) {
        s = le_fail(err, LE_ERR_FORMAT, "%s: hidden_size %d is not a multiple of %d heads", path,
                    c->hidden, c->heads);
        goto done;
    }
    if (c->pos == LE_POS_ROPE && ((c->hidden / c->heads) % 2 || c->hidden / c->heads > 1024)) {
        s = le_fail(err, LE_ERR_UNSUPPORTED, "%s: RoPE needs an even head size up to 1024, not %d",
                    path, c->hidden / c->heads);
        goto done;
    }
    const char *nop = le_json_str(j, "_name_or_path");
    snprintf(c->name_or_path, sizeof c->name_or_path, "%s", nop ? nop : "");
done:
    cJSON_Delete(j);
    free(path);
    return s;
}

/* The modules of modules.json (mods, parsed; mpath names it): the Pooling
 * module's directory (*pool_dir, pointing into mods; NULL when none) and
 * whether a Normalize module follows. */
static le_status read_modules(const cJSON *mods, const char *mpath, const char **pool_dir,
                              le_model_config *c, le_error *err) {
    const cJSON *m;
    cJSON_ArrayForEach(m, mods) {
        const char *type = le_json_str(m, "type");
        const char *p = le_json_str(m, "path");
        if (!type) return le_fail(err, LE_ERR_FORMAT, "%s: a module without \"type\"", mpath);
        if (!strcmp(type, "sentence_transformers.models.Pooling"))
            *pool_dir = p ? p : "";
        else if (!strcmp(type, "sentence_transformers.models.Normalize"))
            c->normalize = 1;
        else if (strcmp(type, "sentence_transformers.models.Transformer"))
            return le_fail(err, LE_ERR_UNSUPPORTED, "%s: module type \"%s\" is not supported",
                           mpath, type);
    }
    return LE_OK;
}

/* The pooling mode of dir/pool_dir/config.json: exactly one of cls, mean
 * and max must be set. */
static le_status read_pooling(const char *dir, const char *mpath, const char *pool_dir,
                              le_model_config *c, le_error *err) {
    if (strstr(pool_dir, ".."))
        return le_fail(err, LE_ERR_FORMAT, "%s: pooling path \"%s\" leaves the model directory",
                       mpath, pool_dir);
    char *pd = le_path_join(dir, pool_dir);
    char *ppath = pd ? le_path_join(pd, "config.json") : NULL;
    free(pd);
    if (!ppath) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    cJSON *pool = NULL;
    le_status s = le_json_load(ppath, CONFIG_MAX_BYTES, &pool, err);
    if (!s) {
        int cls = 0, mean = 0, mx = 0, other = 0, v;
        le_json_bool(pool, "pooling_mode_cls_token", &cls);
        le_json_bool(pool, "pooling_mode_mean_tokens", &mean);
        le_json_bool(pool, "pooling_mode_max_tokens", &mx);
        const char *others[] = {"pooling_mode_mean_sqrt_len_tokens",
                                "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"};
        for (size_t i = 0; i < sizeof others / sizeof *others; i++)
            if (le_json_bool(pool, others[i], &v) && v) other = 1;
        if (cls + mean + mx + other != 1)
            s = le_fail(err, LE_ERR_UNSUPPORTED,
                        "%s: exactly one of cls, mean or max pooling must be set", ppath);
        else
            c->pooling = cls ? LE_POOLING_CLS : mean ? LE_POOLING_MEAN : LE_POOLING_MAX;
    }
    cJSON_Delete(pool);
    free(ppath);
    return s;
}

/* sentence_bert_config.json, when present: max_seq_length, do_lower_case. */
static le_status read_sbert_config(const char *dir, le_model_config *c, le_error *err) {
    char *sbert = le_path_join(dir, "sentence_bert_config.json");
    le_status s = LE_OK;
    if (sbert && le_file_exists(sbert)) {
        cJSON *sb = NULL;
        s = le_json_load(sbert, CONFIG_MAX_BYTES, &sb, err);
        if (!s) {
            long long msl;
            if (le_json_int(sb, "max_seq_length", &msl) && msl > 0 && msl < (1 << 24))
                c->st_max_seq_length = (int)msl;
            le_json_bool(sb, "do_lower_case", &c->st_lowercase);
        }
        cJSON_Delete(sb);
    }
    free(sbert);
    return s;
}

/* Reads the sentence-transformers pipeline: which pooling, and whether a
 * Normalize module follows (mean pooling, no normalisation without it). */
static le_status read_st_files(const char *dir, le_model_config *c, le_error *err) {
    c->pooling = LE_POOLING_MEAN;
    c->normalize = 0;
    char *mpath = le_path_join(dir, "modules.json");
    if (!mpath) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    if (!le_file_exists(mpath)) {
        le_log(LE_LOG_WARN, "%s: no sentence-transformers modules.json; using mean pooling", dir);
        free(mpath);
        return LE_OK;
    }
    c->has_st_files = 1;
    cJSON *mods = NULL;
    const char *pool_dir = NULL;
    le_status s = le_json_load(mpath, CONFIG_MAX_BYTES, &mods, err);
    if (!s && !cJSON_IsArray(mods)) s = le_fail(err, LE_ERR_FORMAT, "%s: not a JSON array", mpath);
    if (!s) s = read_modules(mods, mpath, &pool_dir, c, err);
    if (!s && pool_dir) s = read_pooling(dir, mpath, pool_dir, c, err);
    if (!s) s = read_sbert_config(dir, c, err);
    cJSON_Delete(mods);
    free(mpath);
    return s;
}

le_status le_model_config_load(const char *dir, le_model_config *out, le_error *err) {
    memset(out, 0, sizeof *out);
    if (!le_dir_exists(dir)) return le_fail(err, LE_ERR_IO, "%s: no such model directory", dir);
    le_status s = read_config_json(dir, out, err);
    if (!s) s = read_st_files(dir, out, err);
    /* some architectures normalise by convention (E5-RoPE's evaluation) */
    if (!s && !out->has_st_files && out->arch->normalize_without_st) out->normalize = 1;
    return s;
}
