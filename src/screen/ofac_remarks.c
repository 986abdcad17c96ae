/* OFAC remarks: the legacy CSV's last field carries most of what is known
 * about an entry as free text, facts separated by "; " and the whole ended
 * by a full stop:
 *
 *   DOB circa 1947; alt. DOB circa 1946; POB Pyongan-Pukto, North Korea;
 *   Passport T14553558 (Iran) issued 28 Oct 2008 expires 29 Oct 2013;
 *   Digital Currency Address - XBT 149w62...; a.k.a. 'Iranvisacart'.
 *
 * Each fact starts with a label ("DOB", "Passport", "Email Address"...),
 * optionally preceded by "alt." for a second value. We recognise the labels
 * that carry screening data (dates, places, nationalities, documents,
 * contacts, crypto addresses, aliases), skip the ones that carry none
 * (sanctions notes, "Linked To:", gender...) and count the rest, so that a
 * new OFAC wording shows up in the debug log instead of vanishing. */
#include <stdint.h>
#include <string.h>

#include "loaders_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/country.h"
#include "shinsa/core/log.h"

/* A fact longer than this is not one of ours (dates, numbers, names). */
#define FACT_MAX 1024

static int starts(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

static int ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int contains_nocase(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);

    for (size_t i = 0; i + n <= len; i++) {
        size_t j = 0;
        while (j < n && ascii_lower((unsigned char)s[i + j]) == needle[j])
            j++;
        if (j == n)
            return 1;
    }
    return 0;
}

/* ---- Dates ------------------------------------------------------------ */

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};

struct part {
    unsigned year, month, day; /* 0 = not given */
};

/* Reads up to `max` digits; returns how many were read. */
static size_t digits(const char *s, size_t len, size_t max, unsigned *out)
{
    size_t i = 0;
    unsigned v = 0;

    while (i < len && i < max && s[i] >= '0' && s[i] <= '9')
        v = v * 10 + (unsigned)(s[i++] - '0');
    *out = v;
    return i;
}

/* Month name: three letters, optionally more ("Sept", "March") or a dot. */
static size_t month_name(const char *s, size_t len, unsigned *month)
{
    size_t i = 0;

    if (len < 3)
        return 0;
    for (unsigned m = 0; m < 12; m++) {
        if (ascii_lower((unsigned char)s[0]) == months[m][0] &&
            ascii_lower((unsigned char)s[1]) == months[m][1] &&
            ascii_lower((unsigned char)s[2]) == months[m][2]) {
            i = 3;
            while (i < len && ((s[i] >= 'a' && s[i] <= 'z') || s[i] == '.'))
                i++;
            *month = m + 1;
            return i;
        }
    }
    return 0;
}

/* One date: "26 Dec 1992", "Dec 1992", "1992". Returns bytes used, 0 if
 * none. */
static size_t parse_part(const char *s, size_t len, struct part *p)
{
    size_t i = 0, n;
    unsigned v;

    memset(p, 0, sizeof *p);
    n = digits(s, len, 4, &v);
    if (n == 4) {
        p->year = v;
        i = 4;
    } else if (n >= 1 && n <= 2 && n < len && s[n] == ' ') {
        p->day = v;
        i = n + 1;
        n = month_name(s + i, len - i, &p->month);
        if (!n || i + n >= len || s[i + n] != ' ')
            return 0;
        i += n + 1;
        if (digits(s + i, len - i, 4, &p->year) != 4)
            return 0;
        i += 4;
    } else if ((n = month_name(s, len, &p->month)) != 0) {
        if (n >= len || s[n] != ' ')
            return 0;
        i = n + 1;
        if (digits(s + i, len - i, 4, &p->year) != 4)
            return 0;
        i += 4;
    } else {
        return 0;
    }
    if (i < len && s[i] >= '0' && s[i] <= '9')
        return 0; /* five digits is no year */
    if (p->year < 1800 || p->year > 2100 || p->month > 12 || p->day > 31)
        return 0;
    return i;
}

