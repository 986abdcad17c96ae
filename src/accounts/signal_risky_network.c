/* risky_network: where an account's logins come from, against who it says
 * it is. Four signs, from the cases of North Korean IT workers behind
 * Japanese identities:
 *   - a login from DPRK address space (data/accounts/dprk-ranges.txt, or a
 *     country database answer of KP): full score and the hard level BLOCK;
 *   - logins from a country other than the declared residence, weighed by
 *     country (data/accounts/network-country-risk.csv: China, Russia and
 *     South-East Asia high, a trip elsewhere low);
 *   - logins from hosting, cloud or VPN networks (data/accounts/
 *     hosting-asns.csv, by AS number);
 *   - a browser UTC offset that no place in the residence country uses
 *     (data/accounts/country-offsets.csv).
 * The DPRK ranges and offsets need no database; the country and AS signs
 * need the IP databases (netdb.h) and are skipped, and said to be, without
 * them. Every part scores share-weighted (one login of many weighs half of
 * all of them) and the parts combine as independent signs: 1 − Π(1 − sᵢ).
 *
 * prepare reads the data files once; eval looks each login up (the
 * databases are read-only, so eval stays thread-safe). */
#include <stdlib.h>
#include <string.h>

#include "netdb.h"
#include "shinsa/core/alloc.h"

#define SIGNAL "risky_network"
#define DATA_MAX_BYTES (4u << 20)
#define HOSTING_MAX 20000
#define TABLE_MAX 400
#define RANGES_PER_COUNTRY 8
#define COUNTRIES_SEEN_MAX 32
#define EXAMPLES_MAX 5

struct hosting {
    uint32_t asn;
    char name[64];
};

struct country_offsets {
    char cc[3];
    size_t n;
    int lo[RANGES_PER_COUNTRY], hi[RANGES_PER_COUNTRY]; /* minutes east of UTC */
};

struct country_risk {
    char cc[3];
    double weight;
};

struct state {
    struct shn__cidrs dprk;
    struct hosting *hosting; /* sorted by asn */
    size_t n_hosting;
    struct country_offsets *offsets;
    size_t n_offsets;
    struct country_risk *risks;
    size_t n_risks;
    double foreign_weight, hosting_weight, offset_weight;
    size_t max_logins;
};

enum { P_DPRK, P_HOSTING, P_OFFSETS, P_RISK, P_FOREIGN_W, P_HOSTING_W, P_OFFSET_W, P_MAX_LOGINS };
static const struct shn__param params[] = {
    [P_DPRK] = SHN__PATH("dprk_ranges", "dprk-ranges.txt", "North Korean address space (CIDR)"),
    [P_HOSTING] = SHN__PATH("hosting_asns", "hosting-asns.csv", "hosting, cloud and VPN ASNs"),
    [P_OFFSETS] =
        SHN__PATH("country_offsets", "country-offsets.csv", "the UTC offsets of each country"),
    [P_RISK] = SHN__PATH("country_risk", "network-country-risk.csv",
                         "weight of a login from each country"),
    [P_FOREIGN_W] = SHN__NUM("foreign_weight", 0.3, 0, 1, "",
                             "weight of a country the risk table does not list"),
    [P_HOSTING_W] =
        SHN__NUM("hosting_weight", 0.6, 0, 1, "", "weight of logins from hosting/VPN networks"),
    [P_OFFSET_W] = SHN__NUM("offset_weight", 0.5, 0, 1, "",
                            "weight of UTC offsets that fit neither residence nor address"),
    [P_MAX_LOGINS] =
        SHN__INT("max_logins", 2000, 1, SHN__W_PER_LIST_MAX, "logins", "latest logins examined"),
};
#define SELF (&shn__signal_risky_network)

static bool is_cc(const char *s)
{
    return s && strlen(s) == 2 && ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z') &&
           ((s[1] | 0x20) >= 'a' && (s[1] | 0x20) <= 'z');
}

static void upper_cc(const char *s, char out[3])
{
    out[0] = (char)(s[0] & ~0x20);
    out[1] = (char)(s[1] & ~0x20);
    out[2] = '\0';
}

