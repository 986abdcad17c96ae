/* Operator cells of the sample platform: DPRK IT workers behind Japanese
 * identities, as the Japanese authorities' and other public advisories
 * describe them. A cell's personas share an ID card (each upload a
 * differently edited copy), payout wallets, devices and login addresses;
 * write stilted Japanese from one profile template; bid at 20-35% of the
 * market; ask for crypto and for contact off the platform; log in from
 * China, Russia, South-East Asia and hosting networks with +08:00/+07:00
 * browsers, through remote-desktop clients, in sessions of a day or more;
 * and change name, e-mail, phone and payout often.
 *
 * Per cell: persona 0 carries a name (and birth date) close to a person on
 * the FICTIONAL demo watchlist (data/demo/demo-list.jsonl), the last
 * persona is paid to a demo-list wallet, so the sanctions screen fires in
 * the demo without real data; every fourth persona has a bank payout in
 * someone else's name. In cell c1 persona 2 logs in once from DPRK address
 * space. In the collaborator's cell (c2, or c1 with one cell) personas 1-3
 * use the collaborator's licence: its number and edited copies of its
 * image. */
#include <math.h>
#include <string.h>

#include "platform_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/sample.h"

/* Within 15 of the unedited card, two copies are within 30 of each other. */
#define EDIT_MAX_DISTANCE 15

static const int cell_category[] = {0, 1, 4, 2}; /* web, mobile, data, design */

/* Names close to the demo list's fictional persons (demo-004, -001, -002,
 * -003), as a Zainichi-style Japanese identity would write them. */
static const struct {
    struct shn__sample_name name;
    const char *birth_date;
    int female;
} near_listed[] = {
    {{"朴", "明順", "パク", "ミョンスン", "Pak", "Myong Sun"}, "1987-11-02", 1},
    {{"金", "哲雄", "キム", "チョルン", "Kim", "Chol Ung"}, "1984-03-15", 0},
    {{"韓", "泰龍", "ハン", "テリョン", "Han", "Tae Ryong"}, "1979-05-20", 0},
    {{"崔", "光一", "チェ", "クァンイル", "Choe", "Kwang Il"}, "1990-08-08", 0},
};

/* The demo list's wallets (demo-001, -003, -006). */
static const struct {
    const char *chain, *address;
} demo_wallets[] = {
    {"ETH", "0xDEAD00000000000000000000000000000000bEEF"},
    {"TRON", "TFictDemoAddressForShinsaTests1111"},
    {"BTC", "bc1qdemo0fict0ona1address0for0tests0xyz"},
};

#define COUNT(a) (sizeof a / sizeof a[0])

static enum shn__sample_net region(unsigned c, struct shn_rng *r)
{
    static const enum shn__sample_net home[] = {SHN__NET_CN, SHN__NET_SEA, SHN__NET_RU,
                                                SHN__NET_CN};
    enum shn__sample_net n = home[c % 4];
    if (c % 4 == 3 && shn_rng_below(r, 2))
        n = SHN__NET_SEA;
    return n;
}

