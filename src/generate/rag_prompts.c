/* The default prompts and the prompt file (rag_prompts.h). The texts are
 * this project's, after the descriptions of MemoRAG's prompt roles and
 * LC-Boost's actions; docs/ask.md shows them. */
#include "generate/rag_prompts.h"

#include "base/json.h"
#include "base/mapfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct prompt_def {
    const char *name;
    const char *vars[5]; /* the placeholders it allows, NULL-terminated */
    const char *text;
} prompt_def;

static const prompt_def DEFS[LE_RP_COUNT] = {
    [LE_RP_MEMORY] = {"memorag.memory", {"document"},
                      "Below is a long document. Read all of it closely: afterwards you will "
                      "be asked to carry out tasks about what it says.\n\nDocument:\n{document}"
                      "\n\nEnd of the document."},
    [LE_RP_MEMORY_ACK] = {"memorag.ack", {NULL},
                          "I have read the whole document and am ready for your task."},
    [LE_RP_SPANS] = {"memorag.spans", {"question"},
                     "A question about the document follows. Recall the places in the "
                     "document that hold the evidence needed to answer it and write them "
                     "down as short text spans in the document's own words, one per line. "
                     "Write nothing else.\n\nQuestion: {question}"},
    [LE_RP_SURROGATE] = {"memorag.surrogate", {"question"},
                         "A question about the document follows; it may be vague. Write one "
                         "or more precise questions whose answers, found in the document, "
                         "give the facts needed to answer it. One question per line; write "
                         "nothing else.\n\nQuestion: {question}"},
    [LE_RP_DRAFT] = {"memorag.draft", {"question"},
                     "Answer this question about the document directly and briefly, without "
                     "explanation.\n\nQuestion: {question}"},
    [LE_RP_GIST] = {"memorag.gist", {"text"},
                    "Compress the text below. Keep every key fact, name, number and decision; "
                    "drop repetition and filler; write plain sentences without formatting."
                    "\n\nText:\n{text}\n\nWrite only the compressed text."},
    [LE_RP_ANSWER] = {"answer", {"passages", "question"},
                      "Answer the question using the numbered passages below. Cite the "
                      "passages you use by their numbers in square brackets, like [2]. Be "
                      "concise.\n\n{passages}\n\nQuestion: {question}"},
    [LE_RP_FULL] = {"full", {"document", "question"},
                    "Read the document below and answer the question. Be concise.\n\n"
                    "Document:\n{document}\n\nQuestion: {question}"},
    [LE_RP_LCB_STEP] =
        {"lcboost.step",
         {"question", "notes", "chunk", "position", "chunks"},
         "Part {position} of {chunks} of a long document:\n{chunk}\n\nYou are reading this "
         "long document part by part to answer a question; you never see all of it at once, "
         "so you keep notes of what you have found.\n\nQuestion: {question}\n\nYour notes "
         "so far:\n{notes}\n\nChoose one action. Write it on the first line as ACTION: <name>, and what it "
         "needs on the lines after:\n"
         "- understand: restate what the question asks for and what to look for\n"
         "- retrieve: jump to the part that best matches a search query (write the query)\n"
         "- move: nothing useful here; go on to the next part\n"
         "- append: this part helps (write the relevant facts to add to your notes)\n"
         "- merge: your notes are long or repetitive (write shorter notes to replace them)\n"
         "- answer: you know enough (write the final answer)"},
    [LE_RP_LCB_FINAL] = {"lcboost.final", {"question", "notes"},
                         "Answer the question from the notes you took while reading a long "
                         "document. Be concise.\n\nNotes:\n{notes}\n\nQuestion: {question}"},
};

const char *le_rag_prompt_name(le_rag_prompt_id id) {
    return (unsigned)id < LE_RP_COUNT ? DEFS[id].name : "?";
}

const char *le_rag_prompt_default(le_rag_prompt_id id) {
    return (unsigned)id < LE_RP_COUNT ? DEFS[id].text : "";
}

const char *le_rag_prompt_text(const le_rag_prompts *p, le_rag_prompt_id id) {
    if (p && (unsigned)id < LE_RP_COUNT && p->text[id]) return p->text[id];
    return le_rag_prompt_default(id);
}

void le_rag_prompts_free(le_rag_prompts *p) {
    for (int i = 0; i < LE_RP_COUNT; i++) free(p->text[i]);
    memset(p, 0, sizeof *p);
}

/* 1 when name[0..len) is a placeholder prompt id allows. */
static int allowed(le_rag_prompt_id id, const char *name, size_t len) {
    for (int i = 0; i < 5 && DEFS[id].vars[i]; i++)
        if (strlen(DEFS[id].vars[i]) == len && !memcmp(DEFS[id].vars[i], name, len)) return 1;
    return 0;
}

/* The placeholders prompt id allows, as "{a}, {b}" (or "none"). */
static void allowed_list(le_rag_prompt_id id, char *buf, size_t cap) {
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; i < 5 && DEFS[id].vars[i] && o < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s{%s}", i ? ", " : "", DEFS[id].vars[i]);
    if (!buf[0]) snprintf(buf, cap, "none");
}

/* Walks tmpl: literal text and {{ }} go to out (may be NULL), each
 * placeholder to its value in vars (vars NULL: only checked). */
