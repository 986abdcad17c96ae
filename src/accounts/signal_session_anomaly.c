/* session_anomaly: how an account is used, rather than where from. Four
 * signs of one identity worked by several hands or from afar:
 *   - impossible travel: two consecutive located logins from different
 *     countries less than min_hours apart (needs the country database);
 *   - a crowded IP or device: the account's login IP or device is used by
 *     at least max_accounts_per_device accounts (moderate: homes, offices
 *     and carriers' NAT share addresses, families share a computer);
 *   - a day-long session: the account's events (logins, bids, messages,
 *     payouts, profile changes) run for long_session_hours or more without
 *     a pause longer than session_gap_hours — a person sleeps, a shift
 *     rota does not;
 *   - remote-desktop clients in the user agent (data/accounts/
 *     remote-desktop-agents.txt): operators abroad driving a laptop kept
 *     in the identity's country.
 * Each part scores in 0..1 and the parts combine as independent signs,
 * 1 − Π(1 − sᵢ).
 *
 * prepare hashes every login IP and device of every account into two
 * sorted (key hash, account) tables, so eval finds how many accounts share
 * a key by bisection; everything else is the account's own events. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netdb.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/hash.h"

#define SIGNAL "session_anomaly"
#define PATTERNS_MAX 512
#define PATTERN_LEN 64
#define UA_MAX 512
#define EXAMPLES_MAX 5
#define HOURS_MAX (24 * 365)
#define SEED_IP 0x1d5eedULL
#define SEED_DEVICE 0xde71ceULL

struct pair {
    uint64_t key;
    uint32_t account; /* index into w->accounts */
};

struct group {
    uint64_t key;
    size_t first, n; /* distinct accounts: pairs[first..first+n) */
};

struct shared {
    struct pair *pairs;
    size_t n_pairs;
    struct group *groups;
    size_t n_groups;
};

struct state {
    struct shared ips, devices;
    char (*patterns)[PATTERN_LEN]; /* lower case */
    char (*names)[PATTERN_LEN];    /* as written, for the evidence */
    size_t n_patterns;
    double min_hours, session_hours, gap_hours;
    size_t max_accounts, max_logins;
};

enum { P_MIN_HOURS, P_MAX_ACCOUNTS, P_SESSION_HOURS, P_GAP_HOURS, P_AGENTS, P_MAX_LOGINS };
static const struct shn__param params[] = {
    [P_MIN_HOURS] = SHN__NUM("min_hours", 2, 0.1, HOURS_MAX, "hours",
                             "two located logins from two countries closer than this"),
    [P_MAX_ACCOUNTS] = SHN__INT("max_accounts_per_device", 3, 2, 1e6, "accounts",
                                "a device or IP used by this many accounts is crowded"),
    [P_SESSION_HOURS] = SHN__NUM("long_session_hours", 24, 0.1, HOURS_MAX, "hours",
                                 "continuous activity this long is a day-long session"),
    [P_GAP_HOURS] = SHN__NUM("session_gap_hours", 2, 0.1, HOURS_MAX, "hours",
                             "a pause longer than this ends a session"),
    [P_AGENTS] = SHN__PATH("remote_desktop_agents", "remote-desktop-agents.txt",
                           "remote-desktop client names"),
    [P_MAX_LOGINS] =
        SHN__INT("max_logins", 2000, 1, SHN__W_PER_LIST_MAX, "logins", "latest logins examined"),
};
#define SELF (&shn__signal_session_anomaly)

static void lower(const char *s, char *out, size_t size)
{
    size_t i = 0;
    for (; s[i] && i + 1 < size; i++)
        out[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] | 0x20) : s[i];
    out[i] = '\0';
}

static int pattern_line(void *ctx, char *line, long lineno, struct shn_diag *diag)
{
    struct state *s = ctx;
    if (s->n_patterns >= PATTERNS_MAX)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, NULL, lineno, "", "more than %d patterns",
                            PATTERNS_MAX);
    if (strlen(line) >= PATTERN_LEN)
        return shn_diag_set(diag, SHN_ERR_PARSE, NULL, lineno, "", "pattern longer than %d bytes",
                            PATTERN_LEN - 1);
    snprintf(s->names[s->n_patterns], PATTERN_LEN, "%s", line);
    lower(line, s->patterns[s->n_patterns++], PATTERN_LEN);
    return SHN_OK;
}

