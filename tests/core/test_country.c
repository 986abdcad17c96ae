/* Tests for core country codes (shinsa/core/country.h): codes, English
 * names, the variants sanctions lists write, and the folding that makes
 * "CÔTE D’IVOIRE" and "Cote d'Ivoire" one key. Screening compares
 * nationalities through these codes, so a lookup that drifts turns a
 * nationality match into a mismatch (or the reverse). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "shinsa/core/country.h"

static void code_is(const char *text, const char *want)
{
    const char *got = shn_country_code(text);
    if (!want && got)
        fail_msg("'%s' names %s, expected no country", text ? text : "(null)", got);
    if (want && (!got || strcmp(got, want) != 0))
        fail_msg("'%s' names %s, expected %s", text, got ? got : "no country", want);
}

/* Every country of the table, by alpha-2, alpha-3 and name, comes back to
 * its own alpha-2: no key of one country collides with another's. */
static void every_country_round_trips(void **state)
{
    char c[3] = {0};
    int n = 0;
    (void)state;
    for (c[0] = 'A'; c[0] <= 'Z'; c[0]++)
        for (c[1] = 'A'; c[1] <= 'Z'; c[1]++) {
            const char *name = shn_country_name(c);
            if (!name)
                continue;
            n++;
            code_is(c, c);
            code_is(name, c);
        }
    assert_int_equal(n, 250); /* ISO 3166-1 without DG, EA, IC; with XK */
}

static void codes_in_any_case(void **state)
{
    (void)state;
    code_is("KP", "KP");
    code_is("kp", "KP");
    code_is("PRK", "KP");
    code_is("prk", "KP");
    code_is("Prk", "KP");
    code_is("KOR", "KR");
    code_is("RUS", "RU");
    code_is("XK", "XK"); /* Kosovo: user-assigned, but OFAC and the UN use it */
    code_is("ZZ", NULL);
    code_is("ZZZ", NULL);
    code_is("K", NULL);
}

static void names_of_codes(void **state)
{
    (void)state;
    assert_string_equal(shn_country_name("KP"), "North Korea");
    assert_string_equal(shn_country_name("kp"), "North Korea");
    assert_string_equal(shn_country_name("CI"), "Cote d'Ivoire");
    assert_string_equal(shn_country_name("XK"), "Kosovo");
    assert_null(shn_country_name("ZZ"));
    assert_null(shn_country_name("PRK")); /* alpha-2 only */
    assert_null(shn_country_name("K"));
    assert_null(shn_country_name(""));
    assert_null(shn_country_name("K\x50\x01"));
    assert_null(shn_country_name(NULL));
}

/* The ways OFAC, the UN and other lists write the countries screening
 * cares most about. */
static void sanctions_list_variants(void **state)
{
    (void)state;
    code_is("Korea, North", "KP");
    code_is("North Korea", "KP");
    code_is("DPRK", "KP");
    code_is("Democratic People's Republic of Korea", "KP");
    code_is("Korea, Democratic People's Republic of", "KP");
    code_is("Korea (Democratic People's Republic of)", "KP");
    code_is("Korea, Dem. People's Rep.", "KP");
    code_is("Democratic Peoples Republic of Korea", "KP");
    code_is("Korea DPR", "KP");
    code_is("Korea, South", "KR");
    code_is("Republic of Korea", "KR");
    code_is("ROK", "KR");
    code_is("Korea", NULL); /* which one: a list that says only this matches neither */
    code_is("Russian Federation", "RU");
    code_is("Iran (Islamic Republic of)", "IR");
    code_is("Iran, Islamic Republic of", "IR");
    code_is("Syrian Arab Republic", "SY");
    code_is("Burma", "MM");
    code_is("Myanmar (Burma)", "MM"); /* CLDR's own name */
    code_is("People's Republic of China", "CN");
    code_is("PRC", "CN");
    code_is("China, Hong Kong Special Administrative Region", "HK");
    code_is("Congo, Democratic Republic of the", "CD");
    code_is("Zaire", "CD");
    code_is("Congo", "CG");
    code_is("Lao People's Democratic Republic", "LA");
    code_is("Libyan Arab Jamahiriya", "LY");
    code_is("United Kingdom of Great Britain and Northern Ireland", "GB");
    code_is("UK", "GB");
    code_is("U.S.A.", "US");
    code_is("USA", "US");
    code_is("Viet Nam", "VN");
    code_is("Venezuela (Bolivarian Republic of)", "VE");
    code_is("Phillipines", "PH"); /* misspelt in a list, kept */
    code_is("Gambia, The", "GM");
    code_is("The Former Yugoslav Republic of Macedonia", "MK");
    code_is("Turkiye", "TR");
    code_is("UAE", "AE");
    code_is("Kosovo", "XK");
}

