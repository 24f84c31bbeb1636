/* The benchmark's reports: JSON (every number, for scripts), Markdown
 * (tables like the LongEmbed paper's) and SVG (Acc@1 against length). */
#include "base/outfile.h"
#include "eval/run.h"
#include "base/sbuf.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int same(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }

/* The row's value, or NAN. */
static double find(const le_bench_result *r, const char *task, const char *split,
                   const char *retriever, const char *extend, const char *metric) {
    for (size_t i = 0; i < r->n_rows; i++) {
        const le_bench_row *w = &r->rows[i];
        if (!strcmp(w->task, task) && !strcmp(w->split, split) &&
            !strcmp(w->retriever, retriever) && same(w->extend, extend) &&
            !strcmp(w->metric, metric))
            return w->value;
    }
    return NAN;
}

/* A configuration's total time on a task's split (split NULL: on all its
 * splits; task NULL: on every task). */
static double conf_seconds(const le_bench_result *r, const char *task, const char *split,
                           const char *retriever, const char *extend) {
    double s = 0;
    for (size_t i = 0; i < r->n_times; i++) {
        const le_bench_time *t = &r->times[i];
        if ((!task || !strcmp(t->task, task)) && (!split || !strcmp(t->split, split)) &&
            !strcmp(t->retriever, retriever) && same(t->extend, extend))
            s += t->seconds;
    }
    return s;
}

/* The splits of task in order (at most MAX_SPLITS) into sp; returns their number. */
#define MAX_SPLITS 64
static size_t task_splits(const le_bench_result *r, const char *task,
                          const le_bench_split_info **sp) {
    size_t ns = 0;
    for (size_t i = 0; i < r->n_splits && ns < MAX_SPLITS; i++)
        if (!strcmp(r->splits[i].task, task)) sp[ns++] = &r->splits[i];
    return ns;
}

static const char *conf_label(const le_bench_result *r, size_t c, char *buf, size_t cap) {
    if (r->conf_extend[c])
        snprintf(buf, cap, "%s %s", r->conf_retriever[c], r->conf_extend[c]);
    else
        snprintf(buf, cap, "%s", r->conf_retriever[c]);
    return buf;
}

/* ------------------------------------------------------------------- JSON */

static cJSON *str_or_null(const char *s) { return s ? cJSON_CreateString(s) : cJSON_CreateNull(); }

static cJSON *string_list(const char *const *items, size_t n) {
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateString(items[i]));
    return a;
}

