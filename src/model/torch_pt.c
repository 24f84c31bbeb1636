/* torch.save files: the zip container, a restricted pickle machine, and
 * the tensors it describes (see torch_pt.h for what is accepted). */
#include "model/torch_pt.h"

#include "base/array.h"
#include "base/mapfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PT_MAX_BYTES ((size_t)1 << 32)
#define PT_MAX_VALUES (1 << 20)
#define PT_MAX_MEMO (1 << 20)

/* ------------------------------------------------------------------ zip */

typedef struct zip_entry {
    const char *name; /* not NUL-terminated */
    size_t name_len;
    const uint8_t *data;
    size_t size;
} zip_entry;

typedef struct zip_dir {
    zip_entry *e;
    size_t n;
} zip_dir;

static uint32_t rd16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | rd16(p + 2) << 16; }

/* The zip CRC-32 (reflected 0xEDB88320). */
static uint32_t crc32_zip(const uint8_t *p, size_t n) {
    static uint32_t table[256];
    static int ready;
    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        ready = 1;
    }
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

/* The end-of-central-directory record: the last "PK\5\6" whose comment
 * ends the file. */
static le_status zip_eocd(const uint8_t *b, size_t n, size_t *at, const char *what,
                          le_error *err) {
    for (size_t back = 22; back <= n && back <= 22 + 65535; back++) {
        const uint8_t *p = b + n - back;
        if (rd32(p) == 0x06054b50u && 22 + rd16(p + 20) == back) {
            *at = n - back;
            return LE_OK;
        }
    }
    return le_fail(err, LE_ERR_FORMAT,
                   "%s: not a torch.save zip file (no end-of-central-directory record; "
                   "truncated?)",
                   what);
}

/* One central directory record at b[*off]: name, and the stored data its
 * local header points at, bounds- and CRC-checked. */
static le_status zip_record(const uint8_t *b, size_t n, size_t cd_end, size_t *off, zip_entry *e,
                            const char *what, le_error *err) {
    size_t o = *off;
    if (o + 46 > cd_end || rd32(b + o) != 0x02014b50u)
        return le_fail(err, LE_ERR_FORMAT, "%s: zip central directory is damaged at byte %zu",
                       what, o);
    uint32_t method = rd16(b + o + 10), crc = rd32(b + o + 16), csize = rd32(b + o + 20),
             usize = rd32(b + o + 24), nl = rd16(b + o + 28), el = rd16(b + o + 30),
             cl = rd16(b + o + 32), local = rd32(b + o + 42);
    if (o + 46 + nl + el + cl > cd_end)
        return le_fail(err, LE_ERR_FORMAT, "%s: zip central directory is damaged at byte %zu",
                       what, o);
    e->name = (const char *)b + o + 46;
    e->name_len = nl;
    *off = o + 46 + nl + el + cl;
    if (method != 0 || csize != usize)
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "%s: zip entry \"%.*s\" is compressed (torch.save stores entries)", what,
                       (int)nl, e->name);
    if (csize == 0xFFFFFFFFu || local == 0xFFFFFFFFu)
        return le_fail(err, LE_ERR_UNSUPPORTED, "%s: zip64 entries are not supported", what);
    if ((size_t)local + 30 > n || rd32(b + local) != 0x04034b50u)
        return le_fail(err, LE_ERR_FORMAT, "%s: zip entry \"%.*s\" has no local header", what,
                       (int)nl, e->name);
    size_t data = (size_t)local + 30 + rd16(b + local + 26) + rd16(b + local + 28);
    if (data > n || csize > n - data)
        return le_fail(err, LE_ERR_FORMAT, "%s: zip entry \"%.*s\" runs past the end (truncated?)",
                       what, (int)nl, e->name);
    e->data = b + data;
    e->size = csize;
    if (crc32_zip(e->data, e->size) != crc)
        return le_fail(err, LE_ERR_FORMAT, "%s: zip entry \"%.*s\" fails its CRC-32", what,
                       (int)nl, e->name);
    return LE_OK;
}

