/* Attachments: the name (right-to-left override, double extensions,
 * padding, extensions that run code, disk images), the true type from
 * libmagic against the extension, then the content by kind — LNK, OLE
 * (HWP, Office macros), archives and ZIP documents (HWPX, OOXML). */
#include <string.h>

#include "attach.h"
#include "data.h"
#include "shinsa/core/utf8.h"

static const char *const executable[] = {
    "exe",       "scr", "pif", "com",       "bat", "cmd", "js",          "jse",
    "vbs",       "vbe", "wsf", "wsh",       "ps1", "hta", "chm",         "msc",
    "lnk",       "cpl", "jar", "msi",       "reg", "url", "scf",         "sct",
    "wsc",       "inf", "iqy", "appref-ms", "xll", "dll", "application", "settingcontent-ms",
    "library-ms"};
static const char *const disk_images[] = {"iso", "img", "vhd", "vhdx"};
static const char *const documents[] = {"pdf",  "doc",  "docx", "xls", "xlsx", "ppt", "pptx", "hwp",
                                        "hwpx", "txt",  "rtf",  "jpg", "jpeg", "png", "gif",  "zip",
                                        "htm",  "html", "csv",  "mp4", "alz",  "egg"};

static bool in(const char *ext, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ext, list[i]) == 0)
            return true;
    return false;
}

bool shn__mail_ext_executable(const char *ext)
{
    return in(ext, executable, sizeof executable / sizeof executable[0]);
}

void shn__mail_ext(const char *name, char *out, size_t size)
{
    const char *dot = strrchr(name, '.');
    if (!dot || !dot[1] || strlen(dot + 1) > 20) {
        out[0] = '\0';
        return;
    }
    shn__mail_lower(dot + 1, strlen(dot + 1), out, size);
    /* trailing blanks after the extension are padding, not part of it */
    for (size_t n = strlen(out); n > 0 && (out[n - 1] == ' ' || out[n - 1] == '.'); n--)
        out[n - 1] = '\0';
}

/* The extension before the last one ("pdf" of "a.pdf.lnk"), blanks and
 * padding between them ignored. */
static bool inner_ext(const char *name, char *out, size_t size)
{
    const char *last = strrchr(name, '.'), *p;
    size_t n;
    if (!last || last == name)
        return false;
    p = last;
    while (p > name && (p[-1] == ' ' || p[-1] == '_'))
        p--;
    n = (size_t)(p - name);
    {
        char head[512];
        shn__mail_copy(head, sizeof head, name, n);
        shn__mail_ext(head, out, size);
    }
    return out[0] != '\0';
}

/* Runs of blanks (ASCII, U+3000, U+2800 braille blank) or underscores
 * before the extension push it out of sight in a file list. */
static bool padded(const char *name)
{
    size_t run = 0, len = strlen(name), best = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t used = shn_utf8_decode(name + i, len - i, &cp);
        if (!used)
            used = 1, cp = '?';
        if (cp == ' ' || cp == 0x3000 || cp == 0x2800 || cp == 0x3164 || cp == '_' || cp == 0x00A0)
            run++;
        else
            run = 0;
        if (run > best)
            best = run;
        i += used;
    }
    return best >= 6;
}

static bool has_bidi(const char *name)
{
    /* U+202E RIGHT-TO-LEFT OVERRIDE, U+202D LRO, U+2067 RLI, U+200F RLM */
    return strstr(name, "\xE2\x80\xAE") || strstr(name, "\xE2\x81\xA7") ||
           strstr(name, "\xE2\x80\x8F") || strstr(name, "\xE2\x80\xAD");
}

