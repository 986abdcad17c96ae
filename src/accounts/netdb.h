/* IP addresses, address ranges, data files and the IP databases of the
 * accounts engine's network signals (risky_network, session_anomaly).
 * Private to the accounts engine.
 *
 * The databases: the country of an address from an MMDB file read with
 * libmaxminddb (@ip-location-db/geo-whois-asn-country-mmdb, CC0), and its
 * AS number from either an MMDB file with autonomous_system_number or the
 * CSV ranges of @ip-location-db/asn ("first,last,asn,name"; CC-BY-4.0).
 * The installed databases live under SHN_NETDB_DIR (compiled in:
 * /usr/local/share/shinsa/npm/node_modules/@ip-location-db, where
 * scripts/install-deps.sh puts them) or $SHINSA_IPDB_DIR; the config's
 * engines.ip_country_mmdb / engines.ip_asn_mmdb name other files.
 * Once opened, a struct shn__netdb is read-only: lookups may run from
 * several threads at once. */
#ifndef SHN_ACCOUNTS_NETDB_H
#define SHN_ACCOUNTS_NETDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signals.h"

/* An address as 16 bytes; IPv4 as the IPv4-mapped ::ffff:a.b.c.d. */
struct shn__ip {
    uint8_t b[16];
};

/* Parses dotted IPv4 or IPv6 text (surrounding blanks not allowed). */
bool shn__ip_parse(const char *s, struct shn__ip *out);
bool shn__ip_is_v4(const struct shn__ip *ip);
/* False for private, loopback, link-local, shared (CGNAT), documentation,
 * multicast and reserved addresses: the databases place those nowhere
 * useful (the whois data even gives 192.168.0.0/16 a country). */
bool shn__ip_is_public(const struct shn__ip *ip);

/* A list of CIDR ranges read from a data file (one a line). */
struct shn__cidr {
    struct shn__ip net;
    unsigned bits; /* prefix length over 128 bits (IPv4 /n is 96 + n) */
    char text[44]; /* as written in the file */
};

struct shn__cidrs {
    struct shn__cidr *v;
    size_t n;
};

/* Reads `path` into *out (caller-owned, zeroed; shn__cidrs_cleanup frees
 * it). Errors name the file and line. */
int shn__cidrs_load(const char *path, struct shn__cidrs *out, struct shn_diag *diag);
void shn__cidrs_cleanup(struct shn__cidrs *c);
/* The first range holding ip, or NULL. */
const struct shn__cidr *shn__cidrs_find(const struct shn__cidrs *c, const struct shn__ip *ip);

/* What the databases say about one address; "" and 0 when unknown. */
struct shn__netdb_info {
    char country[3]; /* ISO 3166-1 alpha-2, upper case */
    uint32_t asn;
};

/* Fills *out for ip (db may be NULL: everything unknown). Thread-safe. */
void shn__netdb_lookup(const struct shn__netdb *db, const struct shn__ip *ip,
                       struct shn__netdb_info *out);
bool shn__netdb_has_country(const struct shn__netdb *db);
bool shn__netdb_has_asn(const struct shn__netdb *db);

/* Data files (data/accounts/): their paths come from the signals' PATH
 * parameters (shn__param_path, signals.h). */
/* Calls fn for every line of a data file with the '#' comment and
 * surrounding blanks removed, skipping empty lines; the line is writable
 * and lives until fn returns. Stops at fn's first non-OK result. Files are
 * capped at max_bytes. */
int shn__data_lines(const char *path, size_t max_bytes,
                    int (*fn)(void *ctx, char *line, long lineno, struct shn_diag *diag), void *ctx,
                    struct shn_diag *diag);

#endif
