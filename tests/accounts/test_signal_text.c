/* The text signals: crypto_payment, off_platform, template_reuse and
 * unnatural_japanese, on small worlds whose answers are worked out by hand
 * from the lexicon weights in data/accounts/ and the formulas in
 * docs/signals.md. unnatural_japanese needs MeCab's IPA dictionary and
 * prints SKIP when the text engine cannot open. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "shinsa/text.h"
#include "signal_test.h"
#include "textscan.h"

/* ------------------------------------------------------------ worlds */

struct jl {
    char text[65536];
    size_t n;
    int id;
};

static void add(struct jl *j, const char *fmt, const char *account, const char *body)
{
    int n;
    j->id++;
    n = snprintf(j->text + j->n, sizeof j->text - j->n,
                 "{\"event\":\"%s\",\"id\":\"t%d\",\"time\":\"2026-03-01T09:%02d:00Z\","
                 "\"account\":\"%s\",%s}\n",
                 fmt, j->id, j->id % 60, account, body);
    assert_true(n > 0 && (size_t)n < sizeof j->text - j->n);
    j->n += (size_t)n;
}

static void profile(struct jl *j, const char *account, const char *text)
{
    char body[8192];
    snprintf(body, sizeof body, "\"profile\":\"%s\"", text);
    add(j, "account", account, body);
}

static void message(struct jl *j, const char *account, const char *text)
{
    char body[8192];
    snprintf(body, sizeof body, "\"to\":\"client-1\",\"text\":\"%s\"", text);
    add(j, "message", account, body);
}

static bool near(double x, double want)
{
    return fabs(x - want) < 1e-3;
}

static void assert_reasons(const struct shn_accounts_signal *sig)
{
    assert_true(sig->reason_en[0] != '\0');
    assert_true(sig->reason_ja[0] != '\0');
}

/* ------------------------------------------------------------ scanning */

static void fold_and_patterns(void **state)
{
    char out[256];
    struct shn__scan_hit h[8];
    size_t n;
    const char *t;
    (void)state;

    /* full-width letters and digits, the ideographic space, ｶﾞ joined */
    n = shn__scan_fold("ＵＳＤＴ　１０ ｶﾞｲﾄﾞ", strlen("ＵＳＤＴ　１０ ｶﾞｲﾄﾞ"), out);
    assert_string_equal(out, "USDT 10 ガイド");
    assert_int_equal(n, strlen("USDT 10 ガイド"));

    t = "送金先 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed です";
    assert_int_equal(shn__scan_addresses(t, strlen(t), h, 8), 1);
    assert_int_equal(h[0].what, SHN__HIT_EVM);
    shn__scan_mask(h[0].what, t + h[0].start, h[0].end - h[0].start, out, sizeof out);
    assert_string_equal(out, "0x5aae…eaed");
    /* a transaction hash (64 hex) and bare hex are not addresses */
    t = "tx 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed5aaeb6053f3e94c9b9a09f33 and "
        "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
    assert_int_equal(shn__scan_addresses(t, strlen(t), h, 8), 0);
    /* TRON, and BIP-173's own valid bech32 example (checksum verified) */
    t = "TQ5NPj1Gc3Lp5vK9aZ7P5cS2W7gVn9kJ8f / bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
    assert_int_equal(shn__scan_addresses(t, strlen(t), h, 8), 2);
    assert_int_equal(h[0].what, SHN__HIT_TRON);
    assert_int_equal(h[1].what, SHN__HIT_BECH32);
    assert_true(h[1].checksum_ok);
    /* an English sentence is not base58 */
    t = "1 TestingTheDetectorWithPlainEnglishWords here";
    assert_int_equal(shn__scan_addresses(t, strlen(t), h, 8), 0);

    /* contacts: e-mail, phone (two writings), handle; dates are not phones */
    t = "mail tanaka.dev@gmail.com, tel 090-1234-5678 or +86 139 0000 1234, tg @dev_team_ab10, "
        "due 2026-03-01";
    n = shn__scan_contacts(t, strlen(t), h, 8);
    assert_int_equal(n, 4);
    assert_int_equal(h[0].what, SHN__HIT_EMAIL);
    shn__scan_mask(h[0].what, t + h[0].start, h[0].end - h[0].start, out, sizeof out);
    assert_string_equal(out, "t***@gmail.com");
    assert_int_equal(h[1].what, SHN__HIT_PHONE);
    shn__scan_mask(h[1].what, t + h[1].start, h[1].end - h[1].start, out, sizeof out);
    assert_string_equal(out, "090***78");
    assert_int_equal(h[2].what, SHN__HIT_PHONE);
    assert_int_equal(h[3].what, SHN__HIT_HANDLE);
}

