/* Country lookup: a static ISO 3166-1 table (alpha-2, alpha-3, English
 * short name as ICU's CLDR data writes it) plus the variants sanctions lists
 * use, folded into one sorted key array on first use (pthread_once), then
 * binary-searched. Keys are "folded": ASCII lower case, Latin accents
 * dropped, '&' read as "and", every run of other characters (spaces,
 * punctuation, apostrophes) one space, a leading "the " dropped. */
#include "shinsa/core/country.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/utf8.h"

struct country {
    const char *alpha2, *alpha3, *name;
};

/* Generated from ICU (uloc_getISOCountries, uloc_getISO3Country,
 * uloc_getDisplayCountry(..., "en")) with accents folded; DG, EA and IC
 * (not ISO 3166 countries) left out, XK (Kosovo, user-assigned, used by
 * OFAC and the UN) kept. */
static const struct country countries[] = {
    {"AD", "AND", "Andorra"},
    {"AE", "ARE", "United Arab Emirates"},
    {"AF", "AFG", "Afghanistan"},
    {"AG", "ATG", "Antigua & Barbuda"},
    {"AI", "AIA", "Anguilla"},
    {"AL", "ALB", "Albania"},
    {"AM", "ARM", "Armenia"},
    {"AO", "AGO", "Angola"},
    {"AQ", "ATA", "Antarctica"},
    {"AR", "ARG", "Argentina"},
    {"AS", "ASM", "American Samoa"},
    {"AT", "AUT", "Austria"},
    {"AU", "AUS", "Australia"},
    {"AW", "ABW", "Aruba"},
    {"AX", "ALA", "Aland Islands"},
    {"AZ", "AZE", "Azerbaijan"},
    {"BA", "BIH", "Bosnia & Herzegovina"},
    {"BB", "BRB", "Barbados"},
    {"BD", "BGD", "Bangladesh"},
    {"BE", "BEL", "Belgium"},
    {"BF", "BFA", "Burkina Faso"},
    {"BG", "BGR", "Bulgaria"},
    {"BH", "BHR", "Bahrain"},
    {"BI", "BDI", "Burundi"},
    {"BJ", "BEN", "Benin"},
    {"BL", "BLM", "St. Barthelemy"},
    {"BM", "BMU", "Bermuda"},
    {"BN", "BRN", "Brunei"},
    {"BO", "BOL", "Bolivia"},
    {"BQ", "BES", "Caribbean Netherlands"},
    {"BR", "BRA", "Brazil"},
    {"BS", "BHS", "Bahamas"},
    {"BT", "BTN", "Bhutan"},
    {"BV", "BVT", "Bouvet Island"},
    {"BW", "BWA", "Botswana"},
    {"BY", "BLR", "Belarus"},
    {"BZ", "BLZ", "Belize"},
    {"CA", "CAN", "Canada"},
    {"CC", "CCK", "Cocos (Keeling) Islands"},
    {"CD", "COD", "Congo - Kinshasa"},
    {"CF", "CAF", "Central African Republic"},
    {"CG", "COG", "Congo - Brazzaville"},
    {"CH", "CHE", "Switzerland"},
    {"CI", "CIV", "Cote d'Ivoire"},
    {"CK", "COK", "Cook Islands"},
    {"CL", "CHL", "Chile"},
    {"CM", "CMR", "Cameroon"},
    {"CN", "CHN", "China"},
    {"CO", "COL", "Colombia"},
    {"CR", "CRI", "Costa Rica"},
    {"CU", "CUB", "Cuba"},
    {"CV", "CPV", "Cape Verde"},
    {"CW", "CUW", "Curacao"},
    {"CX", "CXR", "Christmas Island"},
    {"CY", "CYP", "Cyprus"},
    {"CZ", "CZE", "Czechia"},
    {"DE", "DEU", "Germany"},
    {"DJ", "DJI", "Djibouti"},
    {"DK", "DNK", "Denmark"},
    {"DM", "DMA", "Dominica"},
    {"DO", "DOM", "Dominican Republic"},
    {"DZ", "DZA", "Algeria"},
    {"EC", "ECU", "Ecuador"},
    {"EE", "EST", "Estonia"},
    {"EG", "EGY", "Egypt"},
    {"EH", "ESH", "Western Sahara"},
    {"ER", "ERI", "Eritrea"},
    {"ES", "ESP", "Spain"},
    {"ET", "ETH", "Ethiopia"},
    {"FI", "FIN", "Finland"},
    {"FJ", "FJI", "Fiji"},
    {"FK", "FLK", "Falkland Islands"},
    {"FM", "FSM", "Micronesia"},
    {"FO", "FRO", "Faroe Islands"},
    {"FR", "FRA", "France"},
    {"GA", "GAB", "Gabon"},
    {"GB", "GBR", "United Kingdom"},
    {"GD", "GRD", "Grenada"},
    {"GE", "GEO", "Georgia"},
    {"GF", "GUF", "French Guiana"},
    {"GG", "GGY", "Guernsey"},
    {"GH", "GHA", "Ghana"},
    {"GI", "GIB", "Gibraltar"},
    {"GL", "GRL", "Greenland"},
    {"GM", "GMB", "Gambia"},
    {"GN", "GIN", "Guinea"},
    {"GP", "GLP", "Guadeloupe"},
    {"GQ", "GNQ", "Equatorial Guinea"},
    {"GR", "GRC", "Greece"},
    {"GS", "SGS", "South Georgia & South Sandwich Islands"},
    {"GT", "GTM", "Guatemala"},
    {"GU", "GUM", "Guam"},
    {"GW", "GNB", "Guinea-Bissau"},
    {"GY", "GUY", "Guyana"},
    {"HK", "HKG", "Hong Kong SAR China"},
    {"HM", "HMD", "Heard & McDonald Islands"},
    {"HN", "HND", "Honduras"},
    {"HR", "HRV", "Croatia"},
    {"HT", "HTI", "Haiti"},
    {"HU", "HUN", "Hungary"},
    {"ID", "IDN", "Indonesia"},
    {"IE", "IRL", "Ireland"},
    {"IL", "ISR", "Israel"},
    {"IM", "IMN", "Isle of Man"},
    {"IN", "IND", "India"},
    {"IO", "IOT", "British Indian Ocean Territory"},
    {"IQ", "IRQ", "Iraq"},
    {"IR", "IRN", "Iran"},
    {"IS", "ISL", "Iceland"},
    {"IT", "ITA", "Italy"},
    {"JE", "JEY", "Jersey"},
    {"JM", "JAM", "Jamaica"},
    {"JO", "JOR", "Jordan"},
    {"JP", "JPN", "Japan"},
    {"KE", "KEN", "Kenya"},
    {"KG", "KGZ", "Kyrgyzstan"},
    {"KH", "KHM", "Cambodia"},
    {"KI", "KIR", "Kiribati"},
    {"KM", "COM", "Comoros"},
    {"KN", "KNA", "St. Kitts & Nevis"},
    {"KP", "PRK", "North Korea"},
    {"KR", "KOR", "South Korea"},
    {"KW", "KWT", "Kuwait"},
    {"KY", "CYM", "Cayman Islands"},
    {"KZ", "KAZ", "Kazakhstan"},
    {"LA", "LAO", "Laos"},
    {"LB", "LBN", "Lebanon"},
    {"LC", "LCA", "St. Lucia"},
    {"LI", "LIE", "Liechtenstein"},
    {"LK", "LKA", "Sri Lanka"},
    {"LR", "LBR", "Liberia"},
    {"LS", "LSO", "Lesotho"},
    {"LT", "LTU", "Lithuania"},
    {"LU", "LUX", "Luxembourg"},
    {"LV", "LVA", "Latvia"},
    {"LY", "LBY", "Libya"},
    {"MA", "MAR", "Morocco"},
    {"MC", "MCO", "Monaco"},
    {"MD", "MDA", "Moldova"},
    {"ME", "MNE", "Montenegro"},
    {"MF", "MAF", "St. Martin"},
    {"MG", "MDG", "Madagascar"},
    {"MH", "MHL", "Marshall Islands"},
    {"MK", "MKD", "North Macedonia"},
    {"ML", "MLI", "Mali"},
    {"MM", "MMR", "Myanmar (Burma)"},
    {"MN", "MNG", "Mongolia"},
    {"MO", "MAC", "Macao SAR China"},
    {"MP", "MNP", "Northern Mariana Islands"},
    {"MQ", "MTQ", "Martinique"},
    {"MR", "MRT", "Mauritania"},
    {"MS", "MSR", "Montserrat"},
    {"MT", "MLT", "Malta"},
    {"MU", "MUS", "Mauritius"},
    {"MV", "MDV", "Maldives"},
    {"MW", "MWI", "Malawi"},
    {"MX", "MEX", "Mexico"},
    {"MY", "MYS", "Malaysia"},
    {"MZ", "MOZ", "Mozambique"},
    {"NA", "NAM", "Namibia"},
    {"NC", "NCL", "New Caledonia"},
    {"NE", "NER", "Niger"},
    {"NF", "NFK", "Norfolk Island"},
    {"NG", "NGA", "Nigeria"},
    {"NI", "NIC", "Nicaragua"},
    {"NL", "NLD", "Netherlands"},
    {"NO", "NOR", "Norway"},
    {"NP", "NPL", "Nepal"},
    {"NR", "NRU", "Nauru"},
    {"NU", "NIU", "Niue"},
    {"NZ", "NZL", "New Zealand"},
    {"OM", "OMN", "Oman"},
    {"PA", "PAN", "Panama"},
    {"PE", "PER", "Peru"},
    {"PF", "PYF", "French Polynesia"},
    {"PG", "PNG", "Papua New Guinea"},
    {"PH", "PHL", "Philippines"},
    {"PK", "PAK", "Pakistan"},
    {"PL", "POL", "Poland"},
    {"PM", "SPM", "St. Pierre & Miquelon"},
    {"PN", "PCN", "Pitcairn Islands"},
    {"PR", "PRI", "Puerto Rico"},
    {"PS", "PSE", "Palestinian Territories"},
    {"PT", "PRT", "Portugal"},
    {"PW", "PLW", "Palau"},
    {"PY", "PRY", "Paraguay"},
    {"QA", "QAT", "Qatar"},
    {"RE", "REU", "Reunion"},
    {"RO", "ROU", "Romania"},
    {"RS", "SRB", "Serbia"},
    {"RU", "RUS", "Russia"},
    {"RW", "RWA", "Rwanda"},
    {"SA", "SAU", "Saudi Arabia"},
    {"SB", "SLB", "Solomon Islands"},
    {"SC", "SYC", "Seychelles"},
    {"SD", "SDN", "Sudan"},
    {"SE", "SWE", "Sweden"},
    {"SG", "SGP", "Singapore"},
    {"SH", "SHN", "St. Helena"},
    {"SI", "SVN", "Slovenia"},
    {"SJ", "SJM", "Svalbard & Jan Mayen"},
    {"SK", "SVK", "Slovakia"},
    {"SL", "SLE", "Sierra Leone"},
    {"SM", "SMR", "San Marino"},
    {"SN", "SEN", "Senegal"},
    {"SO", "SOM", "Somalia"},
    {"SR", "SUR", "Suriname"},
    {"SS", "SSD", "South Sudan"},
    {"ST", "STP", "Sao Tome & Principe"},
    {"SV", "SLV", "El Salvador"},
    {"SX", "SXM", "Sint Maarten"},
    {"SY", "SYR", "Syria"},
    {"SZ", "SWZ", "Eswatini"},
    {"TC", "TCA", "Turks & Caicos Islands"},
    {"TD", "TCD", "Chad"},
    {"TF", "ATF", "French Southern Territories"},
    {"TG", "TGO", "Togo"},
    {"TH", "THA", "Thailand"},
    {"TJ", "TJK", "Tajikistan"},
    {"TK", "TKL", "Tokelau"},
    {"TL", "TLS", "Timor-Leste"},
    {"TM", "TKM", "Turkmenistan"},
    {"TN", "TUN", "Tunisia"},
    {"TO", "TON", "Tonga"},
    {"TR", "TUR", "Turkey"},
    {"TT", "TTO", "Trinidad & Tobago"},
    {"TV", "TUV", "Tuvalu"},
    {"TW", "TWN", "Taiwan"},
    {"TZ", "TZA", "Tanzania"},
    {"UA", "UKR", "Ukraine"},
    {"UG", "UGA", "Uganda"},
    {"UM", "UMI", "U.S. Outlying Islands"},
    {"US", "USA", "United States"},
    {"UY", "URY", "Uruguay"},
    {"UZ", "UZB", "Uzbekistan"},
    {"VA", "VAT", "Vatican City"},
    {"VC", "VCT", "St. Vincent & Grenadines"},
    {"VE", "VEN", "Venezuela"},
    {"VG", "VGB", "British Virgin Islands"},
    {"VI", "VIR", "U.S. Virgin Islands"},
    {"VN", "VNM", "Vietnam"},
    {"VU", "VUT", "Vanuatu"},
    {"WF", "WLF", "Wallis & Futuna"},
    {"WS", "WSM", "Samoa"},
    {"XK", "XKX", "Kosovo"},
    {"YE", "YEM", "Yemen"},
    {"YT", "MYT", "Mayotte"},
    {"ZA", "ZAF", "South Africa"},
    {"ZM", "ZMB", "Zambia"},
    {"ZW", "ZWE", "Zimbabwe"},
};