static le_status zip_read(const uint8_t *b, size_t n, zip_dir *z, const char *what,
                          le_error *err) {
    memset(z, 0, sizeof *z);
    size_t at = 0;
    le_status s = zip_eocd(b, n, &at, what, err);
    if (s) return s;
    size_t count = rd16(b + at + 10), cd_size = rd32(b + at + 12), cd_off = rd32(b + at + 16);
    if (cd_off > at || cd_size > at - cd_off)
        return le_fail(err, LE_ERR_FORMAT, "%s: zip central directory lies outside the file",
                       what);
    z->e = calloc(count ? count : 1, sizeof *z->e);
    if (!z->e) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    size_t off = cd_off;
    for (; z->n < count; z->n++)
        if ((s = zip_record(b, n, cd_off + cd_size, &off, &z->e[z->n], what, err))) return s;
    return LE_OK;
}

static const zip_entry *zip_find(const zip_dir *z, const char *prefix, size_t pn,
                                 const char *name) {
    size_t nn = strlen(name);
    for (size_t i = 0; i < z->n; i++) {
        const zip_entry *e = &z->e[i];
        if (e->name_len == pn + nn && !memcmp(e->name, prefix, pn) &&
            !memcmp(e->name + pn, name, nn))
            return e;
    }
    return NULL;
}

/* --------------------------------------------------------------- pickle */

typedef enum pv_kind {
    PV_MARK,
    PV_NONE,
    PV_BOOL,
    PV_INT,
    PV_STR,
    PV_TUPLE,
    PV_DICT,
    PV_GLOBAL,
    PV_STORAGE,
    PV_TENSOR
} pv_kind;

enum { G_ORDERED_DICT, G_REBUILD, G_FLOAT, G_HALF, G_BF16 };

typedef struct pv pv;
struct pv {
    pv_kind kind;
    int64_t i;          /* INT, BOOL; GLOBAL: which; STORAGE: the dtype global */
    const char *s;      /* STR (into the pickle), STORAGE key */
    size_t len;         /* STR length; STORAGE: numel */
    pv **items;         /* TUPLE items; DICT keys and values interleaved */
    size_t n, cap;      /* items */
    const pv *storage;  /* TENSOR */
    int64_t offset, shape[LE_PT_MAX_DIMS], stride[LE_PT_MAX_DIMS];
    int ndim;
};

typedef struct pickle_vm {
    const uint8_t *start, *p, *end;
    pv **all; /* every value made, for freeing */
    size_t n_all, cap_all;
    pv **stack;
    size_t sp, cap_stack;
    pv **memo;
    size_t n_memo;
    const char *what;
    le_error *err;
} pickle_vm;

static le_status vm_fail(pickle_vm *vm, const char *msg) {
    return le_fail(vm->err, LE_ERR_FORMAT,
                   "%s: data.pkl %s at byte %zu (only a state dict of plain tensors is read)",
                   vm->what, msg, (size_t)(vm->p - vm->start));
}

static pv *vm_new(pickle_vm *vm, pv_kind kind) {
    if (vm->n_all >= PT_MAX_VALUES) return NULL;
    pv *v = calloc(1, sizeof *v);
    if (!v || le_array_push(vm->all, vm->n_all, vm->cap_all, v)) {
        free(v);
        return NULL;
    }
    v->kind = kind;
    return v;
}

static int vm_push(pickle_vm *vm, pv *v) {
    return v && !le_array_push(vm->stack, vm->sp, vm->cap_stack, v);
}

static int pv_add(pv *c, pv *item) { return !le_array_push(c->items, c->n, c->cap, item); }

/* The index of the topmost MARK, or SIZE_MAX. */
static size_t vm_mark(const pickle_vm *vm) {
    for (size_t i = vm->sp; i > 0; i--)
        if (vm->stack[i - 1]->kind == PV_MARK) return i - 1;
    return SIZE_MAX;
}

/* Reads n bytes of operand; NULL past the end. */
static const uint8_t *vm_take(pickle_vm *vm, size_t n) {
    if ((size_t)(vm->end - vm->p) < n) return NULL;
    const uint8_t *r = vm->p;
    vm->p += n;
    return r;
}