static size_t first_login(const struct state *s, const struct shn__w_account *a)
{
    return a->n_logins > s->max_logins ? a->n_logins - s->max_logins : 0;
}

/* The key of a login's IP (public addresses only, in canonical form) or
 * device; false when the login has none worth counting. */
static bool ip_key(const char *text, uint64_t *key)
{
    struct shn__ip ip;
    if (!shn__ip_parse(text, &ip) || !shn__ip_is_public(&ip))
        return false;
    *key = shn_hash64(ip.b, sizeof ip.b, SEED_IP);
    return true;
}

static bool device_key(const char *text, uint64_t *key)
{
    if (!text || !*text)
        return false;
    *key = shn_hash64(text, strlen(text), SEED_DEVICE);
    return true;
}

static int cmp_pair(const void *x, const void *y)
{
    const struct pair *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->account > b->account) - (a->account < b->account);
}

static int build_shared(const struct shn__score_ctx *c, const struct state *s, bool devices,
                        struct shared *out)
{
    const struct shn__world *w = c->w;
    size_t total = 0, n = 0, g = 0;
    for (size_t i = 0; i < w->n_accounts; i++)
        total += w->accounts[i].n_logins - first_login(s, &w->accounts[i]);
    if (!total || w->n_accounts > UINT32_MAX)
        return SHN_OK;
    if (!(out->pairs = shn_calloc(total, sizeof *out->pairs)))
        return SHN_ERR_NOMEM;
    for (size_t i = 0; i < w->n_accounts; i++) {
        const struct shn__w_account *a = &w->accounts[i];
        for (size_t j = first_login(s, a); j < a->n_logins; j++) {
            const struct shn__w_login *l = &a->logins[j];
            if (devices ? device_key(l->device, &out->pairs[n].key)
                        : ip_key(l->ip, &out->pairs[n].key))
                out->pairs[n++].account = (uint32_t)i;
        }
    }
    if (n > 1)
        qsort(out->pairs, n, sizeof *out->pairs, cmp_pair);
    /* Keep one pair per (key, account), then group by key. */
    for (size_t i = 0; i < n; i++)
        if (out->n_pairs == 0 || cmp_pair(&out->pairs[out->n_pairs - 1], &out->pairs[i]) != 0)
            out->pairs[out->n_pairs++] = out->pairs[i];
    for (size_t i = 0; i < out->n_pairs; i++)
        g += i == 0 || out->pairs[i].key != out->pairs[i - 1].key;
    if (g && !(out->groups = shn_calloc(g, sizeof *out->groups)))
        return SHN_ERR_NOMEM;
    for (size_t i = 0; i < out->n_pairs; i++) {
        if (i == 0 || out->pairs[i].key != out->pairs[i - 1].key)
            out->groups[out->n_groups++] = (struct group){out->pairs[i].key, i, 0};
        out->groups[out->n_groups - 1].n++;
    }
    return SHN_OK;
}

static void release(void *p)
{
    struct state *s = p;
    if (!s)
        return;
    shn_free(s->ips.pairs);
    shn_free(s->ips.groups);
    shn_free(s->devices.pairs);
    shn_free(s->devices.groups);
    shn_free(s->patterns);
    shn_free(s->names);
    shn_free(s);
}

