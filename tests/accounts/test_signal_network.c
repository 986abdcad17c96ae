/* The network signals: risky_network (DPRK ranges, country against the
 * declared residence, hosting ASNs, UTC offsets) and session_anomaly
 * (impossible travel, crowded IPs and devices, day-long sessions, remote
 * desktop clients), and the IP databases under them (netdb.c).
 *
 * The DPRK-range, offset, sharing, session and remote-desktop tests need
 * no database. The country and ASN tests read the databases that
 * scripts/install-deps.sh installs from the npm registry and print
 * "SKIP: ... not installed" and pass when they are absent. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "netdb.h"
#include "signal_test.h"

#define TEXT_MAX 65536

struct text {
    char buf[TEXT_MAX];
    size_t n;
    int ids;
};

static void add(struct text *t, const char *fmt, ...) SHN_PRINTF(2, 3);
static void add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(t->buf + t->n, sizeof t->buf - t->n, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof t->buf - t->n);
    t->n += (size_t)n;
}

/* An account event with a residence (NULL: none declared). */
static void account(struct text *t, const char *id, const char *residence)
{
    add(t,
        "{\"event\":\"account\",\"id\":\"e%d\",\"time\":\"2026-03-01T00:00:00Z\",\"account\":"
        "\"%s\",\"name\":\"n\"%s%s%s}\n",
        t->ids++, id, residence ? ",\"residence\":\"" : "", residence ? residence : "",
        residence ? "\"" : "");
}

/* A login `minutes` after 2026-03-01T00:00Z. */
static void login(struct text *t, const char *acct, int minutes, const char *ip, const char *ua,
                  const char *device, const char *offset)
{
    add(t,
        "{\"event\":\"login\",\"id\":\"e%d\",\"time\":\"2026-03-%02dT%02d:%02d:00Z\",\"account\":"
        "\"%s\",\"ip\":\"%s\",\"user_agent\":\"%s\",\"device\":\"%s\",\"utc_offset\":\"%s\"}\n",
        t->ids++, 1 + minutes / 1440, minutes / 60 % 24, minutes % 60, acct, ip, ua, device,
        offset);
}

static const char *const UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0";

static bool near(double a, double b)
{
    return fabs(a - b) < 1e-9;
}

/* The installed IP databases, or NULL (with a SKIP line) when absent. */
static struct shn__netdb *netdb_or_skip(const char *test)
{
    struct shn__netdb *db = NULL;
    struct shn_diag d = {0};
    assert_int_equal(shn__netdb_open(NULL, &db, &d), SHN_OK);
    if (!db || !shn__netdb_has_country(db) || !shn__netdb_has_asn(db)) {
        printf("SKIP: %s: IP databases (@ip-location-db) not installed; run "
               "scripts/install-deps.sh\n",
               test);
        shn__netdb_close(db);
        return NULL;
    }
    return db;
}

/* ---- addresses and ranges ------------------------------------------------ */

static void ip_parse_and_public(void **state)
{
    struct shn__ip ip;
    (void)state;
    assert_true(shn__ip_parse("126.1.2.3", &ip) && shn__ip_is_v4(&ip) && shn__ip_is_public(&ip));
    assert_true(shn__ip_parse("2400:4050::1", &ip) && !shn__ip_is_v4(&ip) &&
                shn__ip_is_public(&ip));
    assert_false(shn__ip_parse("126.1.2", &ip));
    assert_false(shn__ip_parse("", &ip));
    assert_false(shn__ip_parse(NULL, &ip));
    assert_false(shn__ip_parse(" 126.1.2.3", &ip));
    for (const char *const *p =
             (const char *const[]){"10.1.2.3", "192.168.0.1", "172.20.0.1", "127.0.0.1",
                                   "100.64.0.1", "169.254.1.1", "203.0.113.7", "198.51.100.1",
                                   "192.0.2.1", "224.0.0.1", "::1", "fe80::1", "fd00::1",
                                   "2001:db8::1", NULL};
         *p; p++) {
        assert_true(shn__ip_parse(*p, &ip));
        if (shn__ip_is_public(&ip))
            fail_msg("%s taken for public", *p);
    }
}

