/* Ordinary freelancers of the sample platform, and the collaborator, whose
 * account is an ordinary one except that its licence also backs operator
 * accounts (platform_cell.c).
 *
 * Identifiers come from bijections of the person's index, so no two
 * unrelated people share a phone, document, bank account, e-mail or home
 * address by accident; what is shared is shared on purpose (families).
 * Noise that keeps precision from being trivially perfect, drawn
 * independently (so some people carry two kinds), by share of people: 2%
 * travel (some logins from the US, Korea or Taiwan with matching offsets),
 * 3% newcomers bidding 30-60% of the market, 4% PayPal, 0.5% crypto
 * payouts, 1% a VPN (some logins from hosting networks), 0.3% Japanese
 * living in South-East Asia (most logins from there, +07:00/+08:00), 0.7%
 * foreign residents (CN/KR/VN nationality and names, a profile in learner's
 * Japanese), and about one pair in 1,000 a family sharing a
 * computer, a home connection and sometimes a bank account. */
#include <math.h>
#include <string.h>

#include "platform_internal.h"

static const double hourly_median[SHN__SAMPLE_CATEGORIES] = {4000, 4500, 3000, 2500,
                                                             3500, 2000, 2500, 3000};
static const char *const banks[] = {"三菱UFJ",  "三井住友", "みずほ",        "りそな",
                                    "ゆうちょ", "楽天",     "住信SBIネット", "PayPay"};
static const char *const domains[] = {"example.jp",  "example.co.jp", "example.ne.jp",
                                      "example.com", "example.net",   "example.org"};

#define COUNT(a) (sizeof a / sizeof a[0])
#define FAMILY_EVERY 997
#define FAMILY_AT 400

struct person {
    struct shn__sample_name name;
    int female, category, years, birth_year;
};

/* The name of person oi, from a stream of its own so that a relative can
 * recompute it (families share a surname). */
static void person(const struct shn__sample_platform *G, uint64_t oi, uint64_t head,
                   struct person *p)
{
    struct shn_rng r = shn_rng_stream(G->seed, 0xAA00000000ull + oi);
    struct shn__sample_name s;
    size_t n_surnames = shn__sample_surname(0, &s);

    p->female = (int)shn_rng_below(&r, 2);
    shn__sample_name(&r, p->female, &p->name);
    shn__sample_surname((size_t)(shn_rng_mix(G->seed, 0x5A00000000ull + head) % n_surnames), &s);
    p->name.surname = s.surname;
    p->name.surname_kana = s.surname_kana;
    p->name.surname_latin = s.surname_latin;
    p->category = (int)shn_rng_below(&r, SHN__SAMPLE_CATEGORIES);
    p->birth_year = 1965 + (int)shn_rng_below(&r, 39);
    p->years =
        1 + (int)shn_rng_below(
                &r, (uint64_t)(2026 - p->birth_year - 20 > 1 ? 2026 - p->birth_year - 20 : 1));
    if (p->years > 20)
        p->years = 20;
}

static int bank(struct shn_buf *b, uint64_t oi, const struct shn__sample_name *holder)
{
    /* 7 digits: oi * 7654321 + 1111111 mod 10^7 is a bijection */
    unsigned long long no = (oi * 7654321ull + 1111111ull) % 10000000ull;
    return shn_buf_appendf(b, "%s 普通 %07llu %s %s", banks[oi % COUNT(banks)], no,
                           holder->surname_kana, holder->given_kana);
}

struct noise {
    int travel, low, paypal, crypto, vpn, abroad, foreign;
};

