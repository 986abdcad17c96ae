/* List loaders: OFAC legacy CSV (and its remarks), UN consolidated XML,
 * crypto address lists, and the country table they use. Small fictional
 * fixtures under tests/data/screen/loaders/ pin behaviour and error
 * reporting; the real lists under SHN_SHARED_DATA (skipped when absent)
 * pin counts and well-known entries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "loaders_internal.h"
#include "model.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/country.h"
#include "shinsa/core/file.h"
#include "shinsa/screen.h"

#define FIX SHN_TEST_DATA "/screen/loaders"
#define REAL SHN_SHARED_DATA "/sanctions"

/* ---- helpers ------------------------------------------------------------ */

static struct shn_listset *new_set(void)
{
    struct shn_listset *set = NULL;
    assert_int_equal(shn_screen_listset_new(&set), SHN_OK);
    return set;
}

static const struct shn_entity *get(const struct shn_listset *set, const char *id)
{
    const struct shn_entity *e = shn__model_find(set, id);
    if (!e)
        fail_msg("entity %s not loaded", id);
    return e;
}

static int has_name(const struct shn_entity *e, const char *text, int strength)
{
    for (uint32_t i = 0; i < e->n_names; i++)
        if (strcmp(e->names[i].text, text) == 0)
            return strength < 0 || e->names[i].strength == strength;
    return 0;
}

static int has_string(const char *const *items, uint32_t n, const char *text)
{
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(items[i], text) == 0)
            return 1;
    return 0;
}

static const struct shn_ident *find_ident(const struct shn_entity *e, int kind, const char *value)
{
    for (uint32_t i = 0; i < e->n_idents; i++)
        if (e->idents[i].kind == kind && strcmp(e->idents[i].value, value) == 0)
            return &e->idents[i];
    return NULL;
}

static int has_chain(const struct shn_entity *e, const char *chain)
{
    for (uint32_t i = 0; i < e->n_idents; i++)
        if (e->idents[i].kind == SHN_ID_CRYPTO && strcmp(e->idents[i].chain, chain) == 0)
            return 1;
    return 0;
}

static int count_idents(const struct shn_entity *e, int kind)
{
    int n = 0;
    for (uint32_t i = 0; i < e->n_idents; i++)
        n += e->idents[i].kind == kind;
    return n;
}