static cJSON *json_config(const le_bench_result *r) {
    const le_bench_options *o = &r->opt;
    const le_bench_plan *p = &r->plan;
    cJSON *c = cJSON_CreateObject();
    const char *tasks[2];
    for (size_t i = 0; i < p->n_synth; i++) tasks[i] = p->synth_order[i];
    cJSON_AddItemToObject(c, "tasks", string_list(tasks, p->n_synth));
    cJSON_AddItemToObject(c, "task_dirs",
                          string_list((const char *const *)p->task_dirs, p->n_task_dirs));
    cJSON *lengths = cJSON_AddArrayToObject(c, "lengths");
    for (size_t i = 0; i < p->n_lengths; i++)
        cJSON_AddItemToArray(lengths, cJSON_CreateNumber(p->lengths[i]));
    cJSON *ext = cJSON_AddArrayToObject(c, "extend");
    for (size_t i = 0; i < p->n_extend; i++)
        cJSON_AddItemToArray(ext, cJSON_CreateString(le_extend_name(p->extend[i])));
    cJSON *retr = cJSON_AddArrayToObject(c, "retrievers");
    for (size_t i = 0; i < p->n_retr; i++)
        cJSON_AddItemToArray(retr, cJSON_CreateString(le_retriever_names[p->retr[i]]));
    cJSON_AddNumberToObject(c, "seed", (double)o->seed);
    cJSON_AddNumberToObject(c, "queries_per_length", o->n_queries);
    cJSON_AddNumberToObject(c, "docs_per_length", o->n_docs);
    cJSON_AddItemToObject(c, "haystack", str_or_null(r->haystack));
    cJSON_AddNumberToObject(c, "k", o->k);
    cJSON *bm = cJSON_AddObjectToObject(c, "bm25");
    cJSON_AddNumberToObject(bm, "k1", o->bm25_k1);
    cJSON_AddNumberToObject(bm, "b", o->bm25_b);
    cJSON_AddBoolToObject(bm, "stopwords", o->stopwords);
    cJSON *hy = cJSON_AddObjectToObject(c, "hybrid");
    cJSON_AddNumberToObject(hy, "dense_weight", o->dense_weight);
    cJSON_AddNumberToObject(hy, "bm25_weight", 1.0 - o->dense_weight);
    cJSON_AddNumberToObject(hy, "rrf_k", o->rrf_k);
    cJSON_AddStringToObject(hy, "fusion", p->fusion == LE_FUSION_ZSCORE ? "zscore" : "minmax");
    cJSON *pa = cJSON_AddObjectToObject(c, "passages");
    const char *modes[3];
    for (size_t i = 0; i < p->n_modes; i++)
        modes[i] = le_bench_mode_name(p->modes[i]);
    cJSON_AddItemToObject(pa, "modes", string_list(modes, p->n_modes));
    cJSON_AddNumberToObject(pa, "tokens", o->passage_tokens);
    cJSON_AddNumberToObject(pa, "overlap", o->passage_overlap);
    cJSON_AddNumberToObject(c, "max_tokens", o->max_tokens);
    cJSON_AddItemToObject(c, "query_prefix", str_or_null(o->query_prefix));
    cJSON_AddItemToObject(c, "doc_prefix", str_or_null(o->doc_prefix));
    cJSON_AddNumberToObject(c, "batch_tokens", o->batch_tokens);
    cJSON_AddBoolToObject(c, "cache", o->cache);
    return c;
}

static cJSON *json_model(const le_bench_result *r) {
    if (!r->have_model) return cJSON_CreateNull();
    const le_model_info *m = &r->model;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", m->name);
    cJSON_AddStringToObject(j, "directory", m->directory);
    cJSON_AddStringToObject(j, "architecture", m->architecture);
    cJSON_AddNumberToObject(j, "dim", r->model_dim);
    cJSON_AddNumberToObject(j, "layers", m->num_layers);
    cJSON_AddNumberToObject(j, "heads", m->num_heads);
    cJSON_AddNumberToObject(j, "vocab_size", m->vocab_size);
    cJSON_AddNumberToObject(j, "window", m->window);
    cJSON_AddStringToObject(j, "pooling", m->pooling);
    cJSON_AddStringToObject(j, "isa", m->isa);
    cJSON_AddStringToObject(j, "precision", m->precision ? m->precision : "fp32");
    cJSON_AddNumberToObject(j, "threads", m->threads);
    return j;
}

static cJSON *json_row(const char *task, const char *split, int length, const char *retriever,
                       const char *extend, const char *metric, double value) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "task", task);
    if (split) cJSON_AddStringToObject(o, "split", split);
    if (split) {
        if (length > 0)
            cJSON_AddNumberToObject(o, "length", length);
        else
            cJSON_AddNullToObject(o, "length");
    }
    cJSON_AddStringToObject(o, "retriever", retriever);
    cJSON_AddItemToObject(o, "extend", str_or_null(extend));
    cJSON_AddStringToObject(o, "metric", metric);
    cJSON_AddNumberToObject(o, "value", value);
    return o;
}