static void login(struct shn__sample_platform *G, struct shn_rng *r, const char *account,
                  long long t, uint64_t oi, uint64_t head, const struct noise *z)
{
    char ip[16], device[24];
    const char *offset = "+09:00", *ua;
    uint64_t u = shn_rng_below(r, 100), dev_key;
    struct shn_rng dev_rng;
    int mobile = 0;

    if (z->abroad && u < 80) {
        shn__sample_ip(r, SHN__NET_SEA, ip, &offset);
    } else if (z->travel && u < 25) {
        static const enum shn__sample_net abroad[] = {SHN__NET_US, SHN__NET_KR, SHN__NET_TW};
        shn__sample_ip(r, abroad[oi % 3], ip, &offset);
        mobile = 1;
    } else if (z->vpn && u < 30) {
        shn__sample_ip(r, SHN__NET_HOSTING, ip, &offset);
        offset = "+09:00"; /* the browser is in Japan; only the exit is not */
    } else if (u < 70) {
        shn__sample_ip_home(head, ip);
    } else {
        shn__sample_ip(r, SHN__NET_JP_MOBILE, ip, &offset);
        mobile = 1;
    }
    /* the computer at home is the family's; the phone is one's own */
    dev_key = mobile ? shn_rng_mix(G->seed, 0xDE0000000000ull + oi * 2 + 1)
                     : shn_rng_mix(G->seed, 0xDE0000000000ull + head * 2);
    shn__sample_device(dev_key, device);
    dev_rng = shn_rng_seed(dev_key); /* a device keeps its browser */
    ua = shn__sample_user_agent(&dev_rng, mobile);
    shn__sample_begin(G, "login", account, t);
    shn__sample_str(G, "ip", ip);
    shn__sample_str(G, "user_agent", ua);
    shn__sample_str(G, "device", device);
    shn__sample_str(G, "utc_offset", offset);
    {
        double s = exp(7.4 + 0.8 * shn_rng_normal(r));
        shn__sample_num(G, "x_session_seconds", s < 60 ? 60 : s > 6 * 3600 ? 6 * 3600 : floor(s));
    }
    shn__sample_end(G);
}

static void bid(struct shn__sample_platform *G, struct shn_rng *r, const char *account, long long t,
                int category, int low)
{
    char job[24];
    int c = shn_rng_below(r, 5) ? category : (int)shn_rng_below(r, SHN__SAMPLE_CATEGORIES);
    double a = shn__sample_category_median[c] * exp(0.45 * shn_rng_normal(r));

    if (low)
        a *= 0.3 + 0.3 * shn_rng_unit(r);
    snprintf(job, sizeof job, "job-%06u", (unsigned)shn_rng_below(r, 1000000));
    shn__sample_begin(G, "bid", account, t);
    shn__sample_str(G, "job", job);
    shn__sample_str(G, "category", shn__sample_category[c]);
    if (shn_rng_below(r, 25) == 0) {
        double usd = floor(a / 150 / 5) * 5;
        shn__sample_num(G, "amount", usd < 5 ? 5 : usd);
        shn__sample_str(G, "currency", "USD");
    } else {
        double jpy = floor(a / 500) * 500;
        shn__sample_num(G, "amount", jpy < 500 ? 500 : jpy);
        shn__sample_str(G, "currency", "JPY");
    }
    shn__sample_end(G);
}

