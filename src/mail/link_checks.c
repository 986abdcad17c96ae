/* The checks on each link (links.c collects them). */
#include <ctype.h>
#include <string.h>

#include "data.h"
#include "links.h"

/* The host an anchor text displays ("www.nts.go.kr", "https://x.y/z"),
 * or false when the text does not look like an address. */
static bool shown_host(const char *text, char *out, size_t size)
{
    const char *t = text, *p;
    size_t n;
    if (strncasecmp(t, "http://", 7) == 0)
        t += 7;
    else if (strncasecmp(t, "https://", 8) == 0)
        t += 8;
    n = strcspn(t, "/?# \t");
    if (n < 4 || n >= size || t[n] == ' ' || t[n] == '\t' || t[strcspn(t, " \t")] != '\0')
        return false;
    shn__mail_lower(t, n, out, size);
    if (!(p = strchr(out, '.')) || p == out || !out[n - 1] || out[n - 1] == '.')
        return false;
    for (const char *c = out; *c; c++)
        if (!(isalnum((unsigned char)*c) || *c == '.' || *c == '-' || (unsigned char)*c >= 0x80))
            return false;
    /* a dotted word that is no domain ("e.g.", "Fig.1") has no letter TLD */
    p = strrchr(out, '.');
    return strlen(p + 1) >= 2 && isalpha((unsigned char)p[1]);
}

static void where_of(const struct shn__mail_link *l, char *out, size_t size)
{
    snprintf(out, size, "part %s %s", l->part, l->image ? "image" : "link");
}

static void list_checks(struct shn__mail_ctx *c, const struct shn__mail_link *l, const char *where)
{
    const struct shn__mail_entry *en;
    char detail[300];
    struct shn__mail_signal *s;
    if ((en = shn__mail_list_host(c->e, SHN__L_SHORTENERS, l->host))) {
        snprintf(detail, sizeof detail, "%s", l->host);
        s = shn__mail_fire(c->r, c->e,
                           strcmp(en->tag, "kr") == 0 ? SHN__C_LINK_SHORTENER_KR
                                                      : SHN__C_LINK_SHORTENER,
                           where, l->offset, 0, l->url, detail);
        if (s)
            snprintf(s->provenance, sizeof s->provenance, "%s:%ld", en->file, en->line);
    }
    if ((en = shn__mail_list_host(c->e, SHN__L_DYNDNS, l->host))) {
        snprintf(detail, sizeof detail, "%s under %s", l->host, en->key);
        s = shn__mail_fire(c->r, c->e,
                           strcmp(en->tag, "kr") == 0 ? SHN__C_LINK_DYNDNS_KR : SHN__C_LINK_DYNDNS,
                           where, l->offset, 0, l->url, detail);
        if (s)
            snprintf(s->provenance, sizeof s->provenance, "%s:%ld", en->file, en->line);
    }
    if ((en = shn__mail_list_host(c->e, SHN__L_HOSTING, l->host))) {
        snprintf(detail, sizeof detail, "%s under %s", l->host, en->key);
        if ((s = shn__mail_fire(c->r, c->e, SHN__C_LINK_FREE_HOSTING, where, l->offset, 0, l->url,
                                detail)))
            snprintf(s->provenance, sizeof s->provenance, "%s:%ld", en->file, en->line);
    }
    if ((en = shn__mail_list_host(c->e, SHN__L_TUNNELS, l->host))) {
        snprintf(detail, sizeof detail, "%s under %s", l->host, en->key);
        if ((s = shn__mail_fire(c->r, c->e, SHN__C_LINK_TUNNEL, where, l->offset, 0, l->url,
                                detail)))
            snprintf(s->provenance, sizeof s->provenance, "%s:%ld", en->file, en->line);
    }
}

/* A login path word (login-paths.txt) in the URL of a host no protected
 * identity owns, while the URL or the anchor names a portal. */
static void portal_login(struct shn__mail_ctx *c, const struct shn__mail_link *l, const char *where)
{
    const struct shn__mail_directory *d = c->e->directory;
    const struct shn__mail_set *words = c->e->lists ? c->e->lists->set[SHN__L_LOGIN_PATHS] : NULL;
    char lower[1024], detail[300];
    const char *portal = NULL, *word = NULL;
    if (!d || !words || shn__mail_directory_owner(d, l->reg))
        return;
    shn__mail_lower(l->url, strlen(l->url), lower, sizeof lower);
    for (size_t i = 0; !portal && i < d->n; i++) {
        if (strcmp(d->v[i].kind, "portal") != 0)
            continue;
        for (size_t k = 0; !portal && k < d->v[i].n_domains; k++)
            if (strlen(d->v[i].labels[k]) >= 4 && strstr(lower, d->v[i].labels[k]))
                portal = d->v[i].domains[k];
    }
    if (!portal)
        return;
    /* the words are few (tens): try each in the URL */
    for (const char *p = lower; *p && !word; p++) {
        for (size_t n = 3; n <= 16 && p[n - 1]; n++) {
            const struct shn__mail_entry *en = shn__mail_set_get(words, p, n);
            if (en) {
                word = en->key;
                break;
            }
        }
    }
    if (!word)
        return;
    snprintf(detail, sizeof detail, "'%.20s' of %.90s on %.150s", word, portal, l->host);
    shn__mail_fire(c->r, c->e, SHN__C_LINK_PORTAL_LOGIN, where, l->offset, 0, l->url, detail);
}

void shn__mail_check_links(struct shn__mail_ctx *c)
{
    shn__mail_links_collect(c);
    for (size_t i = 0; i < c->n_links; i++) {
        const struct shn__mail_link *l = &c->links[i];
        const struct shn__mail_identity *who = NULL;
        char where[96], how[200], detail[320], shown[256], shown_reg[256];
        where_of(l, where, sizeof where);
        if (l->pixel) {
            shn__mail_fire(c->r, c->e, SHN__C_LINK_PIXEL, where, l->offset, 0, l->url, l->host);
            continue;
        }
        if (l->ip)
            shn__mail_fire(c->r, c->e, SHN__C_LINK_IP, where, l->offset, 0, l->url, l->host);
        list_checks(c, l, where);
        if (!l->ip && shn__mail_lookalike(c->e, l->host, l->reg, &who, how, sizeof how)) {
            snprintf(detail, sizeof detail, "%.100s: %.200s", l->host, how);
            shn__mail_fire(c->r, c->e, SHN__C_LINK_LOOKALIKE, where, l->offset, 0, l->url, detail);
        }
        portal_login(c, l, where);
        if (l->text[0] && shown_host(l->text, shown, sizeof shown)) {
            shn__mail_registrable(shown, shown_reg, sizeof shown_reg);
            if (strcmp(shown_reg, l->reg) != 0) {
                snprintf(detail, sizeof detail, "shows %.120s, goes to %.120s", shown, l->host);
                shn__mail_fire(c->r, c->e, SHN__C_LINK_TEXT, where, l->offset, 0, l->url, detail);
            }
        }
    }
}