/* "+09:00", "-04:30", "+0900" → minutes east of UTC. */
static bool parse_offset(const char *s, int *out)
{
    int sign, h, m = 0;
    if (!s || (*s != '+' && *s != '-'))
        return false;
    sign = *s++ == '-' ? -1 : 1;
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return false;
    h = (s[0] - '0') * 10 + (s[1] - '0');
    s += 2;
    if (*s == ':')
        s++;
    if (*s) {
        if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[2])
            return false;
        m = (s[0] - '0') * 10 + (s[1] - '0');
    }
    if (h > 14 || m > 59)
        return false;
    *out = sign * (h * 60 + m);
    return true;
}

static void offset_text(int minutes, char out[8])
{
    int a = minutes < 0 ? -minutes : minutes;
    snprintf(out, 8, "%c%02d:%02d", minutes < 0 ? '-' : '+', (a / 60) % 100, a % 60);
}

/* ---- data files ----------------------------------------------------------- */

static int bad_line(struct shn_diag *diag, long lineno, const char *what)
{
    return shn_diag_set(diag, SHN_ERR_PARSE, NULL, lineno, "", "%s", what);
}

static int hosting_line(void *ctx, char *line, long lineno, struct shn_diag *diag)
{
    struct state *s = ctx;
    char *comma = strchr(line, ','), *end;
    unsigned long asn;
    if (strncmp(line, "asn,", 4) == 0)
        return SHN_OK; /* header */
    if (s->n_hosting >= HOSTING_MAX)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, NULL, lineno, "", "more than %d ASNs",
                            HOSTING_MAX);
    if (comma)
        *comma = '\0';
    asn = strtoul(line, &end, 10);
    if (end == line || *end || asn == 0 || asn > UINT32_MAX)
        return bad_line(diag, lineno, "expected 'asn,name'");
    s->hosting[s->n_hosting].asn = (uint32_t)asn;
    snprintf(s->hosting[s->n_hosting].name, sizeof s->hosting[0].name, "%s",
             comma ? comma + 1 : "");
    s->n_hosting++;
    return SHN_OK;
}

static int offsets_line(void *ctx, char *line, long lineno, struct shn_diag *diag)
{
    struct state *s = ctx;
    struct country_offsets *o;
    char *comma = strchr(line, ','), *item, *next;
    if (strncmp(line, "country,", 8) == 0)
        return SHN_OK;
    if (s->n_offsets >= TABLE_MAX)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, NULL, lineno, "", "more than %d countries",
                            TABLE_MAX);
    if (!comma)
        return bad_line(diag, lineno, "expected 'country,offsets'");
    *comma = '\0';
    if (!is_cc(line))
        return bad_line(diag, lineno, "not a two-letter country code");
    o = &s->offsets[s->n_offsets];
    memset(o, 0, sizeof *o);
    upper_cc(line, o->cc);
    for (item = comma + 1; item && *item; item = next) {
        char *dots, *semi = strchr(item, ';');
        next = semi ? semi + 1 : NULL;
        if (semi)
            *semi = '\0';
        if (o->n >= RANGES_PER_COUNTRY)
            return bad_line(diag, lineno, "too many offsets for one country");
        if ((dots = strstr(item, ".."))) {
            *dots = '\0';
            if (!parse_offset(item, &o->lo[o->n]) || !parse_offset(dots + 2, &o->hi[o->n]) ||
                o->lo[o->n] > o->hi[o->n])
                return bad_line(diag, lineno, "expected an offset '+HH:MM' or a range 'A..B'");
        } else {
            if (!parse_offset(item, &o->lo[o->n]))
                return bad_line(diag, lineno, "expected an offset '+HH:MM' or a range 'A..B'");
            o->hi[o->n] = o->lo[o->n];
        }
        o->n++;
    }
    if (o->n == 0)
        return bad_line(diag, lineno, "no offsets");
    s->n_offsets++;
    return SHN_OK;
}