/* The tasks: name, kind, main metric and each split's facts. */
static cJSON *json_tasks(const le_bench_result *r) {
    cJSON *tasks = cJSON_CreateArray();
    for (size_t t = 0; t < r->n_tasks; t++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", r->tasks[t]);
        cJSON_AddStringToObject(o, "splits_are", r->task_by_length[t] ? "lengths" : "named");
        cJSON_AddStringToObject(o, "main_metric", le_bench_main_metric(r, r->task_by_length[t]));
        cJSON *splits = cJSON_AddArrayToObject(o, "splits");
        for (size_t i = 0; i < r->n_splits; i++) {
            const le_bench_split_info *s = &r->splits[i];
            if (strcmp(s->task, r->tasks[t])) continue;
            cJSON *so = cJSON_CreateObject();
            cJSON_AddStringToObject(so, "name", s->name);
            if (s->length)
                cJSON_AddNumberToObject(so, "length", s->length);
            else
                cJSON_AddNullToObject(so, "length");
            cJSON_AddNumberToObject(so, "documents", (double)s->docs);
            cJSON_AddNumberToObject(so, "queries", (double)s->queries);
            cJSON_AddNumberToObject(so, "judged_queries", (double)s->judged);
            cJSON_AddItemToArray(splits, so);
        }
        cJSON_AddItemToArray(tasks, o);
    }
    return tasks;
}

/* Every row, flat. */
static cJSON *json_results(const le_bench_result *r) {
    cJSON *results = cJSON_CreateArray();
    for (size_t i = 0; i < r->n_rows; i++) {
        const le_bench_row *w = &r->rows[i];
        cJSON_AddItemToArray(results, json_row(w->task, w->split, w->length, w->retriever,
                                               w->extend, w->metric, w->value));
    }
    return results;
}

/* The paper's aggregation: per task the mean over splits of the main
 * metric; task "all" the mean over tasks. */
static cJSON *json_averages(const le_bench_result *r) {
    cJSON *avg = cJSON_CreateArray();
    for (size_t c = 0; c < r->n_conf; c++) {
        for (size_t t = 0; t < r->n_tasks; t++) {
            double v =
                le_bench_result_score(r, r->tasks[t], r->conf_retriever[c], r->conf_extend[c]);
            if (v >= 0)
                cJSON_AddItemToArray(
                    avg, json_row(r->tasks[t], NULL, 0, r->conf_retriever[c], r->conf_extend[c],
                                  le_bench_main_metric(r, r->task_by_length[t]), v));
        }
        double v = le_bench_result_score(r, "all", r->conf_retriever[c], r->conf_extend[c]);
        if (v >= 0 && r->n_tasks > 1)
            cJSON_AddItemToArray(
                avg, json_row("all", NULL, 0, r->conf_retriever[c], r->conf_extend[c], "main", v));
    }
    return avg;
}

/* The seconds of every configuration on every split. */
static cJSON *json_timings(const le_bench_result *r) {
    cJSON *times = cJSON_CreateArray();
    for (size_t i = 0; i < r->n_times; i++) {
        const le_bench_time *t = &r->times[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "task", t->task);
        cJSON_AddStringToObject(o, "split", t->split);
        cJSON_AddStringToObject(o, "retriever", t->retriever);
        cJSON_AddItemToObject(o, "extend", str_or_null(t->extend));
        cJSON_AddNumberToObject(o, "seconds", t->seconds);
        cJSON_AddItemToArray(times, o);
    }
    return times;
}

/* The configurations in order, with their total seconds. */
static cJSON *json_configurations(const le_bench_result *r) {
    cJSON *conf = cJSON_CreateArray();
    for (size_t c = 0; c < r->n_conf; c++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "retriever", r->conf_retriever[c]);
        cJSON_AddItemToObject(o, "extend", str_or_null(r->conf_extend[c]));
        cJSON_AddNumberToObject(
            o, "seconds", conf_seconds(r, NULL, NULL, r->conf_retriever[c], r->conf_extend[c]));
        cJSON_AddItemToArray(conf, o);
    }
    return conf;
}