int shn__sample_cell_init(struct shn__sample_platform *G, unsigned c)
{
    struct shn__sample_cell *C = &G->cells[c];
    struct shn_rng r = shn_rng_stream(G->seed, 0xCE1100000000ull + c);

    C->category = cell_category[c % COUNT(cell_category)];
    C->start = SHN__SAMPLE_START + 10 * 86400 + (long long)shn_rng_below(&r, 60 * 86400);
    C->card = shn_malloc((size_t)SHN__SAMPLE_IMG_W * SHN__SAMPLE_IMG_H);
    if (!C->card)
        return SHN_ERR_NOMEM;
    shn__sample_id_card(shn_rng_mix(G->seed, 0xCA4D0000ull + c), C->card);
    for (int i = 0; i < 3; i++) {
        uint64_t key = shn_rng_mix(G->seed, 0x3A11E7000000ull + c * 8 + (unsigned)i);
        if (i == 1) {
            shn__sample_wallet_tron(key, C->wallets[i]);
            C->wallet_chain[i] = "TRON";
        } else {
            shn__sample_wallet_eth(key, C->wallets[i]);
            C->wallet_chain[i] = "ETH";
        }
    }
    for (int i = 0; i < 2; i++)
        shn__sample_device(shn_rng_mix(G->seed, 0xDE51CE000000ull + c * 8 + (unsigned)i),
                           C->devices[i]);
    shn__sample_ip(&r, region(c, &r), C->hubs[0], &C->hub_offset[0]);
    shn__sample_ip(&r, SHN__NET_HOSTING, C->hubs[1], &C->hub_offset[1]);
    shn__sample_ip(&r, region(c, &r), C->hubs[2], &C->hub_offset[2]);
    {
        /* the second letter is drawn first (SEQUENCED, platform_internal.h) */
        char second = (char)('a' + shn_rng_below(&r, 26));
        char first = (char)('a' + shn_rng_below(&r, 26));
        snprintf(C->telegram, sizeof C->telegram, "@dev_team_%c%c%u", first, second, 10 + c);
    }
    snprintf(C->whatsapp, sizeof C->whatsapp, "+86 139 0000 %04u",
             (unsigned)shn_rng_below(&r, 10000));
    snprintf(C->skype, sizeof C->skype, "live:.cid.%016llx", (unsigned long long)shn_rng_next(&r));
    return shn__sample_id_hash(C->card, 0, G->work, &C->card_pdq);
}

enum { K_LOGIN, K_BID, K_CRYPTO, K_OFF, K_PREPAY, K_MESSAGE, K_PAYOUT, K_CHANGE };

static void put_name(struct shn__sample_platform *G, const struct shn__sample_name *n)
{
    char full[128];
    snprintf(full, sizeof full, "%s %s", n->surname, n->given);
    shn__sample_str(G, "name", full);
    snprintf(full, sizeof full, "%s %s", n->surname_kana, n->given_kana);
    shn__sample_str(G, "name_reading", full);
    snprintf(full, sizeof full, "%s %s", n->given_latin, n->surname_latin);
    shn__sample_str(G, "name_latin", full);
}

static void put_email(struct shn__sample_platform *G, const struct shn__sample_name *n, unsigned c,
                      unsigned k, unsigned version)
{
    struct shn_buf *e = &G->email;
    int rc;

    shn_buf_reset(e);
    rc = shn__sample_put_lower(e, n->given_latin);
    if (rc == SHN_OK)
        rc = shn__sample_put_lower(e, n->surname_latin);
    if (rc == SHN_OK)
        rc = shn_buf_appendf(e, ".%u%02u%u@%s", c + 1, k, version,
                             version % 2 ? "example.net" : "example.com");
    shn__sample_check(G, rc);
    shn__sample_str(G, "email", e->data);
}

static void put_phone(struct shn__sample_platform *G, unsigned c, unsigned k, unsigned version)
{
    char phone[16];
    unsigned long long v = ((c * 64ull + k) * 16 + version) * 7919ull % 100000000ull;
    snprintf(phone, sizeof phone, "070-%04llu-%04llu", v / 10000, v % 10000);
    shn__sample_str(G, "phone", phone);
}

/* b becomes the crypto payout method. */
static int crypto_method(struct shn_buf *b, const char *chain, const char *address)
{
    shn_buf_reset(b);
    return shn_buf_appendf(b, "{\"type\":\"crypto\",\"chain\":\"%s\",\"address\":\"%s\"}", chain,
                           address);
}

