/* One message parsed with GMime into struct shn__mail_msg: the top-level
 * header with decoded values, offsets and lines; every MIME part with its
 * path, type, decoded file name, body without transfer encoding and, for
 * text, the body in UTF-8 (EUC-KR, ISO-2022-JP, Shift_JIS and the rest
 * through iconv). Everything is copied into the message's arena, so GMime's
 * objects are gone when shn__mail_parse returns.
 *
 * Bounds are checked before GMime sees the bytes where GMime itself would
 * recurse (its parser descends into every multipart and message/rfc822),
 * and again on what it built. */
#include <ctype.h>
#include <pthread.h>
#include <string.h>

#include <gmime/gmime.h>

#include "mail_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/utf8.h"

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_start(void)
{
    g_mime_init();
}

struct walk {
    struct shn__mail_msg *msg;
    size_t cap_parts;
    int rc;
    struct shn_diag *diag;
};

static char *adup(struct shn__mail_msg *m, const char *s)
{
    return shn_arena_strdup(&m->arena, s ? s : "");
}

/* Case-blind count of `needle` (lower case) in data; stops past `stop`. */
static size_t count_ci(const char *data, size_t len, const char *needle, size_t stop)
{
    size_t n = 0, k = strlen(needle);
    for (size_t i = 0; i + k <= len && n <= stop; i++) {
        if ((data[i] | 0x20) != needle[0])
            continue;
        size_t j = 1;
        while (j < k && tolower((unsigned char)data[i + j]) == needle[j])
            j++;
        if (j == k)
            n++;
    }
    return n;
}

/* GMime only nests at a multipart (which needs a boundary parameter) or an
 * encapsulated message; bounding those words bounds its recursion. */
static int precheck(const char *data, size_t len, struct shn_diag *diag)
{
    size_t nest;
    if (len > SHN_MAIL_MESSAGE_MAX)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, NULL, 0, "", "message of %zu bytes (max %u)",
                            len, SHN_MAIL_MESSAGE_MAX);
    nest = count_ci(data, len, "boundary", SHN_MAIL_PARTS_MAX) +
           count_ci(data, len, "message/", SHN_MAIL_PARTS_MAX);
    if (nest > SHN_MAIL_PARTS_MAX)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, NULL, 0, "",
                            "more than %d multipart or message parts", SHN_MAIL_PARTS_MAX);
    return SHN_OK;
}

static int copy_headers(struct shn__mail_msg *m, GMimeObject *obj, struct shn_diag *diag)
{
    GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
    int n = hl ? g_mime_header_list_get_count(hl) : 0;
    long line = 1;
    long long last = 0;
    if (n > SHN_MAIL_HEADERS_MAX)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, NULL, 0, "", "%d header fields (max %d)", n,
                            SHN_MAIL_HEADERS_MAX);
    if (n == 0)
        return SHN_OK;
    m->headers = shn_arena_calloc(&m->arena, (size_t)n, sizeof *m->headers);
    if (!m->headers)
        return SHN_ERR_NOMEM;
    for (int i = 0; i < n; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
        struct shn__mail_header *o = &m->headers[m->n_headers];
        long long off = g_mime_header_get_offset(h);
        if (!h)
            continue;
        o->name = adup(m, g_mime_header_get_name(h));
        o->value = adup(m, g_mime_header_get_value(h));
        o->raw = adup(m, g_mime_header_get_raw_value(h));
        if (!o->name || !o->value || !o->raw)
            return SHN_ERR_NOMEM;
        /* Offsets grow down the header; count lines incrementally. */
        if (off >= last && (size_t)off <= m->input_len) {
            for (long long k = last; k < off; k++)
                line += m->input[k] == '\n';
            last = off;
            o->line = line;
        }
        o->offset = off >= 0 ? off + m->base_offset : -1;
        m->n_headers++;
    }
    return SHN_OK;
}

/* text in charset → UTF-8 in the arena. Unknown or failing charsets fall
 * back to a guess (UTF-8, ISO-2022-JP by its escapes, EUC-KR, Shift_JIS,
 * windows-1252), with the failure noted. */