static int prepare(const struct shn__score_ctx *c, void **out, struct shn_diag *diag)
{
    struct state *s = shn_calloc(1, sizeof *s);
    char path[1024], msg[256];
    int rc;
    if (!s || !(s->patterns = shn_calloc(PATTERNS_MAX, PATTERN_LEN)) ||
        !(s->names = shn_calloc(PATTERNS_MAX, PATTERN_LEN))) {
        release(s);
        return SHN_ERR_NOMEM;
    }
    s->min_hours = shn__param_num(c, SELF, P_MIN_HOURS);
    s->session_hours = shn__param_num(c, SELF, P_SESSION_HOURS);
    s->gap_hours = shn__param_num(c, SELF, P_GAP_HOURS);
    s->max_accounts = shn__param_size(c, SELF, P_MAX_ACCOUNTS);
    s->max_logins = shn__param_size(c, SELF, P_MAX_LOGINS);

    shn__param_path(c, SELF, P_AGENTS, path, sizeof path);
    rc = shn__data_lines(path, 1u << 20, pattern_line, s, diag);
    if (rc != SHN_OK && diag && !strstr(diag->message, path)) {
        snprintf(msg, sizeof msg, "%s", diag->message);
        shn_diag_set(diag, rc, NULL, diag->line, "", SIGNAL " data %s: %s", path, msg);
    }
    if (rc == SHN_OK)
        rc = build_shared(c, s, false, &s->ips);
    if (rc == SHN_OK)
        rc = build_shared(c, s, true, &s->devices);
    if (rc != SHN_OK) {
        release(s);
        return rc;
    }
    *out = s;
    return SHN_OK;
}

/* ---- eval ---------------------------------------------------------------- */