static pv *vm_pop(pickle_vm *vm) {
    if (vm->sp == 0 || vm->stack[vm->sp - 1]->kind == PV_MARK) return NULL;
    return vm->stack[--vm->sp];
}

/* GLOBAL "module\nname\n": only the four a state dict of tensors needs. */
static le_status op_global(pickle_vm *vm) {
    static const struct {
        const char *name;
        int id;
    } ok[] = {{"collections\nOrderedDict\n", G_ORDERED_DICT},
              {"torch._utils\n_rebuild_tensor_v2\n", G_REBUILD},
              {"torch\nFloatStorage\n", G_FLOAT},
              {"torch\nHalfStorage\n", G_HALF},
              {"torch\nBFloat16Storage\n", G_BF16}};
    const uint8_t *a = vm->p, *nl1 = memchr(a, '\n', (size_t)(vm->end - a));
    const uint8_t *nl2 = nl1 ? memchr(nl1 + 1, '\n', (size_t)(vm->end - nl1 - 1)) : NULL;
    if (!nl2) return vm_fail(vm, "has a truncated GLOBAL");
    size_t len = (size_t)(nl2 + 1 - a);
    vm->p = nl2 + 1;
    for (size_t k = 0; k < sizeof ok / sizeof *ok; k++) {
        if (strlen(ok[k].name) != len || memcmp(ok[k].name, a, len)) continue;
        pv *g = vm_new(vm, PV_GLOBAL);
        if (g) g->i = ok[k].id;
        return vm_push(vm, g) ? LE_OK : vm_fail(vm, "is too large");
    }
    return le_fail(vm->err, LE_ERR_UNSUPPORTED,
                   "%s: data.pkl names the global \"%.*s.%.*s\"; only plain tensors are read "
                   "(a state dict of float, half or bfloat16 tensors)",
                   vm->what, (int)(nl1 - a), (const char *)a, (int)(nl2 - nl1 - 1),
                   (const char *)nl1 + 1);
}

/* Constants: ints, strings, booleans, None, empty containers. */
static le_status op_value(pickle_vm *vm, int op) {
    const uint8_t *b;
    pv *v = NULL;
    switch (op) {
    case 'K': case 'M': case 'J': {
        size_t w = op == 'K' ? 1 : op == 'M' ? 2 : 4;
        if (!(b = vm_take(vm, w))) return vm_fail(vm, "ends inside an integer");
        v = vm_new(vm, PV_INT);
        if (v) v->i = w == 1 ? b[0] : w == 2 ? (int64_t)rd16(b) : (int64_t)(int32_t)rd32(b);
        break;
    }
    case 0x8a: { /* LONG1: small two's complement integers */
        if (!(b = vm_take(vm, 1)) || b[0] > 8 || !(b = vm_take(vm, b[0])))
            return vm_fail(vm, "has a LONG1 that is too long");
        uint64_t u = 0;
        size_t w = (size_t)(vm->p - b);
        for (size_t k = 0; k < w; k++) u |= (uint64_t)b[k] << (8 * k);
        if (w && w < 8 && (b[w - 1] & 0x80)) u |= ~(uint64_t)0 << (8 * w);
        if ((v = vm_new(vm, PV_INT))) v->i = (int64_t)u;
        break;
    }
    case 'X': case 0x8c: {
        size_t w = op == 'X' ? 4 : 1;
        if (!(b = vm_take(vm, w))) return vm_fail(vm, "ends inside a string");
        size_t len = w == 4 ? rd32(b) : b[0];
        if (!(b = vm_take(vm, len))) return vm_fail(vm, "has a string past its end");
        if ((v = vm_new(vm, PV_STR))) v->s = (const char *)b, v->len = len;
        break;
    }
    case 0x88: case 0x89: if ((v = vm_new(vm, PV_BOOL))) v->i = op == 0x88; break;
    case 'N': v = vm_new(vm, PV_NONE); break;
    case ')': v = vm_new(vm, PV_TUPLE); break;
    case '}': v = vm_new(vm, PV_DICT); break;
    case '(': v = vm_new(vm, PV_MARK); break;
    default: return vm_fail(vm, "has an unexpected opcode");
    }
    return vm_push(vm, v) ? LE_OK : vm_fail(vm, "is too large");
}

