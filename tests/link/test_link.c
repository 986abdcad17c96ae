/* The link engine: normalisation per kind, the hand-built scenarios of
 * issue 4 with known answers, incremental = rebuild, LINKDB round trips and
 * damage, bad lines, and failing allocations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/file.h"
#include "shinsa/core/section.h"
#include "shinsa/link.h"

static void expect_norm(enum shn_link_kind kind, const char *raw, const char *want)
{
    char out[SHN_LINK_VALUE_MAX + 1];
    int rc = shn_link_normalize(kind, raw, strlen(raw), "JP", out, sizeof out);
    if (rc != SHN_OK || strcmp(out, want) != 0)
        fail_msg("%s '%s': got rc %d '%s', want '%s'", shn_link_kind_name(kind), raw, rc,
                 rc == SHN_OK ? out : "", want);
}

static void expect_norm_region(const char *region, const char *raw, const char *want)
{
    char out[SHN_LINK_VALUE_MAX + 1];
    int rc = shn_link_normalize(SHN_LINK_PHONE, raw, strlen(raw), region, out, sizeof out);
    if (rc != SHN_OK || strcmp(out, want) != 0)
        fail_msg("phone %s '%s': got rc %d '%s', want '%s'", region, raw, rc,
                 rc == SHN_OK ? out : "", want);
}

static void expect_bad(enum shn_link_kind kind, const char *raw)
{
    char out[SHN_LINK_VALUE_MAX + 1];
    assert_int_not_equal(shn_link_normalize(kind, raw, strlen(raw), "JP", out, sizeof out), SHN_OK);
}

static void expect_same_name(const char *x, const char *y)
{
    char a[SHN_LINK_VALUE_MAX + 1], b[SHN_LINK_VALUE_MAX + 1];
    assert_int_equal(shn_link_normalize(SHN_LINK_NAME, x, strlen(x), NULL, a, sizeof a), SHN_OK);
    assert_int_equal(shn_link_normalize(SHN_LINK_NAME, y, strlen(y), NULL, b, sizeof b), SHN_OK);
    if (strcmp(a, b) != 0)
        fail_msg("name '%s' -> '%s' but '%s' -> '%s'", x, a, y, b);
}

static void test_normalize_email(void **state)
{
    (void)state;
    expect_norm(SHN_LINK_EMAIL, "Taro.Yamada+jobs@Gmail.com", "taroyamada@gmail.com");
    expect_norm(SHN_LINK_EMAIL, "t.a.r.o.yamada@googlemail.com", "taroyamada@gmail.com");
    expect_norm(SHN_LINK_EMAIL, " TAROYAMADA@GMAIL.COM ", "taroyamada@gmail.com");
    expect_norm(SHN_LINK_EMAIL, "taro.yamada+x@Example.co.jp", "taro.yamada@example.co.jp");
    expect_norm(SHN_LINK_EMAIL, "mailto:a@b.jp", "a@b.jp");
    expect_bad(SHN_LINK_EMAIL, "no-at-sign");
    expect_bad(SHN_LINK_EMAIL, "a@b@c");
    expect_bad(SHN_LINK_EMAIL, "+tag@gmail.com");
    expect_bad(SHN_LINK_EMAIL, "@gmail.com");
}

static void test_normalize_phone(void **state)
{
    (void)state;
    expect_norm(SHN_LINK_PHONE, "090-1234-5678", "+819012345678");
    expect_norm(SHN_LINK_PHONE, "+81 90 1234 5678", "+819012345678");
    expect_norm(SHN_LINK_PHONE, "0081-90-1234-5678", "+819012345678");
    expect_norm(SHN_LINK_PHONE, "(03) 5555-0101", "+81355550101");
    expect_norm(SHN_LINK_PHONE, "０９０－１２３４－５６７８", "+819012345678");
    expect_norm(SHN_LINK_PHONE,
                "090\xe2\x88\x92"
                "1234\xe2\x80\x90"
                "5678",
                "+819012345678");
    expect_norm_region("KR", "010-1234-5678", "+821012345678");
    expect_norm_region("CN", "138 0013 8000", "+8613800138000");
    expect_norm_region("CN", "010 6552 9988", "+861065529988");
    expect_norm_region("US", "(202) 555-0143", "+12025550143");
    expect_norm_region("US", "1-202-555-0143", "+12025550143");
    expect_norm_region("RU", "8 (916) 123-45-67", "+79161234567");
    expect_norm_region("RU", "+7 916 123 45 67", "+79161234567");
    expect_bad(SHN_LINK_PHONE, "n/a");
    expect_bad(SHN_LINK_PHONE, "12");
    expect_bad(SHN_LINK_PHONE, "+1234567890123456789");
}

static void test_normalize_other_kinds(void **state)
{
    (void)state;
    expect_norm(SHN_LINK_HANDLE, "https://github.com/KenjiBuilds/", "github:kenjibuilds");
    expect_norm(SHN_LINK_HANDLE, "github:@KenjiBuilds", "github:kenjibuilds");
    expect_norm(SHN_LINK_HANDLE, "t.me/Kenji_Builds", "telegram:kenji_builds");
    expect_norm(SHN_LINK_HANDLE, "twitter:@kb", "x:kb");
    expect_norm(SHN_LINK_HANDLE, "https://twitter.com/KB?ref=1", "x:kb");
    expect_bad(SHN_LINK_HANDLE, "justaname");
    expect_norm(SHN_LINK_WALLET, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
    expect_norm(SHN_LINK_WALLET, "TXk9AbC", "TXk9AbC"); /* not EVM: case kept */
    expect_norm(SHN_LINK_WALLET, " bc1qAbc ", "bc1qAbc");
    expect_bad(SHN_LINK_WALLET, "has space");
    expect_norm(SHN_LINK_BANK, "MUFG 001-7654321", "MUFG0017654321");
    expect_norm(SHN_LINK_ID_NUMBER, "第 1234-5678-9012 号", "123456789012");
    expect_norm(SHN_LINK_ID_NUMBER, "tr 009 988 1", "TR0099881");
    expect_bad(SHN_LINK_ID_NUMBER, "---");
    expect_norm(SHN_LINK_IP, "198.51.100.23", "198.51.100.23");
    expect_norm(SHN_LINK_IP24, "198.51.100.23", "198.51.100.0/24");
    expect_norm(SHN_LINK_IP, "2001:DB8:0:0::1", "2001:db8::1");
    expect_bad(SHN_LINK_IP24, "2001:db8::1");
    expect_bad(SHN_LINK_IP, "300.1.1.1");
    /* names: the names module's romanization-independent keys, sorted */
    expect_same_name("YAMADA, Taro", "Taro  Yamada");
    expect_same_name("タナカ ケンジ", "Tanaka Kenji");
    expect_same_name("김철수", "Gim Cheol-su");
    expect_same_name("Kim Chol Su", "Gim Chul Su"); /* romanizations fold together */
    expect_bad(SHN_LINK_NAME, " , . ");
    expect_norm(SHN_LINK_IMAGE, "F8F8F0CEE0F4A84F06370A22038F63F0B36E2ED596621E1D33E6B39C4E9C9B22",
                "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22");
    expect_bad(SHN_LINK_IMAGE, "abc");
    expect_norm(SHN_LINK_DEVICE, " dev-ABC ", "dev-ABC");
}

