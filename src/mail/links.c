/* Links: every URL in the text parts and every <a href>, <img src> and
 * <form action> of the HTML parts, with its anchor text, classified
 * against the lists (shorteners, dynamic DNS, free hosting, tunnels), the
 * directory (lookalikes, portal-login imitations) and its own shape (a
 * bare IP, a displayed address that is not the target, a 1x1 image). The
 * links stay in the context for the indicator check. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "html.h"
#include "links.h"

#define LINKS_MAX 128

static bool url_char(unsigned char ch)
{
    return ch > 0x20 && ch < 0x7f && !strchr("<>\"'`{}|\\^", ch);
}

/* Fills l->host (lower case, no port or credentials) and l->reg from
 * l->url; false when there is no host. */
static bool split_url(struct shn__mail_link *l)
{
    const char *p = strstr(l->url, "://"), *h, *end;
    size_t n;
    if (!p)
        return false;
    h = p + 3;
    end = h + strcspn(h, "/?#");
    for (const char *at = h; at < end; at++)
        if (*at == '@')
            h = at + 1;
    l->path = end;
    if (*h == '[') { /* [v6] */
        const char *close = memchr(h, ']', (size_t)(end - h));
        if (!close)
            return false;
        shn__mail_copy(l->host, sizeof l->host, h + 1, (size_t)(close - h - 1));
    } else {
        n = strcspn(h, ":/?#");
        if (h + n > end)
            n = (size_t)(end - h);
        shn__mail_lower(h, n, l->host, sizeof l->host);
    }
    n = strlen(l->host);
    while (n > 0 && l->host[n - 1] == '.')
        l->host[--n] = '\0';
    if (!n)
        return false;
    {
        unsigned char b[16];
        l->ip = inet_pton(AF_INET, l->host, b) == 1 || inet_pton(AF_INET6, l->host, b) == 1;
    }
    if (l->ip)
        snprintf(l->reg, sizeof l->reg, "%s", l->host);
    else
        shn__mail_registrable(l->host, l->reg, sizeof l->reg);
    return true;
}

static struct shn__mail_link *add(struct shn__mail_ctx *c, const char *url, size_t len,
                                  const struct shn__mail_part *p)
{
    struct shn__mail_link *l;
    char *u;
    if (c->n_links >= LINKS_MAX)
        return NULL;
    if (!c->links && !(c->links = shn_arena_calloc(c->arena, LINKS_MAX, sizeof *c->links)))
        return NULL;
    for (size_t i = 0; i < c->n_links; i++)
        if (strlen(c->links[i].url) == len && memcmp(c->links[i].url, url, len) == 0)
            return NULL; /* once per URL */
    if (!(u = shn_arena_strndup(c->arena, url, len)))
        return NULL;
    l = &c->links[c->n_links];
    memset(l, 0, sizeof *l);
    l->url = u;
    l->part = p->path;
    l->offset = p->offset;
    if (!split_url(l))
        return NULL;
    c->n_links++;
    return l;
}

static void text_links(struct shn__mail_ctx *c, const struct shn__mail_part *p, const char *t,
                       size_t len)
{
    for (size_t i = 0; i + 7 < len; i++) {
        size_t j = i;
        if (strncasecmp(t + i, "http://", 7) != 0 && strncasecmp(t + i, "https://", 8) != 0)
            continue;
        while (j < len && url_char((unsigned char)t[j]))
            j++;
        while (j > i && strchr(".,;:)!?]", t[j - 1])) /* trailing punctuation */
            j--;
        add(c, t + i, j - i, p);
        i = j;
    }
}

struct html_walk {
    struct shn__mail_ctx *c;
    const struct shn__mail_part *p;
};

static bool tiny(const char *body, size_t len)
{
    char w[16] = "", h[16] = "", style[256] = "";
    bool wh = shn__mail_html_attr(body, len, "width", w, sizeof w) &&
              shn__mail_html_attr(body, len, "height", h, sizeof h);
    if (wh && strtol(w, NULL, 10) <= 1 && strtol(h, NULL, 10) <= 1)
        return true;
    if (shn__mail_html_attr(body, len, "style", style, sizeof style)) {
        char *s = style;
        for (; *s; s++)
            *s = (char)tolower((unsigned char)*s);
        return (strstr(style, "width:1px") || strstr(style, "width: 1px") ||
                strstr(style, "display:none") || strstr(style, "display: none")) &&
               !strstr(style, "width:1px;height:10");
    }
    return false;
}

static int on_tag(void *ctx, const char *name, const char *body, size_t body_len, size_t offset,
                  const char *after, size_t after_len)
{
    struct html_walk *w = ctx;
    char url[2048];
    struct shn__mail_link *l;
    const char *attr = strcmp(name, "a") == 0        ? "href"
                       : strcmp(name, "img") == 0    ? "src"
                       : strcmp(name, "form") == 0   ? "action"
                       : strcmp(name, "iframe") == 0 ? "src"
                                                     : NULL;
    (void)offset;
    if (!attr || !shn__mail_html_attr(body, body_len, attr, url, sizeof url))
        return 0;
    if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)
        return 0;
    if (!(l = add(w->c, url, strlen(url), w->p)))
        return 0;
    l->image = strcmp(name, "img") == 0;
    l->pixel = l->image && tiny(body, body_len);
    if (strcmp(name, "a") == 0) {
        const char *close = NULL;
        for (size_t i = 0; i + 3 < after_len && !close; i++)
            if (after[i] == '<' && after[i + 1] == '/' &&
                tolower((unsigned char)after[i + 2]) == 'a')
                close = after + i;
        if (close && (size_t)(close - after) < 4096) {
            char text[512];
            size_t n = shn__mail_html_text(after, (size_t)(close - after), text, sizeof text);
            size_t s = 0;
            while (s < n && isspace((unsigned char)text[s]))
                s++;
            while (n > s && isspace((unsigned char)text[n - 1]))
                n--;
            shn__mail_copy(l->text, sizeof l->text, text + s, n - s);
        }
    }
    return 0;
}

void shn__mail_links_collect(struct shn__mail_ctx *c)
{
    for (size_t i = 0; i < c->m->n_parts; i++) {
        const struct shn__mail_part *p = &c->m->parts[i];
        if (!p->utf8 || p->attachment)
            continue;
        if (p->html) {
            struct html_walk w = {c, p};
            shn__mail_html_tags(p->utf8, p->utf8_len, on_tag, &w);
        }
        text_links(c, p, p->utf8, p->utf8_len);
    }
    c->r->n_links = c->n_links;
}