int shn__ofac_parse_date(const char *text, size_t len, struct shn_date *d)
{
    struct part a, b;
    struct shn_date out = {0};
    int circa = 0;
    size_t n;

    while (len && text[len - 1] == ' ')
        len--;
    if (starts(text, len, "circa ")) {
        circa = 1;
        text += 6;
        len -= 6;
    }
    n = parse_part(text, len, &a);
    if (!n)
        return 0;
    text += n;
    len -= n;
    if (len == 0) {
        out.year = out.year_to = (uint16_t)a.year;
        if (circa) {
            out.kind = SHN_DATE_CIRCA;
        } else {
            out.month = (uint8_t)a.month;
            out.day = (uint8_t)a.day;
            out.kind = a.day ? SHN_DATE_EXACT : a.month ? SHN_DATE_MONTH : SHN_DATE_YEAR;
        }
        *d = out;
        return 1;
    }
    /* A range: "1955 to 1957", "01 Jan 1960 to 31 Dec 1962", "1960-1962". */
    if (starts(text, len, " to ")) {
        text += 4;
        len -= 4;
    } else if (starts(text, len, "-") || starts(text, len, " - ")) {
        n = text[0] == '-' ? 1 : 3;
        text += n;
        len -= n;
    } else {
        return 0;
    }
    if (parse_part(text, len, &b) != len || b.year < a.year)
        return 0;
    if (a.year == b.year && a.month == b.month && a.day == b.day) {
        out.kind = a.day ? SHN_DATE_EXACT : a.month ? SHN_DATE_MONTH : SHN_DATE_YEAR;
        out.month = (uint8_t)a.month;
        out.day = (uint8_t)a.day;
    } else if (a.year == b.year && a.month && a.month == b.month) {
        out.kind = SHN_DATE_MONTH; /* "01 Mar 1960 to 31 Mar 1960" */
        out.month = (uint8_t)a.month;
    } else if (a.year == b.year) {
        out.kind = SHN_DATE_YEAR;
    } else {
        out.kind = SHN_DATE_RANGE;
    }
    out.year = (uint16_t)a.year;
    out.year_to = out.kind == SHN_DATE_RANGE ? (uint16_t)b.year : (uint16_t)a.year;
    *d = out;
    return 1;
}

/* ---- Facts ------------------------------------------------------------ */

enum fact_result { FACT_PARSED, FACT_IGNORED, FACT_UNPARSED };

/* Labels of numbered documents, the most specific first where one label
 * begins another. The number follows the label. */