static const struct group *find_group(const struct shared *sh, uint64_t key)
{
    size_t lo = 0, hi = sh->n_groups;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sh->groups[mid].key == key)
            return &sh->groups[mid];
        if (sh->groups[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

struct crowd {
    const struct group *g; /* the most shared key */
    const char *value;     /* its text */
};

/* The account's most shared IP or device. */
static void crowded(const struct state *s, const struct shared *sh, bool devices,
                    const struct shn__w_account *a, struct crowd *out)
{
    uint64_t last = 0;
    bool have_last = false;
    memset(out, 0, sizeof *out);
    for (size_t j = first_login(s, a); j < a->n_logins; j++) {
        const struct shn__w_login *l = &a->logins[j];
        const struct group *g;
        uint64_t key;
        if (!(devices ? device_key(l->device, &key) : ip_key(l->ip, &key)) ||
            (have_last && key == last))
            continue;
        have_last = true;
        last = key;
        if (!(g = find_group(sh, key)) || g->n < s->max_accounts)
            continue;
        if (!out->g || g->n > out->g->n) {
            out->g = g;
            out->value = devices ? l->device : l->ip;
        }
    }
}

static json_t *crowd_json(const struct shn__world *w, const struct shared *sh,
                          const struct crowd *cr, const struct shn__w_account *a)
{
    json_t *others = json_array();
    size_t listed = 0;
    for (size_t i = 0; others && i < cr->g->n && listed < EXAMPLES_MAX; i++) {
        const struct shn__w_account *o = &w->accounts[sh->pairs[cr->g->first + i].account];
        if (o == a)
            continue;
        json_array_append_new(others, json_string(o->id));
        listed++;
    }
    return json_pack("{s:s, s:I, s:o}", "value", cr->value, "accounts", (json_int_t)cr->g->n,
                     "others", others);
}

struct travel {
    size_t located, hops;
    json_t *examples;
};

static int impossible_travel(const struct shn__score_ctx *c, const struct state *s,
                             const struct shn__w_account *a, struct travel *t)
{
    char prev[3] = "";
    int64_t prev_t = 0;
    const char *prev_ip = NULL;
    for (size_t j = first_login(s, a); j < a->n_logins; j++) {
        const struct shn__w_login *l = &a->logins[j];
        struct shn__ip ip;
        struct shn__netdb_info info;
        if (!shn__ip_parse(l->ip, &ip))
            continue;
        shn__netdb_lookup(c->net, &ip, &info);
        if (!info.country[0])
            continue;
        t->located++;
        if (prev[0] && strcmp(prev, info.country) != 0 &&
            (double)(l->t - prev_t) < s->min_hours * 3600) {
            t->hops++;
            if (json_array_size(t->examples) < EXAMPLES_MAX &&
                json_array_append_new(
                    t->examples, json_pack("{s:s, s:s, s:s, s:s, s:I}", "from", prev, "to",
                                           info.country, "from_ip", prev_ip, "to_ip", l->ip,
                                           "minutes", (json_int_t)((l->t - prev_t) / 60))) != 0)
                return SHN_ERR_NOMEM;
        }
        memcpy(prev, info.country, 3);
        prev_t = l->t;
        prev_ip = l->ip;
    }
    return SHN_OK;
}

/* The longest run of the account's events with no pause longer than gap
 * seconds: a merge of its time-ordered lists, no allocation. */
static int64_t longest_run(const struct shn__w_account *a, int64_t gap, int64_t *from)
{
    size_t i[5] = {0, 0, 0, 0, 0};
    int64_t start = 0, last = 0, best = 0;
    bool any = false;
    for (;;) {
        int64_t t = 0;
        int pick = -1;
#define CANDIDATE(k, list, n)                                                                      \
    if (i[k] < (n) && (pick < 0 || (list)[i[k]].t < t)) {                                          \
        pick = k;                                                                                  \
        t = (list)[i[k]].t;                                                                        \
    }
        CANDIDATE(0, a->logins, a->n_logins)
        CANDIDATE(1, a->bids, a->n_bids)
        CANDIDATE(2, a->msgs, a->n_msgs)
        CANDIDATE(3, a->payouts, a->n_payouts)
        CANDIDATE(4, a->changes, a->n_changes)
#undef CANDIDATE
        if (pick < 0)
            break;
        i[pick]++;
        if (!any || t - last > gap)
            start = t;
        any = true;
        last = t;
        if (last - start > best) {
            best = last - start;
            *from = start;
        }
    }
    return best;
}

static bool remote_agent(const struct state *s, const char *ua, size_t *which)
{
    char low[UA_MAX];
    if (!ua || !*ua)
        return false;
    lower(ua, low, sizeof low);
    for (size_t k = 0; k < s->n_patterns; k++)
        if (strstr(low, s->patterns[k])) {
            *which = k;
            return true;
        }
    return false;
}

static void when(int64_t t, char out[24])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int eval(const struct shn__score_ctx *c, const void *state, const struct shn__w_account *a,
                struct shn_accounts_signal *out)
{
    const struct state *s = state;
    struct travel tr = {0, 0, NULL};
    struct crowd dev, ip;
    int64_t run_from = 0, run;
    size_t remote = 0, first_remote = 0, examined = a->n_logins - first_login(s, a);
    const char *remote_ua = NULL;
    double p_travel = 0, p_device = 0, p_ip = 0, p_session = 0, p_remote = 0;
    char from[24] = "";
    json_t *ev, *tools = json_array();
    int rc;

    if (!tools || !(tr.examples = json_array())) {
        json_decref(tools);
        return SHN_ERR_NOMEM;
    }
    if (shn__netdb_has_country(c->net) && (rc = impossible_travel(c, s, a, &tr)) != SHN_OK) {
        json_decref(tools);
        json_decref(tr.examples);
        return rc;
    }
    crowded(s, &s->devices, true, a, &dev);
    crowded(s, &s->ips, false, a, &ip);
    run = longest_run(a, (int64_t)(s->gap_hours * 3600), &run_from);
    for (size_t j = first_login(s, a); j < a->n_logins; j++) {
        size_t k;
        if (!remote_agent(s, a->logins[j].user_agent, &k))
            continue;
        if (remote++ == 0) {
            first_remote = k;
            remote_ua = a->logins[j].user_agent;
        }
        bool listed = false;
        for (size_t m = 0; m < json_array_size(tools); m++)
            listed |= strcmp(json_string_value(json_array_get(tools, m)), s->names[k]) == 0;
        if (!listed && json_array_size(tools) < EXAMPLES_MAX)
            json_array_append_new(tools, json_string(s->names[k]));
    }

    if (tr.hops)
        p_travel = tr.hops >= 5 ? 1.0 : 0.5 + 0.1 * (double)tr.hops;
    if (dev.g)
        p_device = dev.g->n - s->max_accounts >= 4
                       ? 0.8
                       : 0.4 + 0.1 * (double)(dev.g->n - s->max_accounts);
    if (ip.g)
        p_ip = ip.g->n - s->max_accounts >= 5 ? 0.5
                                              : 0.25 + 0.05 * (double)(ip.g->n - s->max_accounts);
    if ((double)run >= s->session_hours * 3600) {
        double over = ((double)run - s->session_hours * 3600) / (s->session_hours * 3600);
        p_session = 0.5 + 0.2 * (over < 1 ? over : 1);
        when(run_from, from);
    }
    if (remote)
        p_remote = 0.7 * (0.5 + 0.5 * (double)remote / (double)examined);
    out->score =
        1 - (1 - p_travel) * (1 - p_device) * (1 - p_ip) * (1 - p_session) * (1 - p_remote);

    ev = json_pack("{s:I, s:I, s:s, s:I, s:I, s:f, s:o, s:o*, s:o*, s:I, s:f, s:s?, "
                   "s:I, s:o, s:s?}",
                   "logins", (json_int_t)a->n_logins, "examined", (json_int_t)examined,
                   "geolocation", shn__netdb_has_country(c->net) ? "available" : "unavailable",
                   "located_logins", (json_int_t)tr.located, "impossible_travel",
                   (json_int_t)tr.hops, "min_hours", s->min_hours, "travel_examples", tr.examples,
                   "shared_device", dev.g ? crowd_json(c->w, &s->devices, &dev, a) : NULL,
                   "shared_ip", ip.g ? crowd_json(c->w, &s->ips, &ip, a) : NULL,
                   "max_accounts_per_device", (json_int_t)s->max_accounts, "longest_session_hours",
                   (double)run / 3600.0, "longest_session_from", from[0] ? from : NULL,
                   "remote_desktop_logins", (json_int_t)remote, "remote_desktop_tools", tools,
                   "remote_desktop_example", remote_ua);
    if (out->score > 0) {
        char en[280] = "", ja[420] = "";
        size_t ne = 0, nj = 0;
#define ADD(buf, n, ...)                                                                           \
    if (n < sizeof buf)                                                                            \
        n += (size_t)snprintf(buf + n, sizeof buf - n, __VA_ARGS__);
        if (p_travel > 0) {
            ADD(en, ne, "%zu country change(s) within %.0f h", tr.hops, s->min_hours)
            ADD(ja, nj, "%.0f時間以内の国の切り替わりが%zu回", s->min_hours, tr.hops)
        }
        if (p_device > 0) {
            ADD(en, ne, "%sdevice shared by %zu accounts", ne ? "; " : "", dev.g->n)
            ADD(ja, nj, "%s端末を%zu件のアカウントが共有", nj ? "、" : "", dev.g->n)
        }
        if (p_ip > 0) {
            ADD(en, ne, "%sIP %s shared by %zu accounts", ne ? "; " : "", ip.value, ip.g->n)
            ADD(ja, nj, "%sIP %s を%zu件のアカウントが共有", nj ? "、" : "", ip.value, ip.g->n)
        }
        if (p_session > 0) {
            ADD(en, ne, "%sactivity for %.0f h without a %.0f h pause", ne ? "; " : "",
                (double)run / 3600.0, s->gap_hours)
            ADD(ja, nj, "%s%.0f時間以上の休止なく%.0f時間活動", nj ? "、" : "", s->gap_hours,
                (double)run / 3600.0)
        }
        if (p_remote > 0) {
            ADD(en, ne, "%s%zu login(s) through a remote-desktop client (%s)", ne ? "; " : "",
                remote, s->names[first_remote])
            ADD(ja, nj, "%sリモートデスクトップ（%s）経由のログインが%zu件", nj ? "、" : "",
                s->names[first_remote], remote)
        }
#undef ADD
        shn__signal_reason_en(out, "unusual sessions: %s", en);
        shn__signal_reason_ja(out, "不自然なセッション: %s", ja);
    }
    return shn__signal_set_evidence(out, ev);
}

const struct shn__signal_def shn__signal_session_anomaly = {
    .name = SIGNAL,
    .default_weight = 1.5,
    SHN__PARAMS(params),
    .prepare = prepare,
    .eval = eval,
    .release = release,
};