/* ------------------------------------------------------------ helpers */

static struct shn_link *new_link(void)
{
    struct shn_link *l = NULL;
    assert_int_equal(shn_link_new(NULL, &l), SHN_OK);
    return l;
}

static void add(struct shn_link *l, const char *acct, enum shn_link_kind kind, const char *raw)
{
    int rc = shn_link_add(l, acct, kind, raw, strlen(raw));
    if (rc != SHN_OK)
        fail_msg("add %s %s '%s': %d", acct, shn_link_kind_name(kind), raw, rc);
}

static void cluster(const struct shn_link *l, const char *acct, char out[20])
{
    assert_int_equal(shn_link_cluster_of(l, acct, out), SHN_OK);
}

static bool same(const struct shn_link *l, const char *a, const char *b)
{
    char x[20], y[20];
    cluster(l, a, x);
    cluster(l, b, y);
    return strcmp(x, y) == 0;
}

static json_t *show(const struct shn_link *l, const char *what, bool unmask)
{
    struct shn_buf b;
    json_error_t err;
    json_t *j;
    shn_buf_init(&b, 1 << 24);
    assert_int_equal(shn_link_show_json(l, what, unmask, &b), SHN_OK);
    j = json_loadb(b.data, b.len, 0, &err);
    if (!j)
        fail_msg("show json: %s in %s", err.text, b.data);
    shn_buf_cleanup(&b);
    return j;
}

/* A join of the given kind between a and b (either order) in show JSON. */
static json_t *find_join(json_t *j, const char *a, const char *b, const char *kind)
{
    json_t *joins = json_object_get(j, "joins"), *x;
    size_t i;
    json_array_foreach(joins, i, x)
    {
        const char *ja = json_string_value(json_object_get(x, "a"));
        const char *jb = json_string_value(json_object_get(x, "b"));
        const char *jk = json_string_value(json_object_get(x, "kind"));
        if (strcmp(jk, kind) == 0 && ((strcmp(ja, a) == 0 && strcmp(jb, b) == 0) ||
                                      (strcmp(ja, b) == 0 && strcmp(jb, a) == 0)))
            return x;
    }
    return NULL;
}

static const char pdq_a[] = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
/* pdq_a with 6 bits flipped: a recompressed copy of the same licence scan */
static const char pdq_a2[] = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b1d";
static const char pdq_far[] = "07070f311f0b57b0f9c8f5ddfc709c0f4c91d12a699de1e2cc194c63b16364dd";

