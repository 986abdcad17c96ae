/* The IP databases (netdb.c) through the public API of accounts.h, for
 * the engines that are not the accounts engine. */
#include <jansson.h>
#include <string.h>

#include "netdb.h"
#include "shinsa/accounts.h"
#include "shinsa/core/alloc.h"

struct shn_accounts_ipdb {
    struct shn__netdb *db; /* NULL: nothing installed */
};

int shn_accounts_ipdb_open(const char *country_mmdb, const char *asn,
                           struct shn_accounts_ipdb **out, struct shn_diag *diag)
{
    struct shn_accounts_ipdb *h = shn_calloc(1, sizeof *h);
    json_t *config = json_object(), *engines = json_object();
    int rc = SHN_OK;
    if (!h || !config || !engines ||
        (country_mmdb &&
         json_object_set_new(engines, "ip_country_mmdb", json_string(country_mmdb)) != 0) ||
        (asn && json_object_set_new(engines, "ip_asn_mmdb", json_string(asn)) != 0) ||
        json_object_set(config, "engines", engines) != 0)
        rc = SHN_ERR_NOMEM;
    if (rc == SHN_OK)
        rc = shn__netdb_open(config, &h->db, diag);
    json_decref(engines);
    json_decref(config);
    if (rc != SHN_OK) {
        shn_free(h);
        return rc;
    }
    *out = h;
    return SHN_OK;
}

void shn_accounts_ipdb_close(struct shn_accounts_ipdb *h)
{
    if (!h)
        return;
    shn__netdb_close(h->db);
    shn_free(h);
}

bool shn_accounts_ipdb_has_country(const struct shn_accounts_ipdb *h)
{
    return h && shn__netdb_has_country(h->db);
}

bool shn_accounts_ipdb_has_asn(const struct shn_accounts_ipdb *h)
{
    return h && shn__netdb_has_asn(h->db);
}

bool shn_accounts_ipdb_lookup(const struct shn_accounts_ipdb *h, const char *ip, char country[3],
                              unsigned *asn)
{
    struct shn__ip a;
    struct shn__netdb_info info;
    if (!shn__ip_parse(ip, &a))
        return false;
    shn__netdb_lookup(h ? h->db : NULL, &a, &info);
    memcpy(country, info.country, 3);
    *asn = info.asn;
    return true;
}
