/* Infrastructure: the origin's country and AS from the accounts engine's
 * IP databases ("unknown" when they are missing; a province needs a city
 * database the user supplies), and every host, address and path of the
 * mail against the indicator files, each hit with its file, line and
 * reference. */
#include <string.h>

#include "data.h"
#include "shinsa/accounts.h"

static void origin(struct shn__mail_ctx *c)
{
    const struct shn_mail_engine *e = c->e;
    struct shn_mail_result *r = c->r;
    const struct shn__mail_header *h = c->origin_header;
    unsigned asn = 0;
    char cc[3] = "", detail[128];
    if (!r->origin_ip[0])
        return; /* the auth check said why */
    if (!shn_accounts_ipdb_has_country(e->ipdb)) {
        shn__mail_unknown(r, "origin_country", e->ipdb_why[0] ? e->ipdb_why : "no IP database");
        return;
    }
    if (!shn_accounts_ipdb_lookup(e->ipdb, r->origin_ip, cc, &asn) || !cc[0]) {
        shn__mail_unknown(r, "origin_country", "the origin address is in no database range");
        return;
    }
    snprintf(r->origin_country, sizeof r->origin_country, "%s", cc);
    r->origin_asn = asn;
    for (size_t i = 0; i < e->n_country_weights; i++) {
        struct shn__mail_signal *s;
        if (strcmp(e->country_weight[i].cc, cc) != 0)
            continue;
        if (asn)
            snprintf(detail, sizeof detail, "%s in %s, AS%u", r->origin_ip, cc, asn);
        else
            snprintf(detail, sizeof detail, "%s in %s", r->origin_ip, cc);
        s = shn__mail_fire(r, e, SHN__C_INFRA_COUNTRY, "header Received", h ? h->offset : -1,
                           h ? h->line : 0, r->origin_ip, detail);
        if (s)
            s->weight =
                e->country_weight[i].weight *
                (e->weights[SHN__C_INFRA_COUNTRY] / shn__mail_checks[SHN__C_INFRA_COUNTRY].weight);
    }
}

static void hit(struct shn__mail_ctx *c, const struct shn__mail_entry *en, const char *what,
                const char *value, const char *where, long long offset, long line)
{
    struct shn__mail_signal *s;
    char detail[320];
    if (!en)
        return;
    snprintf(detail, sizeof detail, "%s %s", what, value);
    s = shn__mail_fire(c->r, c->e, SHN__C_INFRA_IOC, where, offset, line, value, detail);
    if (s)
        snprintf(s->provenance, sizeof s->provenance, "%.120s:%ld%s%.120s", en->file, en->line,
                 en->note[0] ? " " : "", en->note);
}

static void indicators(struct shn__mail_ctx *c)
{
    const struct shn__mail_iocs *io = c->e->iocs;
    const struct shn__mail_msg *m = c->m;
    if (!io) {
        shn__mail_unknown(c->r, "indicators", c->e->iocs_why);
        return;
    }
    if (*m->from.domain)
        hit(c, shn__mail_set_suffix(io->hosts, m->from.domain), "sender domain", m->from.domain,
            "header From", m->from_header ? m->from_header->offset : -1,
            m->from_header ? m->from_header->line : 0);
    for (size_t i = 0; i < m->n_reply_to; i++)
        if (*m->reply_to[i].domain)
            hit(c, shn__mail_set_suffix(io->hosts, m->reply_to[i].domain), "reply-to domain",
                m->reply_to[i].domain, "header Reply-To",
                m->reply_to_header ? m->reply_to_header->offset : -1,
                m->reply_to_header ? m->reply_to_header->line : 0);
    if (c->r->origin_ip[0])
        hit(c, shn__mail_set_get(io->ips, c->r->origin_ip, strlen(c->r->origin_ip)),
            "origin address", c->r->origin_ip, "header Received",
            c->origin_header ? c->origin_header->offset : -1,
            c->origin_header ? c->origin_header->line : 0);
    for (size_t i = 0; i < c->n_links; i++) {
        const struct shn__mail_link *l = &c->links[i];
        char where[64], hp[1024], path[1024];
        size_t pl = strcspn(l->path, "?#");
        shn__mail_lower(l->path, pl, path, sizeof path);
        pl = strlen(path);
        snprintf(where, sizeof where, "part %s link", l->part);
        if (l->ip)
            hit(c, shn__mail_set_get(io->ips, l->host, strlen(l->host)), "link address", l->url,
                where, l->offset, 0);
        else
            hit(c, shn__mail_set_suffix(io->hosts, l->host), "link host", l->url, where, l->offset,
                0);
        if (pl > 1) {
            hit(c, shn__mail_set_get(io->paths, path, pl), "link path", l->url, where, l->offset,
                0);
            snprintf(hp, sizeof hp, "%.255s%.700s", l->host, path);
            hit(c, shn__mail_set_get(io->paths, hp, strlen(hp)), "link page", l->url, where,
                l->offset, 0);
        }
    }
}

void shn__mail_check_infra(struct shn__mail_ctx *c)
{
    origin(c);
    indicators(c);
}