/* ------------------------------------------------------------ scenarios */

/* Five personas, each pair joined by a different kind: wallet, phone, ID
 * number, near-duplicate ID image, bank account; and a stranger. */
static void test_chain_of_kinds(void **state)
{
    (void)state;
    struct shn_link *l = new_link();
    add(l, "p1", SHN_LINK_WALLET, "0x1111111111111111111111111111111111111111");
    add(l, "p2", SHN_LINK_WALLET, "0x1111111111111111111111111111111111111111");
    add(l, "p2", SHN_LINK_PHONE, "080-2222-3333");
    add(l, "p3", SHN_LINK_PHONE, "+818022223333");
    add(l, "p3", SHN_LINK_ID_NUMBER, "AB-123456");
    add(l, "p4", SHN_LINK_ID_NUMBER, "ab123456");
    add(l, "p4", SHN_LINK_IMAGE, pdq_a);
    add(l, "p5", SHN_LINK_IMAGE, pdq_a2);
    add(l, "p5", SHN_LINK_BANK, "JP-99 8877");
    add(l, "p6", SHN_LINK_BANK, "jp998877");
    add(l, "stranger", SHN_LINK_IMAGE, pdq_far);
    add(l, "stranger", SHN_LINK_PHONE, "080-9999-0000");
    assert_int_equal(shn_link_update(l), SHN_OK);
    for (int k = 2; k <= 6; k++) {
        char p[8];
        snprintf(p, sizeof p, "p%d", k);
        assert_true(same(l, "p1", p));
    }
    assert_false(same(l, "p1", "stranger"));
    json_t *j = show(l, "p3", true);
    assert_string_equal(json_string_value(json_object_get(j, "account")), "p3");
    assert_int_equal(json_array_size(json_object_get(j, "members")), 6);
    assert_non_null(find_join(j, "p1", "p2", "wallet"));
    assert_non_null(find_join(j, "p2", "p3", "phone"));
    assert_non_null(find_join(j, "p3", "p4", "id_number"));
    assert_non_null(find_join(j, "p4", "p5", "image"));
    assert_non_null(find_join(j, "p5", "p6", "bank"));
    json_decref(j);
    shn_link_free(l);
}

/* A public Wi-Fi address shared by 150 accounts (past max_share) and a
 * co-working /24 shared by 40 (damped): strangers stay apart, and the
 * output says which identifier was ignored. */
static void test_busy_ip_does_not_merge(void **state)
{
    (void)state;
    struct shn_link *l = new_link();
    char acct[32];
    for (int k = 0; k < 150; k++) {
        snprintf(acct, sizeof acct, "user%03d", k);
        add(l, acct, SHN_LINK_IP, "192.0.2.10");
        add(l, acct, SHN_LINK_DEVICE, k < 40 ? "shared-kiosk" : acct);
    }
    assert_int_equal(shn_link_update(l), SHN_OK);
    assert_false(same(l, "user000", "user001"));
    assert_false(same(l, "user000", "user039"));
    struct shn_link_stats st;
    shn_link_stats(l, &st);
    assert_int_equal(st.clusters, 0);
    assert_int_equal(st.ignored, 2); /* the address and its /24 */
    json_t *j = show(l, "user000", false);
    json_t *ign = json_object_get(j, "ignored");
    assert_int_equal(json_array_size(ign), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ign, 0), "kind")), "ip");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(ign, 0), "shared_by")), 150);
    assert_int_equal(json_array_size(json_object_get(j, "members")), 1);
    json_decref(j);
    shn_link_free(l);
}

/* One email written three ways is one identifier shared by three; email is
 * medium evidence, so it joins with a shared device but not alone. */
static void test_email_three_ways(void **state)
{
    (void)state;
    struct shn_link *l = new_link();
    add(l, "a", SHN_LINK_EMAIL, "Kim.Devops@gmail.com");
    add(l, "b", SHN_LINK_EMAIL, "kimdevops+freelance@googlemail.com");
    add(l, "c", SHN_LINK_EMAIL, "K.I.M.D.E.V.O.P.S@GMAIL.COM");
    assert_int_equal(shn_link_update(l), SHN_OK);
    struct shn_link_stats st;
    shn_link_stats(l, &st);
    assert_int_equal(st.identifiers, 1);
    assert_false(same(l, "a", "b"));
    add(l, "a", SHN_LINK_DEVICE, "laptop-77");
    add(l, "b", SHN_LINK_DEVICE, "laptop-77");
    add(l, "c", SHN_LINK_DEVICE, "laptop-77");
    assert_int_equal(shn_link_update(l), SHN_OK);
    assert_true(same(l, "a", "b"));
    assert_true(same(l, "a", "c"));
    json_t *j = show(l, "b", false);
    json_t *x = find_join(j, "a", "c", "email");
    assert_non_null(x);
    assert_string_equal(json_string_value(json_object_get(x, "value")), "k***@gmail.com");
    assert_int_equal(json_integer_value(json_object_get(x, "shared_by")), 3);
    json_decref(j);
    shn_link_free(l);
}

