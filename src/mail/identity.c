/* Identity: the From display name against the protected-identity
 * directory, lookalikes of protected domains in From and Reply-To, replies
 * sent elsewhere, free mail claiming an organisation, and the DPRK
 * advisories' central pattern as one signal: DMARC fails under p=none (so
 * the spoof is delivered) while Reply-To leads to another or a free-mail
 * domain. */
#include <string.h>

#include "data.h"
#include "mail_internal.h"

static bool alias_usable(const char *a)
{
    size_t n = strlen(a);
    bool wide = false;
    for (const char *p = a; *p; p++)
        wide |= (unsigned char)*p >= 0x80;
    return wide ? n >= 6 : n >= 4; /* two CJK characters, four Latin letters */
}

/* The protected identity the display name claims, or NULL. */
static const struct shn__mail_identity *claimed(const struct shn__mail_directory *d,
                                                const char *name)
{
    char folded[512];
    if (!d || !*name)
        return NULL;
    shn__mail_fold_name(name, folded, sizeof folded);
    for (size_t i = 0; i < d->n; i++)
        for (size_t k = 0; k < d->v[i].n_aliases; k++)
            if (alias_usable(d->v[i].aliases[k]) && strstr(folded, d->v[i].aliases[k]))
                return &d->v[i];
    return NULL;
}

static bool owns(const struct shn__mail_identity *id, const char *reg)
{
    for (size_t k = 0; k < id->n_domains; k++)
        if (strcmp(id->domains[k], reg) == 0)
            return true;
    return false;
}

static bool freemail(const struct shn_mail_engine *e, const char *domain)
{
    return *domain && shn__mail_list_host(e, SHN__L_FREEMAIL, domain) != NULL;
}

static void display_name(struct shn__mail_ctx *c, const char *reg)
{
    const struct shn__mail_addr *f = &c->m->from;
    const struct shn__mail_header *h = c->m->from_header;
    const struct shn__mail_identity *id = claimed(c->e->directory, f->name);
    char detail[400];
    if (!id || owns(id, reg))
        return;
    snprintf(detail, sizeof detail, "\"%.80s\" from %.80s; %.60s sends from %.60s", f->name,
             f->addr, id->name, id->domains[0]);
    shn__mail_fire(c->r, c->e, SHN__C_ID_DISPLAY_NAME, "header From", h ? h->offset : -1,
                   h ? h->line : 0, f->addr, detail);
    if (strcmp(id->kind, "person") != 0 && freemail(c->e, f->domain)) {
        snprintf(detail, sizeof detail, "%.60s from %.80s", id->name, f->addr);
        shn__mail_fire(c->r, c->e, SHN__C_ID_FREEMAIL_ORG, "header From", h ? h->offset : -1,
                       h ? h->line : 0, f->addr, detail);
    }
}

static void lookalike(struct shn__mail_ctx *c, const char *domain, const char *where,
                      const struct shn__mail_header *h)
{
    const struct shn__mail_identity *who;
    char reg[256], how[200], detail[320];
    if (!*domain || freemail(c->e, domain))
        return;
    shn__mail_registrable(domain, reg, sizeof reg);
    if (!shn__mail_lookalike(c->e, domain, reg, &who, how, sizeof how))
        return;
    snprintf(detail, sizeof detail, "%s: %s", domain, how);
    shn__mail_fire(c->r, c->e, SHN__C_ID_LOOKALIKE, where, h ? h->offset : -1, h ? h->line : 0,
                   domain, detail);
}

void shn__mail_check_identity(struct shn__mail_ctx *c)
{
    const struct shn__mail_msg *m = c->m;
    const struct shn__mail_header *rh = m->reply_to_header;
    char from_reg[256] = "", detail[400];
    bool elsewhere = false, free_reply = false;
    const char *other = NULL;

    if (!c->e->directory || !c->e->directory->n)
        shn__mail_unknown(c->r, "identity", "the protected-identity directory is empty");
    if (*m->from.domain)
        shn__mail_registrable(m->from.domain, from_reg, sizeof from_reg);
    display_name(c, from_reg);
    lookalike(c, m->from.domain, "header From", m->from_header);
    for (size_t i = 0; i < m->n_reply_to; i++) {
        char reg[256];
        const char *d = m->reply_to[i].domain;
        if (!*d)
            continue;
        lookalike(c, d, "header Reply-To", rh);
        shn__mail_registrable(d, reg, sizeof reg);
        if (*from_reg && strcmp(reg, from_reg) != 0) {
            elsewhere = true;
            other = m->reply_to[i].addr;
            free_reply |= freemail(c->e, d);
        }
    }
    if (elsewhere) {
        snprintf(detail, sizeof detail, "From %.100s, Reply-To %.100s%s", m->from.addr, other,
                 free_reply ? " (free mail)" : "");
        shn__mail_fire(c->r, c->e, SHN__C_ID_REPLY_TO, "header Reply-To", rh ? rh->offset : -1,
                       rh ? rh->line : 0, other, detail);
    }
    if (c->dmarc_fail && c->dmarc_none && elsewhere) {
        snprintf(detail, sizeof detail, "%.100s, replies to %.100s", from_reg, other);
        shn__mail_fire(c->r, c->e, SHN__C_ID_DMARC_NONE_REPLY, "header Reply-To",
                       rh ? rh->offset : -1, rh ? rh->line : 0, other, detail);
    }
}
