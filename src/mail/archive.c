/* Archives with libarchive (zip, 7z, rar, cab, tar, ISO 9660 and the
 * ZIP-based documents HWPX and OOXML): members listed and inspected in
 * turn, encryption detected, and the passwords the mail body gives tried
 * (the lure says "password: 1234" so that the scanners cannot look
 * inside). HWPX and OOXML are read for parts that load content from the
 * Internet when the document opens (remote templates, OLE links, remote
 * items of the HWPX manifest). Bounded: members, bytes per member and
 * bytes in all. */
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "attach.h"
#include "shinsa/core/alloc.h"

#define MEMBERS_MAX 512
#define MEMBER_MAX (8u << 20)
#define TOTAL_MAX (48u << 20)

struct scan {
    struct shn__mail_ctx *c;
    const char *where;
    long long offset;
    int depth;
    bool encrypted, opened, document, external;
    char first_encrypted[160], external_what[200];
    size_t members, total;
};

static struct archive *open_archive(const unsigned char *data, size_t len, struct shn__mail_ctx *c,
                                    bool with_passwords)
{
    struct archive *a = archive_read_new();
    if (!a)
        return NULL;
    archive_read_support_format_all(a);
    archive_read_support_filter_all(a);
    for (size_t i = 0; with_passwords && i < c->n_passwords; i++)
        archive_read_add_passphrase(a, c->body_passwords[i]);
    if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
        archive_read_free(a);
        return NULL;
    }
    return a;
}

/* An OOXML relationship or HWPX manifest item that fetches from outside;
 * hyperlinks (what a reader clicks) do not count. */
static void external_parts(struct scan *s, const char *name, const unsigned char *d, size_t n)
{
    const char *hit = NULL;
    size_t nl = strlen(name);
    if (nl >= 5 && strcmp(name + nl - 5, ".rels") == 0) {
        const unsigned char *p = d, *end = d + n;
        while (!hit && (p = memmem(p, (size_t)(end - p), "TargetMode=\"External\"", 21))) {
            /* the Relationship element around it */
            const unsigned char *start = p, *stop = memchr(p, '>', (size_t)(end - p));
            while (start > d && *start != '<')
                start--;
            if (!stop)
                break;
            if (!memmem(start, (size_t)(stop - start), "/hyperlink\"", 11))
                hit = "a remote part";
            p += 21;
        }
    } else if (strstr(name, "content.hpf") || strstr(name, "Contents/") == name) {
        if (memmem(d, n, "href=\"http", 10) || memmem(d, n, "href=\"\\\\", 8))
            hit = "a remote item";
    }
    if (hit && !s->external) {
        s->external = true;
        snprintf(s->external_what, sizeof s->external_what, "%s in %s", hit, name);
    }
}

static void member(struct scan *s, struct archive *a, struct archive_entry *e, bool read_data)
{
    const char *name = archive_entry_pathname_utf8(e);
    char where[300];
    unsigned char *buf = NULL;
    size_t n = 0;
    la_int64_t size = archive_entry_size(e);
    if (!name)
        name = archive_entry_pathname(e);
    if (!name)
        name = "?";
    snprintf(where, sizeof where, "%.160s > %.120s", s->where, name);
    if (archive_entry_is_encrypted(e)) {
        s->encrypted = true;
        if (!s->first_encrypted[0])
            snprintf(s->first_encrypted, sizeof s->first_encrypted, "%s", name);
    }
    if (strcmp(name, "mimetype") == 0 || strstr(name, "[Content_Types].xml"))
        s->document = true;
    if (archive_entry_filetype(e) != AE_IFREG)
        return;
    if (read_data && size > 0 && s->total < TOTAL_MAX) {
        size_t want = (size_t)size < MEMBER_MAX ? (size_t)size : MEMBER_MAX;
        if (want > TOTAL_MAX - s->total)
            want = TOTAL_MAX - s->total;
        if ((buf = shn_malloc(want))) {
            la_ssize_t got = archive_read_data(a, buf, want);
            if (got > 0) {
                n = (size_t)got;
                s->total += n;
                if (archive_entry_is_encrypted(e))
                    s->opened = true;
            }
        }
    }
    if (n)
        external_parts(s, name, buf, n);
    /* the document's own parts are not attachments */
    if (!s->document || strstr(name, ".bin") || strstr(name, "BinData/"))
        shn__mail_inspect_file(s->c, name, buf, n, where, s->offset, s->depth + 1);
    shn_free(buf);
}

static void pass(struct scan *s, const unsigned char *data, size_t len, bool with_passwords)
{
    struct archive *a = open_archive(data, len, s->c, with_passwords);
    struct archive_entry *e;
    if (!a)
        return;
    while (s->members < MEMBERS_MAX && archive_read_next_header(a, &e) == ARCHIVE_OK) {
        s->members++;
        /* the first pass reads what is not encrypted; the second, with the
         * body's passwords, what is */
        if (!with_passwords || archive_entry_is_encrypted(e))
            member(s, a, e, !archive_entry_is_encrypted(e) || with_passwords);
    }
    archive_read_free(a);
}

bool shn__mail_archive_inspect(struct shn__mail_ctx *c, const char *name, const unsigned char *data,
                               size_t len, const char *where, long long offset, int depth)
{
    struct scan s;
    struct archive *probe;
    char detail[400];
    if (depth > SHN__ATTACH_DEPTH_MAX || !len)
        return false;
    if (!(probe = open_archive(data, len, c, false)))
        return false;
    {
        struct archive_entry *e;
        int r = archive_read_next_header(probe, &e);
        archive_read_free(probe);
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
            return false;
    }
    memset(&s, 0, sizeof s);
    s.c = c;
    s.where = where;
    s.offset = offset;
    s.depth = depth;
    pass(&s, data, len, false);
    if (s.encrypted) {
        snprintf(detail, sizeof detail, "%s holds encrypted %s", name, s.first_encrypted);
        shn__mail_fire(c->r, c->e, SHN__C_ATT_ARCHIVE_ENC, where, offset, 0, name, detail);
        if (c->n_passwords) {
            size_t members = s.members;
            s.members = 0;
            pass(&s, data, len, true);
            s.members += members;
            if (s.opened) {
                snprintf(detail, sizeof detail, "a password in the text opens %s", name);
                shn__mail_fire(c->r, c->e, SHN__C_ATT_ARCHIVE_PASSWORD, where, offset, 0, name,
                               detail);
            }
        }
    }
    if (s.external) {
        snprintf(detail, sizeof detail, "%s: %s", name, s.external_what);
        shn__mail_fire(c->r, c->e, SHN__C_ATT_HWPX_EXTERNAL, where, offset, 0, name, detail);
    }
    return true;
}