static void test_phone_and_wallet_forms(void **state)
{
    (void)state;
    struct shn_link *l = new_link();
    add(l, "jp-national", SHN_LINK_PHONE, "090-1234-5678");
    add(l, "jp-intl", SHN_LINK_PHONE, "+81 90-1234-5678");
    add(l, "w-lower", SHN_LINK_WALLET, "0xabcdefabcdefabcdefabcdefabcdefabcdefabcd");
    add(l, "w-upper", SHN_LINK_WALLET, "0xABCDEFABCDEFABCDEFABCDEFABCDEFABCDEFABCD");
    add(l, "tron-a", SHN_LINK_WALLET, "TAbcDef");
    add(l, "tron-b", SHN_LINK_WALLET, "tabcdef"); /* not EVM: a different address */
    assert_int_equal(shn_link_update(l), SHN_OK);
    assert_true(same(l, "jp-national", "jp-intl"));
    assert_true(same(l, "w-lower", "w-upper"));
    assert_false(same(l, "tron-a", "tron-b"));
    assert_false(same(l, "jp-national", "w-lower"));
    json_t *j = show(l, "jp-intl", false);
    json_t *x = find_join(j, "jp-intl", "jp-national", "phone");
    assert_non_null(x);
    assert_string_equal(json_string_value(json_object_get(x, "value")), "+81***78");
    assert_true(json_real_value(json_object_get(x, "weight")) > 0.99 ||
                json_integer_value(json_object_get(x, "weight")) == 1);
    json_decref(j);
    shn_link_free(l);
}

/* Link shows identifiers by core's one policy (docs/mask.md): the same
 * value reads the same here and in the accounts signals' evidence. */