static void cidr_list_from_file(void **state)
{
    char path[] = "/tmp/shn-net-cidrs-XXXXXX";
    int fd = mkstemp(path);
    struct shn__cidrs c = {0};
    struct shn__ip ip;
    struct shn_diag d = {0};
    const char text[] = "# test\n10.0.0.0/8  # private\n\n2001:db8::/32\n192.0.2.128/25\n";
    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    assert_int_equal(shn__cidrs_load(path, &c, &d), SHN_OK);
    assert_int_equal(c.n, 3);
    assert_true(shn__ip_parse("10.200.1.1", &ip));
    assert_string_equal(shn__cidrs_find(&c, &ip)->text, "10.0.0.0/8");
    assert_true(shn__ip_parse("192.0.2.200", &ip));
    assert_string_equal(shn__cidrs_find(&c, &ip)->text, "192.0.2.128/25");
    assert_true(shn__ip_parse("192.0.2.100", &ip));
    assert_null(shn__cidrs_find(&c, &ip));
    assert_true(shn__ip_parse("2001:db8:1::5", &ip));
    assert_non_null(shn__cidrs_find(&c, &ip));
    shn__cidrs_cleanup(&c);

    /* A bad line is an error with its line number. */
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "10.0.0.0/8\n10.0.0.0/40\n", 23), 23);
    close(fd);
    assert_int_equal(shn__cidrs_load(path, &c, &d), SHN_ERR_PARSE);
    assert_int_equal(d.line, 2);
    unlink(path);
}

static void netdb_absent_and_bad_paths(void **state)
{
    struct shn__netdb *db = (struct shn__netdb *)1;
    struct shn_diag d = {0};
    json_t *cfg = json_pack("{s:{s:s}}", "engines", "ip_country_mmdb", "/nonexistent/x.mmdb");
    struct shn__ip ip;
    struct shn__netdb_info info;
    (void)state;
    /* A path the config names must exist. */
    assert_int_equal(shn__netdb_open(cfg, &db, &d), SHN_ERR_IO);
    assert_string_equal(d.field, "engines.ip_country_mmdb");
    json_decref(cfg);
    /* A file that is not an MMDB. */
    {
        char path[] = "/tmp/shn-net-notmmdb-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "not a database\n", 15), 15);
        close(fd);
        cfg = json_pack("{s:{s:s}}", "engines", "ip_country_mmdb", path);
        assert_int_equal(shn__netdb_open(cfg, &db, &d), SHN_ERR_FORMAT);
        assert_non_null(strstr(d.message, path));
        json_decref(cfg);
        unlink(path);
    }
    /* Nothing installed where the defaults point: no database, no error. */
    {
        const char *was = getenv("SHINSA_IPDB_DIR");
        char saved[1024] = "";
        if (was)
            snprintf(saved, sizeof saved, "%s", was);
        setenv("SHINSA_IPDB_DIR", "/nonexistent/ipdb", 1);
        db = (struct shn__netdb *)1;
        assert_int_equal(shn__netdb_open(NULL, &db, &d), SHN_OK);
        assert_null(db);
        if (was)
            setenv("SHINSA_IPDB_DIR", saved, 1);
        else
            unsetenv("SHINSA_IPDB_DIR");
    }
    /* No database: lookups know nothing. */
    assert_true(shn__ip_parse("126.1.2.3", &ip));
    shn__netdb_lookup(NULL, &ip, &info);
    assert_string_equal(info.country, "");
    assert_int_equal(info.asn, 0);
    assert_false(shn__netdb_has_country(NULL));
}

