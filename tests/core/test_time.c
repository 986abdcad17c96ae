/* Tests for core time (shinsa/core/time.h): the one ISO 8601 parser and
 * formatter, with a named regression test for each date the parsers it
 * replaced got wrong (issue 12, F14 and the minor items). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "shinsa/core/time.h"

static int parse(const char *s, unsigned flags, int64_t *t, int *off)
{
    return shn_time_parse(s, strlen(s), flags, t, off);
}

/* A rejected input leaves the out-parameters alone. */
static void refused(const char *s, unsigned flags)
{
    int64_t t = 42;
    int off = 7;
    if (parse(s, flags, &t, &off) != SHN_ERR_PARSE)
        fail_msg("accepted '%s' (flags %u)", s, flags);
    assert_int_equal(t, 42);
    assert_int_equal(off, 7);
}

static int64_t accepted(const char *s, unsigned flags, int want_off)
{
    int64_t t = 0;
    int off = 12345;
    if (parse(s, flags, &t, &off) != SHN_OK)
        fail_msg("refused '%s' (flags %u)", s, flags);
    assert_int_equal(off, want_off);
    return t;
}

static void time_parses_event_instants(void **state)
{
    (void)state;
    assert_int_equal(accepted("2026-03-01T00:00:00Z", 0, 0), 1772323200LL);
    assert_int_equal(accepted("2026-03-01T09:00:00+09:00", 0, 540), 1772323200LL);
    assert_int_equal(accepted("2026-02-28T18:30:00-05:30", 0, -330), 1772323200LL);
    assert_int_equal(accepted("2026-03-01t09:00:00.250+09:00", 0, 540), 1772323200LL);
    assert_int_equal(accepted("2026-03-01T00:00:00.123456789Z", 0, 0), 1772323200LL);
    assert_int_equal(accepted("1970-01-01T00:00:00Z", 0, 0), 0);
    assert_int_equal(accepted("1969-12-31T23:59:59Z", 0, 0), -1);
    assert_int_equal(accepted("0001-01-01T00:00:00Z", 0, 0), SHN_TIME_MIN);
    assert_int_equal(accepted("9999-12-31T23:59:59Z", 0, 0), SHN_TIME_MAX);
    assert_int_equal(accepted("2024-02-29T12:00:00Z", 0, 0), 1709208000LL);
    assert_int_equal(accepted("2000-02-29T00:00:00Z", 0, 0), 951782400LL);
    /* the offset pointer may be NULL */
    int64_t t = 0;
    assert_int_equal(shn_time_parse("2026-03-01T09:00:00+09:00", 25, 0, &t, NULL), SHN_OK);
    assert_int_equal(t, 1772323200LL);
    /* only len bytes are read: no NUL needed */
    assert_int_equal(shn_time_parse("2026-03-01T00:00:00Zjunk", 20, 0, &t, NULL), SHN_OK);
}

