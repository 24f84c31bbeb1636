/* Task directories (LongEmbed and BEIR layouts), read strictly: every
 * problem is an error naming the file and line. */
#include "base/array.h"
#include "base/json.h"
#include "base/map.h"
#include "base/mapfile.h"
#include "base/utf8.h"
#include "eval/task.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ line reading */

typedef struct line_reader {
    le_mapfile mf;
    const char *path;
    size_t pos;
    long line; /* 1-based number of the current line */
} line_reader;

static le_status reader_open(line_reader *r, const char *path, le_error *err) {
    memset(r, 0, sizeof *r);
    r->path = path;
    if (!le_file_exists(path)) return le_fail(err, LE_ERR_IO, "%s: missing", path);
    return le_mapfile_open(&r->mf, path, err);
}

/* The next line that is not blank (without its \n or \r\n); 0 at the end. */
static int reader_next(line_reader *r, const char **s, size_t *n) {
    const char *d = (const char *)r->mf.data;
    while (r->pos < r->mf.size) {
        const char *start = d + r->pos;
        const char *nl = memchr(start, '\n', r->mf.size - r->pos);
        size_t len = nl ? (size_t)(nl - start) : r->mf.size - r->pos;
        r->pos += len + (nl ? 1 : 0);
        r->line++;
        if (len && start[len - 1] == '\r') len--;
        size_t i = 0;
        while (i < len && (start[i] == ' ' || start[i] == '\t')) i++;
        if (i == len) continue;
        *s = start;
        *n = len;
        return 1;
    }
    return 0;
}

static le_status parse_line(line_reader *r, const char *s, size_t n, cJSON **out, le_error *err) {
    char what[1100];
    snprintf(what, sizeof what, "%s:%ld", r->path, r->line);
    le_status st = le_json_parse_line(s, n, what, out, err);
    if (st) return st;
    if (!cJSON_IsObject(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        return le_fail(err, LE_ERR_FORMAT, "%s: not a JSON object", what);
    }
    return LE_OK;
}

/* An id field (the first of keys present): a string or an integer, as text
 * in buf. */
static le_status get_id(line_reader *r, const cJSON *j, const char *const *keys, char *buf,
                        size_t cap, const char **out, le_error *err) {
    const char *const *first = keys;
    for (; *keys; keys++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, *keys);
        if (!v) continue;
        if (cJSON_IsString(v)) {
            *out = v->valuestring;
            return LE_OK;
        }
        if (cJSON_IsNumber(v) && cap >= 32 && !le_json_id_number(v->valuedouble, buf)) {
            *out = buf;
            return LE_OK;
        }
        return le_fail(err, LE_ERR_FORMAT,
                       "%s:%ld: \"%s\" must be a string or an integer of at most 2^53 - 1 "
                       "(9007199254740991; larger numbers lose digits: give them as strings)",
                       r->path, r->line, *keys);
    }
    char names[128] = "";
    for (const char *const *k = first; *k; k++) {
        size_t l = strlen(names);
        snprintf(names + l, sizeof names - l, "%s\"%s\"",
                 k == first ? ""
                 : k[1]     ? ", "
                            : " or ",
                 *k);
    }
    return le_fail(err, LE_ERR_FORMAT, "%s:%ld: no %s", r->path, r->line, names);
}

/* "context_length": -1 when absent, else a positive integer */
static le_status get_ctx(line_reader *r, const cJSON *j, long *out, le_error *err) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "context_length");
    if (!v) {
        *out = -1;
        return LE_OK;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(long)v->valuedouble ||
        v->valuedouble < 1 || v->valuedouble > 1e9)
        return le_fail(err, LE_ERR_FORMAT, "%s:%ld: \"context_length\" must be a positive integer",
                       r->path, r->line);
    *out = (long)v->valuedouble;
    return LE_OK;
}

/* ------------------------------------------------------------------ loading */

/* The ids of a list of texts: id (borrowed from the list) -> its number,
 * and the line each came from. */
typedef struct id_index {
    le_map ids;
    long *line;
    size_t line_cap;
} id_index;

static void id_index_free(id_index *x) {
    le_map_free(&x->ids);
    free(x->line);
}

/* The documents and queries of one context length (or of the whole task). */
typedef struct group {
    long ctx;
    le_texts *docs;
    id_index doc_index;
    le_texts queries; /* every query of the file, before the qrels select them */
    id_index query_index;
} group;