static void name_checks(struct shn__mail_ctx *c, const char *name, const char *ext,
                        const char *where, long long offset)
{
    char inner[24], detail[400];
    bool exec = shn__mail_ext_executable(ext);
    if (has_bidi(name))
        shn__mail_fire(c->r, c->e, SHN__C_ATT_RTLO, where, offset, 0, name, name);
    if (exec && inner_ext(name, inner, sizeof inner) &&
        in(inner, documents, sizeof documents / sizeof documents[0])) {
        snprintf(detail, sizeof detail, "%s: .%s shown, .%s runs", name, inner, ext);
        shn__mail_fire(c->r, c->e, SHN__C_ATT_DOUBLE_EXT, where, offset, 0, name, detail);
    }
    if (padded(name))
        shn__mail_fire(c->r, c->e, SHN__C_ATT_PADDED, where, offset, 0, name, name);
    if (exec) {
        snprintf(detail, sizeof detail, "%s (.%s)", name, ext);
        shn__mail_fire(c->r, c->e, SHN__C_ATT_EXEC, where, offset, 0, name, detail);
    }
    if (in(ext, disk_images, sizeof disk_images / sizeof disk_images[0])) {
        snprintf(detail, sizeof detail, "%s (.%s)", name, ext);
        shn__mail_fire(c->r, c->e, SHN__C_ATT_DISK_IMAGE, where, offset, 0, name, detail);
    }
}