/* Tuples from the stack, SETITEM(S) into a dict. */
static le_status op_container(pickle_vm *vm, int op) {
    if (op == 't' || op == 0x85 || op == 0x86 || op == 0x87) {
        size_t from = op == 't' ? vm_mark(vm) : vm->sp - (size_t)(op - 0x84);
        if (from == SIZE_MAX || from > vm->sp) return vm_fail(vm, "builds a tuple from nothing");
        pv *t = vm_new(vm, PV_TUPLE);
        if (!t) return vm_fail(vm, "is too large");
        for (size_t k = from + (op == 't'); k < vm->sp; k++) {
            if (vm->stack[k]->kind == PV_MARK) return vm_fail(vm, "has a misplaced MARK");
            if (!pv_add(t, vm->stack[k])) return vm_fail(vm, "is too large");
        }
        vm->sp = from;
        return vm_push(vm, t) ? LE_OK : vm_fail(vm, "is too large");
    }
    size_t from = op == 's' ? vm->sp - 2 : vm_mark(vm);
    if (from == SIZE_MAX || vm->sp < 2 || from > vm->sp || from == 0 ||
        vm->stack[from - 1]->kind != PV_DICT || (vm->sp - from - (op == 'u')) % 2)
        return vm_fail(vm, "sets items of something that is not a dict");
    pv *d = vm->stack[from - 1];
    for (size_t k = from + (op == 'u'); k < vm->sp; k++) {
        if (vm->stack[k]->kind == PV_MARK) return vm_fail(vm, "has a misplaced MARK");
        if (!pv_add(d, vm->stack[k])) return vm_fail(vm, "is too large");
    }
    vm->sp = from;
    return LE_OK;
}

static le_status op_memo(pickle_vm *vm, int op) {
    const uint8_t *b;
    size_t idx;
    if (op == 0x94) {
        idx = vm->n_memo;
    } else {
        size_t w = op == 'q' || op == 'h' ? 1 : 4;
        if (!(b = vm_take(vm, w))) return vm_fail(vm, "ends inside a memo index");
        idx = w == 1 ? b[0] : rd32(b);
    }
    if (idx >= PT_MAX_MEMO) return vm_fail(vm, "has a memo index that is too large");
    if (op == 'h' || op == 'j') {
        if (idx >= vm->n_memo || !vm->memo[idx]) return vm_fail(vm, "reads an unset memo entry");
        return vm_push(vm, vm->memo[idx]) ? LE_OK : vm_fail(vm, "is too large");
    }
    if (vm->sp == 0 || vm->stack[vm->sp - 1]->kind == PV_MARK)
        return vm_fail(vm, "memoizes nothing");
    if (idx >= vm->n_memo) {
        pv **m = realloc(vm->memo, (idx + 1) * sizeof *m);
        if (!m) return vm_fail(vm, "is too large");
        memset(m + vm->n_memo, 0, (idx + 1 - vm->n_memo) * sizeof *m);
        vm->memo = m, vm->n_memo = idx + 1;
    }
    vm->memo[idx] = vm->stack[vm->sp - 1];
    return LE_OK;
}

static int is_int(const pv *v) { return v && v->kind == PV_INT; }

/* A tuple of ints (a size or a stride) into out; its length, or -1. */
static int int_tuple(const pv *t, int64_t *out) {
    if (!t || t->kind != PV_TUPLE || t->n > LE_PT_MAX_DIMS) return -1;
    for (size_t k = 0; k < t->n; k++) {
        if (!is_int(t->items[k]) || t->items[k]->i < 0) return -1;
        out[k] = t->items[k]->i;
    }
    return (int)t->n;
}

/* _rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
 * backward_hooks[, metadata]): a contiguous tensor without hooks. */