static const struct {
    const char *label;
    int kind;
} documents[] = {
    {"Passport No. ", SHN_ID_PASSPORT},
    {"Passport ", SHN_ID_PASSPORT},
    {"Diplomatic Passport ", SHN_ID_PASSPORT},
    {"National ID No. ", SHN_ID_NATIONAL},
    {"National ID Number ", SHN_ID_NATIONAL},
    {"National Identification Number ", SHN_ID_NATIONAL},
    {"Identification Number ", SHN_ID_NATIONAL},
    {"Identity Number ", SHN_ID_NATIONAL},
    {"Registration Number ", SHN_ID_NATIONAL},
    {"Registration ID ", SHN_ID_NATIONAL},
    {"Personal ID Card ", SHN_ID_NATIONAL},
    {"National Foreign ID Number ", SHN_ID_NATIONAL},
    {"Cedula No. ", SHN_ID_NATIONAL},
    {"C.U.R.P. ", SHN_ID_NATIONAL},
    {"CURP # ", SHN_ID_NATIONAL},
    {"D.N.I. ", SHN_ID_NATIONAL},
    {"DNI ", SHN_ID_NATIONAL},
    {"C.U.I.T. ", SHN_ID_NATIONAL},
    {"C.U.I.P. ", SHN_ID_NATIONAL},
    {"I.F.E. ", SHN_ID_NATIONAL},
    {"SSN ", SHN_ID_NATIONAL},
    {"Residency Number ", SHN_ID_NATIONAL},
    {"Birth Certificate Number ", SHN_ID_NATIONAL},
    {"Electoral Registry No. ", SHN_ID_NATIONAL},
    {"Credencial electoral ", SHN_ID_NATIONAL},
    {"Cartilla de Servicio Militar Nacional ", SHN_ID_NATIONAL},
    {"Kenyan ID No. ", SHN_ID_NATIONAL},
    {"Stateless Person ID Card ", SHN_ID_NATIONAL},
    {"Refugee ID Card ", SHN_ID_NATIONAL},
    {"Matricula Mercantil No ", SHN_ID_NATIONAL},
    {"Matricula Mercantil No. ", SHN_ID_NATIONAL},
    {"Folio Mercantil No. ", SHN_ID_NATIONAL},
    {"NIT # ", SHN_ID_NATIONAL},
    {"Tax ID No. ", SHN_ID_OTHER},
    {"R.F.C. ", SHN_ID_OTHER},
    {"RFC ", SHN_ID_OTHER},
    {"V.A.T. Number ", SHN_ID_OTHER},
    {"VAT Number ", SHN_ID_OTHER},
    {"RUC # ", SHN_ID_OTHER},
    {"Business Registration Document # ", SHN_ID_OTHER},
    {"Business Registration Number ", SHN_ID_OTHER},
    {"Business Number ", SHN_ID_OTHER},
    {"Commercial Registry Number ", SHN_ID_OTHER},
    {"Trade License No. ", SHN_ID_OTHER},
    {"License ", SHN_ID_OTHER},
    {"Driver's License No. ", SHN_ID_OTHER},
    {"Company Number ", SHN_ID_OTHER},
    {"UK Company Number ", SHN_ID_OTHER},
    {"US FEIN ", SHN_ID_OTHER},
    {"Legal Entity Number ", SHN_ID_OTHER},
    {"Government Gazette Number ", SHN_ID_OTHER},
    {"Chamber of Commerce Number ", SHN_ID_OTHER},
    {"Unified Social Credit Code (USCC) ", SHN_ID_OTHER},
    {"United Social Credit Code Certificate (USCCC) ", SHN_ID_OTHER},
    {"Numero de Identidad ", SHN_ID_NATIONAL},
    {"C.U.I. ", SHN_ID_NATIONAL},
    {"RTN ", SHN_ID_OTHER},
    {"D-U-N-S Number ", SHN_ID_OTHER},
    {"SWIFT/BIC ", SHN_ID_OTHER},
    {"BIK (RU) ", SHN_ID_OTHER},
    {"Public Security and Immigration No. ", SHN_ID_OTHER},
    {"Vessel Registration Identification ", SHN_ID_OTHER},
    {"MMSI ", SHN_ID_OTHER},
    {"Aircraft Manufacturer's Serial Number (MSN) ", SHN_ID_OTHER},
    {"Aircraft Tail Number ", SHN_ID_OTHER},
    {"Aircraft Construction Number (also called L/N or S/N or F/N) ", SHN_ID_OTHER},
    {"ISIN ", SHN_ID_OTHER},
};

/* Labels of facts that carry nothing the screen stores. */
static const char *const ignored[] = {
    "Linked To:",
    "Gender ",
    "Additional Sanctions Information",
    "Secondary sanctions risk",
    "Transactions Prohibited",
    "Executive Order",
    "For more information",
    "for more information",
    "Organization Established Date",
    "Organization Type",
    "Target Type",
    "Listing Date",
    "Effective Date",
    "Aircraft Model",
    "Aircraft Operator",
    "Aircraft Manufacture Date",
    "Aircraft Mode S Transponder Code",
    "Vessel Year of Build",
    "Vessel Type",
    "Vessel Flag",
    "Former Vessel Flag",
    "Other Vessel Flag",
    "Other Vessel Call Sign",
    "Other Vessel Type",
    "Nationality of Registration",
    "Scientific",
    "Equity Ticker",
    "Issuer Name",
    "Issuance Date",
    "Maturity Date",
    "Purchase/Sales",
    "Previous",
    "CAATSA",
    "IFCA Determination",
};

