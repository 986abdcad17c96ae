/* Small shared pieces: amounts, times, label kinds, address case. */
#include <string.h>
#include <sys/mman.h>

#include "shinsa/core/time.h"
#include "trace_internal.h"

static const char *const kind_names[SHN_TRACE_KIND__COUNT] = {
    "", "exchange", "mixer", "bridge", "dex", "defi", "sanctioned", "hacker", "other"};

const char *shn_trace_kind_name(int kind)
{
    if (kind < 0 || kind >= SHN_TRACE_KIND__COUNT)
        return "";
    return kind_names[kind];
}

int shn_trace_kind_parse(const char *s)
{
    for (int k = 1; k < SHN_TRACE_KIND__COUNT; k++)
        if (strcmp(s, kind_names[k]) == 0)
            return k;
    return -1;
}

static const char *const method_names[] = {"poison", "haircut", "fifo"};

const char *shn_trace_method_name(int method)
{
    if (method < 0 || method > SHN_TRACE_FIFO)
        return "";
    return method_names[method];
}

int shn_trace_method_parse(const char *s)
{
    for (int m = 0; m <= SHN_TRACE_FIFO; m++)
        if (strcmp(s, method_names[m]) == 0)
            return m;
    return -1;
}

void shn_trace_u128_format(shn_u128 v, char *buf, size_t size)
{
    char tmp[48];
    size_t n = 0;

    if (!size)
        return;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    if (n >= size)
        n = size - 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
}

int shn_trace_u128_parse(const char *s, size_t len, shn_u128 *out)
{
    /* the largest value that may take one more digit d: (2^128 - 1 - d) / 10 */
    const shn_u128 max = ~(shn_u128)0, cut = max / 10;
    const unsigned cut_digit = (unsigned)(max % 10);
    uint64_t head = 0;
    shn_u128 v;
    size_t i;

    if (len == 0 || len > 39)
        return SHN_ERR_PARSE;
    /* up to 19 digits cannot overflow 64 bits: no 128-bit arithmetic there */
    for (i = 0; i < len && i < 19; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9)
            return SHN_ERR_PARSE;
        head = head * 10 + d;
    }
    v = head;
    for (; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9 || v > cut || (v == cut && d > cut_digit))
            return SHN_ERR_PARSE;
        v = v * 10 + d;
    }
    *out = v;
    return SHN_OK;
}

/* Trace's times are core's (shinsa/core/time.h) with what transfer exports
 * write: Unix seconds, a space for the T, " UTC", no zone at all, but no
 * offset other than UTC's; and none before 1970 (the graph keeps u32). */
int shn_trace_time_parse(const char *s, size_t len, int64_t *out)
{
    const unsigned flags = SHN_TIME_UNIX | SHN_TIME_SPACE | SHN_TIME_NO_ZONE | SHN_TIME_UTC_ONLY;
    int64_t t;
    if (shn_time_parse(s, len, flags, &t, NULL) != SHN_OK || t < 0)
        return SHN_ERR_PARSE;
    *out = t;
    return SHN_OK;
}

void shn_trace_time_format(int64_t t, char *buf, size_t size)
{
    shn_time_format(t, buf, size);
}

void shn__trace_normalize(char *s, size_t len)
{
    if (len < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return;
    for (size_t i = 2; i < len; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return;
    }
    for (size_t i = 1; i < len; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            s[i] = (char)(s[i] - 'A' + 'a');
}

uint64_t shn__trace_slots(uint64_t n)
{
    uint64_t s = 16;
    while (s < 2 * n)
        s <<= 1;
    return s;
}

const uint64_t shn__trace_pow10[SHN__TRACE_EXP_MAX + 1] = {
    1ull,
    10ull,
    100ull,
    1000ull,
    10000ull,
    100000ull,
    1000000ull,
    10000000ull,
    100000000ull,
    1000000000ull,
    10000000000ull,
    100000000000ull,
    1000000000000ull,
    10000000000000ull,
    100000000000000ull,
    1000000000000000ull,
    10000000000000000ull,
    100000000000000000ull,
    1000000000000000000ull,
    10000000000000000000ull,
};

bool shn__trace_encode_amount(shn_u128 amount, uint32_t *k_out, uint32_t *m_out)
{
    uint32_t k = 0;
    uint64_t m;

    /* Strip trailing zeros, 128-bit arithmetic only while needed: the u64
     * loop is what nearly every amount takes. */
    while (k < SHN__TRACE_EXP_MAX && (amount >> 64) && amount % 10 == 0) {
        amount /= 10;
        k++;
    }
    if (amount >> 64)
        return false;
    m = (uint64_t)amount;
    while (k < SHN__TRACE_EXP_MAX && m && m % 10 == 0) {
        m /= 10;
        k++;
    }
    if (m > UINT32_MAX)
        return false;
    *k_out = k;
    *m_out = (uint32_t)m;
    return true;
}

void shn__trace_layout_init(struct shn__trace_layout *l, uint32_t n_assets)
{
    uint32_t a = 0;

    while (a < 32 && ((uint64_t)1 << a) < n_assets)
        a++;
    l->asset_mask = (uint32_t)(((uint64_t)1 << a) - 1);
    l->exp_shift = a;
    l->big_bit = 1u << (a + 5);
    l->time_shift = a + 6;
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

size_t shn__trace_addr_key(const char *text, size_t len, unsigned char *key)
{
    if (len == 42 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        unsigned char bin[20];
        size_t i;
        for (i = 0; i < 20; i++) {
            int hi = hex_value((unsigned char)text[2 + 2 * i]);
            int lo = hex_value((unsigned char)text[3 + 2 * i]);
            if (hi < 0 || lo < 0)
                break;
            bin[i] = (unsigned char)(hi << 4 | lo);
        }
        if (i == 20) {
            key[0] = SHN__TRACE_BIN_TAG;
            memcpy(key + 1, bin, 20);
            return SHN__TRACE_BIN_LEN;
        }
    }
    memcpy(key, text, len);
    key[len] = '\0';
    return len + 1;
}

const char *shn__trace_addr_text(const unsigned char *entry, char *buf)
{
    static const char digits[] = "0123456789abcdef";

    if (entry[0] != SHN__TRACE_BIN_TAG)
        return (const char *)entry;
    buf[0] = '0';
    buf[1] = 'x';
    for (size_t i = 0; i < 20; i++) {
        buf[2 + 2 * i] = digits[entry[1 + i] >> 4];
        buf[3 + 2 * i] = digits[entry[1 + i] & 15];
    }
    buf[42] = '\0';
    return buf;
}

void shn__trace_advise_huge(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t first = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t end = ((uintptr_t)p + len) & ~(huge - 1);

    if (end > first)
        (void)madvise((void *)first, end - first, MADV_HUGEPAGE); /* a hint: failure is fine */
#else
    (void)p;
    (void)len;
#endif
}