static le_status make_tensor(pickle_vm *vm, const pv *args) {
    pv *t = vm_new(vm, PV_TENSOR);
    if (!t) return vm_fail(vm, "is too large");
    if (args->n < 6 || args->n > 7 || args->items[0]->kind != PV_STORAGE || !is_int(args->items[1]) ||
        args->items[1]->i < 0 || args->items[4]->kind != PV_BOOL ||
        args->items[5]->kind != PV_DICT || args->items[5]->n ||
        (args->n == 7 && args->items[6]->kind != PV_NONE && args->items[6]->kind != PV_DICT))
        return vm_fail(vm, "rebuilds a tensor from unexpected arguments");
    int nd = int_tuple(args->items[2], t->shape), ns = int_tuple(args->items[3], t->stride);
    if (nd < 0 || nd != ns) return vm_fail(vm, "has a tensor shape or stride it cannot read");
    int64_t want = 1;
    for (int k = nd - 1; k >= 0; k--) {
        if (t->shape[k] != 1 && t->stride[k] != want)
            return vm_fail(vm, "has a tensor that is not contiguous");
        if (t->shape[k] && want > ((int64_t)1 << 40) / t->shape[k])
            return vm_fail(vm, "has a tensor that is too large");
        want *= t->shape[k];
    }
    t->ndim = nd;
    t->storage = args->items[0];
    t->offset = args->items[1]->i;
    return vm_push(vm, t) ? LE_OK : vm_fail(vm, "is too large");
}

/* REDUCE (OrderedDict() or a tensor), BINPERSID (a storage), BUILD (the
 * state dict's _metadata, ignored). */
static le_status op_call(pickle_vm *vm, int op) {
    if (op == 'R') {
        pv *args = vm_pop(vm), *fn = vm_pop(vm);
        if (!args || !fn || args->kind != PV_TUPLE || fn->kind != PV_GLOBAL)
            return vm_fail(vm, "calls something that is not an allowed global");
        if (fn->i == G_ORDERED_DICT && args->n == 0)
            return vm_push(vm, vm_new(vm, PV_DICT)) ? LE_OK : vm_fail(vm, "is too large");
        if (fn->i == G_REBUILD) return make_tensor(vm, args);
        return vm_fail(vm, "calls a global with arguments it cannot take");
    }
    if (op == 'Q') {
        pv *id = vm_pop(vm);
        if (!id || id->kind != PV_TUPLE || id->n != 5 || id->items[0]->kind != PV_STR ||
            id->items[0]->len != 7 || memcmp(id->items[0]->s, "storage", 7) ||
            id->items[1]->kind != PV_GLOBAL || id->items[1]->i < G_FLOAT ||
            id->items[2]->kind != PV_STR || id->items[3]->kind != PV_STR ||
            !is_int(id->items[4]) || id->items[4]->i < 0)
            return vm_fail(vm, "has a persistent id that is not a float, half or bfloat16 "
                               "storage");
        pv *st = vm_new(vm, PV_STORAGE);
        if (!st) return vm_fail(vm, "is too large");
        st->i = id->items[1]->i;
        st->s = id->items[2]->s;
        st->n = id->items[2]->len; /* key length */
        st->len = (size_t)id->items[4]->i;
        return vm_push(vm, st) ? LE_OK : vm_fail(vm, "is too large");
    }
    pv *state = vm_pop(vm); /* BUILD */
    if (!state || (state->kind != PV_DICT && state->kind != PV_NONE) || vm->sp == 0 ||
        vm->stack[vm->sp - 1]->kind != PV_DICT)
        return vm_fail(vm, "sets the state of something that is not a dict");
    return LE_OK;
}