/* Other numbered documents: "<Label> No. X", "<Label> Number X", "<Label>
 * # X", "<Label> Code X" where X holds a digit ("C.R. No. 2162198 (Hong
 * Kong)", "RIF # J-00317392-4", "Italian Fiscal Code ...", "Branch Unit
 * Number ..."). Returns the offset of the number, or 0. */
static size_t generic_document(const char *s, size_t len, int *kind)
{
    static const char *const ends[] = {" No. ", " Number ", " # ", " Code ", " No "};
    size_t limit = len < 80 ? len : 80;

    if (!(s[0] >= 'A' && s[0] <= 'Z'))
        return 0;
    for (size_t i = 1; i < limit; i++) {
        for (size_t k = 0; k < sizeof ends / sizeof ends[0]; k++) {
            size_t n = strlen(ends[k]), at = i + n, j;
            if (i + n >= len || memcmp(s + i, ends[k], n) != 0)
                continue;
            for (j = at; j < len && s[j] != ' '; j++)
                if (s[j] >= '0' && s[j] <= '9')
                    break;
            if (j == len || s[j] == ' ')
                return 0; /* "Member of the No. ..." prose: no digit in the token */
            *kind = SHN_ID_OTHER;
            if (contains_nocase(s, i, "identif") || contains_nocase(s, i, "identidad") ||
                contains_nocase(s, i, "personal id") || contains_nocase(s, i, "citizen"))
                *kind = SHN_ID_NATIONAL;
            else if (contains_nocase(s, i, "travel document"))
                *kind = SHN_ID_PASSPORT;
            return at;
        }
    }
    return 0;
}

/* Copies s[0..len) with surrounding spaces removed into buf (FACT_MAX). */
static const char *trim_copy(const char *s, size_t len, char *buf)
{
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len >= FACT_MAX)
        len = FACT_MAX - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return buf;
}

/* "X12345 (Korea, North) issued 01 Jan 2010 expires ..." -> number and
 * country. The number ends at " (", " issued", " expires" or the end. */
static int add_document(struct shn_listset *set, struct shn_entity *e, int kind, const char *s,
                        size_t len)
{
    char number[FACT_MAX], country[FACT_MAX];
    size_t end = 0, cstart = 0, cend = 0;
    const char *paren;

    while (end < len && !(s[end] == ' ' && (starts(s + end, len - end, " (") ||
                                            starts(s + end, len - end, " issued") ||
                                            starts(s + end, len - end, " expires"))))
        end++;
    country[0] = '\0';
    paren = memchr(s + end, '(', len - end);
    if (paren) {
        cstart = (size_t)(paren - s) + 1;
        cend = cstart;
        while (cend < len && s[cend] != ')')
            cend++;
        trim_copy(s + cstart, cend - cstart, country);
    }
    trim_copy(s, end, number);
    if (kind == SHN_ID_NATIONAL && strncmp(number, "IMO ", 4) == 0)
        kind = SHN_ID_OTHER; /* "Identification Number IMO 9187629" is a ship's */
    return shn__model_add_ident(set, e, kind, number, NULL, country[0] ? country : NULL);
}

/* "'HIDDEN COBRA'" -> HIDDEN COBRA: the name is everything between the
 * first and the last quote (names contain quotes: 'ABU 'ABDALLAH'). */
static int add_quoted_alias(struct shn_listset *set, struct shn_entity *e, const char *s,
                            size_t len, int strength)
{
    char name[FACT_MAX];
    const char *open = memchr(s, '\'', len);
    const char *close = len ? s + len - 1 : s;

    while (close > s && *close != '\'')
        close--;
    if (!open || close <= open)
        trim_copy(s, len, name); /* unquoted: take it as it is */
    else
        trim_copy(open + 1, (size_t)(close - open - 1), name);
    return shn__model_add_name(set, e, name, strength);
}

