/* Where the sample platform's logins come from: address ranges by kind,
 * browser offsets, user agents.
 *
 * Every range below was checked against the CC0 database the accounts
 * engine's risky_network signal is to read, @ip-location-db/
 * geo-whois-asn-country (npm, 2026-06 release): the whole range against
 * the package's CSV of IPv4 ranges (no address of it belongs to another
 * country), and 64 addresses spread over it with
 *     mmdblookup --file geo-whois-asn-country-ipv4.mmdb --ip A country_code
 * from geo-whois-asn-country-mmdb; the ASN in each comment is that of the
 * same addresses in @ip-location-db/asn (asn-ipv4-num.csv), and no part of
 * a range is unannounced there. Ranges that failed were dropped or
 * narrowed: 126.0.0.0/8 holds PH and US pieces, 117.128.0.0/10 a PK one,
 * 60.48.0.0/13 and 110.136.0.0/13 others, Hetzner's 65.21.0.0/16 a DE
 * one, and cloud /16s geolocate per data centre. Ordinary people's home
 * addresses use /12 or wider ranges only (see shn__sample_ip_home).
 * The addresses are real networks' addresses; the people using them here
 * are not real. */
#include <stdio.h>

#include "platform_internal.h"

struct range {
    uint32_t first; /* network address */
    unsigned bits;  /* prefix length */
    const char *offset;
};

#define IP4(a, b, c, d)                                                                            \
    ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* Ranges of each kind, in enum shn__sample_net order. */
static const struct range jp_home[] = {
    {IP4(126, 64, 0, 0), 11, "+09:00"},  /* JP, AS17676 SoftBank */
    {IP4(60, 32, 0, 0), 12, "+09:00"},   /* JP, AS4713 NTT OCN */
    {IP4(114, 160, 0, 0), 11, "+09:00"}, /* JP, AS4713 NTT OCN */
    {IP4(153, 128, 0, 0), 10, "+09:00"}, /* JP, AS4713 NTT OCN */
    {IP4(180, 0, 0, 0), 10, "+09:00"},   /* JP, AS4713 NTT OCN */
    {IP4(106, 128, 0, 0), 11, "+09:00"}, /* JP, AS2516 KDDI */
};
static const struct range jp_mobile[] = {
    {IP4(106, 128, 0, 0), 11, "+09:00"}, /* JP, AS2516 KDDI */
    {IP4(126, 64, 0, 0), 11, "+09:00"},  /* JP, AS17676 SoftBank */
    {IP4(118, 0, 0, 0), 13, "+09:00"},   /* JP, AS4713 NTT OCN */
};
static const struct range us[] = {
    {IP4(73, 0, 0, 0), 8, "-05:00"},  /* US, AS7922 Comcast */
    {IP4(24, 0, 0, 0), 12, "-08:00"}, /* US, AS7922 Comcast */
};
static const struct range kr[] = {
    {IP4(121, 128, 0, 0), 10, "+09:00"}, /* KR, AS4766 Korea Telecom */
    {IP4(175, 192, 0, 0), 10, "+09:00"}, /* KR, AS4766 Korea Telecom */
};
static const struct range tw[] = {
    {IP4(1, 160, 0, 0), 12, "+08:00"},  /* TW, AS3462 Chunghwa Telecom */
    {IP4(36, 224, 0, 0), 12, "+08:00"}, /* TW, AS3462 Chunghwa Telecom */
};
static const struct range cn[] = {
    {IP4(175, 160, 0, 0), 12, "+08:00"}, /* CN, AS4837 China Unicom (Liaoning) */
    {IP4(60, 0, 0, 0), 13, "+08:00"},    /* CN, AS4837 China Unicom */
    {IP4(123, 112, 0, 0), 12, "+08:00"}, /* CN, AS4808 China Unicom Beijing */
    {IP4(113, 64, 0, 0), 10, "+08:00"},  /* CN, AS4134 Chinanet */
    {IP4(117, 136, 0, 0), 13, "+08:00"}, /* CN, AS9808 China Mobile */
};
static const struct range ru[] = {
    {IP4(95, 24, 0, 0), 13, "+03:00"},   /* RU, AS8402 Vimpelcom */
    {IP4(5, 136, 0, 0), 13, "+10:00"},   /* RU, AS12389 Rostelecom */
    {IP4(188, 162, 0, 0), 16, "+03:00"}, /* RU, AS31133 MegaFon */
};
static const struct range sea[] = {
    {IP4(113, 160, 0, 0), 11, "+07:00"}, /* VN, AS45899 VNPT */
    {IP4(171, 224, 0, 0), 11, "+07:00"}, /* VN, AS7552 Viettel */
    {IP4(171, 96, 0, 0), 13, "+07:00"},  /* TH, AS17552 True Internet */
    {IP4(1, 0, 128, 0), 17, "+07:00"},   /* TH, AS23969 TOT */
    {IP4(175, 136, 0, 0), 13, "+08:00"}, /* MY, AS4788 TM */
    {IP4(36, 64, 0, 0), 11, "+07:00"},   /* ID, AS7713 Telkom Indonesia */
    {IP4(115, 84, 64, 0), 18, "+07:00"}, /* LA, AS9873 Lao Telecom */
};
/* Hosting and VPN exits: the offset is the operator's browser, not the
 * data centre's (CN/SEA operators renting servers abroad). */