typedef struct loader {
    le_task *t;
    const char *dir;
    int layout; /* -1 unknown, 0 plain, 1 with context_length */
    group *groups;
    size_t n_groups, groups_cap;
    le_error *err;
} loader;

static le_status oom(le_error *err) { return le_fail(err, LE_ERR_NOMEM, "out of memory"); }

static group *find_group(loader *L, long ctx, int create) {
    for (size_t i = 0; i < L->n_groups; i++)
        if (L->groups[i].ctx == ctx) return &L->groups[i];
    if (!create) return NULL;
    if (le_array_reserve(L->groups, L->groups_cap, L->n_groups + 1)) return NULL;
    group *g = &L->groups[L->n_groups];
    memset(g, 0, sizeof *g);
    le_map_init(&g->doc_index.ids, &le_map_borrowed);
    le_map_init(&g->query_index.ids, &le_map_borrowed);
    g->ctx = ctx;
    if (!(g->docs = le_task_new_corpus(L->t))) return NULL;
    L->n_groups++;
    return g;
}

static le_status check_layout(loader *L, line_reader *r, long ctx) {
    int has = ctx >= 0;
    if (L->layout < 0) L->layout = has;
    if (L->layout != has)
        return le_fail(L->err, LE_ERR_FORMAT,
                       "%s:%ld: %s \"context_length\" but the rows before %s", r->path, r->line,
                       has ? "has" : "lacks", has ? "do not" : "have it");
    return LE_OK;
}

/* One corpus or query row: its id, context length and "text" (j owns them). */
typedef struct text_row {
    cJSON *j;
    char idbuf[32];
    const char *id, *text;
    long ctx;
} text_row;

/* Parses the row on the current line; row->j is set (to free) whenever it parsed. */
static le_status read_text_row(loader *L, line_reader *r, const char *line, size_t n,
                               const char *const *id_keys, text_row *row) {
    row->j = NULL;
    row->id = row->text = NULL;
    row->ctx = -1;
    if (le_json_escapes_nul(line, n))
        return le_fail(L->err, LE_ERR_FORMAT,
                       "%s:%ld: a string contains U+0000, which is not supported", r->path,
                       r->line);
    le_status s = parse_line(r, line, n, &row->j, L->err);
    if (s) return s;
    s = get_id(r, row->j, id_keys, row->idbuf, sizeof row->idbuf, &row->id, L->err);
    if (!s) s = get_ctx(r, row->j, &row->ctx, L->err);
    if (!s) s = check_layout(L, r, row->ctx);
    row->text = le_json_str(row->j, "text");
    if (!s && !row->text)
        s = le_fail(L->err, LE_ERR_FORMAT, "%s:%ld: no \"text\" string", r->path, r->line);
    return s;
}

/* Keeps one row's text under its id in texts, remembering its line; refuses an
 * id already there ("duplicate KEY"), naming the line it was first on. */
static le_status keep_text(loader *L, line_reader *r, le_texts *texts, id_index *x, const char *key,
                           const char *id, const char *text, size_t len) {
    size_t bad = le_utf8_check(text, len); /* BM25 would take it, the tokenizer not: one rule */
    if (bad != len)
        return le_fail(L->err, LE_ERR_UTF8, "%s:%ld: the text is not valid UTF-8 at byte %zu (0x%02X)",
                       r->path, r->line, bad, (unsigned char)text[bad]);
    int64_t prev = le_map_get(&x->ids, id, strlen(id));
    if (prev >= 0)
        return le_fail(L->err, LE_ERR_FORMAT, "%s:%ld: duplicate %s \"%s\" (first on line %ld)",
                       r->path, r->line, key, id, x->line[prev]);
    if (le_texts_push(L->t, texts, id, strlen(id), text, len) ||
        le_array_reserve(x->line, x->line_cap, texts->n))
        return oom(L->err);
    const char *kept = texts->ids[texts->n - 1];
    x->line[texts->n - 1] = r->line;
    if (le_map_put(&x->ids, kept, strlen(kept), (uint32_t)(texts->n - 1))) return oom(L->err);
    return LE_OK;
}

/* "title text", the title stripped, as the reference evaluator formats it;
 * *joined (to free) holds it when the title is not empty. */
