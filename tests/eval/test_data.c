/* The compiled-in data (src/eval/data_*.c) matches data/names.txt and
 * data/needles.jsonl (regenerate with tools/gen_eval_data.py), and the data
 * keeps its promises: distinct names and facts, name parts that are not
 * passkey filler words, questions that share their fact's rare words. */
#include "base/json.h"
#include "base/mapfile.h"
#include "check.h"
#include "eval/data.h"

#include <ctype.h>
#include <stdlib.h>

int main(void) {
    char *names;
    size_t n;
    le_error err;
    CHECK(le_read_file("data/names.txt", 0, &names, &n, &err) == LE_OK);
    size_t i = 0, lines = 0;
    int same = 1;
    for (char *p = names; p && *p; lines++) {
        char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        same &= lines < le_data_n_names && strlen(le_data_names[lines]) == l &&
                !memcmp(le_data_names[lines], p, l);
        p = nl ? nl + 1 : p + l;
    }
    CHECK_MSG(same && lines == le_data_n_names,
              "data/names.txt and src/eval/data_names.c differ: run tools/gen_eval_data.py");
    free(names);
    CHECK(le_data_n_names >= 1000);
    int distinct = 1, two_parts = 1, clean = 1;
    static const char *filler[] = {"The",    "Grass", "Green", "Sky",   "Blue", "Sun",
                                   "Yellow", "Here",  "Go",    "There", "Back", "Again",
                                   "Pass",   "Key",   "For",   NULL};
    for (i = 0; i < le_data_n_names; i++) {
        const char *sp = strchr(le_data_names[i], ' ');
        two_parts &= sp && !strchr(sp + 1, ' ') && isupper((unsigned char)sp[1]);
        for (int f = 0; filler[f]; f++) {
            size_t fl = strlen(filler[f]);
            if (sp && (((size_t)(sp - le_data_names[i]) == fl &&
                        !strncmp(le_data_names[i], filler[f], fl)) ||
                       !strcmp(sp + 1, filler[f])))
                clean = 0;
        }
        for (size_t j = 0; j < i && distinct; j++)
            distinct &= strcmp(le_data_names[i], le_data_names[j]) != 0;
    }
    CHECK(distinct);
    CHECK(two_parts);
    CHECK(clean);

    char *text;
    CHECK(le_read_file("data/needles.jsonl", 0, &text, &n, &err) == LE_OK);
    lines = 0;
    same = 1;
    for (char *p = text; p && *p; lines++) {
        char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        cJSON *j;
        if (le_json_parse(p, l, "needles.jsonl", &j, &err) != LE_OK) {
            same = 0;
            break;
        }
        long long id;
        const char *fact = le_json_str(j, "fact"), *q = le_json_str(j, "question"),
                   *topic = le_json_str(j, "topic");
        same &= lines < le_data_n_needles && le_json_int(j, "id", &id) &&
                id == le_data_needles[lines].id && fact && q && topic &&
                !strcmp(fact, le_data_needles[lines].fact) &&
                !strcmp(q, le_data_needles[lines].question) &&
                !strcmp(topic, le_data_needles[lines].topic);
        cJSON_Delete(j);
        p = nl ? nl + 1 : p + l;
    }
    CHECK_MSG(same && lines == le_data_n_needles,
              "data/needles.jsonl and src/eval/data_needles.c differ: run tools/gen_eval_data.py");
    free(text);
    CHECK_EQ_INT(le_data_n_needles, 100);
    distinct = 1;
    int questions = 1;
    for (i = 0; i < le_data_n_needles; i++) {
        const le_needle_pair *a = &le_data_needles[i];
        size_t ql = strlen(a->question);
        questions &= ql > 10 && a->question[ql - 1] == '?';
        for (size_t j = 0; j < i; j++)
            distinct &= strcmp(a->fact, le_data_needles[j].fact) &&
                        strcmp(a->question, le_data_needles[j].question);
    }
    CHECK(distinct);
    CHECK(questions);
    return check_report("test_data");
}