static int risk_line(void *ctx, char *line, long lineno, struct shn_diag *diag)
{
    struct state *s = ctx;
    char *comma = strchr(line, ','), *end;
    double w;
    if (strncmp(line, "country,", 8) == 0)
        return SHN_OK;
    if (s->n_risks >= TABLE_MAX)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, NULL, lineno, "", "more than %d countries",
                            TABLE_MAX);
    if (!comma)
        return bad_line(diag, lineno, "expected 'country,weight'");
    *comma = '\0';
    w = strtod(comma + 1, &end);
    if (!is_cc(line) || end == comma + 1 || *end || !(w >= 0 && w <= 1))
        return bad_line(diag, lineno, "expected 'country,weight' with a weight in 0..1");
    upper_cc(line, s->risks[s->n_risks].cc);
    s->risks[s->n_risks++].weight = w;
    return SHN_OK;
}

static int cmp_hosting(const void *x, const void *y)
{
    uint32_t a = ((const struct hosting *)x)->asn, b = ((const struct hosting *)y)->asn;
    return (a > b) - (a < b);
}

static void release(void *p)
{
    struct state *s = p;
    if (!s)
        return;
    shn__cidrs_cleanup(&s->dprk);
    shn_free(s->hosting);
    shn_free(s->offsets);
    shn_free(s->risks);
    shn_free(s);
}

/* Reads one data file, prefixing an error's message with its path. */
static int load(const struct shn__score_ctx *c, size_t param,
                int (*fn)(void *, char *, long, struct shn_diag *), struct state *s,
                struct shn_diag *diag)
{
    char path[1024], msg[256];
    int rc;
    shn__param_path(c, SELF, param, path, sizeof path);
    rc = fn ? shn__data_lines(path, DATA_MAX_BYTES, fn, s, diag)
            : shn__cidrs_load(path, &s->dprk, diag);
    if (rc != SHN_OK && diag && !strstr(diag->message, path)) {
        snprintf(msg, sizeof msg, "%s", diag->message);
        shn_diag_set(diag, rc, NULL, diag->line, diag->field, SIGNAL " data %s: %s", path, msg);
    }
    return rc;
}

static int prepare(const struct shn__score_ctx *c, void **out, struct shn_diag *diag)
{
    struct state *s = shn_calloc(1, sizeof *s);
    int rc = SHN_OK;
    if (!s || !(s->hosting = shn_calloc(HOSTING_MAX, sizeof *s->hosting)) ||
        !(s->offsets = shn_calloc(TABLE_MAX, sizeof *s->offsets)) ||
        !(s->risks = shn_calloc(TABLE_MAX, sizeof *s->risks))) {
        release(s);
        return SHN_ERR_NOMEM;
    }
    s->foreign_weight = shn__param_num(c, SELF, P_FOREIGN_W);
    s->hosting_weight = shn__param_num(c, SELF, P_HOSTING_W);
    s->offset_weight = shn__param_num(c, SELF, P_OFFSET_W);
    s->max_logins = shn__param_size(c, SELF, P_MAX_LOGINS);
    if ((rc = load(c, P_DPRK, NULL, s, diag)) != SHN_OK ||
        (rc = load(c, P_HOSTING, hosting_line, s, diag)) != SHN_OK ||
        (rc = load(c, P_OFFSETS, offsets_line, s, diag)) != SHN_OK ||
        (rc = load(c, P_RISK, risk_line, s, diag)) != SHN_OK) {
        release(s);
        return rc;
    }
    if (s->n_hosting > 1)
        qsort(s->hosting, s->n_hosting, sizeof *s->hosting, cmp_hosting);
    *out = s;
    return SHN_OK;
}

/* ---- eval ---------------------------------------------------------------- */

static const struct hosting *find_hosting(const struct state *s, uint32_t asn)
{
    size_t lo = 0, hi = s->n_hosting;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->hosting[mid].asn == asn)
            return &s->hosting[mid];
        if (s->hosting[mid].asn < asn)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static const struct country_offsets *find_offsets(const struct state *s, const char cc[3])
{
    for (size_t i = 0; i < s->n_offsets; i++)
        if (memcmp(s->offsets[i].cc, cc, 3) == 0)
            return &s->offsets[i];
    return NULL;
}