static void netdb_lookups(void **state)
{
    struct shn__netdb *db = netdb_or_skip("netdb_lookups");
    struct shn__ip ip;
    struct shn__netdb_info info;
    (void)state;
    if (!db)
        return;
    assert_true(shn__ip_parse("126.1.2.3", &ip)); /* SoftBank */
    shn__netdb_lookup(db, &ip, &info);
    assert_string_equal(info.country, "JP");
    assert_int_equal(info.asn, 17676);
    assert_true(shn__ip_parse("113.64.1.1", &ip)); /* Chinanet */
    shn__netdb_lookup(db, &ip, &info);
    assert_string_equal(info.country, "CN");
    assert_true(shn__ip_parse("175.45.176.9", &ip));
    shn__netdb_lookup(db, &ip, &info);
    assert_string_equal(info.country, "KP");
    assert_true(shn__ip_parse("167.179.64.5", &ip)); /* Vultr Tokyo */
    shn__netdb_lookup(db, &ip, &info);
    assert_int_equal(info.asn, 20473);
    assert_true(shn__ip_parse("2001:4860:4860::8888", &ip)); /* IPv6 */
    shn__netdb_lookup(db, &ip, &info);
    assert_string_equal(info.country, "US");
    assert_int_equal(info.asn, 15169);
    /* Private space is nowhere, whatever the whois data says. */
    assert_true(shn__ip_parse("192.168.1.1", &ip));
    shn__netdb_lookup(db, &ip, &info);
    assert_string_equal(info.country, "");
    assert_int_equal(info.asn, 0);
    shn__netdb_close(db);
}

/* ---- risky_network --------------------------------------------------------- */

static void risky_network_dprk_blocks(void **state)
{
    struct text t = {.n = 0};
    struct shn__world *w;
    struct shn_accounts_signal sig;
    struct shn__score_ctx none = {0};
    (void)state;
    account(&t, "kp1", "JP");
    login(&t, "kp1", 0, "126.1.2.3", UA, "d1", "+09:00");
    login(&t, "kp1", 60, "175.45.177.10", UA, "d1", "+09:00");
    account(&t, "kp2", NULL);
    login(&t, "kp2", 0, "210.52.109.44", UA, "d2", "+09:00");
    login(&t, "kp2", 10, "77.94.35.1", UA, "d2", "+09:00");
    w = world_of(t.buf);

    /* No IP database needed: the ranges are data. */
    run_signal_ctx(&shn__signal_risky_network, w, NULL, &none, "kp1", &sig);
    assert_true(sig.score == 1.0);
    assert_int_equal(sig.hard, SHN_ACCOUNTS_BLOCK);
    assert_true(sig.weight == 2.0);
    ev_int(sig, "dprk_logins", 1);
    ev_len(sig, "dprk_examples", 1);
    ev_str(sig, "dprk_examples.0.ip", "175.45.177.10");
    ev_str(sig, "dprk_examples.0.range", "175.45.176.0/22");
    ev_str(sig, "geolocation", "unavailable");
    assert_non_null(strstr(sig.reason_en, "North Korean (DPRK) address space"));
    assert_non_null(strstr(sig.reason_ja, "北朝鮮"));

    run_signal_ctx(&shn__signal_risky_network, w, NULL, &none, "kp2", &sig);
    assert_true(sig.score == 1.0);
    assert_int_equal(sig.hard, SHN_ACCOUNTS_BLOCK);
    ev_int(sig, "dprk_logins", 2);
    ev_str(sig, "dprk_examples.0.range", "210.52.109.0/24");
    ev_str(sig, "dprk_examples.1.range", "77.94.35.0/24");
    shn__world_free(w);
}