/* template_reuse's excerpt is a text's opening: the contacts in it are
 * masked like every excerpt's (issue 11), also one crossing its end. */
static void regression_opening_masks_contacts(void **state)
{
    char out[SHN__EXCERPT_CHARS * 4 + 8];
    const char *t = "連絡は tanaka.dev@gmail.com か ０９０-1234-5678 まで";
    (void)state;
    shn__scan_opening(t, strlen(t), out, sizeof out);
    assert_string_equal(out, "連絡は t***@gmail.com か 090***78 まで");
    t = "あいうえおかきくけこあいうえおかきくけこあいうえおかきくけこあいうえおかきくけこ"
        "あいうえおかきくけこあいうえおか tanaka.dev@gmail.com の後も続く文章";
    shn__scan_opening(t, strlen(t), out, sizeof out);
    assert_null(strstr(out, "tanaka"));
    assert_non_null(strstr(out, "か t***@gmail.com…"));
}

/* Random bytes (and random UTF-8-ish runs) through every scanner: no
 * crash, no read past the text, hits inside the text (ASan checks). */
static void scanning_survives_random_bytes(void **state)
{
    static const char pieces[][8] = {"0x", "T",  "bc1",  "@",    "+8", "0", "ｶ",
                                     "ﾞ",  "。", "usdt", "ＵＳ", "a",  "Z", "9",
                                     " ",  "-",  "\xe3", "\xff", "で"};
    struct shn__lexicon *lx = NULL;
    struct shn_diag d = {0};
    char path[1024], in[512], folded[513], lower[513], ex[512];
    struct shn__scan_hit h[SHN__SCAN_HITS_MAX];
    uint64_t r = 42;
    (void)state;
    shn__accounts_data_path(NULL, "crypto-lexicon.txt", path, sizeof path);
    assert_int_equal(shn__lexicon_load(path, &lx, &d), SHN_OK);
    assert_true(shn__lexicon_size(lx) > 100);
    for (int iter = 0; iter < 3000; iter++) {
        size_t n = 0, len, k;
        r = r * 6364136223846793005ull + 1442695040888963407ull;
        len = (size_t)(r >> 33) % 400;
        while (n < len) {
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            if ((r >> 60) < 8) {
                const char *p = pieces[(r >> 40) % (sizeof pieces / sizeof pieces[0])];
                size_t pl = strlen(p);
                if (n + pl > len)
                    break;
                memcpy(in + n, p, pl);
                n += pl;
            } else {
                in[n++] = (char)(r >> 32);
            }
        }
        len = n;
        n = shn__scan_fold(in, len, folded);
        assert_true(n <= len);
        shn__scan_lower(folded, n, lower);
        k = shn__scan_terms(lx, lower, n, h, SHN__SCAN_HITS_MAX);
        k += shn__scan_addresses(folded, n, h + k, SHN__SCAN_HITS_MAX - k);
        k += shn__scan_contacts(folded, n, h + k, SHN__SCAN_HITS_MAX - k);
        for (size_t i = 0; i < k; i++) {
            assert_true(h[i].start < h[i].end && h[i].end <= n);
            shn__scan_excerpt(folded, n, h[i].start, h[i].end, h, k, ex, sizeof ex);
            assert_true(strlen(ex) < sizeof ex);
        }
        if (n)
            shn__scan_excerpt(folded, n, n / 2, n, h, k, ex, sizeof ex);
    }
    shn__lexicon_free(lx);
}

static void lexicon_errors_name_the_line(void **state)
{
    struct shn__lexicon *lx = NULL;
    struct shn_diag d = {0};
    char path[] = "/tmp/shn-lexicon-XXXXXX";
    int fd = mkstemp(path);
    FILE *f;
    (void)state;
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    fputs("# comment\n0.5\tword\tja\t暗号資産\n2.0\tword\tja\tbad weight\n", f);
    fclose(f);
    assert_int_equal(shn__lexicon_load(path, &lx, &d), SHN_ERR_PARSE);
    assert_int_equal(d.line, 3);
    assert_null(lx);
    unlink(path);
}

/* ------------------------------------------------------------ crypto_payment */