static double risk_of(const struct state *s, const char cc[3])
{
    for (size_t i = 0; i < s->n_risks; i++)
        if (memcmp(s->risks[i].cc, cc, 3) == 0)
            return s->risks[i].weight;
    return s->foreign_weight;
}

static bool offset_fits(const struct country_offsets *o, int minutes)
{
    for (size_t i = 0; i < o->n; i++)
        if (minutes >= o->lo[i] && minutes <= o->hi[i])
            return true;
    return false;
}

static void allowed_text(const struct country_offsets *o, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < o->n && n + 20 < size; i++) {
        char lo[8], hi[8];
        offset_text(o->lo[i], lo);
        offset_text(o->hi[i], hi);
        n += (size_t)snprintf(buf + n, size - n, "%s%s%s%s", i ? ";" : "", lo,
                              o->lo[i] == o->hi[i] ? "" : "..", o->lo[i] == o->hi[i] ? "" : hi);
    }
}

struct tally {
    size_t logins, examined, located, with_asn, dprk, hosting, foreign, offset_checked, offset_bad;
    struct {
        char cc[3];
        size_t n;
        const char *ip;
    } countries[COUNTRIES_SEEN_MAX];
    size_t n_countries;
    struct {
        uint32_t asn;
        const char *name, *ip;
        size_t n;
    } nets[EXAMPLES_MAX];
    size_t n_nets;
    int bad_offsets[EXAMPLES_MAX];
    size_t n_bad_offsets;
    json_t *dprk_examples;
};

static void count_country(struct tally *t, const char cc[3], const char *ip)
{
    for (size_t i = 0; i < t->n_countries; i++)
        if (memcmp(t->countries[i].cc, cc, 3) == 0) {
            t->countries[i].n++;
            return;
        }
    if (t->n_countries < COUNTRIES_SEEN_MAX) {
        memcpy(t->countries[t->n_countries].cc, cc, 3);
        t->countries[t->n_countries].n = 1;
        t->countries[t->n_countries++].ip = ip;
    }
}

static void count_net(struct tally *t, const struct hosting *h, const char *ip)
{
    for (size_t i = 0; i < t->n_nets; i++)
        if (t->nets[i].asn == h->asn) {
            t->nets[i].n++;
            return;
        }
    if (t->n_nets < EXAMPLES_MAX) {
        t->nets[t->n_nets].asn = h->asn;
        t->nets[t->n_nets].name = h->name;
        t->nets[t->n_nets].ip = ip;
        t->nets[t->n_nets++].n = 1;
    }
}

static void count_offset(struct tally *t, int minutes)
{
    for (size_t i = 0; i < t->n_bad_offsets; i++)
        if (t->bad_offsets[i] == minutes)
            return;
    if (t->n_bad_offsets < EXAMPLES_MAX)
        t->bad_offsets[t->n_bad_offsets++] = minutes;
}

