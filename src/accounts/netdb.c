/* IP addresses, CIDR lists, data files and the IP databases (netdb.h).
 *
 * The country database is an MMDB file read with libmaxminddb, mapped
 * read-only. The AS database is either an MMDB file (a GeoLite2-ASN-style
 * autonomous_system_number) or, by default, the CSV ranges of
 * @ip-location-db/asn — the npm registry publishes no ASN MMDB of
 * ip-location-db — loaded into two sorted arrays (IPv4, IPv6) and searched
 * by bisection. ~410k IPv4 and ~100k IPv6 ranges take ~9 MB and well under
 * a second to load, once per scoring run. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <maxminddb.h>

#include "netdb.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"

#ifndef SHN_NETDB_DIR
#define SHN_NETDB_DIR "/usr/local/share/shinsa/npm/node_modules/@ip-location-db"
#endif
#ifndef SHN_ACCOUNTS_DATA_DIR
#define SHN_ACCOUNTS_DATA_DIR "data/accounts"
#endif

#define DEFAULT_COUNTRY "/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb"
#define DEFAULT_ASN_V4 "/asn/asn-ipv4.csv"
#define DEFAULT_ASN_V6 "/asn/asn-ipv6.csv"
#define PATH_MAX_LEN 1024
#define ASN_CSV_MAX_BYTES (256u << 20)
#define ASN_ROWS_MAX (8u << 20)
#define CIDRS_MAX 100000

struct range4 {
    uint32_t first, last, asn;
};

struct range6 {
    uint8_t first[16], last[16];
    uint32_t asn;
};

struct shn__netdb {
    bool has_country, has_asn_mmdb;
    MMDB_s country, asn_mmdb;
    struct range4 *v4;
    size_t n_v4;
    struct range6 *v6;
    size_t n_v6;
};

/* ---- addresses ---------------------------------------------------------- */

static const uint8_t v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool shn__ip_parse(const char *s, struct shn__ip *out)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (!s)
        return false;
    if (inet_pton(AF_INET, s, &a4) == 1) {
        memcpy(out->b, v4_prefix, 12);
        memcpy(out->b + 12, &a4, 4);
        return true;
    }
    if (inet_pton(AF_INET6, s, &a6) == 1) {
        memcpy(out->b, &a6, 16);
        return true;
    }
    return false;
}

bool shn__ip_is_v4(const struct shn__ip *ip)
{
    return memcmp(ip->b, v4_prefix, 12) == 0;
}

static uint32_t v4_of(const struct shn__ip *ip)
{
    return (uint32_t)ip->b[12] << 24 | (uint32_t)ip->b[13] << 16 | (uint32_t)ip->b[14] << 8 |
           ip->b[15];
}

static bool in4(uint32_t a, uint32_t net, unsigned bits)
{
    uint32_t mask = bits ? ~(uint32_t)0 << (32 - bits) : 0;
    return (a & mask) == net;
}

bool shn__ip_is_public(const struct shn__ip *ip)
{
    if (shn__ip_is_v4(ip)) {
        static const struct {
            uint32_t net;
            unsigned bits;
        } special[] = {
            {0x00000000, 8},  {0x0A000000, 8},  {0x64400000, 10}, {0x7F000000, 8},
            {0xA9FE0000, 16}, {0xAC100000, 12}, {0xC0000000, 24}, {0xC0000200, 24},
            {0xC0A80000, 16}, {0xC6120000, 15}, {0xC6336400, 24}, {0xCB007100, 24},
            {0xE0000000, 4},  {0xF0000000, 4},
        };
        uint32_t a = v4_of(ip);
        for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
            if (in4(a, special[i].net, special[i].bits))
                return false;
        return true;
    }
    /* IPv6: only global unicast 2000::/3, less documentation 2001:db8::/32. */
    if ((ip->b[0] & 0xE0) != 0x20)
        return false;
    return !(ip->b[0] == 0x20 && ip->b[1] == 0x01 && ip->b[2] == 0x0d && ip->b[3] == 0xb8);
}