static const char *try_convert(struct shn__mail_msg *m, const unsigned char *data, size_t len,
                               const char *charset, size_t *out_len)
{
    gsize written = 0;
    GError *err = NULL;
    const char *iconv_name = g_mime_charset_iconv_name(charset);
    gchar *u =
        g_convert((const gchar *)data, (gssize)len, "UTF-8", iconv_name, NULL, &written, &err);
    char *r = NULL;
    if (err)
        g_error_free(err);
    if (u && shn_utf8_valid(u, written, NULL)) {
        r = shn_arena_strndup(&m->arena, u, written);
        *out_len = written;
    }
    g_free(u);
    return r;
}

static void convert_text(struct shn__mail_msg *m, struct shn__mail_part *p)
{
    static const char *const guesses[] = {"EUC-KR", "SHIFT_JIS", "EUC-JP", "WINDOWS-1252"};
    const char *u = NULL;
    size_t ulen = 0;
    bool ascii_or_utf8 = shn_utf8_valid((const char *)p->data, p->len, NULL);
    bool declared = p->charset && *p->charset;

    if (declared && g_ascii_strcasecmp(p->charset, "utf-8") != 0 &&
        g_ascii_strcasecmp(p->charset, "us-ascii") != 0)
        u = try_convert(m, p->data, p->len, p->charset, &ulen);
    if (!u && ascii_or_utf8) {
        u = shn_arena_strndup(&m->arena, (const char *)p->data, p->len);
        ulen = p->len;
        /* 7-bit ISO-2022-JP sent without its label is valid ASCII */
        if (memchr(p->data, 0x1b, p->len)) {
            size_t jl = 0;
            const char *j = try_convert(m, p->data, p->len, "ISO-2022-JP", &jl);
            if (j) {
                u = j;
                ulen = jl;
            }
        }
    }
    for (size_t i = 0; !u && i < sizeof guesses / sizeof guesses[0]; i++)
        u = try_convert(m, p->data, p->len, guesses[i], &ulen);
    if (declared && !u)
        p->charset_failed = true;
    if (declared && u && !ascii_or_utf8 &&
        (g_ascii_strcasecmp(p->charset, "utf-8") == 0 ||
         g_ascii_strcasecmp(p->charset, "us-ascii") == 0))
        p->charset_failed = true;
    p->utf8 = u ? u : "";
    p->utf8_len = u ? ulen : 0;
}

static struct shn__mail_part *new_part(struct walk *w, const char *path, int depth)
{
    struct shn__mail_msg *m = w->msg;
    struct shn__mail_part *p;
    if (m->n_parts >= SHN_MAIL_PARTS_MAX) {
        w->rc = shn_diag_set(w->diag, SHN_ERR_TOO_LARGE, NULL, 0, "", "more than %d MIME parts",
                             SHN_MAIL_PARTS_MAX);
        return NULL;
    }
    p = &m->parts[m->n_parts++];
    memset(p, 0, sizeof *p);
    snprintf(p->path, sizeof p->path, "%s", path);
    p->depth = depth;
    return p;
}

static void part_type(struct shn__mail_part *p, GMimeObject *obj)
{
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    const char *t = ct ? g_mime_content_type_get_media_type(ct) : NULL;
    const char *s = ct ? g_mime_content_type_get_media_subtype(ct) : NULL;
    char both[96];
    snprintf(both, sizeof both, "%s/%s", t ? t : "text", s ? s : "plain");
    shn__mail_lower(both, strlen(both), p->content_type, sizeof p->content_type);
}

static long long object_offset(const struct shn__mail_msg *m, GMimeObject *obj)
{
    GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
    GMimeHeader *h =
        hl && g_mime_header_list_get_count(hl) > 0 ? g_mime_header_list_get_header_at(hl, 0) : NULL;
    long long off = h ? g_mime_header_get_offset(h) : -1;
    return off >= 0 ? off + m->base_offset : -1;
}