/* The embedding statistics of every split, method and role. */
static cJSON *json_embedding(const le_bench_result *r) {
    cJSON *emb = cJSON_CreateArray();
    for (size_t i = 0; i < r->n_embed; i++) {
        const le_bench_embed_stat *e = &r->embed[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "task", e->task);
        cJSON_AddStringToObject(o, "split", e->split);
        cJSON_AddStringToObject(o, "extend", e->extend);
        cJSON_AddStringToObject(o, "role", e->role);
        cJSON_AddNumberToObject(o, "texts", (double)e->texts);
        cJSON_AddNumberToObject(o, "cached", (double)e->cached);
        cJSON_AddNumberToObject(o, "truncated", (double)e->truncated);
        cJSON_AddNumberToObject(o, "mean_tokens", e->texts ? e->tokens / (double)e->texts : 0);
        cJSON_AddNumberToObject(o, "mean_tokens_in_text",
                                e->texts ? e->tokens_in_text / (double)e->texts : 0);
        cJSON_AddNumberToObject(o, "seconds", e->seconds);
        cJSON_AddItemToArray(emb, o);
    }
    return emb;
}

/* j printed, with one trailing newline like every text file; j is freed.
 * NULL when out of memory. */
static char *print_json(cJSON *j) {
    char *text = cJSON_Print(j);
    cJSON_Delete(j);
    if (!text) return NULL;
    size_t n = strlen(text);
    char *out = realloc(text, n + 2);
    if (!out) {
        free(text);
        return NULL;
    }
    out[n] = '\n';
    out[n + 1] = 0;
    return out;
}

static char *report_json(const le_bench_result *r) {
    cJSON *j = cJSON_CreateObject();
    cJSON *le = cJSON_AddObjectToObject(j, "longembed");
    cJSON_AddStringToObject(le, "version", LE_VERSION);
    cJSON_AddStringToObject(le, "revision", r->revision);
    cJSON_AddStringToObject(j, "started", r->started);
    cJSON_AddNumberToObject(j, "wall_seconds", r->wall_seconds);
    cJSON_AddItemToObject(j, "model", json_model(r));
    cJSON_AddItemToObject(j, "config", json_config(r));
    cJSON_AddItemToObject(j, "tasks", json_tasks(r));
    cJSON_AddItemToObject(j, "results", json_results(r));
    cJSON_AddItemToObject(j, "averages", json_averages(r));
    cJSON_AddItemToObject(j, "timings", json_timings(r));
    cJSON_AddItemToObject(j, "configurations", json_configurations(r));
    cJSON_AddItemToObject(j, "embedding", json_embedding(r));
    cJSON *cache = cJSON_AddObjectToObject(j, "cache");
    cJSON_AddNumberToObject(cache, "hits", (double)r->cache_hits);
    cJSON_AddNumberToObject(cache, "misses", (double)r->cache_misses);
    cJSON_AddNumberToObject(cache, "writes", (double)r->cache_writes);
    return print_json(j);
}

/* --------------------------------------------------------------- Markdown */

static void md_value(le_sbuf *b, double v) {
    if (isnan(v))
        le_sbuf_puts(b, " – |");
    else
        le_sbuf_printf(b, " %.1f |", v);
}

static void md_time(le_sbuf *b, double s) {
    if (s < 10)
        le_sbuf_printf(b, " %.2f s |", s);
    else if (s < 60)
        le_sbuf_printf(b, " %.1f s |", s);
    else
        le_sbuf_printf(b, " %d min %02d s |", (int)(s / 60), (int)fmod(s, 60));
}

static void md_config_cells(le_sbuf *b, const le_bench_result *r, size_t c) {
    le_sbuf_printf(b, "| %s | %s |", r->conf_retriever[c],
                   r->conf_extend[c] ? r->conf_extend[c] : "–");
}

/* A task whose splits are lengths: per configuration Acc@1 at each length,
 * the average and the time. */
static void md_task_by_length(le_sbuf *b, const le_bench_result *r, const char *task,
                              const le_bench_split_info *const *sp, size_t ns) {
    le_sbuf_printf(b, "### %s — Acc@1 (%%) by length\n\n| retriever | extend |", task);
    for (size_t i = 0; i < ns; i++) le_sbuf_printf(b, " %d |", sp[i]->length);
    le_sbuf_puts(b, " avg | time |\n|---|---|");
    for (size_t i = 0; i <= ns + 1; i++) le_sbuf_puts(b, "---:|");
    le_sbuf_puts(b, "\n");
    for (size_t c = 0; c < r->n_conf; c++) {
        md_config_cells(b, r, c);
        for (size_t i = 0; i < ns; i++)
            md_value(b,
                     find(r, task, sp[i]->name, r->conf_retriever[c], r->conf_extend[c], "acc@1"));
        double v = le_bench_result_score(r, task, r->conf_retriever[c], r->conf_extend[c]);
        md_value(b, v < 0 ? NAN : v);
        md_time(b, conf_seconds(r, task, NULL, r->conf_retriever[c], r->conf_extend[c]));
        le_sbuf_puts(b, "\n");
    }
}