void shn__sample_operator(struct shn__sample_platform *G, unsigned c, unsigned k,
                          const char *account)
{
    const struct shn__sample_cell *C = &G->cells[c];
    struct shn_rng r = shn_rng_stream(G->seed, 0x0BE7A0000000ull + c * 64ull + k);
    int backed = c == G->collab_cell && k >= 1 && k <= 3;
    int near = k == 0, demo = k == C->size - 1, dprk = c == 0 && k == 2, mismatch = k % 4 == 3;
    struct shn__sample_name name;
    const char *wallet_chain, *wallet;
    char birth[16], doc[20];
    unsigned char kinds[SHN_SAMPLE_PLATFORM_EVENTS_MAX * 2 + 16];
    unsigned n = 0, versions = 1, w = (unsigned)shn_rng_below(&r, 3), dprk_done = 0;
    long long t = C->start + (long long)shn_rng_below(&r, 30 * 86400) + k * 3600;
    int years = 3 + (int)shn_rng_below(&r, 6);
    const char *planted[16];
    size_t np = 0;

    if (near) {
        name = near_listed[c % COUNT(near_listed)].name;
        snprintf(birth, sizeof birth, "%s", near_listed[c % COUNT(near_listed)].birth_date);
    } else {
        shn__sample_name(&r, (int)shn_rng_below(&r, 2), &name);
        /* day, month, year (SEQUENCED, platform_internal.h) */
        unsigned day = 1 + (unsigned)shn_rng_below(&r, 28);
        unsigned month = 1 + (unsigned)shn_rng_below(&r, 12);
        unsigned year = 1985 + (unsigned)shn_rng_below(&r, 14);
        snprintf(birth, sizeof birth, "%04u-%02u-%02u", year, month, day);
    }
    wallet_chain = demo ? demo_wallets[c % COUNT(demo_wallets)].chain : C->wallet_chain[w];
    wallet = demo ? demo_wallets[c % COUNT(demo_wallets)].address : C->wallets[w];
    shn__sample_check(G, crypto_method(&G->method, wallet_chain, wallet));
    shn_buf_reset(&G->bank);
    if (mismatch) { /* a bank account in somebody else's name */
        struct shn__sample_name other;
        shn__sample_name(&r, (int)shn_rng_below(&r, 2), &other);
        shn__sample_check(
            G, shn_buf_appendf(
                   &G->bank, "{\"type\":\"bank\",\"account\":\"ゆうちょ 普通 %07u %s %s\"}",
                   (unsigned)(shn_rng_next(&r) % 10000000u), other.surname_kana, other.given_kana));
    }

    /* sign-up */
    shn__sample_begin(G, "account", account, t);
    put_name(G, &name);
    shn__sample_str(G, "birth_date", birth);
    shn__sample_str(G, "nationality", "JP");
    shn__sample_str(G, "residence", "JP");
    put_email(G, &name, c, k, 0);
    put_phone(G, c, k, 0);
    shn_buf_reset(&G->addr);
    shn__sample_check(G, shn__sample_address(&G->addr, &r));
    shn__sample_str(G, "address", G->addr.data);
    {
        struct shn_pdq h;
        char hex[SHN_PDQ_HEX_LEN + 1];
        uint64_t edit = shn_rng_mix(G->seed, 0xED170000ull + c * 64ull + k);
        const uint8_t *card = backed ? G->collab_card : C->card;
        const struct shn_pdq *base = backed ? &G->collab_pdq : &C->card_pdq;
        h = *base;
        shn__sample_check(
            G, shn__sample_id_hash_near(card, base, edit, EDIT_MAX_DISTANCE, G->work, &h));
        shn_image_pdq_to_hex(&h, hex);
        if (backed && k == 2) /* the same number, written as on the card */
            snprintf(doc, sizeof doc, "%.4s-%.4s-%.4s", G->collab_number, G->collab_number + 4,
                     G->collab_number + 8);
        else if (backed)
            snprintf(doc, sizeof doc, "%s", G->collab_number);
        else
            shn__sample_doc_number(10000000ull + c * 64ull + k, doc);
        shn__sample_check(
            G, shn_buf_appendf(&G->line,
                               ",\"id_document\":{\"type\":\"drivers_licence\",\"number\":\"%s\","
                               "\"country\":\"JP\",\"image_pdq\":\"%s\"}",
                               doc, hex));
    }
    shn__sample_check(G, shn_buf_appendf(&G->line, ",\"payout\":[%s%s%s]", G->method.data,
                                         mismatch ? "," : "", G->bank.data));
    shn_buf_reset(&G->text);
    shn__sample_check(G, shn__sample_profile_stilted(&G->text, &r, c, C->category, &name, years));
    shn__sample_str(G, "profile", G->text.data);
    shn__sample_raw(G, ",\"skills\":");
    shn__sample_check(G, shn__sample_skills(&G->line, &r, C->category));
    shn__sample_check(G, shn_buf_appendf(&G->line,
                                         ",\"hourly_rate\":{\"amount\":%u,\"currency\":\"JPY\"}",
                                         800u + 100u * (unsigned)shn_rng_below(&r, 8)));
    shn__sample_end(G);

    /* the schedule: what every persona does at least once, then more of
     * the same kinds, shuffled */
    {
        static const unsigned char must[] = {K_LOGIN,  K_LOGIN,  K_LOGIN,  K_BID,
                                             K_BID,    K_CRYPTO, K_OFF,    K_PREPAY,
                                             K_PAYOUT, K_CHANGE, K_CHANGE, K_CHANGE};
        static const unsigned char more[] = {K_LOGIN,   K_LOGIN,  K_LOGIN, K_BID,    K_BID,   K_BID,
                                             K_MESSAGE, K_CRYPTO, K_OFF,   K_PAYOUT, K_CHANGE};
        unsigned extra = G->epa + (unsigned)shn_rng_below(&r, G->epa);
        memcpy(kinds, must, sizeof must);
        n = sizeof must;
        for (unsigned i = 0; i < extra && n < sizeof kinds; i++)
            kinds[n++] = more[shn_rng_below(&r, sizeof more)];
        for (unsigned i = n - 1; i > 0; i--) {
            unsigned x = (unsigned)shn_rng_below(&r, i + 1);
            unsigned char tmp = kinds[i];
            kinds[i] = kinds[x];
            kinds[x] = tmp;
        }
    }
    for (unsigned j = 0; j < n; j++) {
        long long left = SHN__SAMPLE_START + SHN__SAMPLE_SPAN - t;
        t += 60 + (long long)shn_rng_below(&r, (uint64_t)(left / (long long)(n - j + 1) + 1));
        switch (kinds[j]) {
        case K_LOGIN: {
            char ip[16], device[24];
            const char *offset, *ua;
            uint64_t u = shn_rng_below(&r, 100);
            if (dprk && !dprk_done) {
                shn__sample_ip(&r, SHN__NET_KP, ip, &offset);
                dprk_done = 1;
            } else if (u < 35) {
                unsigned h = (unsigned)shn_rng_below(&r, 3);
                memcpy(ip, C->hubs[h], sizeof ip);
                offset = C->hub_offset[h];
            } else if (u < 70) {
                shn__sample_ip(&r, region(c, &r), ip, &offset);
            } else {
                shn__sample_ip(&r, SHN__NET_HOSTING, ip, &offset);
            }
            if (shn_rng_below(&r, 10) < 6)
                memcpy(device, C->devices[shn_rng_below(&r, 2)], sizeof device);
            else
                shn__sample_device(shn_rng_mix(G->seed, 0xDE0BE7000000ull + c * 64ull + k), device);
            ua = shn_rng_below(&r, 100) < 45 ? shn__sample_remote_desktop_agent(&r)
                                             : shn__sample_user_agent(&r, 0);
            shn__sample_begin(G, "login", account, t);
            shn__sample_str(G, "ip", ip);
            shn__sample_str(G, "user_agent", ua);
            shn__sample_str(G, "device", device);
            shn__sample_str(G, "utc_offset", offset);
            shn__sample_num(G, "x_session_seconds",
                            shn_rng_below(&r, 10) < 4
                                ? 86400.0 + (double)shn_rng_below(&r, 86400)
                                : 3600.0 + (double)shn_rng_below(&r, 9 * 3600));
            shn__sample_end(G);
            break;
        }
        case K_BID: {
            char job[24];
            int cat = shn_rng_below(&r, 20) < 17 ? C->category
                                                 : (int)shn_rng_below(&r, SHN__SAMPLE_CATEGORIES);
            double a = shn__sample_category_median[cat] * (0.20 + 0.15 * shn_rng_unit(&r));
            snprintf(job, sizeof job, "job-%06u", (unsigned)shn_rng_below(&r, 1000000));
            shn__sample_begin(G, "bid", account, t);
            shn__sample_str(G, "job", job);
            shn__sample_str(G, "category", shn__sample_category[cat]);
            shn__sample_num(G, "amount", floor(a / 100) * 100);
            shn__sample_str(G, "currency", "JPY");
            shn__sample_end(G);
            break;
        }
        case K_CRYPTO:
        case K_OFF:
        case K_PREPAY:
        case K_MESSAGE: {
            struct shn__sample_push push = {wallet, C->telegram, C->whatsapp, C->skype};
            char to[24];
            int kind = kinds[j] == K_CRYPTO   ? 1
                       : kinds[j] == K_OFF    ? 2
                       : kinds[j] == K_PREPAY ? 3
                                              : 0;
            shn_buf_reset(&G->text);
            shn__sample_check(G,
                              shn__sample_message_stilted(&G->text, &r, kind, C->category, &push));
            snprintf(to, sizeof to, "client-%05u",
                     (unsigned)shn_rng_below(&r, G->n_ordinary / 10 + 50));
            shn__sample_begin(G, "message", account, t);
            shn__sample_str(G, "to", to);
            shn__sample_str(G, "text", G->text.data);
            shn__sample_end(G);
            break;
        }
        case K_PAYOUT:
            shn__sample_begin(G, "payout", account, t);
            shn__sample_check(
                G,
                shn_buf_appendf(&G->line, ",\"method\":%s",
                                mismatch && shn_rng_below(&r, 2) ? G->bank.data : G->method.data));
            shn__sample_num(G, "amount", 10000.0 + 1000.0 * (double)shn_rng_below(&r, 30));
            shn__sample_str(G, "currency", "JPY");
            shn__sample_end(G);
            break;
        default: { /* K_CHANGE: name, e-mail, phone or payout */
            unsigned what = versions % 4;
            shn__sample_begin(G, "account", account, t);
            if (what == 1) {
                shn__sample_name(&r, (int)shn_rng_below(&r, 2), &name);
                put_name(G, &name);
            } else if (what == 2) {
                put_email(G, &name, c, k, versions);
            } else if (what == 3) {
                if (!demo) {
                    w = (w + 1) % 3;
                    wallet = C->wallets[w];
                    wallet_chain = C->wallet_chain[w];
                }
                shn__sample_check(G, crypto_method(&G->method, wallet_chain, wallet));
                shn__sample_check(G, shn_buf_appendf(&G->line, ",\"payout\":[%s]", G->method.data));
            } else {
                put_phone(G, c, k, versions);
            }
            shn__sample_end(G);
            versions++;
            break;
        }
        }
    }

    planted[np++] = "dup_id_image";
    planted[np++] = "unnatural_japanese";
    planted[np++] = "template_reuse";
    planted[np++] = "underpriced";
    planted[np++] = "crypto_payment";
    planted[np++] = "off_platform";
    planted[np++] = "risky_network";
    planted[np++] = "session_anomaly";
    planted[np++] = "shared_identifiers";
    planted[np++] = "profile_churn";
    if (near || demo)
        planted[np++] = "sanctions";
    if (mismatch)
        planted[np++] = "payout_mismatch";
    planted[np] = NULL;
    shn__sample_truth(G, account, "operator", (int)c + 1, planted);
}