static int look(const struct shn__score_ctx *c, const struct state *s,
                const struct shn__w_account *a, const char *home,
                const struct country_offsets *allowed, struct tally *t)
{
    size_t first = a->n_logins > s->max_logins ? a->n_logins - s->max_logins : 0;
    t->logins = a->n_logins;
    for (size_t i = first; i < a->n_logins; i++) {
        const struct shn__w_login *l = &a->logins[i];
        struct shn__ip ip;
        struct shn__netdb_info info;
        const struct shn__cidr *kp;
        bool parsed = shn__ip_parse(l->ip, &ip);
        memset(&info, 0, sizeof info);
        if (parsed)
            shn__netdb_lookup(c->net, &ip, &info);
        /* An offset that fits neither the residence nor the country the
         * address is in: a traveller's browser follows the trip (the
         * country part already weighs the trip), an operator's does not
         * follow the proxy. */
        if (allowed && l->has_offset) {
            const struct country_offsets *there =
                info.country[0] ? find_offsets(s, info.country) : NULL;
            t->offset_checked++;
            if (!offset_fits(allowed, l->utc_offset_min) &&
                !(there && there != allowed && offset_fits(there, l->utc_offset_min))) {
                t->offset_bad++;
                count_offset(t, l->utc_offset_min);
            }
        }
        if (!parsed)
            continue;
        t->examined++;
        kp = shn__cidrs_find(&s->dprk, &ip);
        if (kp || strcmp(info.country, "KP") == 0) {
            if (t->dprk++ < EXAMPLES_MAX &&
                json_array_append_new(t->dprk_examples,
                                      json_pack("{s:s, s:s}", "ip", l->ip, "range",
                                                kp ? kp->text : "country database: KP")) != 0)
                return SHN_ERR_NOMEM;
        }
        if (info.country[0]) {
            t->located++;
            if (home && strcmp(info.country, home) != 0) {
                t->foreign++;
                count_country(t, info.country, l->ip);
            }
        }
        if (info.asn) {
            const struct hosting *h = find_hosting(s, info.asn);
            t->with_asn++;
            if (h) {
                t->hosting++;
                count_net(t, h, l->ip);
            }
        }
    }
    return SHN_OK;
}

/* Half the part's weight for any share, all of it when every login shows it. */
static double part(double weight, size_t hits, size_t of)
{
    return hits && of ? weight * (0.5 + 0.5 * (double)hits / (double)of) : 0;
}

static int eval(const struct shn__score_ctx *c, const void *state, const struct shn__w_account *a,
                struct shn_accounts_signal *out)
{
    const struct state *s = state;
    struct tally t;
    char home[3] = "", allowed_buf[96] = "";
    const struct country_offsets *allowed = NULL;
    double s_country = 0, s_host, s_offset;
    size_t worst = 0;
    json_t *ev, *countries, *nets, *offsets;
    int rc;

    memset(&t, 0, sizeof t);
    if (is_cc(a->residence)) {
        upper_cc(a->residence, home);
        if ((allowed = find_offsets(s, home)))
            allowed_text(allowed, allowed_buf, sizeof allowed_buf);
    }
    if (!(t.dprk_examples = json_array()))
        return SHN_ERR_NOMEM;
    if ((rc = look(c, s, a, home[0] ? home : NULL, allowed, &t)) != SHN_OK) {
        json_decref(t.dprk_examples);
        return rc;
    }
    for (size_t i = 0; i < t.n_countries; i++) {
        double v = part(risk_of(s, t.countries[i].cc), t.countries[i].n, t.located);
        if (v > s_country) {
            s_country = v;
            worst = i;
        }
    }
    s_host = part(s->hosting_weight, t.hosting, t.with_asn);
    s_offset = part(s->offset_weight, t.offset_bad, t.offset_checked);
    out->score = t.dprk ? 1.0 : 1 - (1 - s_country) * (1 - s_host) * (1 - s_offset);
    out->hard = t.dprk ? SHN_ACCOUNTS_BLOCK : 0;