/* Runs data.pkl; *result is the value STOP returns. */
static le_status vm_run(pickle_vm *vm, pv **result) {
    while (vm->p < vm->end) {
        int op = *vm->p++;
        le_status s;
        switch (op) {
        case 0x80: s = vm_take(vm, 1) ? LE_OK : vm_fail(vm, "ends inside PROTO"); break;
        case 0x95: s = vm_take(vm, 8) ? LE_OK : vm_fail(vm, "ends inside FRAME"); break;
        case 'c': s = op_global(vm); break;
        case 't': case 0x85: case 0x86: case 0x87: case 's': case 'u':
            s = op_container(vm, op);
            break;
        case 'q': case 'r': case 'h': case 'j': case 0x94: s = op_memo(vm, op); break;
        case 'R': case 'Q': case 'b': s = op_call(vm, op); break;
        case '.':
            *result = vm_pop(vm);
            return *result && vm->sp == 0 ? LE_OK : vm_fail(vm, "stops with a bad stack");
        case 'K': case 'M': case 'J': case 0x8a: case 'X': case 0x8c: case 0x88: case 0x89:
        case 'N': case ')': case '}': case '(':
            s = op_value(vm, op);
            break;
        default: {
            vm->p--;
            char msg[64];
            snprintf(msg, sizeof msg, "has the opcode 0x%02X, which a state dict never uses", op);
            return le_fail(vm->err, LE_ERR_UNSUPPORTED, "%s: data.pkl %s at byte %zu", vm->what,
                           msg, (size_t)(vm->p - vm->start));
        }
        }
        if (s) return s;
    }
    return vm_fail(vm, "ends without STOP");
}

static void vm_free(pickle_vm *vm) {
    for (size_t i = 0; i < vm->n_all; i++) {
        free(vm->all[i]->items);
        free(vm->all[i]);
    }
    free(vm->all);
    free(vm->stack);
    free(vm->memo);
}

/* -------------------------------------------------------------- tensors */

