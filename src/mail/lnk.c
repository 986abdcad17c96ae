/* Windows shell links (MS-SHLLINK), the first stage of most Kimsuky and
 * Konni mail since 2023: a .lnk whose target is powershell or mshta with
 * the script in its arguments, often with a decoy and the payload
 * appended after the link. Only the parts that say what runs are read:
 * the LinkInfo's local base path and the StringData (relative path,
 * working directory, arguments, icon). Every offset is checked against
 * the buffer before it is read. */
#include <string.h>

#include "attach.h"
#include "shinsa/core/utf8.h"

#define LNK_HEADER 0x4C
#define F_IDLIST 0x1
#define F_LINKINFO 0x2
#define F_NAME 0x4
#define F_RELPATH 0x8
#define F_WORKDIR 0x10
#define F_ARGS 0x20
#define F_ICON 0x40
#define F_UNICODE 0x80

static const unsigned char clsid[16] = {0x01, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
                                        0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46};

static uint32_t u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t u16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* A NUL-terminated ANSI string at data[off..len) into out. */
static void ansi(const unsigned char *d, size_t len, size_t off, char *out, size_t size)
{
    size_t n = 0;
    while (off < len && d[off] && n + 1 < size) {
        out[n++] = (char)(d[off] < 0x80 && d[off] >= 0x20 ? d[off] : '?');
        off++;
    }
    out[n] = '\0';
}

/* `chars` UTF-16LE code units (or ANSI bytes) at d[off] into UTF-8. */
static void string_data(const unsigned char *d, size_t chars, bool unicode, char *out, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < chars && n + 5 < size; i++) {
        uint32_t cp = unicode ? u16(d + 2 * i) : d[i];
        if (unicode && cp >= 0xD800 && cp <= 0xDBFF && i + 1 < chars) {
            uint32_t lo = u16(d + 2 * (i + 1));
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i++;
            }
        }
        if (cp < 0x20 || (cp >= 0xD800 && cp <= 0xDFFF))
            cp = ' ';
        if (!unicode && cp >= 0x80)
            cp = '?';
        n += shn_utf8_encode(cp, out + n);
    }
    out[n] = '\0';
}

/* The target of a link with only an ID list: the last printable ASCII
 * run naming an .exe in its shell items (their short 8.3 names). */
static void idlist_exe(const unsigned char *d, size_t len, char *out, size_t size)
{
    size_t run = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && d[i] >= 0x20 && d[i] < 0x7f) {
            run++;
            continue;
        }
        if (run >= 5) {
            const unsigned char *s = d + i - run;
            if (strncasecmp((const char *)s + run - 4, ".exe", 4) == 0)
                shn__mail_copy(out, size, (const char *)s, run);
        }
        run = 0;
    }
}

int shn__lnk_parse(const unsigned char *d, size_t len, struct shn__lnk *out)
{
    struct shn__lnk l;
    uint32_t flags;
    size_t off = LNK_HEADER;
    if (len < LNK_HEADER || u32(d) != LNK_HEADER || memcmp(d + 4, clsid, 16) != 0)
        return SHN_ERR_FORMAT;
    memset(&l, 0, sizeof l);
    flags = u32(d + 0x14);
    if (flags & F_IDLIST) {
        size_t n;
        if (off + 2 > len)
            return SHN_ERR_PARSE;
        n = u16(d + off);
        if (n > len - off - 2)
            return SHN_ERR_PARSE;
        idlist_exe(d + off + 2, n, l.target, sizeof l.target);
        off += 2 + n;
    }
    if (flags & F_LINKINFO) {
        size_t size, base;
        if (off + 0x1C > len)
            return SHN_ERR_PARSE;
        size = u32(d + off);
        if (size < 0x1C || size > len - off)
            return SHN_ERR_PARSE;
        base = u32(d + off + 0x10);
        if ((u32(d + off + 0x08) & 1) && base > 0 && base < size)
            ansi(d, off + size, off + base, l.target, sizeof l.target);
        off += size;
    }
    {
        static const uint32_t order[] = {F_NAME, F_RELPATH, F_WORKDIR, F_ARGS, F_ICON};
        bool unicode = (flags & F_UNICODE) != 0;
        for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
            size_t chars, bytes;
            char tmp[1024];
            if (!(flags & order[k]))
                continue;
            if (off + 2 > len)
                return SHN_ERR_PARSE;
            chars = u16(d + off);
            bytes = unicode ? chars * 2 : chars;
            off += 2;
            if (bytes > len - off)
                return SHN_ERR_PARSE;
            string_data(d + off, chars, unicode, tmp, sizeof tmp);
            off += bytes;
            if (order[k] == F_RELPATH && !l.target[0])
                shn__mail_copy(l.target, sizeof l.target, tmp, strlen(tmp));
            else if (order[k] == F_WORKDIR)
                shn__mail_copy(l.workdir, sizeof l.workdir, tmp, strlen(tmp));
            else if (order[k] == F_ARGS)
                shn__mail_copy(l.args, sizeof l.args, tmp, strlen(tmp));
            else if (order[k] == F_ICON)
                shn__mail_copy(l.icon, sizeof l.icon, tmp, strlen(tmp));
        }
    }
    /* ExtraData blocks: size-prefixed, ended by a size below 4 */
    while (off + 4 <= len) {
        uint32_t size = u32(d + off);
        if (size < 4) {
            off += 4;
            break;
        }
        if (size > len - off)
            break;
        /* EnvironmentVariableDataBlock: the target as "%windir%\..." */
        if (size >= 788 && u32(d + off + 4) == 0xA0000001 && d[off + 8])
            ansi(d, off + 268, off + 8, l.target, sizeof l.target);
        off += size;
    }
    l.link_size = off;
    *out = l;
    return SHN_OK;
}