static void risky_network_utc_offset(void **state)
{
    struct text t = {.n = 0};
    struct shn__world *w;
    struct shn_accounts_signal sig;
    struct shn__score_ctx none = {0};
    (void)state;
    account(&t, "cn-browser", "JP");
    for (int i = 0; i < 4; i++)
        login(&t, "cn-browser", i * 600, "10.0.0.1", UA, "d", "+08:00");
    account(&t, "one-off", "JP");
    login(&t, "one-off", 0, "10.0.0.1", UA, "d", "+08:00");
    for (int i = 1; i < 4; i++)
        login(&t, "one-off", i * 600, "10.0.0.1", UA, "d", "+09:00");
    account(&t, "home", "JP");
    login(&t, "home", 0, "10.0.0.1", UA, "d", "+09:00");
    account(&t, "us-west", "US");
    login(&t, "us-west", 0, "10.0.0.1", UA, "d", "-07:00");
    account(&t, "us-jst", "US");
    login(&t, "us-jst", 0, "10.0.0.1", UA, "d", "+09:00");
    account(&t, "nowhere", NULL);
    login(&t, "nowhere", 0, "10.0.0.1", UA, "d", "+08:00");
    account(&t, "unlisted", "ZZ");
    login(&t, "unlisted", 0, "10.0.0.1", UA, "d", "+08:00");
    w = world_of(t.buf);

    /* Every login's offset is wrong: 0.5 × (0.5 + 0.5 × 4/4) = 0.5. */
    run_signal_ctx(&shn__signal_risky_network, w, NULL, &none, "cn-browser", &sig);
    assert_true(near(sig.score, 0.5));
    assert_int_equal(sig.hard, 0);
    ev_int(sig, "offset_mismatches", 4);
    ev_str(sig, "allowed_offsets", "+09:00");
    ev_len(sig, "offsets_seen", 1);
    ev_str(sig, "offsets_seen.0", "+08:00");
    assert_non_null(strstr(sig.reason_en, "UTC offset (e.g. +08:00) that does not fit JP"));
    assert_non_null(strstr(sig.reason_ja, "JPに合わないUTCオフセット"));

    /* One of four: 0.5 × (0.5 + 0.125) = 0.3125; a weight from the config. */
    run_signal_ctx(&shn__signal_risky_network, w, NULL, &none, "one-off", &sig);
    assert_true(near(sig.score, 0.3125));
    run_signal_ctx(&shn__signal_risky_network, w,
                   "{\"signals\":{\"risky_network\":{\"offset_weight\":0.8}}}", &none, "cn-browser",
                   &sig);
    assert_true(near(sig.score, 0.8));

    /* Offsets that fit (US spans -10..-4), none declared, a country the
     * table does not list: nothing. */
    run_signal_ctx(&shn__signal_risky_network, w, NULL, &none, "home", &sig);
    assert_true(sig.score == 0);
    assert_string_equal(sig.reason_en, "");
    run_signal_ctx(&shn__signal_risky_network, w, NULL, &none, "us-west", &sig);
    assert_true(sig.score == 0);
    run_signal_ctx(&shn__signal_risky_network, w, NULL, &none, "us-jst", &sig);
    assert_true(near(sig.score, 0.5));
    ev_str(sig, "allowed_offsets", "-10:00..-04:00");
    run_signal_ctx(&shn__signal_risky_network, w, NULL, &none, "nowhere", &sig);
    assert_true(sig.score == 0);
    ev_int(sig, "logins", 1);
    run_signal_ctx(&shn__signal_risky_network, w, NULL, &none, "unlisted", &sig);
    assert_true(sig.score == 0);
    shn__world_free(w);
}

static void risky_network_data_paths(void **state)
{
    char path[] = "/tmp/shn-net-dprk-XXXXXX";
    char cfg[512];
    int fd = mkstemp(path);
    struct text t = {.n = 0};
    struct shn__world *w;
    struct shn_accounts_signal sig;
    struct shn__score_ctx c = {0};
    struct shn_diag d = {0};
    json_t *config = NULL;
    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "203.0.113.0/24\n", 15), 15);
    close(fd);
    account(&t, "a", "JP");
    login(&t, "a", 0, "203.0.113.7", UA, "d", "+09:00");
    w = world_of(t.buf);

    /* The default list does not hold the documentation range; a list the
     * config names does. */
    run_signal_ctx(&shn__signal_risky_network, w, NULL, &c, "a", &sig);
    assert_true(sig.score == 0);
    snprintf(cfg, sizeof cfg, "{\"signals\":{\"risky_network\":{\"dprk_ranges\":\"%s\"}}}", path);
    run_signal_ctx(&shn__signal_risky_network, w, cfg, &c, "a", &sig);
    assert_true(sig.score == 1.0);
    assert_int_equal(sig.hard, SHN_ACCOUNTS_BLOCK);
    unlink(path);

    /* A data file that cannot be read is an error naming it. */
    assert_int_equal(shn__config_parse(cfg, strlen(cfg), "cfg", &config, &d), SHN_OK);
    c.w = w;
    c.config = config;
    assert_int_not_equal(shn__signal_run(&shn__signal_risky_network, &c, "a", &sig, &d), SHN_OK);
    assert_non_null(strstr(d.message, path));
    json_decref(config);

    /* Unknown parameters are rejected by the config loader. */
    assert_int_not_equal(
        shn__config_parse("{\"signals\":{\"risky_network\":{\"dprk\":1}}}", 41, "cfg", &config, &d),
        SHN_OK);
    shn__world_free(w);
}