static le_status join_title(loader *L, const cJSON *tv, const char **text, size_t *len,
                            char **joined) {
    const char *title = cJSON_IsString(tv) ? tv->valuestring : "";
    size_t tl = strlen(title);
    *joined = NULL;
    *len = strlen(*text);
    while (tl && (title[0] == ' ' || title[0] == '\t' || title[0] == '\n')) title++, tl--;
    while (tl && (title[tl - 1] == ' ' || title[tl - 1] == '\t' || title[tl - 1] == '\n')) tl--;
    if (!tl) return LE_OK;
    if (!(*joined = malloc(tl + 1 + *len + 1))) return oom(L->err);
    memcpy(*joined, title, tl);
    (*joined)[tl] = ' ';
    memcpy(*joined + tl + 1, *text, *len + 1);
    *text = *joined;
    *len += tl + 1;
    return LE_OK;
}

static le_status read_corpus(loader *L, const char *path) {
    line_reader r;
    le_status s = reader_open(&r, path, L->err);
    if (s) return s;
    static const char *const id_keys[] = {"doc_id", "_id", NULL};
    const char *line;
    size_t n;
    while (!s && reader_next(&r, &line, &n)) {
        text_row row;
        if ((s = read_text_row(L, &r, line, n, id_keys, &row)) && !row.j) break;
        const cJSON *tv = cJSON_GetObjectItemCaseSensitive(row.j, "title");
        if (!s && tv && !cJSON_IsString(tv) && !cJSON_IsNull(tv))
            s = le_fail(L->err, LE_ERR_FORMAT, "%s:%ld: \"title\" must be a string", path, r.line);
        group *g = s ? NULL : find_group(L, row.ctx, 1);
        if (!s && !g) s = oom(L->err);
        const char *text = row.text;
        size_t len = 0;
        char *joined = NULL;
        if (!s) s = join_title(L, tv, &text, &len, &joined);
        if (!s) s = keep_text(L, &r, g->docs, &g->doc_index, "doc_id", row.id, text, len);
        free(joined);
        cJSON_Delete(row.j);
    }
    if (!s && L->n_groups == 0) s = le_fail(L->err, LE_ERR_FORMAT, "%s: no documents", path);
    le_mapfile_close(&r.mf);
    return s;
}

static le_status read_queries(loader *L, const char *path) {
    line_reader r;
    le_status s = reader_open(&r, path, L->err);
    if (s) return s;
    static const char *const id_keys[] = {"qid", "_id", NULL};
    const char *line;
    size_t n;
    while (!s && reader_next(&r, &line, &n)) {
        text_row row;
        if ((s = read_text_row(L, &r, line, n, id_keys, &row)) && !row.j) break;
        group *g = s ? NULL : find_group(L, row.ctx, 0);
        if (!s && !g)
            s = le_fail(L->err, LE_ERR_FORMAT,
                        "%s:%ld: context_length %ld has no documents in corpus.jsonl", path, r.line,
                        row.ctx);
        if (!s)
            s = keep_text(L, &r, &g->queries, &g->query_index, "qid", row.id, row.text,
                          strlen(row.text));
        cJSON_Delete(row.j);
    }
    le_mapfile_close(&r.mf);
    return s;
}

/* One judgement as read, with where it came from. */
typedef struct judgement {
    uint32_t group, query, doc;
    int score;
    long line;
} judgement;

typedef struct qrels_source {
    char *path;
    char *split; /* split name */
    judgement *j;
    size_t n, cap;
} qrels_source;

static le_status add_judgement(loader *L, qrels_source *q, line_reader *r, long ctx,
                               const char *qid, const char *did, int score) {
    group *g = find_group(L, ctx, 0);
    if (!g) {
        if (L->layout == 1 && ctx < 0)
            return le_fail(L->err, LE_ERR_FORMAT, "%s:%ld: no \"context_length\"", r->path,
                           r->line);
        return le_fail(L->err, LE_ERR_FORMAT,
                       "%s:%ld: context_length %ld has no documents in corpus.jsonl", r->path,
                       r->line, ctx);
    }
    int64_t qi = le_map_get(&g->query_index.ids, qid, strlen(qid));
    if (qi < 0)
        return le_fail(L->err, LE_ERR_FORMAT, "%s:%ld: unknown qid \"%s\" (not in queries.jsonl)",
                       r->path, r->line, qid);
    int64_t di = le_map_get(&g->doc_index.ids, did, strlen(did));
    if (di < 0)
        return le_fail(L->err, LE_ERR_FORMAT, "%s:%ld: unknown doc_id \"%s\" (not in corpus.jsonl)",
                       r->path, r->line, did);
    judgement j = {(uint32_t)(g - L->groups), (uint32_t)qi, (uint32_t)di, score, r->line};
    return le_array_push(q->j, q->n, q->cap, j) ? oom(L->err) : LE_OK;
}

