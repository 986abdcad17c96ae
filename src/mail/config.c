/* The engine's config file (docs/mail.md, "Config"): a JSON object whose
 * every key is checked, so that a misspelt setting is an error naming the
 * key rather than a silent default. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "mail_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"

#define CONFIG_MAX_BYTES (1u << 20)

void shn__mail_config_defaults(struct shn_mail_engine *e)
{
    for (int i = 0; i < SHN__C_COUNT; i++)
        e->weights[i] = shn__mail_checks[i].weight;
    e->prior = -3.0;
    e->suspicious = 0.5;
    e->phishing = 0.9;
    e->country_weight[0].cc[0] = 'K';
    e->country_weight[0].cc[1] = 'P';
    e->country_weight[0].weight = 4.0;
    e->country_weight[1].cc[0] = 'C';
    e->country_weight[1].cc[1] = 'N';
    e->country_weight[1].weight = 1.0;
    e->n_country_weights = 2;
}

/* "host", ".suffix" or an address range "a.b.c.d/n", "2001:db8::/32". */
static int add_relay(struct shn_mail_engine *e, const char *s, struct shn_diag *diag)
{
    char text[128], *slash;
    unsigned char b[16];
    snprintf(text, sizeof text, "%s", s);
    slash = strchr(text, '/');
    if (slash || inet_pton(AF_INET, text, b) == 1 || inet_pton(AF_INET6, text, b) == 1) {
        char *end = NULL;
        unsigned long bits = 0;
        bool v4;
        if (slash)
            *slash = '\0';
        v4 = inet_pton(AF_INET, text, b + 12) == 1;
        if (v4) {
            memset(b, 0, 10);
            b[10] = b[11] = 0xff;
        } else if (inet_pton(AF_INET6, text, b) != 1) {
            return shn_diag_set(diag, SHN_ERR_PARSE, NULL, 0, "trusted_relays",
                                "not an address range: '%.60s'", s);
        }
        errno = 0;
        bits = slash ? strtoul(slash + 1, &end, 10) : (v4 ? 32 : 128);
        if ((slash && (*end || end == slash + 1 || errno)) || bits > (v4 ? 32u : 128u))
            return shn_diag_set(diag, SHN_ERR_PARSE, NULL, 0, "trusted_relays",
                                "not an address range: '%.60s'", s);
        if (e->n_trusted_nets >= SHN__MAIL_TRUSTED_MAX)
            return shn_diag_set(diag, SHN_ERR_TOO_LARGE, NULL, 0, "trusted_relays",
                                "more than %d ranges", SHN__MAIL_TRUSTED_MAX);
        memcpy(e->trusted_nets[e->n_trusted_nets].net, b, 16);
        e->trusted_nets[e->n_trusted_nets++].bits = (unsigned)bits + (v4 ? 96u : 0u);
        return SHN_OK;
    }
    if (!*s || strlen(s) >= sizeof e->trusted_hosts[0])
        return shn_diag_set(diag, SHN_ERR_PARSE, NULL, 0, "trusted_relays", "bad host '%.60s'", s);
    if (e->n_trusted_hosts >= SHN__MAIL_TRUSTED_MAX)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, NULL, 0, "trusted_relays",
                            "more than %d hosts", SHN__MAIL_TRUSTED_MAX);
    shn__mail_lower(s, strlen(s), e->trusted_hosts[e->n_trusted_hosts++],
                    sizeof e->trusted_hosts[0]);
    return SHN_OK;
}

static int strings(json_t *v, const char *key,
                   int (*fn)(struct shn_mail_engine *, const char *, struct shn_diag *),
                   struct shn_mail_engine *e, struct shn_diag *diag)
{
    size_t i;
    json_t *x;
    int rc = SHN_OK;
    if (!json_is_array(v))
        return shn_diag_set(diag, SHN_ERR_PARSE, NULL, 0, key, "must be an array of strings");
    json_array_foreach(v, i, x)
    {
        if (!json_is_string(x))
            return shn_diag_set(diag, SHN_ERR_PARSE, NULL, 0, key, "must be an array of strings");
        if ((rc = fn(e, json_string_value(x), diag)) != SHN_OK)
            return rc;
    }
    return rc;
}

static int add_authserv(struct shn_mail_engine *e, const char *s, struct shn_diag *diag)
{
    if (!*s || strlen(s) >= sizeof e->authserv_ids[0])
        return shn_diag_set(diag, SHN_ERR_PARSE, NULL, 0, "authserv_ids", "bad id '%.60s'", s);
    if (e->n_authserv_ids >= SHN__MAIL_TRUSTED_MAX)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, NULL, 0, "authserv_ids", "more than %d ids",
                            SHN__MAIL_TRUSTED_MAX);
    shn__mail_lower(s, strlen(s), e->authserv_ids[e->n_authserv_ids++], sizeof e->authserv_ids[0]);
    return SHN_OK;
}

static int number(json_t *v, const char *key, double lo, double hi, double *out,
                  struct shn_diag *diag)
{
    double d;
    if (!json_is_number(v))
        return shn_diag_set(diag, SHN_ERR_PARSE, NULL, 0, key, "must be a number");
    d = json_number_value(v);
    if (!(d >= lo && d <= hi))
        return shn_diag_set(diag, SHN_ERR_PARSE, NULL, 0, key, "%g is out of range [%g, %g]", d, lo,
                            hi);
    *out = d;
    return SHN_OK;
}

