/* Times: one strict parser of ISO 8601 dates and date-times (and, when a
 * caller asks, Unix seconds) and one formatter, for every engine.
 *
 * The calendar is the proleptic Gregorian one, years 0001 to 9999 (a year
 * 0000 is refused: it is no year a record holds). A date is checked as a
 * real date (no 2026-02-29, no 31 April). Unix time has no leap seconds,
 * so second 60 is refused rather than silently moved to the next minute.
 * UTC offsets are those of real zones: -12:00 to +14:00, minutes below 60.
 *
 * Every function returns SHN_OK or SHN_ERR_PARSE (formatters:
 * SHN_ERR_INVALID) and leaves its out-parameters untouched on failure.
 * Nothing here allocates. */
#ifndef SHN_CORE_TIME_H
#define SHN_CORE_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "shinsa/core/err.h"

#define SHN_TIME_MIN (-62135596800LL)  /* 0001-01-01T00:00:00Z */
#define SHN_TIME_MAX 253402300799LL    /* 9999-12-31T23:59:59Z */
#define SHN_TIME_OFFSET_MIN (-12 * 60) /* minutes east of UTC */
#define SHN_TIME_OFFSET_MAX (14 * 60)
#define SHN_TIME_FRACTION_MAX 9 /* digits of a fraction of a second */
/* Room for the longest formatted time, "YYYY-MM-DDTHH:MM:SS+HH:MM" + NUL. */
#define SHN_TIME_FORMAT_SIZE 26

/* What shn_time_parse accepts besides YYYY-MM-DDTHH:MM:SS[.fraction] with
 * a zone (Z, +HH:MM or -HH:MM); 0 = only that (the event format). */
#define SHN_TIME_UNIX 0x1u     /* 1-12 digits alone: Unix seconds, not calendar-checked */
#define SHN_TIME_NO_ZONE 0x2u  /* no zone: the time is UTC */
#define SHN_TIME_SPACE 0x4u    /* ' ' between date and time, and " UTC" as a zone */
#define SHN_TIME_UTC_ONLY 0x8u /* only UTC itself as a zone: Z, +00:00 (" UTC") */

/* Parses s[0..len) (no NUL needed) into seconds since 1970-01-01T00:00:00Z
 * and, when offset_min is not NULL, the offset it was written in (minutes
 * east of UTC; 0 for Z, no zone and Unix seconds). 'T' or 't' separates
 * date and time. A fraction (1-9 digits) is read and dropped. */
int shn_time_parse(const char *s, size_t len, unsigned flags, int64_t *unix_seconds,
                   int *offset_min);

/* A calendar date "YYYY-MM-DD" alone, as the Unix time of its midnight UTC. */
int shn_time_parse_date(const char *s, size_t len, int64_t *unix_seconds);

/* A UTC offset "+HH:MM" or "-HH:MM" alone (no "Z") into minutes east. */
int shn_time_parse_offset(const char *s, size_t len, int *offset_min);

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes).
 * SHN_ERR_INVALID when t is outside SHN_TIME_MIN..SHN_TIME_MAX or buf is
 * too small; buf then holds "" (when size > 0). */
int shn_time_format(int64_t t, char *buf, size_t size);

/* The same instant as local time at offset_min, "YYYY-MM-DDTHH:MM:SS+09:00"
 * (at least 26 bytes); the offset must be one shn_time_parse_offset accepts. */
int shn_time_format_offset(int64_t t, int offset_min, char *buf, size_t size);

#endif