static bool in_prefix(const struct shn__ip *ip, const struct shn__ip *net, unsigned bits)
{
    size_t whole = bits / 8;
    unsigned rest = bits % 8;
    if (memcmp(ip->b, net->b, whole) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xFF << (8 - rest));
    return (ip->b[whole] & mask) == (net->b[whole] & mask);
}

/* ---- data files ---------------------------------------------------------- */

static char *trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t' || *s == '\r')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

int shn__data_lines(const char *path, size_t max_bytes,
                    int (*fn)(void *ctx, char *line, long lineno, struct shn_diag *diag), void *ctx,
                    struct shn_diag *diag)
{
    char *data = NULL, *p;
    size_t len = 0;
    long lineno = 0;
    int rc = shn_file_read(path, max_bytes, &data, &len, diag);
    if (rc != SHN_OK)
        return rc;
    for (p = data; rc == SHN_OK && p < data + len;) {
        char *nl = memchr(p, '\n', (size_t)(data + len - p)), *hash, *line;
        if (nl)
            *nl = '\0';
        lineno++;
        if ((hash = strchr(p, '#')))
            *hash = '\0';
        line = trim(p);
        if (*line)
            rc = fn(ctx, line, lineno, diag);
        p = nl ? nl + 1 : data + len;
    }
    shn_free(data);
    return rc;
}

/* ---- CIDR lists ------------------------------------------------------------ */

struct cidr_load {
    struct shn__cidrs *c;
    size_t cap;
};

static int cidr_line(void *ctx, char *line, long lineno, struct shn_diag *diag)
{
    struct cidr_load *ld = ctx;
    struct shn__cidrs *c = ld->c;
    struct shn__cidr *r;
    char *slash = strchr(line, '/'), *end;
    unsigned long bits;
    if (c->n >= ld->cap) {
        size_t ncap = ld->cap ? ld->cap * 2 : 16;
        struct shn__cidr *v;
        if (c->n >= CIDRS_MAX)
            return shn_diag_set(diag, SHN_ERR_TOO_LARGE, NULL, lineno, "", "more than %u ranges",
                                (unsigned)CIDRS_MAX);
        if (!(v = shn_realloc(c->v, ncap * sizeof *v))) /* ncap <= 2 * CIDRS_MAX */
            return SHN_ERR_NOMEM;
        c->v = v;
        ld->cap = ncap;
    }
    if (!slash || strlen(line) >= sizeof r->text)
        return shn_diag_set(diag, SHN_ERR_PARSE, NULL, lineno, "", "not a CIDR range: '%.60s'",
                            line);
    r = &c->v[c->n];
    snprintf(r->text, sizeof r->text, "%s", line);
    *slash = '\0';
    errno = 0;
    bits = strtoul(slash + 1, &end, 10);
    if (!shn__ip_parse(line, &r->net) || *end || errno || end == slash + 1 ||
        bits > (shn__ip_is_v4(&r->net) ? 32u : 128u))
        return shn_diag_set(diag, SHN_ERR_PARSE, NULL, lineno, "", "not a CIDR range: '%.60s'",
                            r->text);
    r->bits = (unsigned)bits + (shn__ip_is_v4(&r->net) ? 96u : 0u);
    c->n++;
    return SHN_OK;
}

int shn__cidrs_load(const char *path, struct shn__cidrs *out, struct shn_diag *diag)
{
    struct shn__cidrs c = {0};
    struct cidr_load ld = {&c, 0};
    int rc = shn__data_lines(path, 16u << 20, cidr_line, &ld, diag);
    if (rc != SHN_OK) {
        if (diag && rc == SHN_ERR_PARSE) {
            char msg[sizeof diag->message];
            snprintf(msg, sizeof msg, "%s", diag->message);
            shn_diag_set(diag, rc, NULL, diag->line, "", "%s: %s", path, msg);
        }
        shn_free(c.v);
        return rc;
    }
    *out = c;
    return SHN_OK;
}