#define N_COUNTRIES (sizeof countries / sizeof countries[0])

/* Names lists write that differ from the CLDR short name. Keys are written
 * as anything; they are folded like the input. */
static const struct {
    const char *name, *alpha2;
} aliases[] = {
    {"Korea, North", "KP"},
    {"North Korea", "KP"},
    {"DPRK", "KP"},
    {"Democratic People's Republic of Korea", "KP"},
    {"Korea, Democratic People's Republic of", "KP"},
    {"Korea (Democratic People's Republic of)", "KP"},
    {"Korea, Dem. People's Rep.", "KP"},
    {"Democratic Peoples Republic of Korea", "KP"},
    {"Korea DPR", "KP"},
    {"Korea, South", "KR"},
    {"South Korea", "KR"},
    {"Republic of Korea", "KR"},
    {"Korea, Republic of", "KR"},
    {"Korea (Republic of)", "KR"},
    {"ROK", "KR"},
    {"Russian Federation", "RU"},
    {"Iran, Islamic Republic of", "IR"},
    {"Iran (Islamic Republic of)", "IR"},
    {"Islamic Republic of Iran", "IR"},
    {"Syrian Arab Republic", "SY"},
    {"People's Republic of China", "CN"},
    {"China, People's Republic of", "CN"},
    {"PRC", "CN"},
    {"Burma", "MM"},
    {"Myanmar", "MM"},
    {"Republic of the Union of Myanmar", "MM"},
    {"Congo, Democratic Republic of the", "CD"},
    {"Democratic Republic of the Congo", "CD"},
    {"Democratic Republic of Congo", "CD"},
    {"Congo (Kinshasa)", "CD"},
    {"DRC", "CD"},
    {"Zaire", "CD"},
    {"Congo, Republic of the", "CG"},
    {"Republic of the Congo", "CG"},
    {"Congo", "CG"},
    {"Congo (Brazzaville)", "CG"},
    {"Cote d'Ivoire", "CI"},
    {"Ivory Coast", "CI"},
    {"Comoros Islands", "KM"},
    {"Phillipines", "PH"},
    {"Lao People's Democratic Republic", "LA"},
    {"Laos", "LA"},
    {"Libyan Arab Jamahiriya", "LY"},
    {"State of Libya", "LY"},
    {"United States of America", "US"},
    {"USA", "US"},
    {"U.S.A.", "US"},
    {"U.S.", "US"},
    {"United Kingdom of Great Britain and Northern Ireland", "GB"},
    {"Great Britain", "GB"},
    {"UK", "GB"},
    {"England", "GB"},
    {"Scotland", "GB"},
    {"Wales", "GB"},
    {"Northern Ireland", "GB"},
    {"Viet Nam", "VN"},
    {"Venezuela, Bolivarian Republic of", "VE"},
    {"Venezuela (Bolivarian Republic of)", "VE"},
    {"Bolivarian Republic of Venezuela", "VE"},
    {"Bolivia, Plurinational State of", "BO"},
    {"Bolivia (Plurinational State of)", "BO"},
    {"Tanzania, United Republic of", "TZ"},
    {"United Republic of Tanzania", "TZ"},
    {"Moldova, Republic of", "MD"},
    {"Republic of Moldova", "MD"},
    {"Macedonia", "MK"},
    {"The former Yugoslav Republic of Macedonia", "MK"},
    {"Macedonia, The Former Yugoslav Republic of", "MK"},
    {"Republic of North Macedonia", "MK"},
    {"Czech Republic", "CZ"},
    {"Swaziland", "SZ"},
    {"Cabo Verde", "CV"},
    {"Turkiye", "TR"},
    {"Republic of Turkiye", "TR"},
    {"Timor Leste", "TL"},
    {"East Timor", "TL"},
    {"Palestinian", "PS"},
    {"Palestine", "PS"},
    {"State of Palestine", "PS"},
    {"Palestinian Territory", "PS"},
    {"Palestinian Territory, Occupied", "PS"},
    {"West Bank", "PS"},
    {"Gaza", "PS"},
    {"Gaza Strip", "PS"},
    {"West Bank and Gaza", "PS"},
    {"Hong Kong", "HK"},
    {"China, Hong Kong Special Administrative Region", "HK"},
    {"Hong Kong Special Administrative Region", "HK"},
    {"Macau", "MO"},
    {"Macao", "MO"},
    {"Taiwan, Province of China", "TW"},
    {"Brunei Darussalam", "BN"},
    {"Micronesia, Federated States of", "FM"},
    {"Federated States of Micronesia", "FM"},
    {"Vatican", "VA"},
    {"Holy See", "VA"},
    {"Holy See (Vatican City State)", "VA"},
    {"Saint Kitts and Nevis", "KN"},
    {"Saint Lucia", "LC"},
    {"Saint Vincent and the Grenadines", "VC"},
    {"Sao Tome and Principe", "ST"},
    {"Bosnia and Herzegovina", "BA"},
    {"Bosnia-Herzegovina", "BA"},
    {"Antigua and Barbuda", "AG"},
    {"Trinidad and Tobago", "TT"},
    {"Turks and Caicos Islands", "TC"},
    {"Virgin Islands, British", "VG"},
    {"British Virgin Islands", "VG"},
    {"Virgin Islands, U.S.", "VI"},
    {"Curacao", "CW"},
    {"Kyrgyz Republic", "KG"},
    {"Slovak Republic", "SK"},
    {"Gambia, The", "GM"},
    {"The Gambia", "GM"},
    {"Bahamas, The", "BS"},
    {"The Bahamas", "BS"},
    {"Falkland Islands (Islas Malvinas)", "FK"},
    {"Republic of Serbia", "RS"},
    {"Kosovo", "XK"},
    {"Republic of Kosovo", "XK"},
    {"United Arab Emirates", "AE"},
    {"UAE", "AE"},
    {"U.A.E.", "AE"},
    {"Saudi", "SA"},
    {"Kingdom of Saudi Arabia", "SA"},
    {"Republic of Iraq", "IQ"},
    {"Republic of Yemen", "YE"},
    {"Islamic Republic of Afghanistan", "AF"},
    {"Islamic Emirate of Afghanistan", "AF"},
    {"Islamic Republic of Pakistan", "PK"},
    {"Republic of South Sudan", "SS"},
    {"Republic of the Sudan", "SD"},
    {"Central African Republic", "CF"},
    {"CAR", "CF"},
    {"Somali Republic", "SO"},
    {"Belarus, Republic of", "BY"},
    {"Republic of Belarus", "BY"},
    {"Byelorussia", "BY"},
    {"Russia Federation", "RU"},
};