/* A task with named splits: per configuration and split every metric and
 * the time. */
static void md_task_named(le_sbuf *b, const le_bench_result *r, const char *task,
                          const le_bench_split_info *const *sp, size_t ns) {
    le_sbuf_printf(b, "### %s (%s)\n\n| retriever | extend | split |", task, "%");
    for (int m = 0; m < LE_N_METRICS; m++) le_sbuf_printf(b, " %s |", r->metric_names[m]);
    le_sbuf_puts(b, " time |\n|---|---|---|");
    for (int m = 0; m <= LE_N_METRICS; m++) le_sbuf_puts(b, "---:|");
    le_sbuf_puts(b, "\n");
    for (size_t c = 0; c < r->n_conf; c++)
        for (size_t i = 0; i < ns; i++) {
            md_config_cells(b, r, c);
            le_sbuf_printf(b, " %s |", sp[i]->name);
            for (int m = 0; m < LE_N_METRICS; m++)
                md_value(b, find(r, task, sp[i]->name, r->conf_retriever[c], r->conf_extend[c],
                                 r->metric_names[m]));
            md_time(b, conf_seconds(r, task, sp[i]->name, r->conf_retriever[c], r->conf_extend[c]));
            le_sbuf_puts(b, "\n");
        }
}

/* The summary over tasks: each task's main score, their average, the time. */
static void md_summary(le_sbuf *b, const le_bench_result *r) {
    le_sbuf_puts(b, "### Summary — tasks by length: Acc@1 averaged over lengths; others: ");
    le_sbuf_printf(b, "%s (%%)\n\n| retriever | extend |", r->metric_names[LE_METRIC_NDCG]);
    for (size_t t = 0; t < r->n_tasks; t++) le_sbuf_printf(b, " %s |", r->tasks[t]);
    le_sbuf_puts(b, " avg | time |\n|---|---|");
    for (size_t t = 0; t <= r->n_tasks + 1; t++) le_sbuf_puts(b, "---:|");
    le_sbuf_puts(b, "\n");
    for (size_t c = 0; c < r->n_conf; c++) {
        md_config_cells(b, r, c);
        for (size_t t = 0; t < r->n_tasks; t++) {
            double v =
                le_bench_result_score(r, r->tasks[t], r->conf_retriever[c], r->conf_extend[c]);
            md_value(b, v < 0 ? NAN : v);
        }
        double v = le_bench_result_score(r, "all", r->conf_retriever[c], r->conf_extend[c]);
        md_value(b, v < 0 ? NAN : v);
        md_time(b, conf_seconds(r, NULL, NULL, r->conf_retriever[c], r->conf_extend[c]));
        le_sbuf_puts(b, "\n");
    }
    le_sbuf_puts(b, "\n");
}

static char *report_markdown(const le_bench_result *r) {
    le_sbuf b = {0};
    for (size_t t = 0; t < r->n_tasks; t++) {
        const le_bench_split_info *sp[MAX_SPLITS];
        size_t ns = task_splits(r, r->tasks[t], sp);
        if (r->task_by_length[t])
            md_task_by_length(&b, r, r->tasks[t], sp, ns);
        else
            md_task_named(&b, r, r->tasks[t], sp, ns);
        le_sbuf_puts(&b, "\n");
    }
    if (r->n_tasks > 1) md_summary(&b, r);
    le_sbuf_printf(&b, "%s; %s; wall time %.1f s.\n", r->have_model ? r->model.name : "no model",
                   r->revision, r->wall_seconds);
    if (b.failed) {
        le_sbuf_free(&b);
        return NULL;
    }
    return b.p ? b.p : strdup("");
}

