/* Trust and authentication. The Received chain is read from the top (the
 * last hop) down: the headers written by the organisation's trusted
 * relays (config "trusted_relays") are followed while the host they
 * received from is trusted too; the first untrusted address is the
 * origin. Anything below is the sender's own story and is not believed.
 * SPF, DKIM and DMARC results are read only from Authentication-Results
 * whose authserv-id is one the config trusts ("authserv_ids"): anyone can
 * write such a header, only ours is evidence. */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "data.h"
#include "mail_internal.h"

static bool host_trusted(const struct shn_mail_engine *e, const char *host)
{
    for (size_t i = 0; i < e->n_trusted_hosts; i++) {
        const char *t = e->trusted_hosts[i];
        if (t[0] == '.' ? shn__mail_host_in(host, t + 1) : strcasecmp(host, t) == 0)
            return true;
    }
    return false;
}

static bool ip_bytes(const char *s, unsigned char b[16])
{
    memset(b, 0, 16);
    if (inet_pton(AF_INET, s, b + 12) == 1) {
        b[10] = b[11] = 0xff;
        return true;
    }
    return inet_pton(AF_INET6, s, b) == 1;
}

static bool ip_trusted(const struct shn_mail_engine *e, const char *ip)
{
    unsigned char b[16];
    if (!ip_bytes(ip, b))
        return false;
    for (size_t i = 0; i < e->n_trusted_nets; i++) {
        unsigned bits = e->trusted_nets[i].bits, whole = bits / 8, rest = bits % 8;
        const unsigned char *n = e->trusted_nets[i].net;
        if (memcmp(b, n, whole) == 0 &&
            (rest == 0 || ((b[whole] ^ n[whole]) & (unsigned char)(0xFF << (8 - rest))) == 0))
            return true;
    }
    return false;
}

