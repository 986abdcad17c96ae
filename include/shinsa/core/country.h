/* Country names and codes: ISO 3166-1 alpha-2 from a code, an English name
 * or one of the variants sanctions lists write ("Korea, North", "DPRK",
 * "Russian Federation", "Burma", "Iran (Islamic Republic of)"...). */
#ifndef SHN_CORE_COUNTRY_H
#define SHN_CORE_COUNTRY_H

/* Returns the upper-case ISO 3166-1 alpha-2 code ("KP") for a code (alpha-2
 * or alpha-3, any case), an English short or formal name, or a known list
 * variant; NULL when the text names no country we know (or is NULL).
 * Matching ignores case, punctuation, accents on Latin letters, a leading
 * "the" and runs of spaces. The returned string is static. Thread-safe: the
 * lookup table is built once, on first use. */
const char *shn_country_code(const char *name_or_code);

/* The English short name of an alpha-2 code ("KP" -> "North Korea"), or
 * NULL for an unknown code. Static storage. */
const char *shn_country_name(const char *alpha2);

#endif
