/* HWP 5 documents (Hancom's format, on an OLE compound file): the
 * vectors of the DPRK's HWP mail are PostScript (EPS) objects that
 * exploited Hancom's old Ghostscript, embedded OLE objects (a packaged
 * executable or a link shown as an icon), and scripts in the document.
 * The FileHeader says whether the streams are raw-deflate compressed and
 * whether the document is encrypted; the BinData storage holds the
 * embedded objects (BIN0001.eps, BIN0002.ole), the Scripts storage the
 * JScript. Office files on OLE are checked for a VBA project here too. */
#include <string.h>

#include <zlib.h>

#include "attach.h"
#include "shinsa/core/alloc.h"

#define STREAM_MAX (4u << 20)

int shn__inflate_raw(const unsigned char *src, size_t len, size_t max, unsigned char **out,
                     size_t *out_len)
{
    z_stream z;
    unsigned char *buf;
    int zr;
    if (!max || len > UINT32_MAX || !(buf = shn_malloc(max)))
        return max ? SHN_ERR_NOMEM : SHN_ERR_INVALID;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -15) != Z_OK) {
        shn_free(buf);
        return SHN_ERR_NOMEM;
    }
    z.next_in = (Bytef *)(uintptr_t)src;
    z.avail_in = (uInt)len;
    z.next_out = buf;
    z.avail_out = (uInt)(max > UINT32_MAX ? UINT32_MAX : max);
    zr = inflate(&z, Z_FINISH);
    inflateEnd(&z);
    if (zr != Z_STREAM_END && zr != Z_BUF_ERROR && zr != Z_OK) {
        shn_free(buf);
        return SHN_ERR_PARSE;
    }
    *out = buf;
    *out_len = z.total_out;
    return SHN_OK;
}

static bool ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* A stream's content, inflated when the document compresses streams. */
static int content(const struct shn__ole *o, const struct shn__ole_entry *e, bool compressed,
                   unsigned char **out, size_t *len)
{
    unsigned char *raw = NULL;
    size_t n = 0;
    int rc = shn__ole_read(o, e, STREAM_MAX, &raw, &n);
    if (rc != SHN_OK || !compressed)
        goto done;
    {
        unsigned char *z = NULL;
        size_t zn = 0;
        if (shn__inflate_raw(raw, n, STREAM_MAX, &z, &zn) == SHN_OK) {
            shn_free(raw);
            raw = z;
            n = zn;
        }
    }
done:
    if (rc == SHN_OK) {
        *out = raw;
        *len = n;
    }
    return rc;
}

static bool has(const unsigned char *d, size_t n, const char *word)
{
    return memmem(d, n, word, strlen(word)) != NULL;
}

static void bindata(const struct shn__ole *o, const struct shn__ole_entry *e, bool compressed,
                    struct shn__hwp_report *r)
{
    unsigned char *d = NULL;
    size_t n = 0;
    bool eps = ends_with_ci(e->name, ".eps") || ends_with_ci(e->name, ".ps");
    bool ole = ends_with_ci(e->name, ".ole");
    if (!eps && !ole && content(o, e, compressed, &d, &n) == SHN_OK) {
        /* a PostScript object under another name */
        eps = n >= 4 && (memcmp(d, "%!PS", 4) == 0 || (n >= 34 && has(d, n < 64 ? n : 64, "%!PS")));
    }
    shn_free(d);
    if (eps && !r->eps[0])
        shn__mail_copy(r->eps, sizeof r->eps, e->path, strlen(e->path));
    if (ole && !r->ole[0])
        shn__mail_copy(r->ole, sizeof r->ole, e->path, strlen(e->path));
}

/* A script counts when it does more than the empty handlers Hancom
 * writes into every document. */
static void script(const struct shn__ole *o, const struct shn__ole_entry *e, bool compressed,
                   struct shn__hwp_report *r)
{
    static const char *const active[] = {"ActiveXObject", "WScript", "Shell", "http",
                                         "XMLHTTP",       "ADODB",   "eval(", "powershell"};
    unsigned char *d = NULL, *u = NULL;
    size_t n = 0, un = 0;
    if (content(o, e, compressed, &d, &n) != SHN_OK)
        return;
    /* scripts are stored as UTF-16LE: narrow the ASCII for the search */
    if ((u = shn_malloc(n / 2 + 1))) {
        for (size_t i = 0; i + 1 < n; i += 2)
            if (d[i + 1] == 0 && d[i])
                u[un++] = d[i];
        for (size_t k = 0; k < sizeof active / sizeof active[0] && !r->script[0]; k++)
            if (has(u, un, active[k]) || has(d, n, active[k]))
                snprintf(r->script, sizeof r->script, "%.100s uses %s", e->path, active[k]);
    }
    shn_free(u);
    shn_free(d);
}

void shn__hwp_inspect(const struct shn__ole *o, struct shn__hwp_report *r)
{
    const struct shn__ole_entry *fh = shn__ole_find(o, "FileHeader");
    bool compressed = false;
    memset(r, 0, sizeof r[0]);
    if (fh) {
        unsigned char *d = NULL;
        size_t n = 0;
        if (shn__ole_read(o, fh, 256, &d, &n) == SHN_OK && n >= 40 &&
            memcmp(d, "HWP Document File", 17) == 0) {
            uint32_t flags = (uint32_t)d[36] | (uint32_t)d[37] << 8 | (uint32_t)d[38] << 16 |
                             (uint32_t)d[39] << 24;
            r->hwp = true;
            compressed = flags & 1;
            r->encrypted = (flags & 2) != 0;
        }
        shn_free(d);
    }
    for (size_t i = 0; i < o->n_entries; i++) {
        const struct shn__ole_entry *e = &o->entries[i];
        /* Word keeps macros under Macros/VBA, Excel under _VBA_PROJECT_CUR */
        if (!r->hwp && !r->macro[0] &&
            (strcasecmp(e->name, "VBA") == 0 || strcasecmp(e->name, "Macros") == 0 ||
             strcasecmp(e->name, "_VBA_PROJECT_CUR") == 0 ||
             strcasecmp(e->name, "_VBA_PROJECT") == 0))
            shn__mail_copy(r->macro, sizeof r->macro, e->path, strlen(e->path));
        if (e->type != 2)
            continue;
        if (r->hwp && strncasecmp(e->path, "BinData/", 8) == 0)
            bindata(o, e, compressed, r);
        else if (r->hwp && strncasecmp(e->path, "Scripts/", 8) == 0 &&
                 strcasecmp(e->name, "JScriptVersion") != 0)
            script(o, e, compressed, r);
    }
}