static void risky_network_countries_and_hosting(void **state)
{
    struct shn__netdb *db = netdb_or_skip("risky_network_countries_and_hosting");
    struct text t = {.n = 0};
    struct shn__world *w;
    struct shn_accounts_signal sig;
    struct shn__score_ctx c = {0};
    (void)state;
    if (!db)
        return;
    c.net = db;
    account(&t, "jp-home", "JP"); /* SoftBank and KDDI lines in Japan */
    login(&t, "jp-home", 0, "126.1.2.3", UA, "d", "+09:00");
    login(&t, "jp-home", 600, "106.130.4.5", UA, "d", "+09:00");
    account(&t, "jp-cn", "JP"); /* Chinanet behind a Japanese identity */
    for (int i = 0; i < 3; i++)
        login(&t, "jp-cn", i * 600, "113.64.1.1", UA, "d", "+09:00");
    account(&t, "jp-ru", "JP");
    login(&t, "jp-ru", 0, "95.24.1.1", UA, "d", "+09:00");
    account(&t, "jp-trip", "JP"); /* one login of four from Comcast */
    login(&t, "jp-trip", 0, "73.1.2.3", UA, "d", "+09:00");
    for (int i = 1; i < 4; i++)
        login(&t, "jp-trip", i * 600, "126.1.2.3", UA, "d", "+09:00");
    account(&t, "jp-vps", "JP"); /* Vultr Tokyo: in Japan, but a data centre */
    login(&t, "jp-vps", 0, "167.179.64.5", UA, "d", "+09:00");
    account(&t, "cn-all", "JP"); /* China, a data centre and a Chinese browser */
    login(&t, "cn-all", 0, "113.64.1.1", UA, "d", "+08:00");
    login(&t, "cn-all", 60, "167.179.64.5", UA, "d", "+08:00");
    w = world_of(t.buf);

    run_signal_ctx(&shn__signal_risky_network, w, NULL, &c, "jp-home", &sig);
    assert_true(sig.score == 0);
    ev_str(sig, "geolocation", "available");
    ev_int(sig, "located_logins", 2);

    /* CN weighs 0.9, every located login: 0.9 × (0.5 + 0.5) = 0.9. */
    run_signal_ctx(&shn__signal_risky_network, w, NULL, &c, "jp-cn", &sig);
    assert_true(near(sig.score, 0.9));
    assert_int_equal(sig.hard, 0);
    ev_len(sig, "foreign_countries", 1);
    ev_str(sig, "foreign_countries.0.country", "CN");
    ev_int(sig, "foreign_countries.0.logins", 3);
    ev_num(sig, "foreign_countries.0.weight", 0.9);
    assert_non_null(strstr(sig.reason_en, "3 of 3 located login(s) from CN, not the declared "
                                          "residence JP"));
    assert_non_null(strstr(sig.reason_ja, "居住国JPではなくCNからのログインが3/3件"));
    run_signal_ctx(&shn__signal_risky_network, w, NULL, &c, "jp-ru", &sig);
    assert_true(near(sig.score, 0.9));

    /* A trip to the US weighs the default 0.3: 0.3 × (0.5 + 0.125). */
    run_signal_ctx(&shn__signal_risky_network, w, NULL, &c, "jp-trip", &sig);
    assert_true(near(sig.score, 0.1875));
    run_signal_ctx(&shn__signal_risky_network, w,
                   "{\"signals\":{\"risky_network\":{\"foreign_weight\":0}}}", &c, "jp-trip", &sig);
    assert_true(sig.score == 0);

    /* Hosting: 0.6 for every login from a listed AS. */
    run_signal_ctx(&shn__signal_risky_network, w, NULL, &c, "jp-vps", &sig);
    assert_true(near(sig.score, 0.6));
    ev_int(sig, "hosting_networks.0.asn", 20473);
    assert_non_null(strstr(sig.reason_en, "hosting/VPN networks (e.g. AS20473"));

    /* All three parts: country 0.9 × 0.75, hosting 0.6 × 0.75, and an
     * offset of +08:00 that fits China (the first login: a trip, already
     * weighed) but neither Japan nor the Tokyo data centre of the second:
     * 0.5 × 0.75. */
    run_signal_ctx(&shn__signal_risky_network, w, NULL, &c, "cn-all", &sig);
    assert_true(near(sig.score, 1 - (1 - 0.675) * (1 - 0.45) * (1 - 0.375)));
    ev_int(sig, "offset_checked", 2);
    ev_int(sig, "offset_mismatches", 1);
    assert_non_null(strstr(sig.reason_en, "from CN"));
    assert_non_null(strstr(sig.reason_en, "hosting"));
    assert_non_null(strstr(sig.reason_en, "UTC offset"));
    shn__world_free(w);
    shn__netdb_close(db);
}

