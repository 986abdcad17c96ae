/* ISO 8601 dates and date-times, checked against the calendar, to and from
 * Unix seconds (time.h). The arithmetic is Howard Hinnant's days_from_civil
 * and civil_from_days, exact for every year here and free of time_t, the
 * C library's time zone and its idea of leap seconds. */
#include "shinsa/core/time.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static int64_t days_from_civil(int y, int m, int d)
{
    int64_t yy = y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* "YYYY-MM-DD" at s (10 bytes) as days since 1970-01-01. */
static bool date_at(const char *s, int64_t *days)
{
    int y, m, d;
    if (s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
        !digits(s + 8, 2, &d))
        return false;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    *days = days_from_civil(y, m, d);
    return true;
}

int shn_time_parse_date(const char *s, size_t len, int64_t *unix_seconds)
{
    int64_t days;
    if (!s || len != 10 || !date_at(s, &days))
        return SHN_ERR_PARSE;
    *unix_seconds = days * 86400;
    return SHN_OK;
}

int shn_time_parse_offset(const char *s, size_t len, int *offset_min)
{
    int h, mi, total;
    if (!s || len != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' || !digits(s + 1, 2, &h) ||
        !digits(s + 4, 2, &mi) || mi > 59)
        return SHN_ERR_PARSE;
    total = (s[0] == '-' ? -1 : 1) * (h * 60 + mi);
    if (total < SHN_TIME_OFFSET_MIN || total > SHN_TIME_OFFSET_MAX)
        return SHN_ERR_PARSE;
    *offset_min = total;
    return SHN_OK;
}

/* The zone after the seconds (and fraction): n bytes at s. */
static bool zone(const char *s, size_t n, unsigned flags, int *offset_min)
{
    if (n == 0 && (flags & SHN_TIME_NO_ZONE)) {
        *offset_min = 0;
        return true;
    }
    if ((n == 1 && s[0] == 'Z') ||
        ((flags & SHN_TIME_SPACE) && n == 4 && memcmp(s, " UTC", 4) == 0)) {
        *offset_min = 0;
        return true;
    }
    if (flags & SHN_TIME_UTC_ONLY) {
        *offset_min = 0;
        return n == 6 && memcmp(s, "+00:00", 6) == 0;
    }
    return shn_time_parse_offset(s, n, offset_min) == SHN_OK;
}

int shn_time_parse(const char *s, size_t len, unsigned flags, int64_t *unix_seconds,
                   int *offset_min)
{
    int64_t days, v = 0;
    int h, mi, se, off;
    size_t p = 19, i;

    if (!s || len == 0)
        return SHN_ERR_PARSE;
    for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        v = i < 12 ? v * 10 + (s[i] - '0') : v;
    if (i == len && (flags & SHN_TIME_UNIX)) {
        if (len > 12)
            return SHN_ERR_PARSE;
        *unix_seconds = v;
        if (offset_min)
            *offset_min = 0;
        return SHN_OK;
    }
    if (len < 19 || !date_at(s, &days))
        return SHN_ERR_PARSE;
    if (s[10] != 'T' && s[10] != 't' && !(s[10] == ' ' && (flags & SHN_TIME_SPACE)))
        return SHN_ERR_PARSE;
    if (s[13] != ':' || s[16] != ':' || !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) ||
        !digits(s + 17, 2, &se) || h > 23 || mi > 59 || se > 59)
        return SHN_ERR_PARSE;
    if (p < len && s[p] == '.') {
        size_t start = ++p;
        while (p < len && s[p] >= '0' && s[p] <= '9')
            p++;
        if (p == start || p - start > SHN_TIME_FRACTION_MAX)
            return SHN_ERR_PARSE;
    }
    if (!zone(s + p, len - p, flags, &off))
        return SHN_ERR_PARSE;
    *unix_seconds = days * 86400 + h * 3600 + mi * 60 + se - (int64_t)off * 60;
    if (offset_min)
        *offset_min = off;
    return SHN_OK;
}

/* Writes the local time t (already shifted) and the zone text. */
static int format(int64_t t, const char *zone_text, char *buf, size_t size)
{
    int64_t days, sod;
    int y, m, d, n;
    if (!buf || t < SHN_TIME_MIN || t > SHN_TIME_MAX) {
        if (buf && size)
            buf[0] = '\0';
        return SHN_ERR_INVALID;
    }
    days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    sod = t - days * 86400;
    civil_from_days(days, &y, &m, &d);
    n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%s", y, m, d, (int)(sod / 3600),
                 (int)(sod / 60 % 60), (int)(sod % 60), zone_text);
    if (n < 0 || (size_t)n >= size) {
        if (size)
            buf[0] = '\0';
        return SHN_ERR_INVALID;
    }
    return SHN_OK;
}

int shn_time_format(int64_t t, char *buf, size_t size)
{
    return format(t, "Z", buf, size);
}

int shn_time_format_offset(int64_t t, int offset_min, char *buf, size_t size)
{
    char z[16];
    int a = offset_min < 0 ? -offset_min : offset_min;
    if (offset_min < SHN_TIME_OFFSET_MIN || offset_min > SHN_TIME_OFFSET_MAX || t < SHN_TIME_MIN ||
        t > SHN_TIME_MAX) {
        if (buf && size)
            buf[0] = '\0';
        return SHN_ERR_INVALID;
    }
    snprintf(z, sizeof z, "%c%02d:%02d", offset_min < 0 ? '-' : '+', a / 60, a % 60);
    return format(t + (int64_t)offset_min * 60, z, buf, size);
}