static void time_refuses_malformed_instants(void **state)
{
    static const char *const bad[] = {
        "",
        "2026-03-01",                      /* a date is not an instant */
        "2026-03-01T09:00:00",             /* no zone */
        "2026-03-01T09:00Z",               /* no seconds */
        "2026-03-01 09:00:00Z",            /* a space without SHN_TIME_SPACE */
        "2026-3-01T09:00:00Z",             /* short month */
        "+2026-03-01T09:00:00Z",           /* expanded years */
        "2026-13-01T09:00:00Z",            /* month 13 */
        "2026-00-01T09:00:00Z",            /* month 0 */
        "2026-04-31T09:00:00Z",            /* 31 April */
        "2026-02-30T09:00:00Z",            /* 30 February */
        "1900-02-29T00:00:00Z",            /* 1900 is no leap year */
        "2026-03-01T24:00:00Z",            /* hour 24 */
        "2026-03-01T09:60:00Z",            /* minute 60 */
        "2026-03-01T09:00:00.Z",           /* empty fraction */
        "2026-03-01T09:00:00.1234567890Z", /* ten digits */
        "2026-03-01T09:00:00z",            /* lower-case zone */
        "2026-03-01T09:00:00+0900",        /* offset without colon */
        "2026-03-01T09:00:00+09",          /* offset without minutes */
        "2026-03-01T09:00:00+09:00 ",      /* trailing space */
        "2026-03-01T09:00:00 UTC",         /* " UTC" without SHN_TIME_SPACE */
        "1772323200",                      /* Unix seconds without SHN_TIME_UNIX */
        "2026-03-01T09:00:00Z\n",
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        refused(bad[i], 0);
}

/* Trace accepted 2026-02-29 and turned it into 2026-03-01 (issue 12 F14). */
static void regression_2026_02_29_is_refused(void **state)
{
    int64_t t = 0;
    (void)state;
    refused("2026-02-29T00:00:00Z", 0);
    refused("2026-02-29T00:00:00Z", SHN_TIME_UNIX | SHN_TIME_NO_ZONE | SHN_TIME_SPACE);
    refused("2026-02-29 12:00:00 UTC", SHN_TIME_SPACE);
    assert_int_equal(shn_time_parse_date("2026-02-29", 10, &t), SHN_ERR_PARSE);
    assert_int_equal(shn_time_parse_date("2028-02-29", 10, &t), SHN_OK);
    assert_int_equal(t, 1835395200LL);
}

/* Year 0000 was accepted by the event parser (issue 12, minor). */
static void regression_year_0000_is_refused(void **state)
{
    int64_t t = 5;
    (void)state;
    refused("0000-01-01T00:00:00Z", 0);
    refused("0000-12-31T23:59:59+14:00", 0);
    assert_int_equal(shn_time_parse_date("0000-06-15", 10, &t), SHN_ERR_PARSE);
    assert_int_equal(t, 5);
    assert_int_equal(shn_time_parse_date("0001-01-01", 10, &t), SHN_OK);
    assert_int_equal(t, SHN_TIME_MIN);
}

/* 9999-12-31T23:59:60Z was accepted (a leap second Unix time cannot
 * hold, which then landed in year 10000). */
static void regression_second_60_is_refused(void **state)
{
    (void)state;
    refused("9999-12-31T23:59:60Z", 0);
    refused("2016-12-31T23:59:60Z", 0);
    refused("2016-12-31T23:59:60Z", SHN_TIME_NO_ZONE | SHN_TIME_SPACE | SHN_TIME_UTC_ONLY);
    refused("2016-12-31T23:59:61Z", 0);
}

/* Offsets up to ±14:59 were accepted; real zones run from -12:00 to +14:00. */
static void regression_offset_14_59_is_refused(void **state)
{
    int off = 99;
    (void)state;
    refused("2026-03-01T09:00:00+14:59", 0);
    refused("2026-03-01T09:00:00+14:01", 0);
    refused("2026-03-01T09:00:00-12:01", 0);
    refused("2026-03-01T09:00:00-14:00", 0);
    refused("2026-03-01T09:00:00+09:60", 0);
    assert_int_equal(accepted("2026-03-01T09:00:00+14:00", 0, 840), 1772323200LL - 5 * 3600);
    assert_int_equal(accepted("2026-03-01T09:00:00-12:00", 0, -720), 1772323200LL + 21 * 3600);
    assert_int_equal(accepted("2026-03-01T09:00:00+12:45", 0, 765),
                     1772323200LL + 9 * 3600 - 765 * 60);
    assert_int_equal(accepted("2026-03-01T09:00:00-00:00", 0, 0), 1772323200LL + 9 * 3600);
    assert_int_equal(shn_time_parse_offset("+14:59", 6, &off), SHN_ERR_PARSE);
    assert_int_equal(shn_time_parse_offset("-12:30", 6, &off), SHN_ERR_PARSE);
    assert_int_equal(off, 99);
    assert_int_equal(shn_time_parse_offset("-09:30", 6, &off), SHN_OK);
    assert_int_equal(off, -570);
    assert_int_equal(shn_time_parse_offset("Z", 1, &off), SHN_ERR_PARSE);
    assert_int_equal(shn_time_parse_offset("+9:00", 5, &off), SHN_ERR_PARSE);
}

/* What trace's transfer files carry: Unix seconds, a space, " UTC", no
 * zone, but only UTC itself. */
static void time_accepts_what_a_caller_asks_for(void **state)
{
    const unsigned trace = SHN_TIME_UNIX | SHN_TIME_NO_ZONE | SHN_TIME_SPACE | SHN_TIME_UTC_ONLY;
    (void)state;
    assert_int_equal(accepted("1740147215", trace, 0), 1740147215);
    assert_int_equal(accepted("0", trace, 0), 0);
    assert_int_equal(accepted("999999999999", trace, 0), 999999999999LL);
    refused("1000000000000", trace); /* 13 digits */
    assert_int_equal(accepted("2025-02-21T14:13:35Z", trace, 0), 1740147215);
    assert_int_equal(accepted("2025-02-21 14:13:35 UTC", trace, 0), 1740147215);
    assert_int_equal(accepted("2025-02-21 14:13:35", trace, 0), 1740147215);
    assert_int_equal(accepted("2025-02-21T14:13:35.123+00:00", trace, 0), 1740147215);
    refused("2025-02-21T14:13:35+09:00", trace);
    refused("2025-02-21T14:13:35-00:00", trace);
    refused("2025-02-21", trace);
    refused("-5", trace);
    assert_int_equal(accepted("2025-02-21T14:13:35", SHN_TIME_NO_ZONE, 0), 1740147215);
    assert_int_equal(accepted("2025-02-21T23:13:35+09:00", SHN_TIME_NO_ZONE, 540), 1740147215);
}

static void time_parses_dates(void **state)
{
    int64_t t = 3;
    (void)state;
    assert_int_equal(shn_time_parse_date("1990-02-28", 10, &t), SHN_OK);
    assert_int_equal(t, 636163200LL);
    assert_int_equal(shn_time_parse_date("1990-02-28T00:00:00Z", 20, &t), SHN_ERR_PARSE);
    assert_int_equal(shn_time_parse_date("1990-2-28", 9, &t), SHN_ERR_PARSE);
    assert_int_equal(shn_time_parse_date("1990-13-01", 10, &t), SHN_ERR_PARSE);
    assert_int_equal(shn_time_parse_date("19900228", 8, &t), SHN_ERR_PARSE);
    assert_int_equal(t, 636163200LL);
}

static void time_formats_utc_and_offsets(void **state)
{
    char buf[SHN_TIME_FORMAT_SIZE];
    (void)state;
    assert_int_equal(shn_time_format(1740147215, buf, sizeof buf), SHN_OK);
    assert_string_equal(buf, "2025-02-21T14:13:35Z");
    assert_int_equal(shn_time_format(0, buf, sizeof buf), SHN_OK);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    assert_int_equal(shn_time_format(-1, buf, sizeof buf), SHN_OK);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    assert_int_equal(shn_time_format(SHN_TIME_MIN, buf, sizeof buf), SHN_OK);
    assert_string_equal(buf, "0001-01-01T00:00:00Z");
    assert_int_equal(shn_time_format(SHN_TIME_MAX, buf, sizeof buf), SHN_OK);
    assert_string_equal(buf, "9999-12-31T23:59:59Z");
    assert_int_equal(shn_time_format(SHN_TIME_MAX + 1, buf, sizeof buf), SHN_ERR_INVALID);
    assert_string_equal(buf, "");
    assert_int_equal(shn_time_format(SHN_TIME_MIN - 1, buf, sizeof buf), SHN_ERR_INVALID);
    assert_int_equal(shn_time_format(0, buf, 20), SHN_ERR_INVALID); /* no room for the NUL */
    assert_string_equal(buf, "");
    assert_int_equal(shn_time_format(1709208000LL, buf, 21), SHN_OK);
    assert_string_equal(buf, "2024-02-29T12:00:00Z");

    assert_int_equal(shn_time_format_offset(1772323200LL, 540, buf, sizeof buf), SHN_OK);
    assert_string_equal(buf, "2026-03-01T09:00:00+09:00");
    assert_int_equal(shn_time_format_offset(1772323200LL, -330, buf, sizeof buf), SHN_OK);
    assert_string_equal(buf, "2026-02-28T18:30:00-05:30");
    assert_int_equal(shn_time_format_offset(0, 0, buf, sizeof buf), SHN_OK);
    assert_string_equal(buf, "1970-01-01T00:00:00+00:00");
    assert_int_equal(shn_time_format_offset(0, 899, buf, sizeof buf), SHN_ERR_INVALID);
    assert_int_equal(shn_time_format_offset(0, 540, buf, 25), SHN_ERR_INVALID);
}

/* Formatting then parsing gives the same instant back, every day of
 * 1900-2100 and a spread of the rest of the calendar. */
static void time_round_trips_over_the_calendar(void **state)
{
    char buf[SHN_TIME_FORMAT_SIZE];
    (void)state;
    for (int64_t t = SHN_TIME_MIN; t <= SHN_TIME_MAX;) {
        int64_t back = 0;
        int off = 1;
        assert_int_equal(shn_time_format(t, buf, sizeof buf), SHN_OK);
        if (parse(buf, 0, &back, &off) != SHN_OK || back != t || off != 0)
            fail_msg("%s did not round-trip (%lld)", buf, (long long)t);
        if (t >= SHN_TIME_MIN + 86400) { /* local time still in year 0001 */
            assert_int_equal(shn_time_format_offset(t, -330, buf, sizeof buf), SHN_OK);
            assert_int_equal(parse(buf, 0, &back, &off), SHN_OK);
            assert_int_equal(back, t);
            assert_int_equal(off, -330);
        }
        t += t > -2208988800LL && t < 4102444800LL ? 86400 + 1 : 86400 * 37 + 3607;
    }
}

int shn_test_core_time(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(time_parses_event_instants),
        cmocka_unit_test(time_refuses_malformed_instants),
        cmocka_unit_test(regression_2026_02_29_is_refused),
        cmocka_unit_test(regression_year_0000_is_refused),
        cmocka_unit_test(regression_second_60_is_refused),
        cmocka_unit_test(regression_offset_14_59_is_refused),
        cmocka_unit_test(time_accepts_what_a_caller_asks_for),
        cmocka_unit_test(time_parses_dates),
        cmocka_unit_test(time_formats_utc_and_offsets),
        cmocka_unit_test(time_round_trips_over_the_calendar),
    };
    return cmocka_run_group_tests_name("core time", tests, NULL, NULL);
}
