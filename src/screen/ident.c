/* Identifier normalisation: exact matching after per-class clean-up. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "model.h"
#include "screen_internal.h"
#include "shinsa/core/hash.h"

int shn__ident_class(int kind)
{
    switch (kind) {
    case SHN_ID_CRYPTO:
        return SHN_IDC_CRYPTO;
    case SHN_ID_EMAIL:
        return SHN_IDC_EMAIL;
    case SHN_ID_PHONE:
        return SHN_IDC_PHONE;
    case SHN_ID_HANDLE:
        return SHN_IDC_HANDLE;
    case SHN_ID_WEBSITE:
        return SHN_IDC_WEBSITE;
    default:
        return SHN_IDC_DOCUMENT;
    }
}

static bool is_evm(const char *s, size_t len)
{
    if (len != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return false;
    for (size_t i = 2; i < len; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return true;
}

static size_t strip_prefix(const char **s, size_t len, const char *prefix)
{
    size_t plen = strlen(prefix);

    if (len >= plen && strncasecmp(*s, prefix, plen) == 0) {
        *s += plen;
        return len - plen;
    }
    return len;
}

size_t shn__ident_normalize(int cls, const char *value, char *out, size_t size)
{
    const char *s = value;
    size_t len, n = 0;

    if (!size)
        return 0;
    while (*s == ' ' || *s == '\t')
        s++;
    len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '.' ||
                   s[len - 1] == '\r' || s[len - 1] == '\n'))
        len--;
    switch (cls) {
    case SHN_IDC_DOCUMENT:
        for (size_t i = 0; i < len && n + 1 < size; i++)
            if (isalnum((unsigned char)s[i]))
                out[n++] = (char)toupper((unsigned char)s[i]);
        break;
    case SHN_IDC_PHONE:
        for (size_t i = 0; i < len && n + 1 < size; i++)
            if (isdigit((unsigned char)s[i]))
                out[n++] = s[i];
        break;
    case SHN_IDC_CRYPTO: {
        /* EVM addresses are case-insensitive (EIP-55 case is a checksum);
         * bech32 is defined case-insensitive too; base58 is case-sensitive. */
        bool fold = is_evm(s, len) || (len > 3 && strncasecmp(s, "bc1", 3) == 0) ||
                    (len > 4 && strncasecmp(s, "ltc1", 4) == 0);
        for (size_t i = 0; i < len && n + 1 < size; i++) {
            if (s[i] == ' ' || s[i] == '\t')
                continue;
            out[n++] = fold ? (char)tolower((unsigned char)s[i]) : s[i];
        }
        break;
    }
    case SHN_IDC_HANDLE: {
        /* "@name", "github.com/name", "https://t.me/name/": keep "name". */
        const char *slash;
        len = strip_prefix(&s, len, "https://");
        len = strip_prefix(&s, len, "http://");
        len = strip_prefix(&s, len, "www.");
        while (len && s[len - 1] == '/')
            len--;
        slash = memchr(s, '/', len);
        if (slash) {
            len -= (size_t)(slash - s) + 1;
            s = slash + 1;
            slash = memchr(s, '/', len);
            if (slash)
                len = (size_t)(slash - s);
        }
        if (len && s[0] == '@') {
            s++;
            len--;
        }
        for (size_t i = 0; i < len && n + 1 < size; i++)
            out[n++] = (char)tolower((unsigned char)s[i]);
        break;
    }
    case SHN_IDC_WEBSITE:
        len = strip_prefix(&s, len, "https://");
        len = strip_prefix(&s, len, "http://");
        len = strip_prefix(&s, len, "www.");
        while (len && s[len - 1] == '/')
            len--;
        for (size_t i = 0; i < len && n + 1 < size; i++)
            out[n++] = (char)tolower((unsigned char)s[i]);
        break;
    default: /* SHN_IDC_EMAIL */
        for (size_t i = 0; i < len && n + 1 < size; i++)
            out[n++] = (char)tolower((unsigned char)s[i]);
        break;
    }
    out[n] = '\0';
    return n;
}

uint64_t shn__ident_hash(int cls, const char *normalized, size_t len)
{
    uint64_t h = shn_hash64(normalized, len, 0x4944454e54000000ULL + (uint64_t)cls);
    return h ? h : 1;
}