#define N_ALIASES (sizeof aliases / sizeof aliases[0])
#define KEY_MAX 96

struct key {
    char text[KEY_MAX];
    const char *alpha2;
};

/* Every country has up to three keys (alpha-2, alpha-3, name). */
static struct key keys[N_COUNTRIES * 3 + N_ALIASES];
static size_t n_keys;
static pthread_once_t keys_once = PTHREAD_ONCE_INIT;

/* Base letters for U+00C0..U+017F ('\0' where there is none: such text
 * keeps a byte that matches no key). */
static const char latin_fold[] = "AAAAAAACEEEEIIII"
                                 "DNOOOOO\0OUUUUYTs" /* U+00C0..U+00DF */
                                 "aaaaaaaceeeeiiii"
                                 "dnooooo\0ouuuuyty" /* U+00E0..U+00FF */
                                 "AaAaAaCcCcCcCcDd"
                                 "DdEeEeEeEeEeGgGg" /* U+0100..U+011F */
                                 "GgGgHhHhIiIiIiIi"
                                 "IiJjJjKkkLlLlLlL" /* U+0120..U+013F */
                                 "lLlNnNnNnnNnOoOo"
                                 "OoOoRrRrRrSsSsSs" /* U+0140..U+015F */
                                 "SsTtTtTtUuUuUuUu"
                                 "UuUuWwYyYZzZzZzs"; /* U+0160..U+017F */