void shn__cidrs_cleanup(struct shn__cidrs *c)
{
    if (!c)
        return;
    shn_free(c->v);
    memset(c, 0, sizeof *c);
}

const struct shn__cidr *shn__cidrs_find(const struct shn__cidrs *c, const struct shn__ip *ip)
{
    for (size_t i = 0; c && i < c->n; i++)
        if (in_prefix(ip, &c->v[i].net, c->v[i].bits))
            return &c->v[i];
    return NULL;
}

/* ---- the AS ranges (CSV) ------------------------------------------------- */

/* The first three fields of "first,last,asn,name...": copies the two
 * addresses (bounded) and parses the AS number. */
static bool asn_row(char *line, struct shn__ip *first, struct shn__ip *last, uint32_t *asn)
{
    char *c1 = strchr(line, ','), *c2, *end;
    unsigned long v;
    if (!c1 || !(c2 = strchr(c1 + 1, ',')))
        return false;
    *c1 = *c2 = '\0';
    errno = 0;
    v = strtoul(c2 + 1, &end, 10);
    if (errno || end == c2 + 1 || (*end && *end != ',') || v > UINT32_MAX)
        return false;
    *asn = (uint32_t)v;
    return shn__ip_parse(line, first) && shn__ip_parse(c1 + 1, last);
}

static int cmp4(const void *x, const void *y)
{
    const struct range4 *a = x, *b = y;
    return (a->first > b->first) - (a->first < b->first);
}

static int cmp6(const void *x, const void *y)
{
    return memcmp(((const struct range6 *)x)->first, ((const struct range6 *)y)->first, 16);
}

/* Room for row n, within the bound on a file's rows. */
static int grow(void **v, size_t *cap, size_t n, size_t size)
{
    return n >= ASN_ROWS_MAX ? SHN_ERR_TOO_LARGE : shn_grow(v, cap, n + 1, size);
}

static int load_asn_csv(struct shn__netdb *db, const char *path, struct shn_diag *diag)
{
    char *data = NULL, *p;
    size_t len = 0, cap4 = 0, cap6 = 0;
    long lineno = 0;
    int rc = shn_file_read(path, ASN_CSV_MAX_BYTES, &data, &len, diag);
    if (rc != SHN_OK)
        return rc;
    {
        void *v4 = db->v4, *v6 = db->v6;
        cap4 = db->n_v4;
        cap6 = db->n_v6;
        for (p = data; rc == SHN_OK && p < data + len;) {
            char *nl = memchr(p, '\n', (size_t)(data + len - p));
            struct shn__ip first, last;
            uint32_t asn;
            if (nl)
                *nl = '\0';
            lineno++;
            if (*p && *p != '#' && !asn_row(p, &first, &last, &asn)) {
                if (lineno > 1) /* a header line is allowed */
                    rc = shn_diag_set(diag, SHN_ERR_PARSE, NULL, lineno, "",
                                      "%s: not 'first,last,asn,name'", path);
            } else if (*p && *p != '#') {
                if (shn__ip_is_v4(&first) && shn__ip_is_v4(&last)) {
                    if ((rc = grow(&v4, &cap4, db->n_v4, sizeof *db->v4)) == SHN_OK) {
                        struct range4 *r = (struct range4 *)v4 + db->n_v4++;
                        r->first = v4_of(&first);
                        r->last = v4_of(&last);
                        r->asn = asn;
                    }
                } else if ((rc = grow(&v6, &cap6, db->n_v6, sizeof *db->v6)) == SHN_OK) {
                    struct range6 *r = (struct range6 *)v6 + db->n_v6++;
                    memcpy(r->first, first.b, 16);
                    memcpy(r->last, last.b, 16);
                    r->asn = asn;
                }
            }
            p = nl ? nl + 1 : data + len;
        }
        db->v4 = v4;
        db->v6 = v6;
    }
    shn_free(data);
    if (rc == SHN_ERR_TOO_LARGE)
        rc = shn_diag_set(diag, rc, NULL, lineno, "", "%s: more than %u ranges", path,
                          (unsigned)ASN_ROWS_MAX);
    return rc;
}