static const struct range hosting[] = {
    {IP4(103, 253, 144, 0), 22, "+08:00"}, /* SG, AS14061 DigitalOcean */
    {IP4(163, 47, 8, 0), 22, "+08:00"},    /* SG, AS14061 DigitalOcean */
    {IP4(37, 139, 0, 0), 19, "+08:00"},    /* NL, AS14061 DigitalOcean */
    {IP4(167, 179, 64, 0), 18, "+08:00"},  /* JP, AS20473 Vultr (The Constant Company) */
    {IP4(5, 9, 0, 0), 16, "+07:00"},       /* DE, AS24940 Hetzner */
    {IP4(46, 4, 0, 0), 16, "+08:00"},      /* DE, AS24940 Hetzner */
    {IP4(5, 222, 0, 0), 16, "+08:00"},     /* SG, AS24940 Hetzner */
    {IP4(103, 5, 12, 0), 22, "+08:00"},    /* HK, AS16276 OVH */
    {IP4(37, 120, 192, 0), 19, "+07:00"},  /* RO, AS9009 M247 */
    {IP4(193, 135, 220, 0), 22, "+08:00"}, /* JP, AS9009 M247 */
    {IP4(45, 12, 220, 0), 22, "+07:00"},   /* KH, AS9009 M247 */
    {IP4(31, 59, 0, 0), 21, "+07:00"},     /* ID, AS9009 M247 */
    {IP4(152, 163, 116, 0), 22, "+07:00"}, /* TH, AS9009 M247 */
    {IP4(45, 118, 132, 0), 22, "+08:00"},  /* SG, AS63949 Linode (Akamai) */
    {IP4(103, 29, 68, 0), 22, "+08:00"},   /* JP, AS63949 Linode (Akamai) */
};
static const struct range kp[] = {
    {IP4(175, 45, 176, 0), 22, "+09:00"}, /* KP, AS131279 Star Joint Venture */
};

static const struct {
    const struct range *r;
    size_t n;
} kinds[SHN__NET__COUNT] = {
#define K(a)                                                                                       \
    {                                                                                              \
        a, sizeof a / sizeof a[0]                                                                  \
    }
    K(jp_home), K(jp_mobile), K(us), K(kr), K(tw), K(cn), K(ru), K(sea), K(hosting), K(kp),
#undef K
};

static void ip_text(uint32_t a, char out[16])
{
    snprintf(out, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

/* An address inside r at `host`, never the network's first or last. */
static uint32_t in_range(const struct range *r, uint64_t host)
{
    uint32_t size = (uint32_t)1 << (32 - r->bits);
    return r->first + 1 + (uint32_t)(host % (size - 2));
}

void shn__sample_ip(struct shn_rng *rng, enum shn__sample_net net, char out[16],
                    const char **utc_offset)
{
    const struct range *r = &kinds[net].r[shn_rng_below(rng, kinds[net].n)];
    ip_text(in_range(r, shn_rng_next(rng)), out);
    *utc_offset = r->offset;
}

void shn__sample_ip_home(uint64_t n, char out[16])
{
    size_t k = sizeof jp_home / sizeof jp_home[0];
    const struct range *r = &jp_home[n % k];
    uint32_t size = (uint32_t)1 << (32 - r->bits);
    /* An odd multiplier permutes 0..2^b-1, so distinct n / k give distinct
     * hosts; odd hosts in the lower half are never the network or the
     * broadcast address (home ranges are /12 or wider: 2^18 people each, 1.5M in all). */
    uint32_t perm = (uint32_t)((n / k) * 0x9E3779B1u + 12345u) & (size / 4 - 1);
    uint32_t host = 1 + 2 * perm;
    ip_text(r->first + host, out);
}

static const char *const agents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/125.0.0.0 Safari/537.36 Edg/125.0.0.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
    "Safari/537.36",
};
static const char *const mobile_agents[] = {
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SO-51D) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SH-53C) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/123.0.0.0 Mobile Safari/537.36",
};
static const char *const remote_agents[] = {
    "AnyDesk/8.0.10 (Windows NT 10.0; Win64; x64)", "TeamViewer/15.53.6 (Windows NT 10.0)",
    "RustDesk/1.2.6 (Windows NT 10.0; Win64; x64)",
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Safari/537.36 AnyDesk/8.0.9"), /* one agent: a browser beside AnyDesk */
};

const char *shn__sample_user_agent(struct shn_rng *rng, int mobile)
{
    if (mobile)
        return mobile_agents[shn_rng_below(rng, sizeof mobile_agents / sizeof *mobile_agents)];
    return agents[shn_rng_below(rng, sizeof agents / sizeof *agents)];
}

const char *shn__sample_remote_desktop_agent(struct shn_rng *rng)
{
    return remote_agents[shn_rng_below(rng, sizeof remote_agents / sizeof *remote_agents)];
}