static struct shn__world *crypto_world(void)
{
    static struct jl j;
    memset(&j, 0, sizeof j);
    add(&j, "account", "declared",
        "\"payout\":[{\"type\":\"crypto\",\"chain\":\"TRON\",\"address\":"
        "\"TQ5NPj1Gc3Lp5vK9aZ7P5cS2W7gVn9kJ8f\"}]");
    add(&j, "payout", "paid",
        "\"method\":{\"type\":\"crypto\",\"chain\":\"ETH\",\"address\":"
        "\"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\"},\"amount\":20000,\"currency\":\"JPY\"");
    add(&j, "account", "bank", "\"payout\":[{\"type\":\"bank\",\"account\":\"MUFG 1234567\"}]");
    message(&j, "asks", "お支払いはUSDTでお願いします");
    message(&j, "asks", "ご連絡ありがとうございます。");
    message(&j, "wide", "ＵＳＤＴで支払ってください");
    message(&j, "address", "こちらに送ってください 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
    message(&j, "korean", "코인으로 결제 부탁드립니다");
    message(&j, "chinese", "请用泰达币支付，谢谢");
    message(&j, "method",
            "The method and the Ethernet setup are documented; see commit "
            "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed.");
    profile(&j, "chaindev", "ブロックチェーンとイーサリアムのスマートコントラクト開発が得意です。");
    message(&j, "english", "Please pay me in USDT (TRC20).");
    return world_of(j.text);
}

static void crypto_payment_payout_methods(void **state)
{
    struct shn__world *w = crypto_world();
    struct shn_accounts_signal sig;
    (void)state;

    run_signal(&shn__signal_crypto_payment, w, NULL, "declared", &sig);
    assert_true(near(sig.score, 0.6)); /* declared_score */
    assert_true(sig.weight == 1.5);
    ev_int(sig, "declared_crypto_methods", 1);
    ev_str(sig, "methods.0.source", "declared");
    ev_str(sig, "methods.0.address", "TQ5NPj…kJ8f");
    assert_reasons(&sig);

    run_signal(&shn__signal_crypto_payment, w, NULL, "paid", &sig);
    assert_true(near(sig.score, 0.85)); /* used_score */
    ev_str(sig, "methods.0.source", "payout");

    run_signal(&shn__signal_crypto_payment, w,
               "{\"signals\":{\"crypto_payment\":"
               "{\"used_score\":0.5}}}",
               "paid", &sig);
    assert_true(near(sig.score, 0.5));

    run_signal(&shn__signal_crypto_payment, w, NULL, "bank", &sig);
    assert_true(sig.score == 0);
    assert_true(sig.reason_en[0] == '\0');
    shn__world_free(w);
}

static void crypto_payment_texts(void **state)
{
    struct shn__world *w = crypto_world();
    struct shn_accounts_signal sig;
    (void)state;

    /* "支払いはusdt" (0.8) and "usdtでお願い" (0.9) contain "usdt" (0.55),
     * which then does not count: 1 - 0.2 * 0.1 */
    run_signal(&shn__signal_crypto_payment, w, NULL, "asks", &sig);
    printf("  asks: %.3f %s\n", sig.score, sig.evidence);
    assert_true(near(sig.score, 0.98));
    ev_len(sig, "terms", 2);
    ev_str(sig, "terms.0", "支払いはusdt");
    ev_str(sig, "terms.1", "usdtでお願い");
    ev_str(sig, "examples.0.excerpt", "お支払いはUSDTでお願いします");
    ev_int(sig, "texts_matched", 1);
    assert_reasons(&sig);
    assert_non_null(strstr(sig.reason_ja, "お支払いはUSDTでお願いします"));

    run_signal(&shn__signal_crypto_payment, w, NULL, "wide", &sig); /* full width folded */
    assert_true(near(sig.score, 0.9));

    /* an address alone: address_weight 0.6; masked in the excerpt too */
    run_signal(&shn__signal_crypto_payment, w, NULL, "address", &sig);
    assert_true(near(sig.score, 0.6));
    ev_str(sig, "addresses.0.value", "0x5aae…eaed");
    ev_nowhere(sig, "5aaeb6053f3e94c9b9a0");

    run_signal(&shn__signal_crypto_payment, w, NULL, "korean", &sig);
    assert_true(near(sig.score, 0.85));
    run_signal(&shn__signal_crypto_payment, w, NULL, "chinese", &sig);
    assert_true(near(sig.score, 0.85));
    /* "pay me in usdt" 0.9 and "trc20" 0.6: 1 - 0.1 * 0.4 */
    run_signal(&shn__signal_crypto_payment, w, NULL, "english", &sig);
    assert_true(near(sig.score, 0.96));

    /* eth in "method"/"Ethernet" and bare hex are not crypto */
    run_signal(&shn__signal_crypto_payment, w, NULL, "method", &sig);
    assert_true(sig.score == 0);

    /* words in a profile count half: ブロックチェーン 0.2, イーサリアム 0.4 →
     * 1 - 0.9 * 0.8 = 0.28; at full weight 1 - 0.8 * 0.6 = 0.52 */
    run_signal(&shn__signal_crypto_payment, w, NULL, "chaindev", &sig);
    assert_true(near(sig.score, 0.28));
    run_signal(&shn__signal_crypto_payment, w,
               "{\"signals\":{\"crypto_payment\":{\"profile_factor\":1}}}", "chaindev", &sig);
    assert_true(near(sig.score, 0.52));
    shn__world_free(w);
}

static void crypto_payment_without_lexicon(void **state)
{
    struct shn__world *w = crypto_world();
    struct shn_accounts_signal sig;
    (void)state;
    /* the payout part still works; the texts are not read, and it says so */
    run_signal(&shn__signal_crypto_payment, w,
               "{\"signals\":{\"crypto_payment\":{\"lexicon\":\"/nonexistent/lexicon.txt\"}}}",
               "asks", &sig);
    assert_true(sig.score == 0);
    ev_text(sig, "lexicon", "unavailable");
    run_signal(&shn__signal_crypto_payment, w,
               "{\"signals\":{\"crypto_payment\":{\"lexicon\":\"/nonexistent/lexicon.txt\"}}}",
               "declared", &sig);
    assert_true(near(sig.score, 0.6));
    shn__world_free(w);
}

/* ------------------------------------------------------------ off_platform */

static struct shn__world *off_world(void)
{
    static struct jl j;
    memset(&j, 0, sizeof j);
    message(&j, "telegram", "Telegramで直接連絡してください: @dev_team_ab10");
    message(&j, "email", "連絡はtanaka.dev@gmail.comまで");
    message(&j, "phone", "090-1234-5678に電話ください");
    message(&j, "prepay", "作業開始の前に前払い50%が必要です");
    message(&j, "english", "Please pay upfront and contact me at john.doe@yahoo.com");
    message(&j, "natural", "ご連絡ありがとうございます。5日ほどで納品できる見込みです。");
    message(&j, "natural", "オンラインで打ち合わせ可能です。2026-03-01に納品します。");
    profile(&j, "twitter", "デザイナーです。作品はTwitter @yamada_design で公開しています。");
    message(&j, "many", "Telegram @dev_team_ab10");
    message(&j, "many", "WhatsApp +86 139 0000 1234");
    message(&j, "many", "前払いでお願いします");
    message(&j, "many", "前払いでお願いします。");
    return world_of(j.text);
}

static void off_platform_contacts_and_prepayment(void **state)
{
    struct shn__world *w = off_world();
    struct shn_accounts_signal sig;
    (void)state;

    /* telegram 0.5, 直接連絡 0.55, a handle beside them 0.3:
     * 1 - 0.5 * 0.45 * 0.7 */
    run_signal(&shn__signal_off_platform, w, NULL, "telegram", &sig);
    assert_true(near(sig.score, 0.8425));
    assert_true(sig.weight == 0.75);
    ev_str(sig, "contacts.0.kind", "handle");
    ev_str(sig, "contacts.0.value", "@d***"); /* a handle is masked (issue 11) */
    ev_nowhere(sig, "dev_team");
    ev_len(sig, "kinds", 2);
    ev_str(sig, "kinds.0", "channel");
    ev_str(sig, "kinds.1", "direct");
    assert_reasons(&sig);

    /* an e-mail address 0.5 at a free mail domain 0.25: 1 - 0.5 * 0.75 */
    run_signal(&shn__signal_off_platform, w, NULL, "email", &sig);
    assert_true(near(sig.score, 0.625));
    ev_str(sig, "contacts.0.value", "t***@gmail.com");
    ev_nowhere(sig, "tanaka.dev");

    run_signal(&shn__signal_off_platform, w, NULL, "phone", &sig);
    assert_true(near(sig.score, 0.45));
    ev_str(sig, "contacts.0.value", "090***78");
    ev_nowhere(sig, "1234-56");

    run_signal(&shn__signal_off_platform, w, NULL, "prepay", &sig);
    assert_true(near(sig.score, 0.55));
    ev_len(sig, "kinds", 1);
    ev_str(sig, "kinds.0", "prepay");
    assert_non_null(strstr(sig.reason_en, "payment before the work"));

    /* pay upfront .55, contact me at .5, e-mail .5, yahoo.com .25 */
    run_signal(&shn__signal_off_platform, w, NULL, "english", &sig);
    assert_true(near(sig.score, 1 - 0.45 * 0.5 * 0.5 * 0.75));

    run_signal(&shn__signal_off_platform, w,
               "{\"signals\":{\"off_platform\":"
               "{\"email_weight\":0.2}}}",
               "email", &sig);
    assert_true(near(sig.score, 1 - 0.8 * 0.75));
    shn__world_free(w);
}

static void off_platform_quiet_on_ordinary_text(void **state)
{
    struct shn__world *w = off_world();
    struct shn_accounts_signal sig;
    (void)state;
    run_signal(&shn__signal_off_platform, w, NULL, "natural", &sig);
    assert_true(sig.score == 0);
    ev_int(sig, "texts_scanned", 2);
    /* an @name with no channel word is a mention, not a contact */
    run_signal(&shn__signal_off_platform, w, NULL, "twitter", &sig);
    assert_true(sig.score == 0);
    shn__world_free(w);
}

static void off_platform_best_three_texts(void **state)
{
    struct shn__world *w = off_world();
    struct shn_accounts_signal sig;
    double t = 1 - 0.5 * 0.7, wa = 1 - 0.5 * 0.55;
    (void)state;
    /* texts: telegram+handle 0.65, whatsapp+phone 0.725, 前払い 0.55 twice;
     * the three best: 1 - 0.275 * 0.35 * 0.45 */
    run_signal(&shn__signal_off_platform, w, NULL, "many", &sig);
    assert_true(near(sig.score, 1 - (1 - wa) * (1 - t) * 0.45));
    ev_int(sig, "texts_matched", 4);
    ev_str(sig, "contacts.0.value", "+86***34");
    shn__world_free(w);
}

/* ------------------------------------------------------------ template_reuse */

#define TEMPLATE                                                                                                                                \
    "私は5年以上の経験を持っている開発者です。高品質のウェブサイトを早く安く作ることができます。2" \
    "4時間いつでも連絡可能です。"
#define OTHER                                                                                                                                  \
    "はじめまして、山田と申します。前職ではWebサイト制作を担当し、独立して7年になります。丁寧なコ" \
    "ミュニケーションを心がけています。"
#define PITCH1                                                                                                                                   \
    "ご依頼の件、拝見しました。弊社のチームは同様の案件を多数こなしており、三日以内に初回の納品が" \
    "可能です。詳細はこちらからご提案させていただきます。何卒よろしくお願い申し上げます。"
#define PITCH2                                                                                                                                   \
    "追加の機能についても対応可能です。見積もりは他社より必ず安くいたしますので、ぜひ一度ご相談く" \
    "ださい。品質には自信がございます。ご検討のほど、お願い申し上げます。どうぞよろしくお願いいた" \
    "します。"

static void template_reuse_profiles(void **state)
{
    static struct jl j;
    struct shn__world *w;
    struct shn_accounts_signal sig;
    (void)state;
    memset(&j, 0, sizeof j);
    profile(&j, "p1", TEMPLATE);
    profile(&j, "p2", TEMPLATE);
    profile(&j, "p3", TEMPLATE);
    profile(&j, "q1", "キムです。" TEMPLATE); /* near-identical, a name added */
    profile(&j, "q2", "パクです。" TEMPLATE);
    profile(&j, "own", OTHER);
    profile(&j, "s1", "よろしくお願いします。");
    profile(&j, "s2", "よろしくお願いします。");
    w = world_of(j.text);

    /* identical to p2, p3 (Jaccard 1) and close to q1, q2: four accounts,
     * similarity 1 → 1.0 × min(1, 0.7 + 0.1 × 3) = 1.0 */
    run_signal(&shn__signal_template_reuse, w, NULL, "p1", &sig);
    assert_true(near(sig.score, 1.0));
    assert_true(sig.weight == 1.5);
    ev_int(sig, "accounts_sharing", 4);
    ev_str(sig, "others.0.account", "p2");
    ev_num(sig, "others.0.similarity", 1.0);
    ev_str(sig, "others.0.text", "profile");
    ev_text(sig, "excerpt", "私は5年以上");
    assert_reasons(&sig);

    run_signal(&shn__signal_template_reuse, w, NULL, "own", &sig);
    assert_true(sig.score == 0);
    run_signal(&shn__signal_template_reuse, w, NULL, "s1", &sig); /* < 40 characters */
    assert_true(sig.score == 0);
    ev_int(sig, "texts_indexed", 0);

    /* the same template on more than max_accounts accounts is boilerplate */
    run_signal(&shn__signal_template_reuse, w,
               "{\"signals\":{\"template_reuse\":{\"max_accounts\":2}}}", "p1", &sig);
    assert_true(sig.score == 0);
    ev_int(sig, "boilerplate_texts", 1);

    /* a very high similarity leaves only the identical copies: p2 and p3,
     * similarity 1 → 1.0 × (0.7 + 0.1) */
    run_signal(&shn__signal_template_reuse, w,
               "{\"signals\":{\"template_reuse\":{\"similarity\":0.99}}}", "p1", &sig);
    assert_true(near(sig.score, 0.8));
    ev_int(sig, "accounts_sharing", 2);
    shn__world_free(w);
}

static void template_reuse_messages(void **state)
{
    static struct jl j;
    struct shn__world *w;
    struct shn_accounts_signal sig;
    (void)state;
    memset(&j, 0, sizeof j);
    message(&j, "m1", PITCH1);
    message(&j, "m1", PITCH2);
    message(&j, "m2", PITCH1);
    message(&j, "m2", PITCH2);
    message(&j, "once1", PITCH1);
    message(&j, "once2", PITCH1);
    w = world_of(j.text);

    /* m1 and m2 share two pitches: a message pair, similarity 1, one
     * account: 0.5 × 1.0 × 0.7. once1 shares one message with everyone: that
     * alone is a coincidence of stock phrases (min_shared_messages 2). */
    run_signal(&shn__signal_template_reuse, w, NULL, "m1", &sig);
    printf("  m1: %.3f %s\n", sig.score, sig.evidence);
    assert_true(near(sig.score, 0.35));
    ev_str(sig, "others.0.account", "m2");
    ev_str(sig, "others.0.text", "message");
    ev_int(sig, "others.0.shared_messages", 2);
    assert_reasons(&sig);
    run_signal(&shn__signal_template_reuse, w, NULL, "once1", &sig);
    assert_true(sig.score == 0);
    run_signal(&shn__signal_template_reuse, w,
               "{\"signals\":{\"template_reuse\":{\"min_shared_messages\":1}}}", "once1", &sig);
    /* m1, m2, once2: 0.5 × 1.0 × 0.9 */
    assert_true(near(sig.score, 0.45));
    run_signal(&shn__signal_template_reuse, w,
               "{\"signals\":{\"template_reuse\":{\"max_messages\":0}}}", "m1", &sig);
    assert_true(sig.score == 0);
    shn__world_free(w);
}

/* ------------------------------------------------------------ unnatural_japanese */

/* Stilted: the sample platform's operator template (docs/text.md kinds). */
#define STILTED                                                                                                                 \
    "こんにちは、私はWebエンジニアの金です。私は5年以上の経験を持っているの開発者です。" \
    "私はPHPとReactをを使用して高品質のWebサイトを作るできます。あなたのプロジェクトを"      \
    "早いに完成するです。価格はとても安いですので、安心して私を選択してください。"
/* Natural: sentences the text engine's tests score 1.0 (tests/text). */
#define NATURAL                                                                                                                      \
    "お世話になっております。五年間、受託開発の会社でウェブアプリケーションの設計と実装を" \
    "担当してきました。納期を守ることと、丁寧なコミュニケーションを心がけています。"          \
    "ご不明な点がございましたら、お気軽にお問い合わせください。"

static struct shn_text_engine *engine(void)
{
    struct shn_text_engine *eng = NULL;
    struct shn_text_options o = {.allow_missing_model = true};
    struct shn_diag d = {0};
    if (shn_text_engine_open(&o, &eng, &d) != SHN_OK) {
        printf("SKIP: no text engine (%s)\n", d.message);
        return NULL;
    }
    return eng;
}

static struct shn__world *japanese_world(void)
{
    static struct jl j;
    memset(&j, 0, sizeof j);
    profile(&j, "stilted", STILTED);
    message(&j, "stilted", "あなたの返事を待っているです。");
    profile(&j, "natural", NATURAL);
    message(&j, "natural", "ご連絡ありがとうございます。明日までに対応いたします。");
    profile(&j, "english", "I am a web developer with five years of experience in PHP and React.");
    message(&j, "short", "明日東京に行くです。");
    profile(&j, "one_slip", NATURAL);
    message(&j, "one_slip", "明日東京に行くです。");
    return world_of(j.text);
}

static void unnatural_japanese_stilted_and_natural(void **state)
{
    struct shn_text_engine *eng = engine();
    struct shn__score_ctx ctx = {0};
    struct shn__world *w;
    struct shn_accounts_signal sig;
    (void)state;
    if (!eng)
        return;
    ctx.text = eng;
    w = japanese_world();

    run_signal_ctx(&shn__signal_unnatural_japanese, w, NULL, &ctx, "stilted", &sig);
    printf("  stilted: %.3f %s\n", sig.score, sig.reason_en);
    /* both texts are below 0.5: U = 1, score = 0.5 + 0.5·D > 0.5 */
    assert_true(sig.score > 0.5 && sig.score <= 1);
    assert_true(sig.weight == 1.0);
    ev_int(sig, "texts_checked", 2);
    ev_int(sig, "texts_unnatural", 2);
    ev_str(sig, "worst.in", "profile");
    ev_str(sig, "worst.top.0.kind", "doubled_particle");
    assert_reasons(&sig);

    run_signal_ctx(&shn__signal_unnatural_japanese, w, NULL, &ctx, "natural", &sig);
    assert_true(sig.score == 0);
    ev_int(sig, "texts_unnatural", 0);
    assert_true(sig.reason_en[0] == '\0');

    /* English is not unnatural Japanese: nothing checked */
    run_signal_ctx(&shn__signal_unnatural_japanese, w, NULL, &ctx, "english", &sig);
    assert_true(sig.score == 0);
    ev_int(sig, "texts_checked", 0);
    ev_int(sig, "texts_not_japanese", 1);

    shn__world_free(w);
    shn_text_engine_free(eng);
}

static void unnatural_japanese_thresholds(void **state)
{
    struct shn_text_engine *eng = engine();
    struct shn__score_ctx ctx = {0};
    struct shn__world *w;
    struct shn_accounts_signal sig;
    (void)state;
    if (!eng)
        return;
    ctx.text = eng;
    w = japanese_world();

    /* 10 characters of Japanese: below min_chars (40), it does not speak */
    run_signal_ctx(&shn__signal_unnatural_japanese, w, NULL, &ctx, "short", &sig);
    assert_true(sig.score == 0);
    ev_int(sig, "texts_unnatural", 1);
    run_signal_ctx(&shn__signal_unnatural_japanese, w,
                   "{\"signals\":{\"unnatural_japanese\":{\"min_chars\":5}}}", &ctx, "short", &sig);
    assert_true(sig.score > 0.5);

    /* one odd 10-character message beside a 120-character natural profile:
     * U = 10/133 < min_share 0.2 */
    run_signal_ctx(&shn__signal_unnatural_japanese, w, NULL, &ctx, "one_slip", &sig);
    assert_true(sig.score == 0);
    ev_int(sig, "texts_unnatural", 1);
    run_signal_ctx(&shn__signal_unnatural_japanese, w,
                   "{\"signals\":{\"unnatural_japanese\":{\"min_share\":0.01}}}", &ctx, "one_slip",
                   &sig);
    assert_true(sig.score > 0 && sig.score < 0.1);

    /* only the profile checked (max_texts 1) */
    run_signal_ctx(&shn__signal_unnatural_japanese, w,
                   "{\"signals\":{\"unnatural_japanese\":{\"max_texts\":1}}}", &ctx, "stilted",
                   &sig);
    ev_int(sig, "texts_checked", 1);
    shn__world_free(w);
    shn_text_engine_free(eng);
}

/* 300 accounts: prepare checks them on two threads (two engines). */
static void unnatural_japanese_on_two_threads(void **state)
{
    struct shn_text_engine *eng = engine();
    struct shn__score_ctx ctx = {0};
    struct shn__world *w;
    struct shn_accounts_signal sig;
    char *text, id[32], body[1024];
    size_t n = 0, cap = 600000;
    (void)state;
    if (!eng)
        return;
    ctx.text = eng;
    text = malloc(cap);
    assert_non_null(text);
    for (int i = 0; i < 300; i++) {
        snprintf(id, sizeof id, "n%03d", i);
        snprintf(body, sizeof body, "\"profile\":\"%s%s\"", i == 250 ? STILTED : NATURAL,
                 i % 2 ? "週に20時間ほど稼働できます。" : "土日も対応可能です。");
        n += (size_t)snprintf(text + n, cap - n,
                              "{\"event\":\"account\",\"id\":\"e%d\",\"time\":"
                              "\"2026-03-01T09:00:00Z\",\"account\":\"%s\",%s}\n",
                              i, id, body);
        assert_true(n < cap);
    }
    w = world_of(text);
    run_signal_ctx(&shn__signal_unnatural_japanese, w, NULL, &ctx, "n250", &sig);
    assert_true(sig.score > 0.5);
    run_signal_ctx(&shn__signal_unnatural_japanese, w, NULL, &ctx, "n251", &sig);
    assert_true(sig.score == 0);
    ev_int(sig, "texts_checked", 1);
    /* one thread gives the same answers */
    run_signal_ctx(&shn__signal_unnatural_japanese, w,
                   "{\"signals\":{\"unnatural_japanese\":{\"threads\":1}}}", &ctx, "n250", &sig);
    assert_true(sig.score > 0.5);
    shn__world_free(w);
    free(text);
    shn_text_engine_free(eng);
}

static void unnatural_japanese_neutral_without_engine(void **state)
{
    struct shn__world *w = japanese_world();
    struct shn_accounts_signal sig;
    (void)state;
    run_signal(&shn__signal_unnatural_japanese, w, NULL, "stilted", &sig);
    assert_true(sig.score == 0);
    ev_text(sig, "text_engine", "unavailable");
    shn__world_free(w);
}

/* Every allocation of the text signals failing in turn (lexicons, MinHash
 * index, the text engine's checks, evidence): an error each time, nothing
 * leaked, the same answer when it succeeds. */
static void signals_survive_failing_allocations(void **state)
{
    struct shn__world *cw = crypto_world(), *ow = off_world();
    static struct jl j;
    struct shn__world *tw;
    struct shn_text_engine *eng;
    (void)state;
    assert_true(run_signal_failing(&shn__signal_crypto_payment, cw, NULL, NULL, "asks") > 0);
    assert_true(run_signal_failing(&shn__signal_crypto_payment, cw, NULL, NULL, "address") > 0);
    assert_true(run_signal_failing(&shn__signal_off_platform, ow, NULL, NULL, "telegram") > 0);
    assert_true(run_signal_failing(&shn__signal_off_platform, ow, NULL, NULL, "many") > 0);
    shn__world_free(cw);
    shn__world_free(ow);
    memset(&j, 0, sizeof j);
    profile(&j, "p1", TEMPLATE);
    profile(&j, "p2", TEMPLATE);
    profile(&j, "own", OTHER);
    message(&j, "m1", PITCH1);
    message(&j, "m1", PITCH2);
    message(&j, "m2", PITCH1);
    message(&j, "m2", PITCH2);
    tw = world_of(j.text);
    assert_true(run_signal_failing(&shn__signal_template_reuse, tw, NULL, NULL, "p1") > 0);
    assert_true(run_signal_failing(&shn__signal_template_reuse, tw, NULL, NULL, "m1") > 0);
    shn__world_free(tw);
    if ((eng = engine())) {
        struct shn__score_ctx ctx = {.text = eng};
        tw = japanese_world();
        assert_true(run_signal_failing(&shn__signal_unnatural_japanese, tw, NULL, &ctx, "stilted") >
                    0);
        assert_true(run_signal_failing(&shn__signal_unnatural_japanese, tw, NULL, &ctx, "natural") >
                    0);
        shn__world_free(tw);
        shn_text_engine_free(eng);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fold_and_patterns),
        cmocka_unit_test(regression_opening_masks_contacts),
        cmocka_unit_test(scanning_survives_random_bytes),
        cmocka_unit_test(lexicon_errors_name_the_line),
        cmocka_unit_test(crypto_payment_payout_methods),
        cmocka_unit_test(crypto_payment_texts),
        cmocka_unit_test(crypto_payment_without_lexicon),
        cmocka_unit_test(off_platform_contacts_and_prepayment),
        cmocka_unit_test(off_platform_quiet_on_ordinary_text),
        cmocka_unit_test(off_platform_best_three_texts),
        cmocka_unit_test(template_reuse_profiles),
        cmocka_unit_test(template_reuse_messages),
        cmocka_unit_test(unnatural_japanese_stilted_and_natural),
        cmocka_unit_test(unnatural_japanese_thresholds),
        cmocka_unit_test(unnatural_japanese_on_two_threads),
        cmocka_unit_test(unnatural_japanese_neutral_without_engine),
        cmocka_unit_test(signals_survive_failing_allocations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