static le_status read_qrels_jsonl(loader *L, qrels_source *q) {
    line_reader r;
    le_status s = reader_open(&r, q->path, L->err);
    if (s) return s;
    static const char *const qkeys[] = {"qid", "query-id", "query_id", NULL};
    static const char *const dkeys[] = {"doc_id", "corpus-id", "corpus_id", NULL};
    const char *line;
    size_t n;
    while (!s && reader_next(&r, &line, &n)) {
        cJSON *j;
        if ((s = parse_line(&r, line, n, &j, L->err))) break;
        char qb[32], db[32];
        const char *qid = NULL, *did = NULL;
        long ctx;
        s = get_id(&r, j, qkeys, qb, sizeof qb, &qid, L->err);
        if (!s) s = get_id(&r, j, dkeys, db, sizeof db, &did, L->err);
        if (!s) s = get_ctx(&r, j, &ctx, L->err);
        long long score = 1;
        const cJSON *sv = cJSON_GetObjectItemCaseSensitive(j, "score");
        if (!s && sv) {
            if (!cJSON_IsNumber(sv) || sv->valuedouble != (double)(long long)sv->valuedouble ||
                sv->valuedouble < -1e6 || sv->valuedouble > 1e6)
                s = le_fail(L->err, LE_ERR_FORMAT, "%s:%ld: \"score\" must be an integer", q->path,
                            r.line);
            else
                score = (long long)sv->valuedouble;
        }
        if (!s) s = add_judgement(L, q, &r, ctx, qid, did, (int)score);
        cJSON_Delete(j);
    }
    le_mapfile_close(&r.mf);
    return s;
}

/* A qrels score: an optional sign and up to 18 digits; LE_ERR_FORMAT else. */
static le_status parse_score(const char *s, size_t n, long long *out) {
    if (n == 0 || n > 18) return LE_ERR_FORMAT;
    size_t i = 0;
    int neg = 0;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
        if (n == 1) return LE_ERR_FORMAT;
    }
    long long v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return LE_ERR_FORMAT;
        v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return LE_OK;
}

/* BEIR's TSV (query-id, corpus-id, score; an optional header line) and
 * TREC's qrels (query-id, iteration, corpus-id, score). */
static le_status read_qrels_tsv(loader *L, qrels_source *q) {
    line_reader r;
    le_status s = reader_open(&r, q->path, L->err);
    if (s) return s;
    const char *line;
    size_t n;
    int first = 1;
    while (!s && reader_next(&r, &line, &n)) {
        const char *f[5];
        size_t fl[5];
        int nf = 0;
        const char *p = line, *end = line + n;
        while (nf < 5) {
            const char *tab = memchr(p, '\t', (size_t)(end - p));
            f[nf] = p;
            fl[nf] = (size_t)((tab ? tab : end) - p);
            nf++;
            if (!tab) break;
            p = tab + 1;
        }
        long long score;
        int is_first = first;
        first = 0;
        if (nf != 3 && nf != 4) {
            s = le_fail(L->err, LE_ERR_FORMAT,
                        "%s:%ld: expected 3 tab-separated fields (query-id, corpus-id, score) or "
                        "4 (TREC: query-id, iteration, corpus-id, score), found %d",
                        q->path, r.line, nf);
            break;
        }
        if (parse_score(f[nf - 1], fl[nf - 1], &score)) {
            if (is_first) continue; /* a header */
            s = le_fail(L->err, LE_ERR_FORMAT, "%s:%ld: the score \"%.*s\" is not an integer",
                        q->path, r.line, (int)(fl[nf - 1] > 40 ? 40 : fl[nf - 1]), f[nf - 1]);
            break;
        }
        if (score < -1000000 || score > 1000000) {
            s = le_fail(L->err, LE_ERR_FORMAT, "%s:%ld: score out of range", q->path, r.line);
            break;
        }
        char *qid = strndup(f[0], fl[0]);
        char *did = strndup(f[nf - 2], fl[nf - 2]);
        if (!qid || !did)
            s = oom(L->err);
        else
            s = add_judgement(L, q, &r, -1, qid, did, (int)score);
        free(qid);
        free(did);
    }
    le_mapfile_close(&r.mf);
    return s;
}