/* Private, loopback and link-local addresses are internal hops. */
static bool ip_internal(const char *ip)
{
    unsigned char b[16];
    if (!ip_bytes(ip, b))
        return false;
    if (b[10] == 0xff && b[11] == 0xff && b[0] == 0)
        return b[12] == 10 || b[12] == 127 || (b[12] == 172 && (b[13] & 0xF0) == 16) ||
               (b[12] == 192 && b[13] == 168) || (b[12] == 169 && b[13] == 254) ||
               (b[12] == 100 && (b[13] & 0xC0) == 64);
    return (b[0] == 0xfe && (b[1] & 0xC0) == 0x80) || (b[0] & 0xFE) == 0xfc ||
           (memcmp(b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0);
}

/* From "from helo (rdns [1.2.3.4]) by mx.example (Postfix) ...": the first
 * bracketed address before " by " and the host after it. */
static void parse_received(const char *v, char *ip, size_t ip_size, char *by, size_t by_size)
{
    char lower[2048];
    const char *b, *p;
    ip[0] = by[0] = '\0';
    shn__mail_lower(v, strlen(v), lower, sizeof lower);
    for (char *w = lower; *w; w++) /* folded: any blank before "by" */
        if (*w == '\t' || *w == '\r' || *w == '\n')
            *w = ' ';
    if (strncmp(lower, "by ", 3) == 0)
        b = lower;
    else if ((b = strstr(lower, " by ")))
        b++;
    if (b) {
        const char *h = b + 3;
        while (*h == ' ')
            h++;
        shn__mail_copy(by, by_size, h, strcspn(h, " \t\r\n;()"));
    }
    for (p = lower; (p = strchr(p, '[')) && (!b || p < b); p++) {
        size_t n = strcspn(p + 1, "]");
        char cand[64];
        unsigned char bytes[16];
        if (n == 0 || n >= sizeof cand)
            continue;
        memcpy(cand, p + 1, n);
        cand[n] = '\0';
        if (strncmp(cand, "ipv6:", 5) == 0)
            memmove(cand, cand + 5, n - 4);
        if (ip_bytes(cand, bytes)) {
            snprintf(ip, ip_size, "%s", cand);
            return;
        }
    }
}

static void received_chain(struct shn__mail_ctx *c)
{
    const struct shn_mail_engine *e = c->e;
    bool chain = false;
    if (!e->n_trusted_hosts) {
        shn__mail_unknown(c->r, "origin", "no trusted relay configured (trusted_relays)");
        return;
    }
    for (size_t i = 0; i < c->m->n_headers; i++) {
        const struct shn__mail_header *h = &c->m->headers[i];
        char ip[64], by[256];
        if (strcasecmp(h->name, "Received") != 0)
            continue;
        parse_received(h->value, ip, sizeof ip, by, sizeof by);
        if (!host_trusted(e, by)) {
            if (chain)
                break; /* below our relays: the sender's word */
            continue;
        }
        chain = true;
        if (!ip[0] || ip_trusted(e, ip) || ip_internal(ip))
            continue;
        shn__mail_copy(c->r->origin_ip, sizeof c->r->origin_ip, ip, strlen(ip));
        c->origin_header = h;
        return;
    }
    shn__mail_unknown(c->r, "origin",
                      chain ? "the trusted relays name no outside address"
                            : "no Received header written by a trusted relay");
}

/* "spf=fail (reason) smtp.mailfrom=x": the result word after "method=". */
static bool method_result(const char *clause, const char *method, char *out, size_t size)
{
    size_t n = strlen(method);
    while (*clause == ' ' || *clause == '\t')
        clause++;
    if (strncmp(clause, method, n) != 0 || clause[n] != '=')
        return false;
    shn__mail_copy(out, size, clause + n + 1, strcspn(clause + n + 1, " \t();"));
    return true;
}

static void one_result(struct shn__mail_ctx *c, const struct shn__mail_header *h,
                       const char *clause)
{
    char res[32], where[64], detail[256];
    snprintf(where, sizeof where, "header %s", h->name);
    shn__mail_copy(detail, sizeof detail, clause + strspn(clause, " \t"),
                   strlen(clause + strspn(clause, " \t")));
    if (method_result(clause, "spf", res, sizeof res) &&
        (strcmp(res, "fail") == 0 || strcmp(res, "softfail") == 0))
        shn__mail_fire(c->r, c->e, SHN__C_AUTH_SPF_FAIL, where, h->offset, h->line, detail, detail);
    if (method_result(clause, "dkim", res, sizeof res) && strcmp(res, "fail") == 0)
        shn__mail_fire(c->r, c->e, SHN__C_AUTH_DKIM_FAIL, where, h->offset, h->line, detail,
                       detail);
    if (method_result(clause, "dmarc", res, sizeof res) && strcmp(res, "fail") == 0) {
        c->dmarc_fail = true;
        c->dmarc_none = strstr(clause, "p=none") || strstr(clause, "policy=none") ||
                        strstr(clause, "policy.published-domain-policy=none");
        shn__mail_fire(c->r, c->e, SHN__C_AUTH_DMARC_FAIL, where, h->offset, h->line, detail,
                       detail);
    }
}

static void auth_results(struct shn__mail_ctx *c)
{
    const struct shn_mail_engine *e = c->e;
    if (!e->n_authserv_ids) {
        shn__mail_unknown(c->r, "authentication",
                          "no trusted authserv-id configured (authserv_ids)");
        return;
    }
    for (size_t i = 0; i < c->m->n_headers; i++) {
        const struct shn__mail_header *h = &c->m->headers[i];
        char lower[4096], id[256];
        const char *semi;
        bool ours = false;
        if (strcasecmp(h->name, "Authentication-Results") != 0)
            continue;
        shn__mail_lower(h->value, strlen(h->value), lower, sizeof lower);
        semi = strchr(lower, ';');
        {
            const char *s = lower + strspn(lower, " \t");
            shn__mail_copy(id, sizeof id, s, strcspn(s, " \t;"));
        }
        for (size_t k = 0; k < e->n_authserv_ids && !ours; k++)
            ours = strcmp(id, e->authserv_ids[k]) == 0;
        if (!ours || !semi)
            continue;
        c->auth_trusted = true;
        for (char *p = (char *)semi + 1; p && *p;) {
            char *next = strchr(p, ';');
            if (next)
                *next++ = '\0';
            one_result(c, h, p);
            p = next;
        }
    }
    if (!c->auth_trusted)
        shn__mail_unknown(c->r, "authentication",
                          "no Authentication-Results written by a trusted server");
}

void shn__mail_check_auth(struct shn__mail_ctx *c)
{
    received_chain(c);
    auth_results(c);
}