/* Folds text into out (KEY_MAX bytes). Returns 0 when the text is too long
 * to be a country name, 1 otherwise. */
static int fold(const char *s, char *out)
{
    size_t n = 0, len = strnlen(s, KEY_MAX * 4);
    size_t i = 0;
    int space = 1; /* suppress leading and repeated spaces */

    if (len == KEY_MAX * 4)
        return 0; /* far longer than any country name */

    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        char emit = 0;
        const char *word = NULL;
        uint32_t cp;
        size_t used;

        if (c < 0x80) {
            used = 1;
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
                emit = (char)c;
            else if (c >= 'A' && c <= 'Z')
                emit = (char)(c - 'A' + 'a');
            else if (c == '&')
                word = "and";
        } else {
            used = shn_utf8_decode(s + i, len - i, &cp);
            if (!used)
                return 0;
            if (cp < 0xC0 || cp == 0x2018 || cp == 0x2019 || cp == 0x02BC)
                emit = 0; /* Latin-1 punctuation, curly apostrophes: a space */
            else if (cp <= 0x17F && latin_fold[cp - 0xC0])
                emit = (char)(latin_fold[cp - 0xC0] | 0x20);
            else
                emit = '~'; /* a letter we cannot fold: matches nothing */
        }
        i += used;
        if (word) {
            if (!space) {
                if (n + 1 >= KEY_MAX)
                    return 0;
                out[n++] = ' ';
            }
            if (n + 4 >= KEY_MAX)
                return 0;
            memcpy(out + n, word, 3);
            n += 3;
            out[n++] = ' ';
            space = 1;
            continue;
        }
        if (!emit) {
            if (!space) {
                if (n + 1 >= KEY_MAX)
                    return 0;
                out[n++] = ' ';
                space = 1;
            }
            continue;
        }
        if (n + 1 >= KEY_MAX)
            return 0;
        out[n++] = emit;
        space = 0;
    }
    while (n && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    if (n > 4 && memcmp(out, "the ", 4) == 0)
        memmove(out, out + 4, n - 3);
    return 1;
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(((const struct key *)a)->text, ((const struct key *)b)->text);
}