static int cmp_judgement(const void *pa, const void *pb) {
    const judgement *a = pa, *b = pb;
    if (a->group != b->group) return a->group < b->group ? -1 : 1;
    if (a->query != b->query) return a->query < b->query ? -1 : 1;
    if (a->doc != b->doc) return a->doc < b->doc ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

static int cmp_group_ctx(const void *pa, const void *pb) {
    const group *a = pa, *b = pb;
    return (a->ctx > b->ctx) - (a->ctx < b->ctx);
}

/* Turns the judgements of one source (sorted) into splits: per group (the
 * LongEmbed synthetic layout) or one split named after the source. */
static le_status build_splits(loader *L, qrels_source *q) {
    le_status s = LE_OK;
    uint32_t *qmap = NULL;
    for (size_t gi = 0; gi < L->n_groups && !s; gi++) {
        group *g = &L->groups[gi];
        size_t a = 0;
        while (a < q->n && q->j[a].group < gi) a++;
        size_t b = a;
        while (b < q->n && q->j[b].group == gi) b++;
        if (a == b) continue;
        char name[300];
        if (L->layout == 1)
            snprintf(name, sizeof name, "test_%ld", g->ctx);
        else
            snprintf(name, sizeof name, "%s", q->split);
        for (size_t i = 0; i < L->t->n_splits; i++)
            if (!strcmp(L->t->splits[i].name, name))
                return le_fail(L->err, LE_ERR_FORMAT, "%s: a second source of split \"%s\"",
                               q->path, name);
        le_split *sp = le_task_add_split(L->t, name, L->layout == 1 ? (int)g->ctx : 0, g->docs);
        free(qmap);
        qmap = malloc((g->queries.n ? g->queries.n : 1) * sizeof *qmap);
        if (!sp || !qmap) return oom(L->err);
        for (size_t i = 0; i < g->queries.n; i++) qmap[i] = UINT32_MAX;
        for (size_t i = a; i < b && !s; i++) {
            const judgement *j = &q->j[i];
            if (i > a && j->query == q->j[i - 1].query && j->doc == q->j[i - 1].doc) {
                s = le_fail(L->err, LE_ERR_FORMAT,
                            "%s:%ld: duplicate judgement of qid \"%s\" and doc_id \"%s\" (first "
                            "on line %ld)",
                            q->path, j->line, g->queries.ids[j->query], g->docs->ids[j->doc],
                            q->j[i - 1].line);
                break;
            }
            if (qmap[j->query] == UINT32_MAX) { /* queries keep their file order below */
                qmap[j->query] = 0;
            }
        }
        uint32_t next = 0;
        for (size_t i = 0; i < g->queries.n && !s; i++) {
            if (qmap[i] == UINT32_MAX) continue;
            qmap[i] = next++;
            if (le_texts_push_ref(&sp->queries, g->queries.ids[i], g->queries.texts[i],
                                  g->queries.lens[i]))
                s = oom(L->err);
        }
        for (size_t i = a; i < b && !s; i++)
            if (le_split_add_qrel(sp, qmap[q->j[i].query], q->j[i].doc, q->j[i].score))
                s = oom(L->err);
        le_split_sort_qrels(sp);
    }
    free(qmap);
    return s;
}

static int cmp_cstr(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The qrels sources: qrels.jsonl (split "test") and qrels/<split>.{tsv,jsonl}. */
static le_status find_qrels(loader *L, qrels_source **out, size_t *n_out) {
    *out = NULL;
    *n_out = 0;
    char *top = le_path_join(L->dir, "qrels.jsonl");
    char *sub = le_path_join(L->dir, "qrels");
    if (!top || !sub) {
        free(top);
        free(sub);
        return oom(L->err);
    }
    char **files = NULL;
    size_t nf = 0, files_cap = 0;
    le_status s = LE_OK;
    if (le_file_exists(top)) {
        if (le_array_push(files, nf, files_cap, top))
            s = oom(L->err);
        else
            top = NULL;
    }
    DIR *d = le_dir_exists(sub) ? opendir(sub) : NULL;
    struct dirent *e;
    size_t first_sub = nf;
    while (!s && d && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || !((l > 4 && !strcmp(e->d_name + l - 4, ".tsv")) ||
                                     (l > 6 && !strcmp(e->d_name + l - 6, ".jsonl"))))
            continue;
        if (le_array_reserve(files, files_cap, nf + 1) ||
            !(files[nf] = le_path_join(sub, e->d_name))) {
            s = oom(L->err);
            break;
        }
        nf++;
    }
    if (d) closedir(d);
    if (!s && nf > first_sub) qsort(files + first_sub, nf - first_sub, sizeof *files, cmp_cstr);
    if (!s && nf == 0)
        s = le_fail(L->err, LE_ERR_IO,
                    "%s: missing (no qrels: expected qrels.jsonl or qrels/<split>.tsv)", top);
    qrels_source *q = s ? NULL : calloc(nf, sizeof *q);
    if (!s && !q) s = oom(L->err);
    for (size_t i = 0; i < nf; i++) {
        if (!s) {
            q[i].path = files[i];
            const char *base = strrchr(files[i], '/');
            base = base ? base + 1 : files[i];
            if (i < first_sub)
                q[i].split = strdup("test");
            else
                q[i].split = strndup(base, strcspn(base, "."));
            if (!q[i].split) s = oom(L->err);
        } else {
            free(files[i]);
        }
    }
    free(files);
    free(top);
    free(sub);
    if (s) {
        for (size_t i = 0; q && i < nf; i++) {
            free(q[i].split);
            free(q[i].path);
        }
        free(q);
        return s;
    }
    *out = q;
    *n_out = nf;
    return LE_OK;
}

le_status le_task_load_dir(const char *dir, le_task *out, le_error *err) {
    char name[256];
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/') dl--;
    const char *base = dir + dl;
    while (base > dir && base[-1] != '/') base--;
    snprintf(name, sizeof name, "%.*s", (int)(dir + dl - base), base);
    le_task_init(out, name, dir, 0);
    if (!le_dir_exists(dir)) {
        le_task_free(out);
        return le_fail(err, LE_ERR_IO, "%s: no such task directory", dir);
    }
    loader L = {.t = out, .dir = dir, .layout = -1, .err = err};
    qrels_source *qs = NULL;
    size_t nq = 0;
    char *corpus = le_path_join(dir, "corpus.jsonl");
    char *queries = le_path_join(dir, "queries.jsonl");
    le_status s = !corpus || !queries ? oom(err) : LE_OK;
    if (!s && !le_file_exists(corpus))
        s = le_fail(err, LE_ERR_IO,
                    "%s: missing (a task directory holds corpus.jsonl, queries.jsonl and "
                    "qrels.jsonl or qrels/<split>.tsv)",
                    corpus);
    if (!s && !le_file_exists(queries)) s = le_fail(err, LE_ERR_IO, "%s: missing", queries);
    if (!s) s = find_qrels(&L, &qs, &nq);
    if (!s) s = read_corpus(&L, corpus);
    if (!s) s = read_queries(&L, queries);
    if (!s && L.layout == 1) {
        out->by_length = 1;
        /* splits in increasing length; group numbers in judgements follow */
        qsort(L.groups, L.n_groups, sizeof *L.groups, cmp_group_ctx);
    }
    for (size_t i = 0; i < nq && !s; i++) {
        const char *p = qs[i].path;
        size_t pl = strlen(p);
        if (pl > 4 && !strcmp(p + pl - 4, ".tsv")) {
            if (L.layout == 1)
                s = le_fail(err, LE_ERR_FORMAT,
                            "%s: TSV qrels carry no context_length; this task's rows have one "
                            "(use qrels.jsonl)",
                            p);
            else
                s = read_qrels_tsv(&L, &qs[i]);
        } else {
            s = read_qrels_jsonl(&L, &qs[i]);
        }
        if (!s && qs[i].n == 0) s = le_fail(err, LE_ERR_FORMAT, "%s: no judgements", p);
        if (!s) {
            qsort(qs[i].j, qs[i].n, sizeof *qs[i].j, cmp_judgement);
            s = build_splits(&L, &qs[i]);
        }
    }
    for (size_t i = 0; i < nq; i++) {
        free(qs[i].path);
        free(qs[i].split);
        free(qs[i].j);
    }
    free(qs);
    for (size_t i = 0; i < L.n_groups; i++) {
        id_index_free(&L.groups[i].doc_index);
        id_index_free(&L.groups[i].query_index);
        free(L.groups[i].queries.ids);
        free(L.groups[i].queries.texts);
        free(L.groups[i].queries.lens);
    }
    free(L.groups);
    free(corpus);
    free(queries);
    if (s) le_task_free(out);
    return s;
}