void shn__sample_ordinary(struct shn__sample_platform *G, uint64_t oi, const char *account)
{
    int collab = oi == G->n_ordinary;
    struct shn_rng r = shn_rng_stream(G->seed, 0xBB00000000ull + oi);
    struct shn_rng nr = shn_rng_stream(G->seed, 0x401E00000000ull + oi);
    struct noise z = {0};
    int family_member = !collab && oi > 0 && (oi - 1) % FAMILY_EVERY == FAMILY_AT;
    int family_head = !collab && oi % FAMILY_EVERY == FAMILY_AT && oi + 1 < G->n_ordinary;
    uint64_t head = family_member ? oi - 1 : oi;
    int shared_bank = family_member && (oi / FAMILY_EVERY) % 2 == 0;
    struct person p, hp;
    char doc[16], hex[SHN_PDQ_HEX_LEN + 1], phone[16];
    int rc;
    const char *planted[16], *nationality = "JP";
    size_t n_planted = 0;
    long long t =
        SHN__SAMPLE_START + (long long)shn_rng_below(&r, (uint64_t)(SHN__SAMPLE_SPAN * 7 / 10));
    unsigned n = G->epa / 2 + (unsigned)shn_rng_below(&r, G->epa + 1);

    if (!collab) { /* per mille, each drawn on its own */
        z.travel = shn_rng_below(&nr, 1000) < 20;
        z.low = shn_rng_below(&nr, 1000) < 30;
        z.paypal = shn_rng_below(&nr, 1000) < 40;
        z.crypto = shn_rng_below(&nr, 1000) < 5;
        z.vpn = shn_rng_below(&nr, 1000) < 10;
        z.abroad = shn_rng_below(&nr, 1000) < 3;
        z.foreign = !family_member && !family_head && shn_rng_below(&nr, 1000) < 7;
    }
    person(G, oi, head, &p);
    if (z.foreign)
        nationality = shn__sample_foreign_name(&nr, &p.name);

    /* e-mail and phone: the index keeps them unique */
    {
        struct shn_buf *e = &G->email;
        unsigned style = (unsigned)shn_rng_below(&r, 3);
        shn_buf_reset(e);
        if (style == 0) {
            rc = shn__sample_put_lower(e, p.name.given_latin);
            if (rc == SHN_OK)
                rc = shn_buf_append_char(e, '.');
            if (rc == SHN_OK)
                rc = shn__sample_put_lower(e, p.name.surname_latin);
        } else if (style == 1) {
            rc = shn__sample_put_lower(e, p.name.surname_latin);
            if (rc == SHN_OK) /* the initial, lower-cased */
                rc = shn_buf_append_char(e, (char)(p.name.given_latin[0] - 'A' + 'a'));
        } else {
            rc = shn__sample_put_lower(e, p.name.given_latin);
            if (rc == SHN_OK)
                rc = shn_buf_append_char(e, '_');
            if (rc == SHN_OK)
                rc = shn__sample_put_lower(e, p.name.surname_latin);
            if (rc == SHN_OK)
                rc = shn_buf_append_char(e, '.');
        }
        if (rc == SHN_OK)
            rc = shn_buf_appendf(e, "%llu@%s", (unsigned long long)oi,
                                 domains[shn_rng_below(&r, COUNT(domains))]);
        shn__sample_check(G, rc);
        unsigned long long ph = (oi * 48271ull + 12345679ull) % 100000000ull;
        snprintf(phone, sizeof phone, "%s-%04llu-%04llu", oi % 2 ? "080" : "090", ph / 10000,
                 ph % 10000);
    }

    /* payout method */
    shn_buf_reset(&G->method);
    if (z.crypto) {
        char w[48];
        shn__sample_wallet_eth(shn_rng_mix(G->seed, 0xE7E000000000ull + oi), w);
        rc = shn_buf_appendf(&G->method,
                             "{\"type\":\"crypto\",\"chain\":\"ETH\",\"address\":\"%s\"}", w);
        planted[n_planted++] = "crypto_payout";
    } else if (z.paypal && oi % 2) {
        rc = shn_buf_appendf(&G->method, "{\"type\":\"paypal\",\"account\":\"%s\"}", G->email.data);
    } else {
        rc = shn_buf_append_str(&G->method, "{\"type\":\"bank\",\"account\":\"");
        if (shared_bank) {
            person(G, head, head, &hp);
            if (rc == SHN_OK)
                rc = bank(&G->method, head, &hp.name);
        } else if (rc == SHN_OK) {
            rc = bank(&G->method, oi, &p.name);
        }
        if (rc == SHN_OK)
            rc = shn_buf_append_str(&G->method, "\"}");
    }
    shn__sample_check(G, rc);
    if (z.travel)
        planted[n_planted++] = "travel";
    if (z.low)
        planted[n_planted++] = "low_bid";
    if (z.paypal)
        planted[n_planted++] = "paypal";
    if (z.vpn)
        planted[n_planted++] = "vpn";
    if (z.abroad)
        planted[n_planted++] = "abroad";
    if (z.foreign)
        planted[n_planted++] = "foreign_resident";
    if (family_member || family_head)
        planted[n_planted++] = "shared_device";
    if (shared_bank)
        planted[n_planted++] = "family_payout";
    if (collab) {
        planted[n_planted++] = "dup_id_image";
        planted[n_planted++] = "shared_identifiers";
    }
    planted[n_planted] = NULL;

    /* sign-up */
    shn__sample_begin(G, "account", account, t);
    {
        char full[128];
        snprintf(full, sizeof full, "%s %s", p.name.surname, p.name.given);
        shn__sample_str(G, "name", full);
        snprintf(full, sizeof full, "%s %s", p.name.surname_kana, p.name.given_kana);
        shn__sample_str(G, "name_reading", full);
        snprintf(full, sizeof full, "%s %s", p.name.given_latin, p.name.surname_latin);
        shn__sample_str(G, "name_latin", full);
        /* day, then month (SEQUENCED, platform_internal.h) */
        unsigned day = 1 + (unsigned)shn_rng_below(&r, 28);
        unsigned month = 1 + (unsigned)shn_rng_below(&r, 12);
        snprintf(full, sizeof full, "%04d-%02u-%02u", p.birth_year, month, day);
        shn__sample_str(G, "birth_date", full);
    }
    shn__sample_str(G, "nationality", nationality);
    shn__sample_str(G, "residence", "JP");
    shn__sample_str(G, "email", G->email.data);
    shn__sample_str(G, "phone", phone);
    {
        struct shn_rng ar = shn_rng_stream(G->seed, 0xADD000000000ull + head);
        shn_buf_reset(&G->addr);
        shn__sample_check(G, shn__sample_address(&G->addr, &ar));
        shn__sample_str(G, "address", G->addr.data);
    }
    if (collab || shn_rng_below(&r, 100) >= 3) { /* 3% not yet verified */
        struct shn_pdq h;
        int licence = collab || shn_rng_below(&r, 5) < 3;
        if (collab) {
            h = G->collab_pdq;
            memcpy(doc, G->collab_number, sizeof doc);
        } else {
            /* an unrelated card: a pool card with a quarter of its bits
             * flipped, 96 bits on average from anyone else's */
            h = G->pool[shn_rng_below(&r, SHN__SAMPLE_POOL)];
            for (int i = 0; i < SHN_PDQ_BYTES; i++)
                h.bytes[i] ^= (uint8_t)(shn_rng_next(&r) & shn_rng_next(&r));
            shn__sample_doc_number(oi, doc);
        }
        shn_image_pdq_to_hex(&h, hex);
        shn__sample_check(
            G, shn_buf_appendf(
                   &G->line,
                   ",\"id_document\":{\"type\":\"%s\",\"number\":\"%s\",\"country\":\"JP\","
                   "\"image_pdq\":\"%s\"}",
                   licence ? "drivers_licence" : "my_number", doc, hex));
    }
    shn__sample_check(G, shn_buf_appendf(&G->line, ",\"payout\":[%s]", G->method.data));
    shn_buf_reset(&G->text);
    if (z.foreign)
        rc = shn__sample_profile_learner(&G->text, &r, p.category, &p.name, p.years);
    else
        rc = shn__sample_profile_natural(&G->text, &r, p.category, &p.name, p.years);
    shn__sample_check(G, rc);
    shn__sample_str(G, "profile", G->text.data);
    shn__sample_raw(G, ",\"skills\":");
    shn__sample_check(G, shn__sample_skills(&G->line, &r, p.category));
    shn__sample_check(
        G, shn_buf_appendf(&G->line, ",\"hourly_rate\":{\"amount\":%.0f,\"currency\":\"JPY\"}",
                           floor(hourly_median[p.category] * exp(0.3 * shn_rng_normal(&r)) / 100) *
                               100));
    shn__sample_end(G);

    /* what they do afterwards */
    for (unsigned j = 1; j < n; j++) {
        long long left = SHN__SAMPLE_START + SHN__SAMPLE_SPAN - t;
        uint64_t kind = shn_rng_below(&r, 100);
        t += 60 + (long long)shn_rng_below(&r, (uint64_t)(left / (long long)(n - j + 1) + 1));
        if (kind < 40) {
            login(G, &r, account, t, oi, head, &z);
        } else if (kind < 68) {
            bid(G, &r, account, t, p.category, z.low);
        } else if (kind < 90) {
            char to[24];
            shn_buf_reset(&G->text);
            shn__sample_check(G, shn__sample_message_natural(&G->text, &r, p.category,
                                                             z.paypal && shn_rng_below(&r, 2)));
            snprintf(to, sizeof to, "client-%05u",
                     (unsigned)shn_rng_below(&r, G->n_ordinary / 10 + 50));
            shn__sample_begin(G, "message", account, t);
            shn__sample_str(G, "to", to);
            shn__sample_str(G, "text", G->text.data);
            shn__sample_end(G);
        } else if (kind < 97) {
            shn__sample_begin(G, "payout", account, t);
            shn__sample_check(G, shn_buf_appendf(&G->line, ",\"method\":%s", G->method.data));
            shn__sample_num(G, "amount",
                            floor(shn__sample_category_median[p.category] *
                                  exp(0.4 * shn_rng_normal(&r)) / 100) *
                                    100 +
                                100);
            shn__sample_str(G, "currency", "JPY");
            shn__sample_end(G);
        } else { /* a profile update */
            shn_buf_reset(&G->text);
            shn__sample_check(
                G, shn__sample_profile_natural(&G->text, &r, p.category, &p.name, p.years));
            shn__sample_begin(G, "account", account, t);
            shn__sample_str(G, "profile", G->text.data);
            shn__sample_end(G);
        }
    }
    shn__sample_truth(G, account, collab ? "collaborator" : "ordinary", 0, planted);
}