static int add_country(struct shn_listset *set, struct shn_entity *e, const char *s, size_t len)
{
    char text[FACT_MAX];
    const char *code = shn_country_code(trim_copy(s, len, text));

    return shn__model_add_nationality(set, e, code ? code : text);
}

static int parse_fact(struct shn_listset *set, struct shn_entity *e, const char *s, size_t len,
                      enum fact_result *result)
{
    char text[FACT_MAX];
    struct shn_date d;
    size_t n;
    int rc = SHN_OK;

    *result = FACT_PARSED;
    if (starts(s, len, "alt. ") || starts(s, len, "Alt. "))
        s += 5, len -= 5;
    if (starts(s, len, "DOB ")) {
        if (shn__ofac_parse_date(s + 4, len - 4, &d))
            rc = shn__model_add_dob(set, e, &d);
        else
            *result = FACT_UNPARSED;
    } else if (starts(s, len, "POB ")) {
        rc = shn__model_add_pob(set, e, trim_copy(s + 4, len - 4, text));
    } else if (starts(s, len, "nationality ") || starts(s, len, "Nationality ")) {
        if (starts(s, len, "Nationality of Registration"))
            *result = FACT_IGNORED;
        else
            rc = add_country(set, e, s + 12, len - 12);
    } else if (starts(s, len, "citizen ") || starts(s, len, "Citizen ")) {
        rc = add_country(set, e, s + 8, len - 8);
    } else if (starts(s, len, "a.k.a. ") || starts(s, len, "a.k.a ")) {
        /* OFAC's legacy files keep strong aliases in alt.csv and put the
         * weak ones (low-quality a.k.a.s, often short or generic) in the
         * remarks, so a remark alias is weak. */
        n = s[5] == '.' ? 7 : 6;
        rc = add_quoted_alias(set, e, s + n, len - n, SHN_ALIAS_WEAK);
    } else if (starts(s, len, "f.k.a. ") || starts(s, len, "n.k.a. ")) {
        rc = add_quoted_alias(set, e, s + 7, len - 7, SHN_ALIAS_FKA);
    } else if (starts(s, len, "Digital Currency Address - ")) {
        const char *p = s + 27, *sp;
        size_t rest = len - 27;
        char chain[32];
        sp = memchr(p, ' ', rest);
        if (!sp || (size_t)(sp - p) >= sizeof chain || sp == p) {
            *result = FACT_UNPARSED;
        } else {
            memcpy(chain, p, (size_t)(sp - p));
            chain[sp - p] = '\0';
            rest -= (size_t)(sp - p) + 1;
            rc = shn__model_add_ident(set, e, SHN_ID_CRYPTO, trim_copy(sp + 1, rest, text), chain,
                                      NULL);
        }
    } else if (starts(s, len, "Email Address ") || starts(s, len, "Email:") ||
               starts(s, len, "Email ")) {
        n = s[5] == ':' ? 6 : starts(s, len, "Email Address ") ? 14 : 6;
        rc =
            shn__model_add_ident(set, e, SHN_ID_EMAIL, trim_copy(s + n, len - n, text), NULL, NULL);
    } else if (starts(s, len, "Website ") || starts(s, len, "Company Website ")) {
        const char *p = s + (s[0] == 'W' ? 8 : 16);
        size_t rest = len - (size_t)(p - s), w = 0;
        while (w < rest && p[w] != ' ')
            w++;
        while (w && p[w - 1] == '.')
            w--; /* "www.alturath.org. Revival of..." */
        rc = shn__model_add_ident(set, e, SHN_ID_WEBSITE, trim_copy(p, w, text), NULL, NULL);
    } else if (starts(s, len, "Phone Number ") || starts(s, len, "Phone No. ") ||
               starts(s, len, "Telephone No. ") || starts(s, len, "Telephone Number ") ||
               starts(s, len, "Telephone ") || starts(s, len, "Phone ") ||
               starts(s, len, "Fax No. ") || starts(s, len, "Fax: ") || starts(s, len, "Fax ")) {
        const char *p = memchr(s, ' ', len);
        size_t skip = (size_t)(p - s) + 1;
        if (starts(s + skip, len - skip, "Number ") || starts(s + skip, len - skip, "No. "))
            skip += s[skip] == 'N' && s[skip + 1] == 'u' ? 7 : 4;
        rc = shn__model_add_ident(set, e, SHN_ID_PHONE, trim_copy(s + skip, len - skip, text), NULL,
                                  NULL);
    } else {
        *result = FACT_UNPARSED;
        for (size_t i = 0; i < sizeof documents / sizeof documents[0]; i++) {
            n = strlen(documents[i].label);
            if (starts(s, len, documents[i].label) && len > n) {
                rc = add_document(set, e, documents[i].kind, s + n, len - n);
                *result = FACT_PARSED;
                break;
            }
        }
        for (size_t i = 0; *result == FACT_UNPARSED && i < sizeof ignored / sizeof ignored[0]; i++)
            if (starts(s, len, ignored[i]))
                *result = FACT_IGNORED;
        if (*result == FACT_UNPARSED && len >= 11 && contains_nocase(s, 11, "all offices"))
            *result = FACT_IGNORED;
        if (*result == FACT_UNPARSED) {
            int kind;
            n = generic_document(s, len, &kind);
            if (n) {
                rc = add_document(set, e, kind, s + n, len - n);
                *result = FACT_PARSED;
            }
        }
    }
    return rc;
}