static void add_key(const char *text, const char *alpha2)
{
    struct key *k = &keys[n_keys];

    if (!fold(text, k->text) || !k->text[0])
        return;
    k->alpha2 = alpha2;
    n_keys++;
}

static const char *find_alpha2(const char *code)
{
    for (size_t i = 0; i < N_COUNTRIES; i++)
        if (strcmp(countries[i].alpha2, code) == 0)
            return countries[i].alpha2;
    return NULL;
}

static void build_keys(void)
{
    size_t out = 0;

    for (size_t i = 0; i < N_COUNTRIES; i++) {
        add_key(countries[i].alpha2, countries[i].alpha2);
        add_key(countries[i].alpha3, countries[i].alpha2);
        add_key(countries[i].name, countries[i].alpha2);
    }
    for (size_t i = 0; i < N_ALIASES; i++) {
        const char *code = find_alpha2(aliases[i].alpha2);
        if (code)
            add_key(aliases[i].name, code);
    }
    qsort(keys, n_keys, sizeof keys[0], key_cmp);
    /* Drop exact duplicates (an alias equal to a CLDR name); the first of
     * equal keys wins, which is fine because duplicates agree. */
    for (size_t i = 0; i < n_keys; i++)
        if (!out || strcmp(keys[out - 1].text, keys[i].text) != 0)
            keys[out++] = keys[i];
    n_keys = out;
}

const char *shn_country_code(const char *name_or_code)
{
    struct key probe;
    const struct key *hit;

    if (!name_or_code)
        return NULL;
    pthread_once(&keys_once, build_keys);
    if (!fold(name_or_code, probe.text) || !probe.text[0])
        return NULL;
    hit = bsearch(&probe, keys, n_keys, sizeof keys[0], key_cmp);
    return hit ? hit->alpha2 : NULL;
}

const char *shn_country_name(const char *alpha2)
{
    if (!alpha2 || strlen(alpha2) != 2)
        return NULL;
    for (size_t i = 0; i < N_COUNTRIES; i++)
        if ((countries[i].alpha2[0] | 0x20) == (alpha2[0] | 0x20) &&
            (countries[i].alpha2[1] | 0x20) == (alpha2[1] | 0x20))
            return countries[i].name;
    return NULL;
}