static void leaf(struct walk *w, GMimePart *part, struct shn__mail_part *p)
{
    struct shn__mail_msg *m = w->msg;
    GMimeObject *obj = GMIME_OBJECT(part);
    GMimeDataWrapper *dw = g_mime_part_get_content(part);
    const char *fn = g_mime_part_get_filename(part);
    const char *disp = g_mime_object_get_disposition(obj);
    const char *cs = g_mime_object_get_content_type_parameter(obj, "charset");
    GMimeStream *mem;
    GByteArray *ba;

    if (fn && !(p->filename = adup(m, fn)))
        goto nomem;
    if (cs && !(p->charset = adup(m, cs)))
        goto nomem;
    p->attachment = fn || (disp && g_ascii_strcasecmp(disp, "attachment") == 0);
    p->text = strcmp(p->content_type, "text/plain") == 0;
    p->html = strcmp(p->content_type, "text/html") == 0;
    if (!dw)
        return;
    {
        GMimeStream *src = g_mime_data_wrapper_get_stream(dw);
        if (src && src->bound_start >= 0 && p->offset < 0)
            p->offset = src->bound_start + m->base_offset;
    }
    mem = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(dw, mem);
    ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    if (ba && ba->len) {
        unsigned char *d = shn_arena_alloc(&m->arena, ba->len + 1);
        if (!d) {
            g_object_unref(mem);
            goto nomem;
        }
        memcpy(d, ba->data, ba->len);
        d[ba->len] = 0;
        p->data = d;
        p->len = ba->len;
    } else {
        p->data = (const unsigned char *)"";
    }
    g_object_unref(mem);
    if ((p->text || p->html) && !p->attachment)
        convert_text(m, p);
    return;
nomem:
    w->rc = shn_diag_set(w->diag, SHN_ERR_TOO_LARGE, NULL, 0, "",
                         "the decoded message is too large for its bound");
}

static void walk_object(struct walk *w, GMimeObject *obj, const char *path, int depth)
{
    struct shn__mail_part *p;
    char child[40];
    if (w->rc != SHN_OK || !obj)
        return;
    if (depth > SHN_MAIL_DEPTH_MAX) {
        w->rc = shn_diag_set(w->diag, SHN_ERR_TOO_LARGE, NULL, 0, "", "MIME nesting deeper than %d",
                             SHN_MAIL_DEPTH_MAX);
        return;
    }
    if (!(p = new_part(w, path, depth)))
        return;
    part_type(p, obj);
    p->offset = object_offset(w->msg, obj);
    if (GMIME_IS_MULTIPART(obj)) {
        int n;
        if (depth == 0) /* IMAP numbering: the top multipart's children are 1, 2, ... */
            snprintf(p->path, sizeof p->path, "0");
        n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
        for (int i = 0; i < n && w->rc == SHN_OK; i++) {
            if (depth == 0)
                snprintf(child, sizeof child, "%d", i + 1);
            else
                snprintf(child, sizeof child, "%.28s.%d", path, i + 1);
            walk_object(w, g_mime_multipart_get_part(GMIME_MULTIPART(obj), i), child, depth + 1);
        }
    } else if (GMIME_IS_MESSAGE_PART(obj)) {
        GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
        p->attachment = true;
        if (inner) {
            snprintf(child, sizeof child, "%.28s.1", path);
            walk_object(w, g_mime_message_get_mime_part(inner), child, depth + 1);
        }
    } else if (GMIME_IS_PART(obj)) {
        leaf(w, GMIME_PART(obj), p);
    }
}

static void address(struct shn__mail_msg *m, InternetAddressList *list, size_t index,
                    struct shn__mail_addr *out)
{
    InternetAddress *a = list && internet_address_list_length(list) > (int)index
                             ? internet_address_list_get_address(list, (int)index)
                             : NULL;
    const char *name = a ? internet_address_get_name(a) : NULL;
    const char *addr = a && INTERNET_ADDRESS_IS_MAILBOX(a)
                           ? internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a))
                           : NULL;
    char *copy = adup(m, addr);
    char *at = copy ? strrchr(copy, '@') : NULL;
    out->name = adup(m, name);
    out->addr = copy ? copy : "";
    if (at)
        for (char *c = at + 1; *c; c++)
            *c = (char)tolower((unsigned char)*c);
    out->domain = at ? at + 1 : "";
    if (!out->name)
        out->name = "";
}