/* ---- session_anomaly ------------------------------------------------------- */

static void session_anomaly_remote_desktop(void **state)
{
    struct text t = {.n = 0};
    struct shn__world *w;
    struct shn_accounts_signal sig;
    (void)state;
    account(&t, "farm", "JP");
    login(&t, "farm", 0, "126.1.2.3", "AnyDesk/8.0.10 (Windows NT 10.0; Win64; x64)", "d1",
          "+09:00");
    login(&t, "farm", 600, "126.1.2.3", UA, "d1", "+09:00");
    account(&t, "plain", "JP");
    login(&t, "plain", 0, "126.1.2.4", UA, "d2", "+09:00");
    w = world_of(t.buf);

    /* One of two logins: 0.7 × (0.5 + 0.25) = 0.525. */
    run_signal(&shn__signal_session_anomaly, w, NULL, "farm", &sig);
    assert_true(near(sig.score, 0.525));
    assert_true(sig.weight == 1.5);
    ev_int(sig, "remote_desktop_logins", 1);
    ev_len(sig, "remote_desktop_tools", 1);
    ev_str(sig, "remote_desktop_tools.0", "AnyDesk");
    assert_non_null(strstr(sig.reason_en, "remote-desktop client (AnyDesk)"));
    assert_non_null(strstr(sig.reason_ja, "リモートデスクトップ（AnyDesk）"));
    run_signal(&shn__signal_session_anomaly, w, NULL, "plain", &sig);
    assert_true(sig.score == 0);
    assert_string_equal(sig.reason_en, "");
    assert_string_equal(sig.reason_ja, "");
    shn__world_free(w);
}

static void session_anomaly_shared_device_and_ip(void **state)
{
    struct text t = {.n = 0};
    struct shn__world *w;
    struct shn_accounts_signal sig;
    (void)state;
    /* Three accounts on one device (different home IPs); two on another. */
    login(&t, "s1", 0, "126.1.0.1", UA, "dev-shared", "+09:00");
    login(&t, "s2", 0, "126.1.0.2", UA, "dev-shared", "+09:00");
    login(&t, "s3", 0, "126.1.0.3", UA, "dev-shared", "+09:00");
    login(&t, "s3", 10, "126.1.0.3", UA, "dev-shared", "+09:00");
    login(&t, "p1", 0, "126.1.0.4", UA, "dev-pair", "+09:00");
    login(&t, "p2", 0, "126.1.0.5", UA, "dev-pair", "+09:00");
    /* Three accounts behind one public IP; five behind a private one. */
    login(&t, "n1", 0, "106.130.4.5", UA, "n1", "+09:00");
    login(&t, "n2", 0, "106.130.4.5", UA, "n2", "+09:00");
    login(&t, "n3", 0, "106.130.4.5", UA, "n3", "+09:00");
    for (int i = 0; i < 5; i++) {
        char id[8];
        snprintf(id, sizeof id, "lan%d", i);
        login(&t, id, 0, "10.0.0.1", UA, id, "+09:00");
    }
    w = world_of(t.buf);

    run_signal(&shn__signal_session_anomaly, w, NULL, "s3", &sig);
    assert_true(near(sig.score, 0.4));
    ev_len(sig, "shared_device", 3);
    ev_str(sig, "shared_device.value", "dev-shared");
    ev_int(sig, "shared_device.accounts", 3);
    ev_len(sig, "shared_device.others", 2);
    ev_str(sig, "shared_device.others.0", "s1");
    ev_str(sig, "shared_device.others.1", "s2");
    ev_absent(sig, "shared_ip");
    assert_non_null(strstr(sig.reason_en, "device shared by 3 accounts"));
    run_signal(&shn__signal_session_anomaly, w, NULL, "p1", &sig);
    assert_true(sig.score == 0);
    run_signal(&shn__signal_session_anomaly, w,
               "{\"signals\":{\"session_anomaly\":{\"max_accounts_per_device\":4}}}", "s3", &sig);
    assert_true(sig.score == 0);
    run_signal(&shn__signal_session_anomaly, w,
               "{\"signals\":{\"session_anomaly\":{\"max_accounts_per_device\":2}}}", "p1", &sig);
    assert_true(near(sig.score, 0.4));

    run_signal(&shn__signal_session_anomaly, w, NULL, "n2", &sig);
    assert_true(near(sig.score, 0.25));
    ev_str(sig, "shared_ip.value", "106.130.4.5");
    ev_int(sig, "shared_ip.accounts", 3);
    assert_non_null(strstr(sig.reason_en, "IP 106.130.4.5 shared by 3 accounts"));
    run_signal(&shn__signal_session_anomaly, w, NULL, "lan3", &sig);
    assert_true(sig.score == 0);
    shn__world_free(w);
}