/* -------------------------------------------------------------------- SVG */

static const char *const g_colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                        "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
#define N_COLOURS 10

/* a panel's plot area and its margins, in pixels */
static const double g_pw = 420, g_ph = 300, g_ml = 64, g_mr = 16, g_mt = 40, g_mb = 56;

/* Configuration c's line style: its colour, and dashes once the colours
 * are used up. */
static const char *svg_colour(size_t c) { return g_colours[c % N_COLOURS]; }
static const char *svg_dash(size_t c) { return c >= N_COLOURS ? " stroke-dasharray=\"6 3\"" : ""; }

/* The panel's title, y grid (0 to 100) and axes, the plot area starting at
 * (x0, y0). */
static void svg_frame(le_sbuf *b, const char *task, double x0, double y0) {
    le_sbuf_printf(b,
                   "<g>\n<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                   "font-size=\"15\" font-weight=\"bold\">",
                   x0 + g_pw / 2, y0 - 16);
    le_sbuf_xml(b, task);
    le_sbuf_puts(b, "</text>\n");
    for (int v = 0; v <= 100; v += 20) {
        double y = y0 + g_ph - g_ph * v / 100.0;
        le_sbuf_printf(b,
                       "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                       "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%d</text>\n",
                       x0, y, x0 + g_pw, y, x0 - 6, y + 4, v);
    }
    le_sbuf_printf(b,
                   "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n"
                   "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n",
                   x0, y0, x0, y0 + g_ph, x0, y0 + g_ph, x0 + g_pw, y0 + g_ph);
}

/* The x ticks, evenly spaced since the lengths double, with the axis
 * labels; xs[i] gets split i's x. */
static void svg_x_axis(le_sbuf *b, const le_bench_split_info *const *sp, size_t ns, double x0,
                       double y0, double *xs) {
    double dx = ns > 1 ? g_pw / (double)(ns - 1) : 0;
    for (size_t i = 0; i < ns; i++) {
        xs[i] = ns > 1 ? x0 + dx * (double)i : x0 + g_pw / 2;
        le_sbuf_printf(b,
                       "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>"
                       "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>\n",
                       xs[i], y0 + g_ph, xs[i], y0 + g_ph + 5, xs[i], y0 + g_ph + 18,
                       sp[i]->length);
    }
    le_sbuf_printf(b,
                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">document length "
                   "(tokens, log scale)</text>\n",
                   x0 + g_pw / 2, y0 + g_ph + 40);
    le_sbuf_printf(b,
                   "<text transform=\"translate(%.1f %.1f) rotate(-90)\" "
                   "text-anchor=\"middle\">Acc@1 (%%)</text>\n",
                   x0 - 44, y0 + g_ph / 2);
}

/* Configuration c's Acc@1 on the task's splits: a line, then a dot at each
 * value (missing values are skipped). */
static void svg_series(le_sbuf *b, const le_bench_result *r, size_t c, const char *task,
                       const le_bench_split_info *const *sp, size_t ns, const double *xs,
                       double y0) {
    le_sbuf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"",
                   svg_colour(c), svg_dash(c));
    for (size_t i = 0; i < ns; i++) {
        double v = find(r, task, sp[i]->name, r->conf_retriever[c], r->conf_extend[c], "acc@1");
        if (!isnan(v)) le_sbuf_printf(b, "%.1f,%.1f ", xs[i], y0 + g_ph - g_ph * v / 100.0);
    }
    le_sbuf_puts(b, "\"/>\n");
    for (size_t i = 0; i < ns; i++) {
        double v = find(r, task, sp[i]->name, r->conf_retriever[c], r->conf_extend[c], "acc@1");
        if (!isnan(v))
            le_sbuf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", xs[i],
                           y0 + g_ph - g_ph * v / 100.0, svg_colour(c));
    }
}

/* Panel number `panel`: task's Acc@1 against length, one line per
 * configuration. */