static int weights(struct shn_mail_engine *e, json_t *v, struct shn_diag *diag)
{
    const char *k;
    json_t *x;
    if (!json_is_object(v))
        return shn_diag_set(diag, SHN_ERR_PARSE, NULL, 0, "weights", "must be an object");
    json_object_foreach(v, k, x)
    {
        int found = -1, rc;
        for (int i = 0; i < SHN__C_COUNT && found < 0; i++)
            if (strcmp(shn__mail_checks[i].id, k) == 0)
                found = i;
        if (found < 0)
            return shn_diag_set(diag, SHN_ERR_PARSE, NULL, 0, "weights", "unknown check '%.40s'",
                                k);
        if ((rc = number(x, "weights", 0, 20, &e->weights[found], diag)) != SHN_OK)
            return rc;
    }
    return SHN_OK;
}

static int countries(struct shn_mail_engine *e, json_t *v, struct shn_diag *diag)
{
    const char *k;
    json_t *x;
    if (!json_is_object(v))
        return shn_diag_set(diag, SHN_ERR_PARSE, NULL, 0, "origin_countries", "must be an object");
    e->n_country_weights = 0;
    json_object_foreach(v, k, x)
    {
        int rc;
        if (strlen(k) != 2 || e->n_country_weights >= SHN__MAIL_COUNTRIES_MAX)
            return shn_diag_set(diag, SHN_ERR_PARSE, NULL, 0, "origin_countries",
                                "'%.10s' is not a country code (or too many)", k);
        e->country_weight[e->n_country_weights].cc[0] = (char)(k[0] & ~0x20);
        e->country_weight[e->n_country_weights].cc[1] = (char)(k[1] & ~0x20);
        rc = number(x, "origin_countries", 0, 20, &e->country_weight[e->n_country_weights].weight,
                    diag);
        if (rc != SHN_OK)
            return rc;
        e->n_country_weights++;
    }
    return SHN_OK;
}

static int path(json_t *v, const char *key, char *out, size_t size, struct shn_diag *diag)
{
    if (!json_is_string(v) || strlen(json_string_value(v)) >= size)
        return shn_diag_set(diag, SHN_ERR_PARSE, NULL, 0, key, "must be a path string");
    snprintf(out, size, "%s", json_string_value(v));
    return SHN_OK;
}

static int apply(struct shn_mail_engine *e, json_t *root, struct shn__mail_paths *p,
                 struct shn_diag *diag)
{
    const char *k;
    json_t *v;
    int rc = SHN_OK;
    if (!json_is_object(root))
        return shn_diag_set(diag, SHN_ERR_PARSE, NULL, 0, "", "the config must be a JSON object");
    json_object_foreach(root, k, v)
    {
        if (strcmp(k, "trusted_relays") == 0)
            rc = strings(v, k, add_relay, e, diag);
        else if (strcmp(k, "authserv_ids") == 0)
            rc = strings(v, k, add_authserv, e, diag);
        else if (strcmp(k, "weights") == 0)
            rc = weights(e, v, diag);
        else if (strcmp(k, "origin_countries") == 0)
            rc = countries(e, v, diag);
        else if (strcmp(k, "prior_log_odds") == 0)
            rc = number(v, k, -20, 0, &e->prior, diag);
        else if (strcmp(k, "suspicious") == 0)
            rc = number(v, k, 0.01, 0.99, &e->suspicious, diag);
        else if (strcmp(k, "phishing") == 0)
            rc = number(v, k, 0.01, 0.999, &e->phishing, diag);
        else if (strcmp(k, "data_dir") == 0)
            rc = path(v, k, p->data_dir, sizeof p->data_dir, diag);
        else if (strcmp(k, "directory") == 0)
            rc = path(v, k, p->directory, sizeof p->directory, diag);
        else if (strcmp(k, "indicators") == 0)
            rc = path(v, k, p->indicators, sizeof p->indicators, diag);
        else if (strcmp(k, "ip_country_mmdb") == 0)
            rc = path(v, k, p->ip_country, sizeof p->ip_country, diag);
        else if (strcmp(k, "ip_asn") == 0)
            rc = path(v, k, p->ip_asn, sizeof p->ip_asn, diag);
        else
            rc = shn_diag_set(diag, SHN_ERR_PARSE, NULL, 0, k, "unknown setting");
        if (rc != SHN_OK)
            return rc;
    }
    if (e->phishing < e->suspicious)
        return shn_diag_set(diag, SHN_ERR_PARSE, NULL, 0, "phishing",
                            "must not be below 'suspicious'");
    return SHN_OK;
}

int shn__mail_config_load(struct shn_mail_engine *e, const char *file, struct shn__mail_paths *p,
                          struct shn_diag *diag)
{
    char *text = NULL;
    size_t len = 0;
    json_error_t jerr;
    json_t *root;
    int rc = shn_file_read(file, CONFIG_MAX_BYTES, &text, &len, diag);
    if (rc != SHN_OK)
        return rc;
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    shn_free(text);
    if (!root)
        return shn_diag_set(diag, SHN_ERR_PARSE, file, jerr.line, "", "%s", jerr.text);
    rc = apply(e, root, p, diag);
    json_decref(root);
    if (rc != SHN_OK && diag && !diag->file)
        diag->file = file;
    return rc;
}