int shn__ofac_parse_remarks(struct shn_listset *set, struct shn_entity *e, const char *remarks,
                            struct shn_ofac_remarks_stats *stats)
{
    struct shn_ofac_remarks_stats local = {0};
    size_t len, start = 0;
    int rc = SHN_OK;

    if (!remarks || !*remarks)
        goto out;
    if (!e->remarks) {
        rc = shn__model_set_remarks(set, e, remarks);
        if (rc != SHN_OK)
            goto out;
    }
    len = strlen(remarks);
    while (len && (remarks[len - 1] == ' ' || remarks[len - 1] == '.'))
        len--; /* the list's closing full stop */
    while (start < len) {
        const char *s = remarks + start;
        const char *semi = s;
        size_t flen;
        enum fact_result res;

        /* Facts are separated by "; " (a ';' not followed by a space is
         * part of a fact, e.g. "possibly Palestinian;arrested"). */
        while (semi < remarks + len &&
               !(semi[0] == ';' && semi + 1 < remarks + len && semi[1] == ' '))
            semi++;
        flen = (size_t)(semi - s);
        start += flen + 2;
        while (flen && *s == ' ')
            s++, flen--;
        while (flen && (s[flen - 1] == ' ' || s[flen - 1] == ';'))
            flen--;
        if (!flen)
            continue;
        local.facts++;
        if (flen >= FACT_MAX) {
            res = FACT_UNPARSED;
        } else {
            rc = parse_fact(set, e, s, flen, &res);
            if (rc != SHN_OK)
                goto out;
        }
        if (res == FACT_PARSED) {
            local.parsed++;
        } else if (res == FACT_IGNORED) {
            local.ignored++;
        } else {
            local.unparsed++;
            if (shn_log_get_level() >= SHN_LOG_DEBUG)
                shn_log(SHN_LOG_DEBUG, "%s: remarks fact not parsed: %.*s", e->id,
                        (int)(flen > 120 ? 120 : flen), s);
        }
    }
out:
    if (stats) {
        stats->facts += local.facts;
        stats->parsed += local.parsed;
        stats->ignored += local.ignored;
        stats->unparsed += local.unparsed;
    }
    return rc;
}