    countries = json_array();
    nets = json_array();
    offsets = json_array();
    for (size_t i = 0; countries && i < t.n_countries && i < EXAMPLES_MAX; i++)
        json_array_append_new(
            countries, json_pack("{s:s, s:I, s:f, s:s}", "country", t.countries[i].cc, "logins",
                                 (json_int_t)t.countries[i].n, "weight",
                                 risk_of(s, t.countries[i].cc), "example_ip", t.countries[i].ip));
    for (size_t i = 0; nets && i < t.n_nets; i++)
        json_array_append_new(nets,
                              json_pack("{s:I, s:s, s:I, s:s}", "asn", (json_int_t)t.nets[i].asn,
                                        "name", t.nets[i].name, "logins", (json_int_t)t.nets[i].n,
                                        "example_ip", t.nets[i].ip));
    for (size_t i = 0; offsets && i < t.n_bad_offsets; i++) {
        char o[8];
        offset_text(t.bad_offsets[i], o);
        json_array_append_new(offsets, json_string(o));
    }
    ev = json_pack("{s:I, s:I, s:s?, s:s, s:s, s:I, s:o, s:I, s:I, s:o, s:I, s:I, s:o, s:I, "
                   "s:I, s:s?, s:o}",
                   "logins", (json_int_t)t.logins, "examined", (json_int_t)t.examined, "residence",
                   home[0] ? home : NULL, "geolocation",
                   shn__netdb_has_country(c->net) ? "available" : "unavailable", "asn_database",
                   shn__netdb_has_asn(c->net) ? "available" : "unavailable", "dprk_logins",
                   (json_int_t)t.dprk, "dprk_examples", t.dprk_examples, "located_logins",
                   (json_int_t)t.located, "foreign_logins", (json_int_t)t.foreign,
                   "foreign_countries", countries, "hosting_logins", (json_int_t)t.hosting,
                   "with_asn", (json_int_t)t.with_asn, "hosting_networks", nets, "offset_checked",
                   (json_int_t)t.offset_checked, "offset_mismatches", (json_int_t)t.offset_bad,
                   "allowed_offsets", allowed_buf[0] ? allowed_buf : NULL, "offsets_seen", offsets);

    if (t.dprk) {
        const char *ip =
            json_string_value(json_object_get(json_array_get(t.dprk_examples, 0), "ip"));
        shn__signal_reason_en(out, "%zu login(s) from North Korean (DPRK) address space, e.g. %s",
                              t.dprk, ip ? ip : "?");
        shn__signal_reason_ja(out, "北朝鮮（DPRK）のアドレス空間からのログインが%zu件（例: %s）",
                              t.dprk, ip ? ip : "?");
    } else if (out->score > 0) {
        char en[200] = "", ja[300] = "";
        size_t ne = 0, nj = 0;
        if (s_country > 0) {
            ne += (size_t)snprintf(en + ne, sizeof en - ne,
                                   "%zu of %zu located login(s) from %s, not the declared "
                                   "residence %s",
                                   t.countries[worst].n, t.located, t.countries[worst].cc, home);
            nj += (size_t)snprintf(ja + nj, sizeof ja - nj,
                                   "申告された居住国%sではなく%sからのログインが%zu/%zu件", home,
                                   t.countries[worst].cc, t.countries[worst].n, t.located);
        }
        if (s_host > 0 && ne < sizeof en && nj < sizeof ja) {
            ne += (size_t)snprintf(en + ne, sizeof en - ne,
                                   "%s%zu from hosting/VPN networks "
                                   "(e.g. AS%u %s)",
                                   ne ? "; " : "", t.hosting, (unsigned)t.nets[0].asn,
                                   t.nets[0].name);
            nj += (size_t)snprintf(ja + nj, sizeof ja - nj,
                                   "%sホスティング／VPN回線から%zu件"
                                   "（例: AS%u %s）",
                                   nj ? "、" : "", t.hosting, (unsigned)t.nets[0].asn,
                                   t.nets[0].name);
        }
        if (s_offset > 0 && ne < sizeof en && nj < sizeof ja) {
            char o[8];
            offset_text(t.bad_offsets[0], o);
            snprintf(en + ne, sizeof en - ne,
                     "%s%zu with a UTC offset (e.g. %s) that does not "
                     "fit %s",
                     ne ? "; " : "", t.offset_bad, o, home);
            snprintf(ja + nj, sizeof ja - nj, "%s%sに合わないUTCオフセット（例: %s）が%zu件",
                     nj ? "、" : "", home, o, t.offset_bad);
        }
        shn__signal_reason_en(out, "risky logins: %s", en);
        shn__signal_reason_ja(out, "不審なログイン: %s", ja);
    }
    return shn__signal_set_evidence(out, ev);
}

const struct shn__signal_def shn__signal_risky_network = {
    .name = SIGNAL,
    .default_weight = 2.0,
    SHN__PARAMS(params),
    .prepare = prepare,
    .eval = eval,
    .release = release,
};