static void header_address(struct shn__mail_msg *m, GMimeParserOptions *po, const char *name,
                           struct shn__mail_addr *out)
{
    const struct shn__mail_header *h = shn__mail_header_find(m, name, 0);
    InternetAddressList *l = h ? internet_address_list_parse(po, h->value) : NULL;
    address(m, l, 0, out);
    if (l)
        g_object_unref(l);
}

static void addresses(struct shn__mail_msg *m, GMimeMessage *msg, GMimeParserOptions *po)
{
    InternetAddressList *rt = g_mime_message_get_reply_to(msg);
    int n = rt ? internet_address_list_length(rt) : 0;
    address(m, g_mime_message_get_from(msg), 0, &m->from);
    for (int i = 0; i < n && m->n_reply_to < SHN__MAIL_ADDRS_MAX; i++)
        address(m, rt, (size_t)i, &m->reply_to[m->n_reply_to++]);
    header_address(m, po, "Sender", &m->sender);
    header_address(m, po, "Return-Path", &m->return_path);
    m->from_header = shn__mail_header_find(m, "From", 0);
    m->reply_to_header = shn__mail_header_find(m, "Reply-To", 0);
    m->subject = adup(m, g_mime_message_get_subject(msg));
    if (!m->subject)
        m->subject = "";
}

int shn__mail_parse(const char *data, size_t len, long long base_offset, struct shn__mail_msg *msg,
                    struct shn_diag *diag)
{
    GMimeStream *stream = NULL;
    GMimeParser *parser = NULL;
    GMimeParserOptions *po = NULL;
    GMimeMessage *gm = NULL;
    struct walk w = {msg, 0, SHN_OK, diag};
    size_t limit;
    int rc = precheck(data, len, diag);

    /* decoded bodies never exceed the input; UTF-8 at most triples them */
    if (!shn_size_mul(len, 8, &limit) || !shn_size_add(limit, 4u << 20, &limit))
        limit = SIZE_MAX;
    shn_arena_init(&msg->arena, 0, limit);
    msg->input = data;
    msg->input_len = len;
    msg->base_offset = base_offset;
    if (rc != SHN_OK)
        goto out;
    pthread_once(&gmime_once, gmime_start);
    stream = g_mime_stream_mem_new_with_buffer(data, len);
    parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    g_mime_parser_set_persist_stream(parser, TRUE);
    po = g_mime_parser_options_new();
    g_mime_parser_options_set_rfc2047_compliance_mode(po, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(po, GMIME_RFC_COMPLIANCE_LOOSE);
    gm = g_mime_parser_construct_message(parser, po);
    if (!gm) {
        rc = shn_diag_set(diag, SHN_ERR_PARSE, NULL, 0, "", "not a mail message");
        goto out;
    }
    if ((rc = copy_headers(msg, GMIME_OBJECT(gm), diag)) != SHN_OK)
        goto out;
    if (!(msg->parts = shn_arena_calloc(&msg->arena, SHN_MAIL_PARTS_MAX, sizeof *msg->parts))) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    walk_object(&w, g_mime_message_get_mime_part(gm), "1", 0);
    if ((rc = w.rc) != SHN_OK)
        goto out;
    addresses(msg, gm, po);
out:
    if (gm)
        g_object_unref(gm);
    if (parser)
        g_object_unref(parser);
    if (stream)
        g_object_unref(stream);
    if (po)
        g_mime_parser_options_free(po);
    return rc;
}

void shn__mail_msg_cleanup(struct shn__mail_msg *msg)
{
    if (msg)
        shn_arena_cleanup(&msg->arena);
}

const struct shn__mail_header *shn__mail_header_find(const struct shn__mail_msg *msg,
                                                     const char *name, size_t from)
{
    for (size_t i = from; msg && i < msg->n_headers; i++)
        if (g_ascii_strcasecmp(msg->headers[i].name, name) == 0)
            return &msg->headers[i];
    return NULL;
}