static float half_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h >> 15) << 31, e = (h >> 10) & 0x1F, m = h & 0x3FF, bits;
    if (e == 0x1F) {
        bits = sign | 0x7F800000u | (m << 13);
    } else if (e) {
        bits = sign | ((e + 112) << 23) | (m << 13);
    } else if (m) { /* subnormal: normalise */
        e = 113;
        while (!(m & 0x400)) m <<= 1, e--;
        bits = sign | (e << 23) | ((m & 0x3FF) << 13);
    } else {
        bits = sign;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/* The tensor named key, read from prefix/data/<storage key>. */
static le_status read_tensor(const zip_dir *z, const char *prefix, size_t pn, const pv *key,
                             const pv *t, le_pt_tensor *out, const char *what, le_error *err) {
    const pv *st = t->storage;
    char name[64];
    if (st->n == 0 || st->n > 40)
        return le_fail(err, LE_ERR_FORMAT, "%s: a storage key is empty or too long", what);
    snprintf(name, sizeof name, "data/%.*s", (int)st->n, st->s);
    const zip_entry *e = zip_find(z, prefix, pn, name);
    size_t es = st->i == G_FLOAT ? 4 : 2;
    out->dtype = st->i == G_FLOAT ? "float32" : st->i == G_HALF ? "float16" : "bfloat16";
    out->ndim = t->ndim;
    out->numel = 1;
    for (int k = 0; k < t->ndim; k++) out->numel *= (out->shape[k] = t->shape[k]);
    if (!e)
        return le_fail(err, LE_ERR_FORMAT, "%s: tensor \"%.*s\": no zip entry %.*s%s", what,
                       (int)key->len, key->s, (int)pn, prefix, name);
    if ((uint64_t)t->offset + (uint64_t)out->numel > st->len || st->len > e->size / es)
        return le_fail(err, LE_ERR_FORMAT,
                       "%s: tensor \"%.*s\" needs %lld elements past %lld of a storage of %zu "
                       "(%zu bytes in the file)",
                       what, (int)key->len, key->s, (long long)out->numel, (long long)t->offset,
                       st->len, e->size);
    out->name = malloc(key->len + 1);
    out->data = malloc((size_t)(out->numel ? out->numel : 1) * sizeof *out->data);
    if (!out->name || !out->data) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    memcpy(out->name, key->s, key->len);
    out->name[key->len] = 0;
    const uint8_t *src = e->data + (size_t)t->offset * es;
    for (int64_t i = 0; i < out->numel; i++) {
        const uint8_t *b = src + (size_t)i * es;
        if (st->i == G_HALF) {
            out->data[i] = half_to_f32((uint16_t)rd16(b));
            continue;
        }
        uint32_t bits = st->i == G_BF16 ? rd16(b) << 16 : rd32(b);
        memcpy(&out->data[i], &bits, 4);
    }
    return LE_OK;
}

/* The archive's folder: the entry "<folder>/data.pkl". */
static const zip_entry *find_pickle(const zip_dir *z, size_t *pn) {
    for (size_t i = 0; i < z->n; i++) {
        const zip_entry *e = &z->e[i];
        if (e->name_len < 9 || memcmp(e->name + e->name_len - 9, "/data.pkl", 9)) continue;
        const char *slash = memchr(e->name, '/', e->name_len);
        if (slash != e->name + e->name_len - 9) continue;
        *pn = e->name_len - 8;
        return e;
    }
    return NULL;
}

static le_status read_state_dict(const zip_dir *z, const char *prefix, size_t pn, const pv *d,
                                 le_pt_file *out, const char *what, le_error *err) {
    if (!d || d->kind != PV_DICT)
        return le_fail(err, LE_ERR_UNSUPPORTED,
                       "%s: data.pkl holds something other than a state dict of tensors", what);
    out->tensors = calloc(d->n / 2 + 1, sizeof *out->tensors);
    if (!out->tensors) return le_fail(err, LE_ERR_NOMEM, "%s: out of memory", what);
    for (size_t k = 0; k + 1 < d->n; k += 2) {
        const pv *key = d->items[k], *val = d->items[k + 1];
        if (key->kind != PV_STR || val->kind != PV_TENSOR)
            return le_fail(err, LE_ERR_UNSUPPORTED,
                           "%s: state dict entry %zu is not a name and a plain tensor", what,
                           k / 2);
        le_status s = read_tensor(z, prefix, pn, key, val, &out->tensors[out->n], what, err);
        out->n++;
        if (s) return s;
    }
    return LE_OK;
}

le_status le_pt_load_mem(const uint8_t *buf, size_t n, const char *what, le_pt_file *out,
                         le_error *err) {
    memset(out, 0, sizeof *out);
    if (!what) what = "torch.save file";
    zip_dir z;
    le_status s = zip_read(buf, n, &z, what, err);
    size_t pn = 0;
    const zip_entry *pk = s ? NULL : find_pickle(&z, &pn);
    if (!s && !pk)
        s = le_fail(err, LE_ERR_FORMAT, "%s: no <folder>/data.pkl entry: not a torch.save file",
                    what);
    const zip_entry *bo = pk ? zip_find(&z, pk->name, pn, "byteorder") : NULL;
    if (!s && bo && (bo->size != 6 || memcmp(bo->data, "little", 6)))
        s = le_fail(err, LE_ERR_UNSUPPORTED, "%s: only little-endian tensors are read", what);
    if (!s) {
        pickle_vm vm = {0};
        vm.start = vm.p = pk->data;
        vm.end = pk->data + pk->size;
        vm.what = what;
        vm.err = err;
        pv *result = NULL;
        s = vm_run(&vm, &result);
        if (!s) s = read_state_dict(&z, pk->name, pn, result, out, what, err);
        vm_free(&vm);
    }
    free(z.e);
    if (s) le_pt_free(out);
    return s;
}

le_status le_pt_load(const char *path, le_pt_file *out, le_error *err) {
    memset(out, 0, sizeof *out);
    char *buf;
    size_t n;
    le_status s = le_read_file(path, PT_MAX_BYTES, &buf, &n, err);
    if (s) return s;
    s = le_pt_load_mem((const uint8_t *)buf, n, path, out, err);
    free(buf);
    return s;
}

void le_pt_free(le_pt_file *f) {
    if (!f) return;
    for (size_t i = 0; i < f->n; i++) {
        free(f->tensors[i].name);
        free(f->tensors[i].data);
    }
    free(f->tensors);
    memset(f, 0, sizeof *f);
}

const le_pt_tensor *le_pt_find(const le_pt_file *f, const char *name) {
    for (size_t i = 0; i < f->n; i++)
        if (f->tensors[i].name && !strcmp(f->tensors[i].name, name)) return &f->tensors[i];
    return NULL;
}