static void test_show_masks_by_the_core_policy(void **state)
{
    char out[SHN_LINK_VALUE_MAX + 32];
    (void)state;
    struct shn_link *l = new_link();
    add(l, "a", SHN_LINK_WALLET, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    add(l, "b", SHN_LINK_WALLET, "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED");
    assert_int_equal(shn_link_update(l), SHN_OK);
    json_t *j = show(l, "a", false);
    json_t *x = find_join(j, "a", "b", "wallet");
    assert_non_null(x); /* public chain data, shortened (issue 11: was in full) */
    assert_string_equal(json_string_value(json_object_get(x, "value")), "0x5aae…eaed");
    json_decref(j);
    j = show(l, "a", true);
    x = find_join(j, "a", "b", "wallet");
    assert_string_equal(json_string_value(json_object_get(x, "value")),
                        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
    json_decref(j);
    shn_link_free(l);
    shn_link_mask(SHN_LINK_BANK, "ES9121000418450200051332", false, out, sizeof out);
    assert_string_equal(out, "ES***1332");
    shn_link_mask(SHN_LINK_IP24, "203.0.113.0/24", false, out, sizeof out);
    assert_string_equal(out, "203.0.*.0/24");
    shn_link_mask(SHN_LINK_NAME, "李", false, out, sizeof out); /* was "李***" */
    assert_string_equal(out, "***");
    shn_link_mask(SHN_LINK_IMAGE, "0123456789abcdef0123456789abcdef", false, out, sizeof out);
    assert_string_equal(out, "pdq:0123456789abcdef…");
    shn_link_mask(SHN_LINK_HANDLE, "github:kenjibuilds", false, out, 8); /* cut: whole chars */
    assert_string_equal(out, "github:");
}

/* Medium and weak evidence add up per pair: device + IP + /24 reaches the
 * threshold; device + /24 alone does not. */
static void test_summed_evidence(void **state)
{
    (void)state;
    struct shn_link *l = new_link();
    add(l, "x1", SHN_LINK_DEVICE, "dev-1");
    add(l, "x2", SHN_LINK_DEVICE, "dev-1");
    add(l, "x1", SHN_LINK_IP, "198.51.100.7");
    add(l, "x2", SHN_LINK_IP, "198.51.100.7");
    add(l, "y1", SHN_LINK_DEVICE, "dev-2");
    add(l, "y2", SHN_LINK_DEVICE, "dev-2");
    add(l, "y1", SHN_LINK_IP, "198.51.100.8");
    add(l, "y2", SHN_LINK_IP, "198.51.100.9");
    assert_int_equal(shn_link_update(l), SHN_OK);
    assert_true(same(l, "x1", "x2"));
    assert_false(same(l, "y1", "y2"));
    assert_false(same(l, "x1", "y1"));
    shn_link_free(l);
}

static void test_stable_ids(void **state)
{
    (void)state;
    struct shn_link *a = new_link(), *b = new_link();
    char x[20], y[20];
    add(a, "m", SHN_LINK_PHONE, "09011112222");
    add(a, "k", SHN_LINK_PHONE, "09011112222");
    add(a, "z", SHN_LINK_PHONE, "09011112222");
    /* another order: the same cluster id (named by its smallest member) */
    add(b, "z", SHN_LINK_PHONE, "+819011112222");
    add(b, "m", SHN_LINK_PHONE, "09011112222");
    add(b, "k", SHN_LINK_PHONE, "090-1111-2222");
    assert_int_equal(shn_link_update(a), SHN_OK);
    assert_int_equal(shn_link_update(b), SHN_OK);
    cluster(a, "z", x);
    cluster(b, "z", y);
    assert_string_equal(x, y);
    assert_int_equal(strlen(x), 17);
    json_t *j = show(a, x, false); /* by cluster id */
    assert_true(json_is_null(json_object_get(j, "account")));
    assert_string_equal(json_string_value(json_array_get(json_object_get(j, "members"), 0)), "k");
    json_decref(j);
    struct shn_buf buf;
    shn_buf_init(&buf, 1 << 20);
    assert_int_equal(shn_link_show_json(a, "nobody", false, &buf), SHN_ERR_NOT_FOUND);
    shn_buf_cleanup(&buf);
    shn_link_free(a);
    shn_link_free(b);
}

/* A pseudo-random graph fed in batches with updates in between ends with
 * the same clusters as one rebuild; including an identifier that crosses
 * max_share (and so splits what it had joined). */
static void test_incremental_equals_rebuild(void **state)
{
    (void)state;
    static const enum shn_link_kind kinds[] = {SHN_LINK_WALLET, SHN_LINK_PHONE, SHN_LINK_EMAIL,
                                               SHN_LINK_DEVICE, SHN_LINK_IP,    SHN_LINK_NAME};
    struct shn_link_options o;
    struct shn_link *inc = NULL, *full = NULL;
    uint64_t s = 12345;
    shn_link_options_default(&o);
    o.max_share = 12;
    o.soft_share = 6;
    assert_int_equal(shn_link_new(&o, &inc), SHN_OK);
    assert_int_equal(shn_link_new(&o, &full), SHN_OK);
    for (int step = 0; step < 2000; step++) {
        char acct[16], val[64];
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        unsigned r = (unsigned)(s >> 33);
        enum shn_link_kind kind = kinds[r % 6];
        snprintf(acct, sizeof acct, "a%u", (r >> 3) % 400);
        if (kind == SHN_LINK_WALLET)
            snprintf(val, sizeof val, "W%u", (r >> 12) % 1500);
        else if (kind == SHN_LINK_PHONE)
            snprintf(val, sizeof val, "0901234%04u", (r >> 12) % 1500);
        else if (kind == SHN_LINK_EMAIL)
            snprintf(val, sizeof val, "u%u@example.jp", (r >> 12) % 400);
        else if (kind == SHN_LINK_DEVICE)
            snprintf(val, sizeof val, "d%u", (r >> 12) % 400);
        else if (kind == SHN_LINK_IP)
            snprintf(val, sizeof val, "10.0.%u.%u", (r >> 12) % 4, (r >> 16) % 60);
        else
            snprintf(val, sizeof val, "name %u", (r >> 12) % 300);
        add(inc, acct, kind, val);
        add(full, acct, kind, val);
        if (step % 97 == 0)
            assert_int_equal(shn_link_update(inc), SHN_OK);
    }
    /* a "platform escrow wallet" that grows past max_share */
    for (int k = 0; k < 20; k++) {
        char acct[16];
        snprintf(acct, sizeof acct, "a%d", k * 7);
        add(inc, acct, SHN_LINK_WALLET, "ESCROW");
        add(full, acct, SHN_LINK_WALLET, "ESCROW");
        if (k == 8)
            assert_int_equal(shn_link_update(inc), SHN_OK);
    }
    assert_int_equal(shn_link_update(inc), SHN_OK);
    assert_int_equal(shn_link_rebuild(full), SHN_OK);
    struct shn_link_stats si, sf;
    shn_link_stats(inc, &si);
    shn_link_stats(full, &sf);
    assert_int_equal(si.clusters, sf.clusters);
    assert_int_equal(si.largest, sf.largest);
    if (sf.clusters <= 5 || sf.largest > 100)
        fail_msg("a test graph of %zu clusters, largest %zu", sf.clusters, sf.largest);
    for (int k = 0; k < 400; k++) {
        char acct[16], x[20], y[20];
        snprintf(acct, sizeof acct, "a%d", k);
        if (shn_link_cluster_of(full, acct, y) != SHN_OK)
            continue;
        cluster(inc, acct, x);
        assert_string_equal(x, y);
    }
    shn_link_free(inc);
    shn_link_free(full);
}

struct bad_lines {
    int count;
    char first[512];
};

static void on_bad(void *ctx, const struct shn_diag *d)
{
    struct bad_lines *b = ctx;
    if (b->count++ == 0)
        shn_diag_format(d, b->first, sizeof b->first);
}

static void test_parse_events_and_personas(void **state)
{
    (void)state;
    static const char events[] =
        "{\"event\":\"account\",\"id\":\"1\",\"account\":\"u1\",\"email\":\"A.B@gmail.com\","
        "\"phone\":\"090-1111-2222\",\"id_document\":{\"number\":\"X-1\",\"image_pdq\":\"%s\"},"
        "\"payout\":[{\"type\":\"crypto\",\"chain\":\"ETH\",\"address\":"
        "\"0xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"},"
        "{\"type\":\"bank\",\"account\":\"123-456\"}]}\n"
        "\n"
        "{\"event\":\"login\",\"id\":\"2\",\"account\":\"u2\",\"ip\":\"203.0.113.9\",\"device\":"
        "\"d\"}\n"
        "{\"event\":\"account\",\"id\":\"3\",\"account\":\"ghost\",\"phone\":\"not a phone\"}\n"
        "{\"event\":\"account\",\"id\":\"4\",\"account\":\"ghost\",\"payout\":[{\"type\":\"bank\","
        "\"account\":7}]}\n"
        "not json\n"
        "{\"event\":\"payout\",\"id\":\"5\",\"account\":\"u3\",\"method\":{\"type\":\"crypto\","
        "\"address\":\"0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}}\n"
        "{\"event\":\"account\",\"id\":\"6\",\"account\":\"\"}\n"
        "{\"event\":\"account\",\"id\":\"7\",\"account\":\"u4\",\"payout\":[{\"type\":\"bank\","
        "\"account\":\"123456\"}]}";
    char data[4096];
    struct shn_link *l = new_link();
    struct shn_link_load_stats st;
    struct bad_lines bad = {0};
    snprintf(data, sizeof data, events, pdq_a);
    assert_int_equal(shn_link_load_events(l, data, strlen(data), "ev.jsonl", on_bad, &bad, &st),
                     SHN_OK);
    assert_int_equal(st.lines, 8);
    assert_int_equal(st.good, 4);
    assert_int_equal(st.bad, 4);
    assert_int_equal(bad.count, 4);
    assert_string_equal(bad.first, "ev.jsonl:4: phone: not a valid phone");
    char c[20];
    assert_int_equal(shn_link_cluster_of(l, "ghost", c), SHN_ERR_NOT_FOUND);
    assert_int_equal(shn_link_update(l), SHN_OK);
    assert_true(same(l, "u1", "u3")); /* the wallet in two cases */
    assert_true(same(l, "u1", "u4")); /* the bank account in two forms */
    assert_false(same(l, "u1", "u2"));

    static const char personas[] =
        "{\"persona\":\"ti:1\",\"names\":[\"A B\"],\"emails\":[\"ab@gmail.com\"],"
        "\"phones\":[\"+81 90 1111 2222\"],\"handles\":{\"github\":[\"github.com/AB\"],"
        "\"telegram\":[\"@ab\"]},\"wallets\":[{\"chain\":\"TRON\",\"address\":\"TXyz\"}],"
        "\"devices\":[\"d9\"],\"bank_accounts\":[\"9-9\"],\"id_numbers\":[\"Z9\"],"
        "\"image_pdq\":[],\"ips\":[\"192.0.2.1\"]}\n"
        "{\"persona\":\"ti:2\",\"handles\":{\"github\":[\"@ab\"]},\"wallets\":[\"TXyz\"]}\n"
        "{\"persona\":\"ti:3\",\"handles\":{\"github\":\"ab\"}}\n"
        "{\"persona\":\"ti:4\",\"wallets\":[{\"chain\":\"TRON\"}]}\n";
    memset(&bad, 0, sizeof bad);
    assert_int_equal(
        shn_link_load_personas(l, personas, strlen(personas), "p.jsonl", on_bad, &bad, &st),
        SHN_OK);
    assert_int_equal(st.good, 2);
    assert_int_equal(st.bad, 2);
    assert_string_equal(bad.first, "p.jsonl:3: handles.github: expected an array of strings");
    assert_int_equal(shn_link_update(l), SHN_OK);
    assert_true(same(l, "ti:1", "u1"));   /* phone */
    assert_true(same(l, "ti:1", "ti:2")); /* TRON wallet */
    shn_link_free(l);
}

/* Issue 12 F15: a bad persona or event line with personal data names the
 * file, line and field; the parser's excerpt is shown by its shape only. */
static void test_bad_lines_repeat_no_personal_value(void **state)
{
    static const char personas[] = "{\"persona\":\"ti:1\",\"names\":[\"山田\\u0000太郎\"]}\n";
    static const char events[] =
        "{\"event\":\"account\",\"id\":\"1\",\"account\":\"u1\",\"email\":\"tanaka@ex";
    (void)state;
    struct shn_link *l = new_link();
    struct shn_link_load_stats st;
    struct bad_lines bad = {0};
    assert_int_equal(
        shn_link_load_personas(l, personas, strlen(personas), "p.jsonl", on_bad, &bad, &st),
        SHN_OK);
    assert_int_equal(bad.count, 1);
    assert_string_equal(bad.first, "p.jsonl:1: names[0]: JSON: \\u0000 is not allowed without "
                                   "JSON_ALLOW_NUL near '\"**\\u0000**\"'");
    memset(&bad, 0, sizeof bad);
    assert_int_equal(shn_link_load_events(l, events, strlen(events), "ev.jsonl", on_bad, &bad, &st),
                     SHN_OK);
    assert_int_equal(bad.count, 1);
    assert_non_null(strstr(bad.first, "ev.jsonl:1: email: "));
    assert_null(strstr(bad.first, "tanaka"));
    shn_link_free(l);
}

static void test_linkdb_roundtrip_and_damage(void **state)
{
    (void)state;
    char path[256], x[20], y[20];
    struct shn_link *l = new_link(), *r = NULL;
    struct shn_diag d = {0};
    struct shn_buf a, b;
    snprintf(path, sizeof path, "%s/test_link_%d.linkdb", SHN_BUILD_DIR, (int)getpid());
    add(l, "p1", SHN_LINK_WALLET, "0x1111111111111111111111111111111111111111");
    add(l, "p2", SHN_LINK_WALLET, "0x1111111111111111111111111111111111111111");
    add(l, "p2", SHN_LINK_DEVICE, "dv");
    add(l, "p3", SHN_LINK_DEVICE, "dv");
    add(l, "p3", SHN_LINK_EMAIL, "z@x.jp");
    add(l, "p2", SHN_LINK_EMAIL, "z@x.jp");
    add(l, "p4", SHN_LINK_IMAGE, pdq_a);
    add(l, "p5", SHN_LINK_IMAGE, pdq_a2);
    assert_int_equal(shn_link_add_node(l, "persona:lonely", true), SHN_OK);
    assert_int_equal(shn_link_save(l, path, &d), SHN_OK);
    assert_int_equal(shn_link_open(path, &r, &d), SHN_OK);
    shn_buf_init(&a, 1 << 20);
    shn_buf_init(&b, 1 << 20);
    assert_int_equal(shn_link_show_json(l, "p3", true, &a), SHN_OK);
    assert_int_equal(shn_link_show_json(r, "p3", true, &b), SHN_OK);
    assert_string_equal(a.data, b.data);
    shn_buf_reset(&a);
    shn_buf_reset(&b);
    assert_int_equal(shn_link_export(l, SHN_LINK_GRAPHML, false, &a), SHN_OK);
    assert_int_equal(shn_link_export(r, SHN_LINK_GRAPHML, false, &b), SHN_OK);
    assert_string_equal(a.data, b.data);
    cluster(l, "p5", x);
    cluster(r, "p5", y);
    assert_string_equal(x, y);
    assert_true(same(r, "p1", "p3"));
    assert_true(same(r, "p4", "p5"));
    /* incremental on the reopened graph */
    add(r, "p6", SHN_LINK_PHONE, "09012121212");
    add(r, "p5", SHN_LINK_PHONE, "+819012121212");
    assert_int_equal(shn_link_update(r), SHN_OK);
    assert_true(same(r, "p4", "p6"));
    shn_link_free(r);
    r = NULL;

    /* one flipped byte, then a truncation: refused, never trusted */
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(shn_file_read(path, 1 << 20, &data, &len, &d), SHN_OK);
    data[len / 2] ^= 0x40;
    assert_int_equal(shn_file_write_atomic(path, data, len, &d), SHN_OK);
    assert_int_equal(shn_link_open(path, &r, &d), SHN_ERR_CORRUPT);
    data[len / 2] ^= 0x40;
    assert_int_equal(shn_file_write_atomic(path, data, len - 5, &d), SHN_OK);
    assert_int_not_equal(shn_link_open(path, &r, &d), SHN_OK);
    assert_int_equal(shn_file_write_atomic(path, "hello", 5, &d), SHN_OK);
    assert_int_equal(shn_link_open(path, &r, &d), SHN_ERR_FORMAT);
    assert_null(r);
    /* a version 1 database (before the section file) names its version */
    {
        uint32_t v1 = 1, v;
        memcpy(&v, data + 8, 4);
        memcpy(data + 8, &v1, 4);
        assert_int_equal(shn_link_open_memory(data, len, &r, &d), SHN_ERR_FORMAT);
        assert_non_null(strstr(d.message, "format version 1, this shinsa reads version 2"));
        memcpy(data + 8, &v, 4);
    }
    /* damaged behind valid checksums: a node count the section cannot hold */
    {
        uint64_t off, size;
        uint32_t many = 1000;
        assert_true(shn_section_locate(data, len, 0, &off, &size));
        assert_int_equal(size, 140);
        memcpy(data + off + 116, &many, 4);
        assert_true(shn_section_reseal(data, len));
        assert_int_equal(shn_link_open_memory(data, len, &r, &d), SHN_ERR_CORRUPT);
        assert_non_null(strstr(d.message, "bad header"));
        assert_null(r);
    }
    shn_free(data);
    unlink(path);
    shn_buf_cleanup(&a);
    shn_buf_cleanup(&b);
    shn_link_free(l);
}

/* A UTF-8 byte order mark before the first line was a bad first line
 * (issue 12 F12); only the start of the data may carry one. */
static void test_byte_order_mark_is_not_a_bad_line(void **state)
{
    (void)state;
    static const char ev[] = "\xEF\xBB\xBF{\"account\":\"u1\",\"phone\":\"090-1111-2222\"}\n"
                             "\xEF\xBB\xBF{\"account\":\"u2\",\"phone\":\"090-1111-2222\"}\n";
    static const char personas[] =
        "\xEF\xBB\xBF{\"persona\":\"ti:1\",\"phones\":[\"+81 90 1111 2222\"]}\n";
    struct shn_link *l = new_link();
    struct shn_link_load_stats st;
    assert_int_equal(shn_link_load_events(l, ev, strlen(ev), "ev", NULL, NULL, &st), SHN_OK);
    assert_int_equal(st.good, 1);
    assert_int_equal(st.bad, 1);
    assert_int_equal(shn_link_load_personas(l, personas, strlen(personas), "p", NULL, NULL, &st),
                     SHN_OK);
    assert_int_equal(st.good, 1);
    assert_int_equal(st.bad, 0);
    assert_int_equal(shn_link_update(l), SHN_OK);
    assert_true(same(l, "u1", "ti:1"));
    shn_link_free(l);
}

/* Every allocation made to fail in turn: an error comes back, nothing
 * leaks (ASan), and the graph stays usable or is freed cleanly. The events
 * reader's and the persona reader's jansson allocations are among the
 * points (routed through shn_malloc). */
static void test_failing_allocations(void **state)
{
    (void)state;
    static const char ev[] =
        "{\"account\":\"u1\",\"phone\":\"090-1111-2222\",\"device\":\"d1\"}\n"
        "{\"account\":\"u2\",\"phone\":\"+81 90 1111 2222\",\"ip\":\"192.0.2.1\"}\n"
        "{\"account\":\"u3\",\"device\":\"d1\",\"ip\":\"192.0.2.1\"}\n";
    static const char personas[] = "{\"persona\":\"p1\",\"email\":\"a@example.jp\"}\n";
    int failures = 0, rc = SHN_ERR_NOMEM;
    long n;
    for (n = 0; n < 4000 && rc != SHN_OK; n++) {
        struct shn_link *l = NULL;
        struct shn_link_load_stats st;
        struct shn_buf b;
        shn_buf_init(&b, 1 << 20);
        shn_alloc_fail_after(n);
        rc = shn_link_new(NULL, &l);
        if (rc == SHN_OK)
            rc = shn_link_load_events(l, ev, strlen(ev), "m", NULL, NULL, &st);
        if (rc == SHN_OK)
            rc = shn_link_load_personas(l, personas, strlen(personas), "p", NULL, NULL, &st);
        if (rc == SHN_OK)
            rc = shn_link_update(l);
        if (rc == SHN_OK)
            rc = shn_link_show_json(l, "u1", false, &b);
        if (rc == SHN_OK)
            rc = shn_link_export(l, SHN_LINK_JSON, false, &b);
        shn_alloc_fail_after(-1);
        if (rc != SHN_OK) {
            assert_true(rc == SHN_ERR_NOMEM || rc == SHN_ERR_TOO_LARGE);
            failures++;
        } else {
            assert_int_equal(st.good, 1);
            assert_int_equal(st.bad, 0);
        }
        shn_buf_cleanup(&b);
        shn_link_free(l);
    }
    assert_int_equal(rc, SHN_OK);
    print_message("link: %ld allocation failure points\n", n - 1);
    assert_true(failures > 50);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize_email),
        cmocka_unit_test(test_normalize_phone),
        cmocka_unit_test(test_normalize_other_kinds),
        cmocka_unit_test(test_chain_of_kinds),
        cmocka_unit_test(test_busy_ip_does_not_merge),
        cmocka_unit_test(test_email_three_ways),
        cmocka_unit_test(test_phone_and_wallet_forms),
        cmocka_unit_test(test_show_masks_by_the_core_policy),
        cmocka_unit_test(test_bad_lines_repeat_no_personal_value),
        cmocka_unit_test(test_summed_evidence),
        cmocka_unit_test(test_stable_ids),
        cmocka_unit_test(test_incremental_equals_rebuild),
        cmocka_unit_test(test_parse_events_and_personas),
        cmocka_unit_test(test_linkdb_roundtrip_and_damage),
        cmocka_unit_test(test_byte_order_mark_is_not_a_bad_line),
        cmocka_unit_test(test_failing_allocations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