/* Case, punctuation, Latin accents, "&", a leading "the", runs of spaces
 * and curly apostrophes do not matter; other scripts name nothing. */
static void folding(void **state)
{
    (void)state;
    code_is("CÔTE D'IVOIRE", "CI");
    code_is("C\xC3\xB4te d\xE2\x80\x99Ivoire", "CI"); /* U+2019 */
    code_is("cote-d-ivoire", "CI");
    code_is("  the   Bahamas  ", "BS");
    code_is("The Gambia", "GM");
    code_is("Bosnia & Herzegovina", "BA");
    code_is("Bosnia and Herzegovina", "BA");
    code_is("Bosnia-Herzegovina", "BA");
    code_is("S\xC3\xA3o Tom\xC3\xA9 & Pr\xC3\xAD"
            "ncipe",
            "ST");
    code_is("T\xC3\xBCrkiye", "TR");
    code_is("\xC3\x85land Islands", "AX");
    code_is("Cura\xC3\xA7"
            "ao",
            "CW");
    code_is("Za\xC3\xAFre", "CD");
    code_is("R\xC3\xA9union", "RE");
    code_is("St. Kitts & Nevis", "KN");
    code_is("Saint Kitts and Nevis", "KN");
    code_is("korea,,,north", "KP");
    code_is("\xE5\x8C\x97\xE6\x9C\x9D\xE9\xAE\xAE", NULL); /* 北朝鮮: Han is not folded */
    code_is("Kor\xC3\x97"
            "ea",
            NULL); /* U+00D7 has no base letter */
}

static void what_names_no_country(void **state)
{
    char longest[500];
    (void)state;
    code_is(NULL, NULL);
    code_is("", NULL);
    code_is("   ", NULL);
    code_is("the", NULL);
    code_is("the ", NULL);
    code_is("-0-", NULL); /* OFAC's empty field */
    code_is("\xFF", NULL);
    code_is("Kor\xC3", NULL); /* truncated UTF-8 */
    /* Text far longer than any country name is refused before folding. */
    memset(longest, 'a', sizeof longest - 1);
    longest[sizeof longest - 1] = '\0';
    code_is(longest, NULL);
    memcpy(longest, "North Korea", 11);
    code_is(longest, NULL);
}

/* First use from several threads at once (this group runs it before any
 * other lookup in the process): the key table is built once, and every
 * thread sees it whole. */
static void *look_up_many(void *arg)
{
    int *bad = arg;
    for (int i = 0; i < 2000; i++) {
        const char *a = shn_country_code("Korea, North"), *b = shn_country_code("Burma");
        if (!a || strcmp(a, "KP") != 0 || !b || strcmp(b, "MM") != 0)
            (*bad)++;
    }
    return NULL;
}

static void first_use_from_threads(void **state)
{
    pthread_t t[4];
    int bad[4] = {0};
    (void)state;
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, look_up_many, &bad[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(bad[i], 0);
    }
}

int shn_test_core_country(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_use_from_threads),  cmocka_unit_test(every_country_round_trips),
        cmocka_unit_test(codes_in_any_case),       cmocka_unit_test(names_of_codes),
        cmocka_unit_test(sanctions_list_variants), cmocka_unit_test(folding),
        cmocka_unit_test(what_names_no_country),
    };
    return cmocka_run_group_tests_name("core country", tests, NULL, NULL);
}