static le_status expand(le_rag_prompt_id id, const char *tmpl, const char *what,
                        const le_rag_var *vars, size_t n_vars, le_sbuf *out, le_error *err) {
    for (const char *c = tmpl; *c;) {
        if ((c[0] == '{' && c[1] == '{') || (c[0] == '}' && c[1] == '}')) {
            if (out) le_sbuf_add(out, c, 1);
            c += 2;
            continue;
        }
        if (*c == '}')
            return le_fail(err, LE_ERR_ARG, "%s: a '}' without its '{' at byte %zu (write }} "
                           "for a literal brace)", what, (size_t)(c - tmpl));
        if (*c != '{') {
            size_t run = strcspn(c, "{}");
            if (out) le_sbuf_add(out, c, run);
            c += run;
            continue;
        }
        const char *end = strchr(c + 1, '}');
        size_t len = end ? (size_t)(end - c - 1) : 0;
        if (!end || !allowed(id, c + 1, len)) {
            char list[128];
            allowed_list(id, list, sizeof list);
            if (!end)
                return le_fail(err, LE_ERR_ARG, "%s: a '{' without its '}' at byte %zu (write "
                               "{{ for a literal brace)", what, (size_t)(c - tmpl));
            return le_fail(err, LE_ERR_ARG, "%s: unknown placeholder {%.*s} (%s allows %s)",
                           what, (int)(len > 64 ? 64 : len), c + 1, DEFS[id].name, list);
        }
        if (vars) {
            size_t v = 0;
            while (v < n_vars && !(strlen(vars[v].name) == len && !memcmp(vars[v].name, c + 1, len)))
                v++;
            if (v == n_vars)
                return le_fail(err, LE_ERR_ARG, "%s: no value for {%.*s}", what, (int)len, c + 1);
            if (out) le_sbuf_puts(out, vars[v].value ? vars[v].value : "");
        }
        c = end + 1;
    }
    return LE_OK;
}

le_status le_rag_prompt_check(le_rag_prompt_id id, const char *tmpl, const char *what,
                              le_error *err) {
    if ((unsigned)id >= LE_RP_COUNT) return le_fail(err, LE_ERR_ARG, "%s: no such prompt", what);
    return expand(id, tmpl, what, NULL, 0, NULL, err);
}

le_status le_rag_prompt_render(const le_rag_prompts *p, le_rag_prompt_id id,
                               const le_rag_var *vars, size_t n_vars, le_sbuf *out, le_error *err) {
    if ((unsigned)id >= LE_RP_COUNT) return le_fail(err, LE_ERR_ARG, "no such prompt %d", id);
    le_status s = expand(id, le_rag_prompt_text(p, id), DEFS[id].name, vars, n_vars, out, err);
    if (!s && out->failed) s = le_fail(err, LE_ERR_NOMEM, "out of memory for a prompt");
    return s;
}

/* The prompt called name, or -1. */
static int find_prompt(const char *name) {
    for (int i = 0; i < LE_RP_COUNT; i++)
        if (!strcmp(DEFS[i].name, name)) return i;
    return -1;
}

/* Takes one "name": "template" member into p. */
static le_status take_member(le_rag_prompts *p, const cJSON *m, const char *what, le_error *err) {
    int id = find_prompt(m->string);
    if (id < 0) {
        char names[512];
        size_t o = 0;
        for (int i = 0; i < LE_RP_COUNT && o < sizeof names; i++)
            o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", i ? ", " : "", DEFS[i].name);
        return le_fail(err, LE_ERR_ARG, "%s: unknown prompt \"%s\" (known: %s)", what, m->string,
                       names);
    }
    if (!cJSON_IsString(m))
        return le_fail(err, LE_ERR_ARG, "%s: prompt \"%s\" is not a string", what, m->string);
    char ctx[600];
    snprintf(ctx, sizeof ctx, "%s: prompt \"%s\"", what, m->string);
    le_status s = le_rag_prompt_check((le_rag_prompt_id)id, m->valuestring, ctx, err);
    if (s) return s;
    char *copy = strdup(m->valuestring);
    if (!copy) return le_fail(err, LE_ERR_NOMEM, "out of memory");
    free(p->text[id]);
    p->text[id] = copy;
    return LE_OK;
}

le_status le_rag_prompts_parse(le_rag_prompts *p, const char *json, size_t len, const char *what,
                               le_error *err) {
    cJSON *root = NULL;
    le_status s = le_json_parse(json, len, what, &root, err);
    if (s) return s;
    if (!cJSON_IsObject(root))
        s = le_fail(err, LE_ERR_ARG, "%s: expected a JSON object of prompt name -> template",
                    what);
    for (const cJSON *m = root->child; !s && m; m = m->next) s = take_member(p, m, what, err);
    cJSON_Delete(root);
    if (s) le_rag_prompts_free(p);
    return s;
}

le_status le_rag_prompts_load(le_rag_prompts *p, const char *path, le_error *err) {
    char *text = NULL;
    size_t len = 0;
    le_status s = le_read_file(path, 1 << 20, &text, &len, err);
    if (s) return s;
    s = le_rag_prompts_parse(p, text, len, path, err);
    free(text);
    return s;
}