/* Which MIME types an extension may have; NULL = not checked. */
static const char *expected(const char *ext)
{
    static const struct {
        const char *ext, *types;
    } map[] = {
        {"pdf", "application/pdf"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"png", "image/png"},
        {"gif", "image/gif"},
        {"doc",
         "application/msword application/x-ole-storage application/CDFV2 application/vnd.ms-"},
        {"xls", "application/vnd.ms-excel application/x-ole-storage application/CDFV2 "
                "application/vnd.ms-"},
        {"hwp",
         "application/x-hwp application/x-ole-storage application/CDFV2 application/vnd.hancom"},
        {"docx", "application/vnd.openxmlformats application/zip application/octet-stream"},
        {"xlsx", "application/vnd.openxmlformats application/zip application/octet-stream"},
        {"hwpx",
         "application/zip application/hwp+zip application/vnd.hancom application/octet-stream"},
        {"zip", "application/zip"},
        {"txt", "text/"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(ext, map[i].ext) == 0)
            return map[i].types;
    return NULL;
}

static bool runs_code(const char *type)
{
    return strstr(type, "x-dosexec") || strstr(type, "x-ms-shortcut") ||
           strstr(type, "x-msdownload") || strstr(type, "x-msi") || strstr(type, "x-executable") ||
           strstr(type, "vnd.microsoft.portable-executable") || strstr(type, "x-ms-installer");
}

static void type_check(struct shn__mail_ctx *c, const char *name, const char *ext,
                       const unsigned char *data, size_t len, const char *where, long long offset)
{
    char type[128], detail[400];
    const char *want = expected(ext);
    bool mismatch = false;
    shn__mail_magic_type(c->e, data, len < 65536 ? len : 65536, type, sizeof type);
    if (!type[0])
        return;
    if (runs_code(type) && !shn__mail_ext_executable(ext))
        mismatch = true;
    else if (want && strcmp(type, "application/octet-stream") != 0 &&
             strcmp(type, "inode/x-empty") != 0) {
        mismatch = true;
        for (const char *p = want; *p && mismatch;) {
            size_t n = strcspn(p, " ");
            if (strncmp(type, p, n) == 0)
                mismatch = false;
            p += n + (p[n] == ' ');
        }
    }
    if (!mismatch)
        return;
    snprintf(detail, sizeof detail, "%s is %s", name, type);
    shn__mail_fire(c->r, c->e, SHN__C_ATT_TYPE, where, offset, 0, name, detail);
}

static bool word_in(const char *s, const char *w)
{
    char lower[1600];
    shn__mail_lower(s, strlen(s), lower, sizeof lower);
    return strstr(lower, w) != NULL;
}

static void lnk_check(struct shn__mail_ctx *c, const char *name, const unsigned char *data,
                      size_t len, const char *where, long long offset)
{
    static const char *const launchers[] = {
        "powershell", "pwsh",     "cmd.exe",   "cmd ", "mshta",   "wscript",  "cscript", "rundll32",
        "regsvr32",   "certutil", "bitsadmin", "curl", "conhost", "forfiles", "-enc",    "http"};
    struct shn__lnk l;
    char both[1600], detail[400];
    const char *hit = NULL;
    if (shn__lnk_parse(data, len, &l) != SHN_OK)
        return;
    snprintf(both, sizeof both, "%s %s", l.target, l.args);
    for (size_t i = 0; i < sizeof launchers / sizeof launchers[0] && !hit; i++)
        if (word_in(both, launchers[i]))
            hit = launchers[i];
    if (!hit && strlen(l.args) < 200 && len - l.link_size < 65536)
        return;
    snprintf(detail, sizeof detail, "%.60s runs %.80s %.120s%s", name, l.target, l.args,
             len - l.link_size >= 65536 ? " (payload appended)" : "");
    shn__mail_fire(c->r, c->e, SHN__C_ATT_LNK, where, offset, 0, name, detail);
}

static void ole_check(struct shn__mail_ctx *c, const char *name, const unsigned char *data,
                      size_t len, const char *where, long long offset)
{
    struct shn__ole o;
    struct shn__hwp_report h;
    char detail[400];
    if (shn__ole_open(data, len, &o) != SHN_OK)
        return;
    shn__hwp_inspect(&o, &h);
    shn__ole_close(&o);
    if (h.eps[0]) {
        snprintf(detail, sizeof detail, "%s: %s", name, h.eps);
        shn__mail_fire(c->r, c->e, SHN__C_ATT_HWP_EPS, where, offset, 0, name, detail);
    }
    if (h.ole[0]) {
        snprintf(detail, sizeof detail, "%s: %s", name, h.ole);
        shn__mail_fire(c->r, c->e, SHN__C_ATT_HWP_OLE, where, offset, 0, name, detail);
    }
    if (h.script[0]) {
        snprintf(detail, sizeof detail, "%s: %s", name, h.script);
        shn__mail_fire(c->r, c->e, SHN__C_ATT_HWP_SCRIPT, where, offset, 0, name, detail);
    }
    if (h.macro[0]) {
        snprintf(detail, sizeof detail, "%s: %s", name, h.macro);
        shn__mail_fire(c->r, c->e, SHN__C_ATT_MACRO, where, offset, 0, name, detail);
    }
}

void shn__mail_inspect_file(struct shn__mail_ctx *c, const char *name, const unsigned char *data,
                            size_t len, const char *where, long long offset, int depth)
{
    char ext[24];
    shn__mail_ext(name, ext, sizeof ext);
    name_checks(c, name, ext, where, offset);
    if (!data || !len)
        return;
    type_check(c, name, ext, data, len, where, offset);
    if (len >= 0x4C && data[0] == 0x4C && data[1] == 0 && data[2] == 0 && data[3] == 0)
        lnk_check(c, name, data, len, where, offset);
    else if (shn__ole_is(data, len))
        ole_check(c, name, data, len, where, offset);
    else if (depth < SHN__ATTACH_DEPTH_MAX && !(data[0] == '<' || data[0] == '%'))
        shn__mail_archive_inspect(c, name, data, len, where, offset, depth);
}

void shn__mail_check_attachments(struct shn__mail_ctx *c)
{
    if (!c->e->magic)
        shn__mail_unknown(c->r, "attachment_types", "libmagic could not load its database");
    for (size_t i = 0; i < c->m->n_parts; i++) {
        const struct shn__mail_part *p = &c->m->parts[i];
        char where[64];
        if (!p->data || (!p->attachment && (p->text || p->html)))
            continue;
        if (!p->filename && !p->attachment && strncmp(p->content_type, "application/", 12) != 0)
            continue;
        snprintf(where, sizeof where, "part %s", p->path);
        shn__mail_inspect_file(c, p->filename ? p->filename : "", p->data, p->len, where, p->offset,
                               0);
    }
}