static void session_anomaly_long_sessions(void **state)
{
    struct text t = {.n = 0};
    struct shn__world *w;
    struct shn_accounts_signal sig;
    (void)state;
    /* Hourly for 25 hours (24 h of activity, no pause over 1 h), the last
     * hour a bid rather than a login. */
    for (int h = 0; h < 24; h++)
        login(&t, "rota", h * 60, "126.1.2.3", UA, "d", "+09:00");
    add(&t, "{\"event\":\"bid\",\"id\":\"b1\",\"time\":\"2026-03-02T00:00:00Z\",\"account\":"
            "\"rota\",\"job\":\"j\",\"category\":\"web\",\"amount\":100,\"currency\":\"JPY\"}\n");
    /* Every three hours for two days: pauses of 3 h. */
    for (int h = 0; h <= 48; h += 3)
        login(&t, "sleeper", h * 60, "126.1.2.4", UA, "d2", "+09:00");
    /* A working day. */
    for (int h = 0; h < 12; h++)
        login(&t, "day", h * 60, "126.1.2.5", UA, "d3", "+09:00");
    w = world_of(t.buf);

    run_signal(&shn__signal_session_anomaly, w, NULL, "rota", &sig);
    assert_true(near(sig.score, 0.5));
    ev_num(sig, "longest_session_hours", 24);
    ev_str(sig, "longest_session_from", "2026-03-01T00:00:00Z");
    assert_non_null(strstr(sig.reason_en, "activity for 24 h without a 2 h pause"));
    assert_non_null(strstr(sig.reason_ja, "24時間活動"));
    run_signal(&shn__signal_session_anomaly, w, NULL, "sleeper", &sig);
    assert_true(sig.score == 0);
    ev_num(sig, "longest_session_hours", 0);
    /* Pauses of 3 h allowed: 48 h of activity, twice the bar: 0.7. */
    run_signal(&shn__signal_session_anomaly, w,
               "{\"signals\":{\"session_anomaly\":{\"session_gap_hours\":3}}}", "sleeper", &sig);
    assert_true(near(sig.score, 0.7));
    run_signal(&shn__signal_session_anomaly, w, NULL, "day", &sig);
    assert_true(sig.score == 0);
    shn__world_free(w);
}