static void svg_panel(le_sbuf *b, const le_bench_result *r, const char *task, size_t panel) {
    const le_bench_split_info *sp[MAX_SPLITS];
    size_t ns = task_splits(r, task, sp);
    double x0 = (double)panel * (g_pw + g_ml + g_mr) + g_ml, y0 = g_mt;
    double xs[MAX_SPLITS];
    svg_frame(b, task, x0, y0);
    svg_x_axis(b, sp, ns, x0, y0, xs);
    for (size_t c = 0; c < r->n_conf; c++) svg_series(b, r, c, task, sp, ns, xs, y0);
    le_sbuf_puts(b, "</g>\n");
}

/* The legend under the panels, cols entries a row. */
static void svg_legend(le_sbuf *b, const le_bench_result *r, size_t cols) {
    double ly = g_ph + g_mt + g_mb + 8;
    for (size_t c = 0; c < r->n_conf; c++) {
        double lx = g_ml + (double)(c % cols) * 200, yy = ly + 22.0 * (double)(c / cols);
        char label[128];
        le_sbuf_printf(b,
                       "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                       "stroke-width=\"2\"%s/><text x=\"%.1f\" y=\"%.1f\">",
                       lx, yy, lx + 24, yy, svg_colour(c), svg_dash(c), lx + 30, yy + 4);
        le_sbuf_xml(b, conf_label(r, c, label, sizeof label));
        le_sbuf_puts(b, "</text>\n");
    }
}

/* One panel per task whose splits are lengths: x = the lengths (log scale, evenly spaced
 * powers of two), y = Acc@1 from 0 to 100, one line per configuration. */
static char *report_svg(const le_bench_result *r) {
    size_t panels = 0;
    for (size_t t = 0; t < r->n_tasks; t++) panels += r->task_by_length[t];
    double width = (panels ? (double)panels : 1) * (g_pw + g_ml + g_mr);
    size_t cols = (size_t)((width - g_ml) / 200); /* legend entries per row */
    if (cols < 1) cols = 1;
    const double legend_h = 22.0 * (double)((r->n_conf + cols - 1) / cols) + 16;
    double height = g_ph + g_mt + g_mb + legend_h;
    le_sbuf b = {0};
    le_sbuf_printf(&b,
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                   "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n",
                   width, height, width, height);
    le_sbuf_printf(&b, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n", width, height);
    if (!panels)
        le_sbuf_printf(&b,
                       "<text x=\"20\" y=\"40\">No task with length splits ran: nothing to plot "
                       "against length.</text>\n");
    for (size_t t = 0, panel = 0; t < r->n_tasks; t++)
        if (r->task_by_length[t]) svg_panel(&b, r, r->tasks[t], panel++);
    if (panels) svg_legend(&b, r, cols);
    le_sbuf_puts(&b, "</svg>\n");
    if (b.failed) {
        le_sbuf_free(&b);
        return NULL;
    }
    return b.p;
}

/* ---------------------------------------------------------------- public */

le_status le_bench_report(const le_bench_result *r, le_report_format f, char **out, size_t *len,
                          le_error *err) {
    *out = NULL;
    if (!r) return le_fail(err, LE_ERR_ARG, "report: no result");
    char *text;
    switch (f) {
    case LE_REPORT_JSON: text = report_json(r); break;
    case LE_REPORT_MARKDOWN: text = report_markdown(r); break;
    case LE_REPORT_SVG: text = report_svg(r); break;
    default: return le_fail(err, LE_ERR_ARG, "report: unknown format %d", (int)f);
    }
    if (!text) return le_fail(err, LE_ERR_NOMEM, "report: out of memory");
    *out = text;
    if (len) *len = strlen(text);
    return LE_OK;
}

le_status le_bench_write_report(const le_bench_result *r, le_report_format f, const char *path,
                                le_error *err) {
    char *text;
    size_t n;
    le_status s = le_bench_report(r, f, &text, &n, err);
    if (s) return s;
    s = le_write_file_atomic(path, text, n, err);
    free(text);
    return s;
}