/* Sorts the ranges by their first address (the CSV is sorted already;
 * qsort of sorted input is cheap) and checks that they do not overlap
 * enough to matter: bisection finds the last range starting at or before
 * an address, which is right for disjoint ranges. */
static void sort_ranges(struct shn__netdb *db)
{
    if (db->n_v4 > 1)
        qsort(db->v4, db->n_v4, sizeof *db->v4, cmp4);
    if (db->n_v6 > 1)
        qsort(db->v6, db->n_v6, sizeof *db->v6, cmp6);
}

static uint32_t asn_of_csv(const struct shn__netdb *db, const struct shn__ip *ip)
{
    size_t lo = 0, hi;
    if (shn__ip_is_v4(ip)) {
        uint32_t a = v4_of(ip);
        hi = db->n_v4;
        while (lo < hi) { /* first range starting after a */
            size_t mid = lo + (hi - lo) / 2;
            if (db->v4[mid].first <= a)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo > 0 && a <= db->v4[lo - 1].last ? db->v4[lo - 1].asn : 0;
    }
    hi = db->n_v6;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (memcmp(db->v6[mid].first, ip->b, 16) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && memcmp(ip->b, db->v6[lo - 1].last, 16) <= 0 ? db->v6[lo - 1].asn : 0;
}

/* ---- the databases -------------------------------------------------------- */

static bool mmdb_lookup(const MMDB_s *m, const struct shn__ip *ip, MMDB_lookup_result_s *r)
{
    struct sockaddr_in s4;
    struct sockaddr_in6 s6;
    int err = 0;
    if (shn__ip_is_v4(ip)) {
        memset(&s4, 0, sizeof s4);
        s4.sin_family = AF_INET;
        memcpy(&s4.sin_addr, ip->b + 12, 4);
        *r = MMDB_lookup_sockaddr(m, (const struct sockaddr *)&s4, &err);
    } else {
        memset(&s6, 0, sizeof s6);
        s6.sin6_family = AF_INET6;
        memcpy(&s6.sin6_addr, ip->b, 16);
        *r = MMDB_lookup_sockaddr(m, (const struct sockaddr *)&s6, &err);
    }
    return err == MMDB_SUCCESS && r->found_entry;
}

void shn__netdb_lookup(const struct shn__netdb *db, const struct shn__ip *ip,
                       struct shn__netdb_info *out)
{
    MMDB_lookup_result_s r;
    MMDB_entry_data_s d;
    memset(out, 0, sizeof *out);
    if (!db || !shn__ip_is_public(ip))
        return;
    if (db->has_country && mmdb_lookup(&db->country, ip, &r)) {
        /* ip-location-db: {"country_code": "JP"}; MaxMind: country.iso_code */
        MMDB_entry_s e = r.entry;
        if ((MMDB_get_value(&e, &d, "country_code", NULL) == MMDB_SUCCESS ||
             MMDB_get_value(&e, &d, "country", "iso_code", NULL) == MMDB_SUCCESS) &&
            d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING && d.data_size == 2) {
            out->country[0] = (char)(d.utf8_string[0] & ~0x20);
            out->country[1] = (char)(d.utf8_string[1] & ~0x20);
            out->country[2] = '\0';
        }
    }
    if (db->has_asn_mmdb) {
        if (mmdb_lookup(&db->asn_mmdb, ip, &r)) {
            MMDB_entry_s e = r.entry;
            if (MMDB_get_value(&e, &d, "autonomous_system_number", NULL) == MMDB_SUCCESS &&
                d.has_data && d.type == MMDB_DATA_TYPE_UINT32)
                out->asn = d.uint32;
        }
    } else {
        out->asn = asn_of_csv(db, ip);
    }
}

bool shn__netdb_has_country(const struct shn__netdb *db)
{
    return db && db->has_country;
}

bool shn__netdb_has_asn(const struct shn__netdb *db)
{
    return db && (db->has_asn_mmdb || db->n_v4 || db->n_v6);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool readable(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

static int open_mmdb(const char *path, MMDB_s *m, struct shn_diag *diag)
{
    int st = MMDB_open(path, MMDB_MODE_MMAP, m);
    if (st != MMDB_SUCCESS)
        return shn_diag_set(diag, st == MMDB_FILE_OPEN_ERROR ? SHN_ERR_IO : SHN_ERR_FORMAT, NULL, 0,
                            "", "%s: %s", path, MMDB_strerror(st));
    return SHN_OK;
}

static const char *engine(json_t *config, const char *key)
{
    const char *s = json_string_value(json_object_get(json_object_get(config, "engines"), key));
    return s && *s ? s : NULL;
}

/* The installed database `file` under $SHINSA_IPDB_DIR or SHN_NETDB_DIR. */
static const char *installed(const char *file, char *buf, size_t size)
{
    const char *dir = getenv("SHINSA_IPDB_DIR");
    snprintf(buf, size, "%s%s", dir && *dir ? dir : SHN_NETDB_DIR, file);
    return buf;
}

/* A path the config names must exist (a typo is an error); the installed
 * defaults may be absent (the signals then say geolocation is off). */
int shn__netdb_open(json_t *config, struct shn__netdb **out, struct shn_diag *diag)
{
    const char *country = engine(config, "ip_country_mmdb"), *asn = engine(config, "ip_asn_mmdb");
    char def_country[PATH_MAX_LEN], def_v4[PATH_MAX_LEN], def_v6[PATH_MAX_LEN];
    struct shn__netdb *db;
    int rc = SHN_OK;

    installed(DEFAULT_COUNTRY, def_country, sizeof def_country);
    installed(DEFAULT_ASN_V4, def_v4, sizeof def_v4);
    installed(DEFAULT_ASN_V6, def_v6, sizeof def_v6);

    if (country && !readable(country))
        return shn_diag_set(diag, SHN_ERR_IO, NULL, 0, "engines.ip_country_mmdb",
                            "%s: cannot be read", country);
    if (asn && !readable(asn))
        return shn_diag_set(diag, SHN_ERR_IO, NULL, 0, "engines.ip_asn_mmdb", "%s: cannot be read",
                            asn);
    if (!country && readable(def_country))
        country = def_country;
    if (!country && !asn && !readable(def_v4)) {
        *out = NULL;
        return SHN_OK;
    }
    if (!(db = shn_calloc(1, sizeof *db)))
        return SHN_ERR_NOMEM;
    if (country && (rc = open_mmdb(country, &db->country, diag)) == SHN_OK)
        db->has_country = true;
    if (rc == SHN_OK && asn && ends_with(asn, ".mmdb")) {
        if ((rc = open_mmdb(asn, &db->asn_mmdb, diag)) == SHN_OK)
            db->has_asn_mmdb = true;
    } else if (rc == SHN_OK && asn) {
        rc = load_asn_csv(db, asn, diag);
    } else if (rc == SHN_OK && readable(def_v4)) {
        rc = load_asn_csv(db, def_v4, diag);
        if (rc == SHN_OK && readable(def_v6))
            rc = load_asn_csv(db, def_v6, diag);
    }
    if (rc != SHN_OK) {
        shn__netdb_close(db);
        return rc;
    }
    sort_ranges(db);
    *out = db;
    return SHN_OK;
}

void shn__netdb_close(struct shn__netdb *db)
{
    if (!db)
        return;
    if (db->has_country)
        MMDB_close(&db->country);
    if (db->has_asn_mmdb)
        MMDB_close(&db->asn_mmdb);
    shn_free(db->v4);
    shn_free(db->v6);
    shn_free(db);
}