static void session_anomaly_impossible_travel(void **state)
{
    struct shn__netdb *db = netdb_or_skip("session_anomaly_impossible_travel");
    struct text t = {.n = 0};
    struct shn__world *w;
    struct shn_accounts_signal sig;
    struct shn__score_ctx c = {0}, none = {0};
    (void)state;
    if (!db)
        return;
    c.net = db;
    /* Tokyo, then China an hour later. */
    login(&t, "hop", 0, "126.1.2.3", UA, "d", "+09:00");
    login(&t, "hop", 60, "113.64.1.1", UA, "d", "+09:00");
    /* Tokyo, then China three hours later. */
    login(&t, "slow", 0, "126.1.2.4", UA, "d2", "+09:00");
    login(&t, "slow", 180, "113.64.1.2", UA, "d2", "+09:00");
    w = world_of(t.buf);

    run_signal_ctx(&shn__signal_session_anomaly, w, NULL, &c, "hop", &sig);
    assert_true(near(sig.score, 0.6));
    ev_int(sig, "impossible_travel", 1);
    ev_len(sig, "travel_examples", 1);
    ev_len(sig, "travel_examples.0", 5);
    ev_str(sig, "travel_examples.0.from", "JP");
    ev_str(sig, "travel_examples.0.to", "CN");
    ev_str(sig, "travel_examples.0.from_ip", "126.1.2.3");
    ev_str(sig, "travel_examples.0.to_ip", "113.64.1.1");
    ev_int(sig, "travel_examples.0.minutes", 60);
    assert_non_null(strstr(sig.reason_en, "1 country change(s) within 2 h"));
    assert_non_null(strstr(sig.reason_ja, "2時間以内の国の切り替わりが1回"));
    run_signal_ctx(&shn__signal_session_anomaly, w, NULL, &c, "slow", &sig);
    assert_true(sig.score == 0);
    run_signal_ctx(&shn__signal_session_anomaly, w,
                   "{\"signals\":{\"session_anomaly\":{\"min_hours\":4}}}", &c, "slow", &sig);
    assert_true(near(sig.score, 0.6));
    /* Without the database the part is off, and the evidence says so. */
    run_signal_ctx(&shn__signal_session_anomaly, w, NULL, &none, "hop", &sig);
    assert_true(sig.score == 0);
    ev_str(sig, "geolocation", "unavailable");
    shn__world_free(w);
    shn__netdb_close(db);
}

/* Every allocation of risky_network and session_anomaly failing in turn
 * (data files, shared-key tables, evidence): an error each time, nothing
 * leaked, the same answer when it succeeds; with the IP databases too when
 * they are installed. */
static void signals_survive_failing_allocations(void **state)
{
    struct shn__netdb *db = NULL;
    struct text t = {.n = 0};
    struct shn__world *w;
    struct shn__score_ctx none = {0}, c = {0};
    (void)state;
    account(&t, "kp1", "JP");
    login(&t, "kp1", 0, "126.1.2.3", UA, "d1", "+08:00");
    login(&t, "kp1", 60, "175.45.177.10", UA, "d1", "+09:00");
    account(&t, "farm", "JP");
    login(&t, "farm", 0, "113.64.1.1", "AnyDesk/8.0.10 (Windows NT 10.0; Win64; x64)", "dev-shared",
          "+09:00");
    login(&t, "farm", 60, "126.1.2.3", UA, "dev-shared", "+09:00");
    for (int h = 0; h <= 24; h++)
        login(&t, "farm", 120 + h * 60, "106.130.4.5", UA, "dev-shared", "+09:00");
    account(&t, "s2", "JP");
    login(&t, "s2", 0, "106.130.4.5", UA, "dev-shared", "+09:00");
    w = world_of(t.buf);
    assert_true(run_signal_failing(&shn__signal_risky_network, w, NULL, &none, "kp1") > 0);
    assert_true(run_signal_failing(&shn__signal_session_anomaly, w, NULL, &none, "farm") > 0);
    assert_int_equal(shn__netdb_open(NULL, &db, NULL), SHN_OK);
    if (db) {
        c.net = db;
        assert_true(run_signal_failing(&shn__signal_risky_network, w, NULL, &c, "farm") > 0);
        assert_true(run_signal_failing(&shn__signal_session_anomaly, w, NULL, &c, "farm") > 0);
    } else {
        printf("SKIP: with IP databases: not installed\n");
    }
    shn__netdb_close(db);
    shn__world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ip_parse_and_public),
        cmocka_unit_test(cidr_list_from_file),
        cmocka_unit_test(netdb_absent_and_bad_paths),
        cmocka_unit_test(netdb_lookups),
        cmocka_unit_test(risky_network_dprk_blocks),
        cmocka_unit_test(risky_network_utc_offset),
        cmocka_unit_test(risky_network_data_paths),
        cmocka_unit_test(risky_network_countries_and_hosting),
        cmocka_unit_test(session_anomaly_remote_desktop),
        cmocka_unit_test(session_anomaly_shared_device_and_ip),
        cmocka_unit_test(session_anomaly_long_sessions),
        cmocka_unit_test(session_anomaly_impossible_travel),
        cmocka_unit_test(signals_survive_failing_allocations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
