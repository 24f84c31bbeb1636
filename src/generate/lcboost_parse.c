/* The parser of LC-Boost's action choice (lcboost.h). */
#include "generate/lcboost.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static const char *const NAMES[LE_LCB_ACTIONS] = {"understand", "retrieve", "move",
                                                   "append",     "merge",    "answer"};

const char *le_lcb_action_name(le_lcb_action a) {
    return (unsigned)a < LE_LCB_ACTIONS ? NAMES[a] : "?";
}

/* Each action's words: a word matches when it equals one, or starts with
 * one of four letters or more ("retrieval", "merged", "answering"). */
static const char *const WORDS[LE_LCB_ACTIONS][6] = {
    {"understand", "task", NULL},
    {"retriev", "search", "lookup", "jump", NULL},
    {"move", "moving", "skip", "next", "continue", NULL},
    {"append", "add", "note", "notes", "extract", "keep"},
    {"merg", "consolidat", NULL},
    {"answer", "final", "respond", NULL},
};

/* The action word w[0..n) (lowercase letters) names, or -1. */
static int word_action(const char *w, size_t n) {
    for (int a = 0; a < LE_LCB_ACTIONS; a++)
        for (int i = 0; i < 6 && WORDS[a][i]; i++) {
            size_t k = strlen(WORDS[a][i]);
            if ((n == k || (k >= 4 && n > k)) && !memcmp(w, WORDS[a][i], k)) return a;
        }
    return -1;
}

/* Skips spaces and decoration (markdown, quotes, brackets) at s. */
static const char *skip_decor(const char *s) {
    while (*s && strchr(" \t*_`\"'<[(#>", *s)) s++;
    return s;
}

/* Reads the word at s (letters, lowercased into buf); returns its end. */
static const char *read_word(const char *s, char *buf, size_t cap, size_t *n) {
    *n = 0;
    while (isalpha((unsigned char)*s)) {
        if (*n + 1 < cap) buf[(*n)++] = (char)tolower((unsigned char)*s);
        s++;
    }
    buf[*n] = 0;
    return s;
}

/* Tries the action word at s; on success fills out (arg = what follows,
 * after more words of the same action and the fillers on, to, note(s):
 * "task understanding", "move on", "append to notes"). */
static int take_word(const char *s, le_lcb_choice *out) {
    char w[32];
    size_t n;
    const char *end = read_word(skip_decor(s), w, sizeof w, &n);
    int a = n ? word_action(w, n) : -1;
    if (a < 0) return 0;
    while (isalpha((unsigned char)*end) || *end == ' ') {
        const char *e2 = end;
        while (*e2 == ' ') e2++;
        size_t n2;
        const char *e3 = read_word(e2, w, sizeof w, &n2);
        int filler = !strcmp(w, "on") || !strcmp(w, "to") || !strcmp(w, "notes") ||
                     !strcmp(w, "note");
        if (!n2 || (word_action(w, n2) != a && !filler)) break;
        end = e3;
    }
    while (*end && strchr(" \t*_`\"'>])#:-=.", *end)) end++;
    const char *stop = end + strlen(end);
    while (stop > end && isspace((unsigned char)stop[-1])) stop--;
    while (end < stop && isspace((unsigned char)*end)) end++;
    out->action = (le_lcb_action)a;
    out->arg = end;
    out->arg_len = (size_t)(stop - end);
    return 1;
}

/* The "action: <name>" line of reply, at its name, or NULL. */
static const char *action_line(const char *reply) {
    for (const char *line = reply; line && *line;) {
        const char *s = skip_decor(line);
        if (!strncasecmp(s, "action", 6)) {
            s += 6;
            while (*s && strchr(" \t*_`", *s)) s++;
            if (*s == ':' || *s == '=') return s + 1;
        }
        line = strchr(line, '\n');
        if (line) line++;
    }
    return NULL;
}

void le_lcb_parse(const char *reply, le_lcb_choice *out) {
    out->fallback = 0;
    const char *at = reply ? action_line(reply) : NULL;
    if (at && take_word(at, out)) return;
    const char *first = reply;
    while (first && *first && isspace((unsigned char)*first)) first++;
    if (first && *first && !at && take_word(first, out)) return;
    out->action = LE_LCB_MOVE;
    out->fallback = 1;
    out->arg = reply ? reply + strlen(reply) : "";
    out->arg_len = 0;
}

void le_lcb_reply_start(const char *reply, char *buf, size_t cap) {
    size_t n = 0, limit = cap > 4 ? cap - 4 : 0;
    const char *r = reply ? reply : "";
    while (*r == ' ' || *r == '\n' || *r == '\t' || *r == '\r') r++;
    for (; *r && n < limit; r++) {
        int space = *r == ' ' || *r == '\n' || *r == '\t' || *r == '\r';
        if (space && n && buf[n - 1] == ' ') continue;
        buf[n++] = space ? ' ' : *r;
    }
    while (n && ((unsigned char)buf[n - 1] & 0xc0) == 0x80) n--; /* a cut character */
    if (n && (unsigned char)buf[n - 1] >= 0xc0) n--;
    if (*r && cap >= 4) memcpy(buf + n, "...", 3), n += 3;
    if (cap) buf[n < cap ? n : cap - 1] = 0;
}
