#include "text/unicode.h"

#include <utf8proc.h>

int le_uc_in_table(const le_uc_range *t, size_t n, uint32_t c) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c > t[mid].hi)
            lo = mid + 1;
        else if (c < t[mid].lo)
            hi = mid;
        else
            return 1;
    }
    return 0;
}

int le_uc_is_other(uint32_t c) {
    if (c < 0x80) return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
    return le_uc_in_table(le_uc_other_table, le_uc_other_table_count, c);
}

int le_uc_is_punct(uint32_t c) {
    if (c < 0x80)
        return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
               (c >= 123 && c <= 126);
    return le_uc_in_table(le_uc_punct_table, le_uc_punct_table_count, c);
}

int le_uc_is_mark(uint32_t c) {
    if (c < 0x300) return 0;
    return le_uc_in_table(le_uc_mark_table, le_uc_mark_table_count, c);
}

int le_uc_is_mn(uint32_t c) {
    if (c < 0x300) return 0;
    return le_uc_in_table(le_uc_mn_table, le_uc_mn_table_count, c);
}

int le_uc_is_word(uint32_t c) {
    if (c < 0x80)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '_';
    return le_uc_in_table(le_uc_word_table, le_uc_word_table_count, c);
}

int le_uc_lower(uint32_t c, uint32_t out[2]) {
    if (c < 0x80) {
        out[0] = c >= 'A' && c <= 'Z' ? c + 32 : c;
        return 1;
    }
    size_t lo = 0, hi = le_uc_lower_table_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const le_uc_lower_exception *e = &le_uc_lower_table[mid];
        if (c > e->cp)
            lo = mid + 1;
        else if (c < e->cp)
            hi = mid;
        else {
            out[0] = e->lower[0];
            out[1] = e->lower[1];
            return e->lower[1] ? 2 : 1;
        }
    }
    out[0] = (uint32_t)utf8proc_tolower((utf8proc_int32_t)c);
    return 1;
}

int le_uc_decompose(uint32_t c, int compat, uint32_t *out) {
    if (c < 0xA0 ||
        le_uc_in_table(compat ? le_uc_nfkd_keep_table : le_uc_nfd_keep_table,
                       compat ? le_uc_nfkd_keep_table_count : le_uc_nfd_keep_table_count, c)) {
        out[0] = c;
        return 1;
    }
    int last_boundclass = 0;
    utf8proc_option_t opt = UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0);
    utf8proc_ssize_t n = utf8proc_decompose_char((utf8proc_int32_t)c, (utf8proc_int32_t *)out,
                                                 LE_UC_DECOMPOSE_MAX, opt, &last_boundclass);
    if (n < 1 || n > LE_UC_DECOMPOSE_MAX) { /* cannot happen for valid code points */
        out[0] = c;
        return 1;
    }
    return (int)n;
}

int le_uc_ccc(uint32_t c) {
    if (c < 0x300) return 0;
    int ccc = utf8proc_get_property((utf8proc_int32_t)c)->combining_class;
    if (ccc && le_uc_in_table(le_uc_ccc_zero_table, le_uc_ccc_zero_table_count, c)) return 0;
    return ccc;
}