static int has_dob(const struct shn_entity *e, int kind, int year, int year_to, int month, int day)
{
    for (uint32_t i = 0; i < e->n_dobs; i++) {
        const struct shn_date *d = &e->dobs[i];
        if (d->kind == kind && d->year == year && d->year_to == year_to && d->month == month &&
            d->day == day)
            return 1;
    }
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a, b;
    if (!s)
        return 0;
    a = strlen(s);
    b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int real_data_present(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return 1;
    printf("SKIP: real data %s not found\n", path);
    return 0;
}

/* ---- country ------------------------------------------------------------ */

static void test_country_codes_names_and_variants(void **state)
{
    (void)state;
    assert_string_equal(shn_country_code("KP"), "KP");
    assert_string_equal(shn_country_code("kp"), "KP");
    assert_string_equal(shn_country_code("PRK"), "KP");
    assert_string_equal(shn_country_code("Korea, North"), "KP");
    assert_string_equal(shn_country_code("North Korea"), "KP");
    assert_string_equal(shn_country_code("NORTH KOREA"), "KP");
    assert_string_equal(shn_country_code("Democratic People's Republic of Korea"), "KP");
    assert_string_equal(shn_country_code("Democratic People\u2019s Republic of Korea"), "KP");
    assert_string_equal(shn_country_code("DPRK"), "KP");
    assert_string_equal(shn_country_code("Korea, South"), "KR");
    assert_string_equal(shn_country_code("Republic of Korea"), "KR");
    assert_string_equal(shn_country_code("Russia"), "RU");
    assert_string_equal(shn_country_code("Russian Federation"), "RU");
    assert_string_equal(shn_country_code("Iran"), "IR");
    assert_string_equal(shn_country_code("Iran (Islamic Republic of)"), "IR");
    assert_string_equal(shn_country_code("Syria"), "SY");
    assert_string_equal(shn_country_code("Syrian Arab Republic"), "SY");
    assert_string_equal(shn_country_code("China"), "CN");
    assert_string_equal(shn_country_code("Burma"), "MM");
    assert_string_equal(shn_country_code("Myanmar"), "MM");
    assert_string_equal(shn_country_code("Congo, Democratic Republic of the"), "CD");
    assert_string_equal(shn_country_code("C\u00f4te d\u2019Ivoire"), "CI");
    assert_string_equal(shn_country_code("the Gambia"), "GM");
    assert_string_equal(shn_country_code("  united   kingdom "), "GB");
    assert_string_equal(shn_country_code("Bosnia & Herzegovina"), "BA");
    assert_string_equal(shn_country_code("Bosnia and Herzegovina"), "BA");
    assert_null(shn_country_code("Korea")); /* ambiguous: not guessed */
    assert_null(shn_country_code("Atlantis"));
    assert_null(shn_country_code("ZZ"));
    assert_null(shn_country_code(""));
    assert_null(shn_country_code(NULL));
    assert_string_equal(shn_country_name("kp"), "North Korea");
    assert_null(shn_country_name("ZZ"));
}

/* ---- OFAC remarks ------------------------------------------------------- */

static void check_date(const char *text, int kind, int year, int year_to, int month, int day)
{
    struct shn_date d;
    if (!shn__ofac_parse_date(text, strlen(text), &d))
        fail_msg("date \"%s\" not parsed", text);
    if (d.kind != kind || d.year != year || d.year_to != year_to || d.month != month ||
        d.day != day)
        fail_msg("date \"%s\": kind %d %d-%d %d/%d", text, d.kind, d.year, d.year_to, d.month,
                 d.day);
}

static void test_ofac_dates_all_forms(void **state)
{
    struct shn_date d;
    (void)state;
    check_date("26 Dec 1992", SHN_DATE_EXACT, 1992, 1992, 12, 26);
    check_date("05 May 1959", SHN_DATE_EXACT, 1959, 1959, 5, 5);
    check_date("circa 1947", SHN_DATE_CIRCA, 1947, 1947, 0, 0);
    check_date("1962", SHN_DATE_YEAR, 1962, 1962, 0, 0);
    check_date("Mar 1960", SHN_DATE_MONTH, 1960, 1960, 3, 0);
    check_date("1955 to 1957", SHN_DATE_RANGE, 1955, 1957, 0, 0);
    check_date("01 Jan 1960 to 31 Dec 1962", SHN_DATE_RANGE, 1960, 1962, 0, 0);
    check_date("01 Jan 1960 to 31 Dec 1960", SHN_DATE_YEAR, 1960, 1960, 0, 0);
    check_date("01 Mar 1960 to 01 Mar 1960", SHN_DATE_EXACT, 1960, 1960, 3, 1);
    check_date("circa 1960-1962", SHN_DATE_RANGE, 1960, 1962, 0, 0);
    check_date("circa 01 Jan 1958", SHN_DATE_CIRCA, 1958, 1958, 0, 0);
    check_date("Nov. 1973 ", SHN_DATE_MONTH, 1973, 1973, 11, 0);
    check_date("August 1961", SHN_DATE_MONTH, 1961, 1961, 8, 0);
    assert_false(shn__ofac_parse_date("", 0, &d));
    assert_false(shn__ofac_parse_date("unknown", 7, &d));
    assert_false(shn__ofac_parse_date("19620", 5, &d));
    assert_false(shn__ofac_parse_date("1962 to 1950", 12, &d));
    assert_false(shn__ofac_parse_date("32 Foo 1962", 11, &d));
    assert_false(shn__ofac_parse_date("1962 and more", 13, &d));
}

static void test_ofac_remarks_facts(void **state)
{
    struct shn_listset *set = new_set();
    struct shn_ofac_remarks_stats stats = {0};
    struct shn_entity *e = shn__model_entity(set, "t:1", "test", SHN_KIND_PERSON);
    const struct shn_ident *id;
    const char *remarks =
        "DOB 26 Dec 1992; alt. DOB circa 1947; POB Pyongyang, North Korea; nationality Korea, "
        "North; citizen Atlantis; Passport 563120356 (Korea, North) issued 01 Jan 2010 expires "
        "01 Jan 2015; National ID No. 123-45 (Iran); Tax ID No. 7700 (Russia); Identification "
        "Number IMO 9187629; Email Address a@b.example; alt. Email Address c@d.example; Website "
        "www.x.example; Phone Number +850 2 000; Digital Currency Address - ETH 0xabc0000000; "
        "alt. Digital Currency Address - XBT 1abc0000000; a.k.a. 'HIDDEN COBRA'; a.k.a. "
        "'ABU 'ABDALLAH'; a.k.a. 'SHADOW' (weak); f.k.a. 'OLD NAME'; Gender Male; Linked To: "
        "SOMEONE; Something Entirely New 42.";
    (void)state;
    assert_non_null(e);
    assert_int_equal(shn__ofac_parse_remarks(set, e, remarks, &stats), SHN_OK);
    assert_non_null(e->remarks);
    assert_true(strstr(e->remarks, "Something Entirely New") != NULL);
    assert_true(has_dob(e, SHN_DATE_EXACT, 1992, 1992, 12, 26));
    assert_true(has_dob(e, SHN_DATE_CIRCA, 1947, 1947, 0, 0));
    assert_true(has_string(e->pobs, e->n_pobs, "Pyongyang, North Korea"));
    assert_true(has_string(e->nationalities, e->n_nationalities, "KP"));
    assert_true(has_string(e->nationalities, e->n_nationalities, "Atlantis"));
    id = find_ident(e, SHN_ID_PASSPORT, "563120356");
    assert_non_null(id);
    assert_string_equal(id->country, "Korea, North");
    assert_non_null(find_ident(e, SHN_ID_NATIONAL, "123-45"));
    assert_non_null(find_ident(e, SHN_ID_OTHER, "7700"));
    assert_non_null(find_ident(e, SHN_ID_OTHER, "IMO 9187629"));
    assert_non_null(find_ident(e, SHN_ID_EMAIL, "a@b.example"));
    assert_non_null(find_ident(e, SHN_ID_EMAIL, "c@d.example"));
    assert_non_null(find_ident(e, SHN_ID_WEBSITE, "www.x.example"));
    assert_non_null(find_ident(e, SHN_ID_PHONE, "+850 2 000"));
    id = find_ident(e, SHN_ID_CRYPTO, "0xabc0000000");
    assert_non_null(id);
    assert_string_equal(id->chain, "ETH");
    id = find_ident(e, SHN_ID_CRYPTO, "1abc0000000");
    assert_non_null(id);
    assert_string_equal(id->chain, "XBT");
    assert_true(has_name(e, "HIDDEN COBRA", SHN_ALIAS_WEAK));
    assert_true(has_name(e, "ABU 'ABDALLAH", SHN_ALIAS_WEAK));
    assert_true(has_name(e, "SHADOW", SHN_ALIAS_WEAK));
    assert_true(has_name(e, "OLD NAME", SHN_ALIAS_FKA));
    assert_int_equal(stats.facts, 22);
    assert_int_equal(stats.ignored, 2);
    assert_int_equal(stats.unparsed, 1);
    assert_int_equal(stats.parsed, 19);
    /* Nothing, or only separators: no facts, no crash. */
    assert_int_equal(shn__ofac_parse_remarks(set, e, NULL, NULL), SHN_OK);
    assert_int_equal(shn__ofac_parse_remarks(set, e, "; ; ;.", NULL), SHN_OK);
    shn_screen_listset_free(set);
}

/* ---- OFAC CSV fixtures -------------------------------------------------- */

static void test_ofac_fixture_loads_every_file(void **state)
{
    struct shn_listset *set = new_set();
    struct shn_diag diag = {0};
    const struct shn_entity *e;
    const struct shn_ident *id;
    (void)state;
    assert_int_equal(shn_screen_load_ofac_csv(set, FIX "/ofac", &diag), SHN_OK);
    /* 5 SDN entries + 2 consolidated, one of which (9002) is also on the SDN list. */
    assert_int_equal(shn_screen_listset_count(set), 6);
    assert_int_equal(set->n_sources, 2);
    assert_string_equal(set->sources[0].name, "ofac");
    assert_int_equal(set->sources[0].entities, 5);
    assert_string_equal(set->sources[1].name, "ofac-cons");
    assert_int_equal(set->sources[1].entities, 1);

    e = get(set, "ofac:9001");
    assert_string_equal(e->source, "ofac");
    assert_int_equal(e->kind, SHN_KIND_PERSON);
    assert_string_equal(e->names[0].text, "PAEK, Mun Sol");
    assert_int_equal(e->names[0].strength, SHN_ALIAS_PRIMARY);
    assert_true(has_name(e, "BAEK, Mun Sol", SHN_ALIAS_AKA));
    assert_true(has_name(e, "PAK, Munsol", SHN_ALIAS_FKA));
    assert_true(has_name(e, "SOLAR WIND", SHN_ALIAS_WEAK));
    assert_int_equal(e->n_programs, 2);
    assert_string_equal(e->programs[0], "DPRK");
    assert_string_equal(e->programs[1], "DPRK2");
    assert_true(has_dob(e, SHN_DATE_EXACT, 1972, 1972, 12, 26));
    assert_true(has_dob(e, SHN_DATE_CIRCA, 1970, 1970, 0, 0));
    assert_true(has_string(e->pobs, e->n_pobs, "Sinuiju, North Korea"));
    assert_int_equal(e->n_nationalities, 1);
    assert_string_equal(e->nationalities[0], "KP");
    id = find_ident(e, SHN_ID_PASSPORT, "108220999");
    assert_non_null(id);
    assert_string_equal(id->country, "Korea, North");
    assert_true(
        has_string(e->addresses, e->n_addresses, "Kwangbok Street, Pyongyang, Korea, North"));

    e = get(set, "ofac:9002");
    assert_string_equal(e->source, "ofac"); /* first list loaded keeps it */
    assert_int_equal(e->kind, SHN_KIND_ORGANIZATION);
    assert_true(has_name(e, "NLT", SHN_ALIAS_WEAK));
    assert_true(has_name(e, "LANTERN BRAND", SHN_ALIAS_WEAK));
    assert_true(has_name(e, "OLD LANTERN", SHN_ALIAS_FKA));
    assert_true(has_name(e, "NLT GROUP", SHN_ALIAS_FKA));
    assert_true(has_name(e, "LANTERN", SHN_ALIAS_WEAK));
    assert_true(has_name(e, "NORTHERN LANTERN", SHN_ALIAS_AKA)); /* from cons_alt.csv */
    assert_true(has_string(e->programs, e->n_programs, "DPRK3"));
    assert_true(has_string(e->programs, e->n_programs, "UKRAINE-EO13662"));
    assert_non_null(find_ident(e, SHN_ID_OTHER, "0000000002")); /* cons remarks parsed */
    assert_true(strstr(e->remarks, "Website www.northern-lantern.example") == e->remarks);
    id = find_ident(e, SHN_ID_CRYPTO, "0x00000000000000000000000000000000deadbeef");
    assert_non_null(id);
    assert_string_equal(id->chain, "ETH");
    assert_non_null(find_ident(e, SHN_ID_WEBSITE, "www.northern-lantern.example"));
    assert_non_null(find_ident(e, SHN_ID_EMAIL, "sales@northern-lantern.example"));
    assert_non_null(find_ident(e, SHN_ID_PHONE, "850-2-000-0000"));
    assert_non_null(find_ident(e, SHN_ID_NATIONAL, "5550123"));
    assert_true(has_string(e->addresses, e->n_addresses, "Korea, North"));

    e = get(set, "ofac:9003");
    assert_int_equal(e->kind, SHN_KIND_VESSEL);
    assert_non_null(find_ident(e, SHN_ID_OTHER, "HMXX9")); /* call sign */
    assert_non_null(find_ident(e, SHN_ID_OTHER, "IMO 9990001"));
    assert_non_null(find_ident(e, SHN_ID_OTHER, "445999000"));
    assert_int_equal(e->n_addresses, 0); /* an all "-0-" address row adds nothing */
    assert_int_equal(get(set, "ofac:9004")->kind, SHN_KIND_AIRCRAFT);

    /* sdn_comments.csv continues the remarks byte for byte: the number
     * before the cut and "(Russia)" after it stay apart. */
    e = get(set, "ofac:9005");
    assert_true(ends_with(e->remarks, "a.k.a. 'CONTINUED'."));
    assert_true(strstr(e->remarks, "1027700070518 (Russia); Email") != NULL);
    id = find_ident(e, SHN_ID_NATIONAL, "1027700070518");
    assert_non_null(id);
    assert_string_equal(id->country, "Russia");
    assert_non_null(find_ident(e, SHN_ID_EMAIL, "long.remark@example.org"));
    assert_true(has_name(e, "CONTINUED", SHN_ALIAS_WEAK));
    assert_true(has_dob(e, SHN_DATE_RANGE, 1955, 1957, 0, 0));
    assert_true(has_dob(e, SHN_DATE_MONTH, 1960, 1960, 3, 0));
    assert_true(has_dob(e, SHN_DATE_YEAR, 1962, 1962, 0, 0));
    assert_non_null(find_ident(e, SHN_ID_NATIONAL, "210302198701102136"));
    assert_string_equal(e->nationalities[0], "RU");

    e = get(set, "ofac:7001");
    assert_string_equal(e->source, "ofac-cons");
    assert_int_equal(e->n_programs, 2);
    assert_true(has_name(e, "EXAMPLE HOLDINGS", SHN_ALIAS_AKA));
    assert_int_equal(e->n_addresses, 1);
    assert_string_equal(e->addresses[0], "1 Example Street, Moscow 101000, Russia");
    assert_non_null(find_ident(e, SHN_ID_WEBSITE, "https://example-holdings.example"));
    shn_screen_listset_free(set);
}

static void test_ofac_cons_only_folder(void **state)
{
    struct shn_listset *set = new_set();
    (void)state;
    assert_int_equal(shn_screen_load_ofac_csv(set, FIX "/ofac-cons-only", NULL), SHN_OK);
    assert_int_equal(shn_screen_listset_count(set), 1);
    assert_string_equal(get(set, "ofac:7002")->source, "ofac-cons");
    shn_screen_listset_free(set);
}

static void expect_ofac_error(const char *dir, int err, const char *file_suffix, long line,
                              const char *field)
{
    struct shn_listset *set = new_set();
    struct shn_diag diag = {0};
    char text[512];

    assert_int_equal(shn_screen_load_ofac_csv(set, dir, &diag), err);
    shn_diag_format(&diag, text, sizeof text);
    if (!ends_with(diag.file, file_suffix) || diag.line != line)
        fail_msg("expected %s:%ld, got \"%s\"", file_suffix, line, text);
    if (field)
        assert_string_equal(diag.field, field);
    assert_true(diag.message[0] != '\0');
    shn_screen_listset_free(set);
}

static void test_ofac_malformed_files_name_file_and_line(void **state)
{
    (void)state;
    expect_ofac_error(FIX "/ofac-bad-quote", SHN_ERR_PARSE, "ofac-bad-quote/sdn.csv", 3, NULL);
    expect_ofac_error(FIX "/ofac-bad-num", SHN_ERR_PARSE, "ofac-bad-num/sdn.csv", 2, "ent_num");
    expect_ofac_error(FIX "/ofac-bad-alt", SHN_ERR_PARSE, "ofac-bad-alt/alt.csv", 2, NULL);
    expect_ofac_error(FIX "/ofac-empty", SHN_ERR_NOT_FOUND, "ofac-empty/sdn.csv", 0, NULL);
    expect_ofac_error(FIX "/no-such-folder", SHN_ERR_NOT_FOUND, "no-such-folder/sdn.csv", 0, NULL);
}

static void test_ofac_from_memory_edge_cases(void **state)
{
    struct shn_listset *set = new_set();
    struct shn_diag diag = {0};
    struct shn_ofac_mem m = {0};
    uint32_t added = 0;
    static const char prim[] = "1,\"A\",-0- ,-0- \n2,\"B\",\"submarine\",\"X] [Y]\"\n\x1a";
    static const char alt[] = "3,1,\"aka\",\"ORPHAN\",-0- \n";
    static const char few[] = "1,\"A\"\n";
    static const char noname[] = "5,-0- ,-0- ,-0- \n";
    (void)state;
    m.prim = prim;
    m.prim_len = sizeof prim - 1;
    m.prim_name = "mem-sdn";
    m.alt = alt;
    m.alt_len = sizeof alt - 1;
    m.alt_name = "mem-alt";
    assert_int_equal(shn__ofac_load_mem(set, &m, "ofac", NULL, &added, &diag), SHN_OK);
    assert_int_equal(added, 2);
    assert_int_equal(get(set, "ofac:2")->kind, SHN_KIND_UNKNOWN); /* unknown type: kept */
    assert_int_equal(get(set, "ofac:2")->n_programs, 2);
    assert_null(shn__model_find(set, "ofac:3")); /* orphan alias skipped */

    m = (struct shn_ofac_mem){.prim = few, .prim_len = sizeof few - 1, .prim_name = "few"};
    assert_int_equal(shn__ofac_load_mem(set, &m, "ofac", NULL, NULL, &diag), SHN_ERR_PARSE);
    assert_string_equal(diag.file, "few");
    assert_int_equal(diag.line, 1);
    m = (struct shn_ofac_mem){.prim = noname, .prim_len = sizeof noname - 1, .prim_name = "nn"};
    assert_int_equal(shn__ofac_load_mem(set, &m, "ofac", NULL, NULL, &diag), SHN_ERR_PARSE);
    assert_string_equal(diag.field, "SDN_Name");
    m = (struct shn_ofac_mem){.prim = "", .prim_len = 0, .prim_name = "empty"};
    assert_int_equal(shn__ofac_load_mem(set, &m, "ofac", NULL, NULL, &diag), SHN_OK);
    shn_screen_listset_free(set);
}

/* ---- UN XML fixtures ---------------------------------------------------- */

static void test_un_fixture_individual_and_entity(void **state)
{
    struct shn_listset *set = new_set();
    struct shn_diag diag = {0};
    const struct shn_entity *e;
    const struct shn_ident *id;
    (void)state;
    assert_int_equal(shn_screen_load_un_xml(set, FIX "/un/un_small.xml", &diag), SHN_OK);
    assert_int_equal(shn_screen_listset_count(set), 2);
    assert_int_equal(set->n_sources, 1);
    assert_string_equal(set->sources[0].name, "un");
    assert_string_equal(set->sources[0].date, "2030-01-02");
    assert_int_equal(set->sources[0].entities, 2);

    e = get(set, "un:KPi.901");
    assert_string_equal(e->source, "un");
    assert_int_equal(e->kind, SHN_KIND_PERSON);
    assert_string_equal(e->names[0].text, "HAN SOL-GYE EXAMPLE");
    assert_true(has_name(e, "\xed\x95\x9c\xec\x86\x94\xea\xb3\x84", SHN_ALIAS_AKA));
    assert_true(has_name(e, "Han Sol Gye", SHN_ALIAS_AKA));
    assert_true(has_name(e, "Comrade Han", SHN_ALIAS_WEAK));
    assert_int_equal(e->n_names, 4);
    assert_int_equal(e->n_programs, 1);
    assert_string_equal(e->programs[0], "DPRK");
    assert_string_equal(e->remarks, "Fictional record for tests.\nSecond line.");
    assert_true(has_string(e->nationalities, e->n_nationalities, "KP"));
    assert_true(has_dob(e, SHN_DATE_EXACT, 1961, 1961, 4, 15));
    assert_true(has_dob(e, SHN_DATE_CIRCA, 1960, 1960, 0, 0));
    assert_true(has_dob(e, SHN_DATE_RANGE, 1958, 1962, 0, 0));
    assert_true(has_dob(e, SHN_DATE_MONTH, 1963, 1963, 11, 0));
    assert_int_equal(e->n_dobs, 4);
    assert_true(has_string(e->pobs, e->n_pobs,
                           "Hamhung, South Hamgyong, Democratic People's Republic of Korea"));
    assert_true(has_string(e->addresses, e->n_addresses,
                           "Pyongyang, Democratic People's Republic of Korea"));
    id = find_ident(e, SHN_ID_PASSPORT, "472300999");
    assert_non_null(id);
    assert_string_equal(id->country, "Democratic People's Republic of Korea");
    assert_non_null(find_ident(e, SHN_ID_NATIONAL, "ID-0001"));
    assert_int_equal(e->n_idents, 2);

    e = get(set, "un:KPe.901");
    assert_int_equal(e->kind, SHN_KIND_ORGANIZATION);
    assert_string_equal(e->names[0].text, "FICTIONAL TRADING BUREAU 99");
    assert_true(has_name(e, "Bureau 99", SHN_ALIAS_AKA));
    assert_true(has_name(e, "Old Bureau & Co", SHN_ALIAS_FKA));
    assert_null(e->remarks);
    assert_true(has_string(e->addresses, e->n_addresses,
                           "1 Fictional Street, Pyongyang, Democratic People's Republic of Korea"));
    shn_screen_listset_free(set);
}

static void expect_un_error(const char *path, int err, long line, const char *field)
{
    struct shn_listset *set = new_set();
    struct shn_diag diag = {0};
    char text[512];

    assert_int_equal(shn_screen_load_un_xml(set, path, &diag), err);
    shn_diag_format(&diag, text, sizeof text);
    if (!diag.file || strcmp(diag.file, path) != 0 || diag.line != line)
        fail_msg("expected %s:%ld, got \"%s\"", path, line, text);
    if (field)
        assert_string_equal(diag.field, field);
    shn_screen_listset_free(set);
}

static void test_un_malformed_files_name_file_and_line(void **state)
{
    (void)state;
    /* Cut inside an element: the error is where the data ends (line 73,
     * after the last newline). */
    expect_un_error(FIX "/un/un_truncated.xml", SHN_ERR_PARSE, 73, NULL);
    expect_un_error(FIX "/un/un_mismatch.xml", SHN_ERR_PARSE, 7, NULL);
    expect_un_error(FIX "/un/un_noref.xml", SHN_ERR_PARSE, 4, "REFERENCE_NUMBER");
    expect_un_error(FIX "/un/no_such_file.xml", SHN_ERR_NOT_FOUND, 0, NULL);
}

static void test_un_from_memory_edge_cases(void **state)
{
    struct shn_listset *set = new_set();
    struct shn_diag diag = {0};
    static const char wrong_root[] = "<?xml version=\"1.0\"?>\n<SDN_LIST/>\n";
    static const char empty_list[] = "<CONSOLIDATED_LIST/>";
    static const char entity_ref[] =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n"
        "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&e;X</FIRST_NAME>"
        "<REFERENCE_NUMBER>R.1</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS>"
        "</CONSOLIDATED_LIST>";
    (void)state;
    assert_int_equal(shn__un_load_mem(set, wrong_root, sizeof wrong_root - 1, "m", &diag),
                     SHN_ERR_PARSE);
    assert_int_equal(diag.line, 2);
    assert_int_equal(shn__un_load_mem(set, "", 0, "m", &diag), SHN_ERR_PARSE);
    assert_int_equal(shn__un_load_mem(set, "<<<", 3, "m", &diag), SHN_ERR_PARSE);
    assert_int_equal(shn__un_load_mem(set, empty_list, sizeof empty_list - 1, "m", &diag), SHN_OK);
    assert_int_equal(shn_screen_listset_count(set), 0);
    /* External entities are neither fetched nor substituted. */
    assert_int_equal(shn__un_load_mem(set, entity_ref, sizeof entity_ref - 1, "m", &diag), SHN_OK);
    assert_string_equal(get(set, "un:R.1")->names[0].text, "X");
    shn_screen_listset_free(set);
}

/* ---- crypto fixtures ---------------------------------------------------- */

static void test_crypto_fixture(void **state)
{
    struct shn_listset *set = new_set();
    struct shn_diag diag = {0};
    const struct shn_entity *e;
    (void)state;
    assert_int_equal(shn_screen_load_crypto_dir(set, FIX "/crypto", &diag), SHN_OK);
    assert_int_equal(shn_screen_listset_count(set), 4); /* ETH repeats one line */
    assert_int_equal(set->n_sources, 1);
    assert_string_equal(set->sources[0].name, "crypto");
    assert_int_equal(set->sources[0].entities, 4);
    e = get(set, "crypto:ETH:0x00000000000000000000000000000000deadbeef");
    assert_string_equal(e->source, "crypto");
    assert_int_equal(e->kind, SHN_KIND_UNKNOWN);
    assert_string_equal(e->names[0].text, "0x00000000000000000000000000000000deadbeef");
    assert_int_equal(e->n_idents, 1);
    assert_int_equal(e->idents[0].kind, SHN_ID_CRYPTO);
    assert_string_equal(e->idents[0].chain, "ETH");
    get(set, "crypto:ETH:0x1111111111111111111111111111111111111111"); /* CRLF line */
    get(set, "crypto:XBT:bc1qfictional0000000000000000000000000000");  /* no final newline */
    shn_screen_listset_free(set);
}

static void expect_crypto_error(const char *dir, int err, const char *file_suffix, long line)
{
    struct shn_listset *set = new_set();
    struct shn_diag diag = {0};
    char text[512];

    assert_int_equal(shn_screen_load_crypto_dir(set, dir, &diag), err);
    shn_diag_format(&diag, text, sizeof text);
    if (!ends_with(diag.file, file_suffix) || diag.line != line)
        fail_msg("expected %s:%ld, got \"%s\"", file_suffix, line, text);
    shn_screen_listset_free(set);
}

static void test_crypto_malformed_files_name_file_and_line(void **state)
{
    (void)state;
    expect_crypto_error(FIX "/crypto-bad", SHN_ERR_PARSE, "crypto-bad/sanctioned_addresses_ETH.txt",
                        3);
    expect_crypto_error(FIX "/crypto-long", SHN_ERR_PARSE,
                        "crypto-long/sanctioned_addresses_XMR.txt", 2);
    expect_crypto_error(FIX "/crypto-empty", SHN_ERR_NOT_FOUND, "crypto-empty", 0);
    expect_crypto_error(FIX "/no-such-folder", SHN_ERR_NOT_FOUND, "no-such-folder", 0);
}

static void test_crypto_from_memory_edge_cases(void **state)
{
    struct shn_listset *set = new_set();
    struct shn_diag diag = {0};
    uint32_t added = 0;
    static const char nul[] = "0xabcdef0123\0456789\n";
    (void)state;
    assert_int_equal(shn__crypto_load_mem(set, "ETH", "#only\n\n  \n", 10, "m", &added, &diag),
                     SHN_OK);
    assert_int_equal(added, 0);
    assert_int_equal(shn__crypto_load_mem(set, "ETH", "short\n", 6, "m", NULL, &diag),
                     SHN_ERR_PARSE);
    assert_int_equal(diag.line, 1);
    assert_int_equal(shn__crypto_load_mem(set, "ETH", nul, sizeof nul - 1, "m", NULL, &diag),
                     SHN_ERR_PARSE);
    assert_string_equal(diag.field, "address");
    assert_int_equal(shn__crypto_load_mem(set, "E/TH", "0x12345678", 10, "m", NULL, &diag),
                     SHN_ERR_INVALID);
    assert_int_equal(shn_screen_listset_count(set), 0);
    shn_screen_listset_free(set);
}

/* ---- allocation failures ------------------------------------------------ */

typedef int (*load_fn)(struct shn_listset *, const char *, struct shn_diag *);

/* Fails the 1st, 2nd, ... allocation of a load until it succeeds; every
 * failure must be an error return (no crash, and no leak under ASan), and
 * the run that succeeds must load what an undisturbed run loads. The
 * libraries' allocations count too (jansson, libxml2: routed through
 * shn_malloc). Returns the number of failure points. */
static long fail_each_allocation(load_fn load, const char *path)
{
    struct shn_listset *set = new_set();
    struct shn_diag diag = {0};
    size_t want;
    long n;
    int rc = SHN_ERR_NOMEM;

    assert_int_equal(load(set, path, &diag), SHN_OK);
    want = shn_screen_listset_count(set);
    shn_screen_listset_free(set);
    for (n = 0; n < 100000 && rc != SHN_OK; n++) {
        set = new_set();
        memset(&diag, 0, sizeof diag);
        shn_alloc_fail_after(n);
        rc = load(set, path, &diag);
        shn_alloc_fail_after(-1);
        if (rc == SHN_OK)
            assert_int_equal(shn_screen_listset_count(set), want);
        else if (rc != SHN_ERR_NOMEM && rc != SHN_ERR_TOO_LARGE)
            fail_msg("%s: allocation %ld failed, load returned %d (%s: %s)", path, n, rc,
                     shn_strerror(rc), diag.message);
        shn_screen_listset_free(set);
    }
    assert_int_equal(rc, SHN_OK);
    print_message("%s: %ld allocation failure points\n", path, n - 1);
    return n - 1;
}

/* The UN list from memory, as the fuzzer and `lists update` feed it. */
static int load_un_mem(struct shn_listset *set, const char *path, struct shn_diag *diag)
{
    char *data = NULL;
    size_t len = 0;
    int rc = shn_file_read(path, 1 << 20, &data, &len, diag);
    if (rc == SHN_OK)
        rc = shn__un_load_mem(set, data, len, path, diag);
    shn_free(data);
    return rc;
}

static void test_loaders_survive_allocation_failures(void **state)
{
    (void)state;
    fail_each_allocation(shn_screen_load_ofac_csv, FIX "/ofac");
    fail_each_allocation(shn_screen_load_crypto_dir, FIX "/crypto");
    /* libxml2's own allocations are among the points: the loader alone
     * makes six. */
    assert_true(fail_each_allocation(shn_screen_load_un_xml, FIX "/un/un_small.xml") > 60);
    assert_true(fail_each_allocation(load_un_mem, FIX "/un/un_small.xml") > 60);
}

/* ---- real lists --------------------------------------------------------- */

static void test_real_ofac_lists(void **state)
{
    struct shn_listset *set;
    struct shn_diag diag = {0};
    struct shn_ofac_remarks_stats stats = {0};
    const struct shn_entity *e;
    const struct shn_ident *id;
    char text[512];
    int eth = 0;
    (void)state;
    if (!real_data_present(REAL "/ofac-2021/sdn.csv"))
        skip();
    set = new_set();
    if (shn_screen_load_ofac_csv(set, REAL "/ofac-2021", &diag) != SHN_OK) {
        shn_diag_format(&diag, text, sizeof text);
        fail_msg("%s", text);
    }
    /* sdn.csv has 8,976 records (the README says 8,975); cons_prim.csv 442
     * (README: 441), 4 of them SDN entries too (9659, 18299, 18782, 28603). */
    assert_int_equal(set->n_sources, 2);
    assert_int_equal(set->sources[0].entities, 8976);
    assert_int_equal(set->sources[1].entities, 438);
    assert_int_equal(shn_screen_listset_count(set), 8976 + 438);

    e = get(set, "ofac:12211");
    assert_string_equal(e->names[0].text, "KIM, Yong Chol");
    assert_int_equal(e->kind, SHN_KIND_PERSON);
    assert_true(has_dob(e, SHN_DATE_CIRCA, 1947, 1947, 0, 0));
    assert_true(has_dob(e, SHN_DATE_CIRCA, 1946, 1946, 0, 0));
    assert_true(has_string(e->pobs, e->n_pobs, "Pyongan-Pukto, North Korea"));
    assert_true(has_name(e, "KIM, Yong-Chol", SHN_ALIAS_AKA));
    assert_true(has_string(e->programs, e->n_programs, "DPRK"));

    e = get(set, "ofac:26137");
    assert_string_equal(e->names[0].text, "KHORASHADIZADEH, Ali");
    assert_int_equal(count_idents(e, SHN_ID_EMAIL), 5);
    assert_non_null(find_ident(e, SHN_ID_EMAIL, "iranvisacart@yahoo.com"));
    assert_non_null(find_ident(e, SHN_ID_EMAIL, "iranian_boy5@yahoo.com"));
    id = find_ident(e, SHN_ID_PASSPORT, "T14553558");
    assert_non_null(id);
    assert_string_equal(id->country, "Iran");
    id = find_ident(e, SHN_ID_CRYPTO, "149w62rY42aZBox8fGcmqNsXUzSStKeq8C");
    assert_non_null(id);
    assert_string_equal(id->chain, "XBT");
    assert_true(has_name(e, "Mastercartaria", SHN_ALIAS_WEAK));
    assert_string_equal(e->nationalities[0], "IR");
    assert_true(has_dob(e, SHN_DATE_EXACT, 1979, 1979, 9, 21));

    /* 29703's remarks are cut inside "Digital Currency Address - ETH":
     * the ETH address exists only once sdn_comments.csv is joined. */
    e = get(set, "ofac:29703");
    id = find_ident(e, SHN_ID_CRYPTO, "0x8576acc5c05d6ce88f4e49bf65bdf0c62f91353c");
    assert_non_null(id);
    assert_string_equal(id->chain, "ETH");
    assert_non_null(find_ident(e, SHN_ID_PASSPORT, "4005504207"));
    /* 28263 is cut inside a.k.a. 'snowsjohn'. */
    assert_true(has_name(get(set, "ofac:28263"), "snowsjohn", SHN_ALIAS_WEAK));
    /* 28264 inside "Phone Number". */
    assert_non_null(find_ident(get(set, "ofac:28264"), SHN_ID_PHONE, "8613314257947"));
    /* Consolidated 17250 is cut just before "(Russia)". */
    id = find_ident(get(set, "ofac:17250"), SHN_ID_NATIONAL, "1027700070518");
    assert_non_null(id);
    assert_string_equal(id->country, "Russia");
    /* On both lists: the SDN record comes first, cons adds its programs. */
    e = get(set, "ofac:18782");
    assert_string_equal(e->source, "ofac");
    assert_true(has_string(e->programs, e->n_programs, "SYRIA"));
    assert_true(has_string(e->programs, e->n_programs, "RUSSIA-EO14024"));
    assert_string_equal(get(set, "ofac:9639")->source, "ofac-cons");

    for (uint32_t i = 0; i < set->n_entities; i++) {
        e = set->entities[i];
        eth += strcmp(e->source, "ofac") == 0 && has_chain(e, "ETH");
        assert_int_equal(shn__ofac_parse_remarks(set, set->entities[i], e->remarks, &stats),
                         SHN_OK);
    }
    assert_true(eth >= 5);
    printf("OFAC remarks: %lu facts, %lu parsed, %lu skipped, %lu not understood\n", stats.facts,
           stats.parsed, stats.ignored, stats.unparsed);
    /* What is left is free text (titles, relatives, arrest notes). */
    assert_true(stats.unparsed * 20 < stats.facts);
    shn_screen_listset_free(set);
}

static void test_real_un_list(void **state)
{
    struct shn_listset *set;
    struct shn_diag diag = {0};
    const struct shn_entity *e;
    char text[512];
    uint32_t persons = 0, orgs = 0, dprk = 0;
    (void)state;
    if (!real_data_present(REAL "/un_consolidated.xml"))
        skip();
    set = new_set();
    if (shn_screen_load_un_xml(set, REAL "/un_consolidated.xml", &diag) != SHN_OK) {
        shn_diag_format(&diag, text, sizeof text);
        fail_msg("%s", text);
    }
    for (uint32_t i = 0; i < set->n_entities; i++) {
        e = set->entities[i];
        persons += e->kind == SHN_KIND_PERSON;
        orgs += e->kind == SHN_KIND_ORGANIZATION;
        dprk += has_string(e->programs, e->n_programs, "DPRK");
    }
    assert_int_equal(persons, 730);
    assert_int_equal(orgs, 273);
    assert_int_equal(dprk, 155);
    assert_string_equal(set->sources[0].date, "2026-02-27");

    e = get(set, "un:KPi.001");
    assert_string_equal(e->names[0].text, "YUN HO-JIN");
    assert_true(has_name(e, "Yun Ho-chin", SHN_ALIAS_AKA));
    assert_true(has_dob(e, SHN_DATE_EXACT, 1944, 1944, 10, 13));
    assert_true(has_string(e->nationalities, e->n_nationalities, "KP"));
    assert_true(has_string(e->programs, e->n_programs, "DPRK"));
    assert_non_null(e->remarks);
    shn_screen_listset_free(set);
}

static void test_real_crypto_lists(void **state)
{
    struct shn_listset *set;
    struct shn_diag diag = {0};
    char text[512];
    (void)state;
    if (!real_data_present(REAL "/crypto-2024/sanctioned_addresses_ETH.txt"))
        skip();
    set = new_set();
    if (shn_screen_load_crypto_dir(set, REAL "/crypto-2024", &diag) != SHN_OK) {
        shn_diag_format(&diag, text, sizeof text);
        fail_msg("%s", text);
    }
    assert_int_equal(shn_screen_listset_count(set), 654);
    get(set, "crypto:ETH:0x19aa5fe80d33a56d56c78e82ea5e50e5d80b4dff");
    get(set, "crypto:BCH:qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq");
    shn_screen_listset_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_country_codes_names_and_variants),
        cmocka_unit_test(test_ofac_dates_all_forms),
        cmocka_unit_test(test_ofac_remarks_facts),
        cmocka_unit_test(test_ofac_fixture_loads_every_file),
        cmocka_unit_test(test_ofac_cons_only_folder),
        cmocka_unit_test(test_ofac_malformed_files_name_file_and_line),
        cmocka_unit_test(test_ofac_from_memory_edge_cases),
        cmocka_unit_test(test_un_fixture_individual_and_entity),
        cmocka_unit_test(test_un_malformed_files_name_file_and_line),
        cmocka_unit_test(test_un_from_memory_edge_cases),
        cmocka_unit_test(test_crypto_fixture),
        cmocka_unit_test(test_crypto_malformed_files_name_file_and_line),
        cmocka_unit_test(test_crypto_from_memory_edge_cases),
        cmocka_unit_test(test_loaders_survive_allocation_failures),
        cmocka_unit_test(test_real_ofac_lists),
        cmocka_unit_test(test_real_un_list),
        cmocka_unit_test(test_real_crypto_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
