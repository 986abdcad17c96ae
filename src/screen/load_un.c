/* The UN Security Council consolidated list (sc-sanctions.xsd), streamed
 * with libxml2's xmlTextReader so that memory stays one record deep
 * whatever the file size:
 *
 *   <CONSOLIDATED_LIST dateGenerated="...">
 *     <INDIVIDUALS><INDIVIDUAL>
 *       <FIRST_NAME>..</FIRST_NAME> .. <FOURTH_NAME>, <NAME_ORIGINAL_SCRIPT>,
 *       <UN_LIST_TYPE>DPRK</UN_LIST_TYPE>, <REFERENCE_NUMBER>KPi.001</..>,
 *       <COMMENTS1>, <NATIONALITY><VALUE>..</VALUE></NATIONALITY>,
 *       <INDIVIDUAL_ALIAS><QUALITY>Good|Low</QUALITY><ALIAS_NAME>..</..>,
 *       <INDIVIDUAL_ADDRESS>, <INDIVIDUAL_DATE_OF_BIRTH>, <INDIVIDUAL_PLACE_OF_BIRTH>,
 *       <INDIVIDUAL_DOCUMENT>
 *     </INDIVIDUAL></INDIVIDUALS>
 *     <ENTITIES><ENTITY> .. ENTITY_ALIAS (a.k.a.|f.k.a.), ENTITY_ADDRESS ..
 *
 * A record's id (REFERENCE_NUMBER) comes after its names, so each record
 * is collected in a small arena first and turned into an entity at its end
 * tag. The parser never touches the network (XML_PARSE_NONET) and neither
 * substitutes entities nor loads DTDs. */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlreader.h>

#include "loaders_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/arena.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/country.h"
#include "shinsa/core/log.h"

#define UN_MAX_ITEMS 16384 /* facts in one record */

enum group {
    G_NONE = 0,
    G_ALIAS,
    G_DOB,
    G_POB,
    G_ADDRESS,
    G_DOCUMENT,
    G_NATIONALITY,
    G_OTHER, /* a group we read nothing from (LIST_TYPE, DESIGNATION...) */
};

enum item_type { I_ALIAS, I_DOB, I_POB, I_ADDRESS, I_DOCUMENT, I_NATIONALITY };

struct item {
    int type;
    int kind; /* alias strength or ident kind */
    const char *text, *country;
    struct shn_date date;
    struct item *next;
};

/* Fields of the group being read; strings in the record arena. */
struct group_fields {
    const char *quality, *alias, *type_of_date, *date, *year, *from_year, *to_year, *note;
    const char *street, *city, *state, *zip, *country;
    const char *doc_type, *doc_type2, *number, *issuing_country;
};

struct un_state {
    struct shn_listset *set;
    const char *name;
    struct shn_diag *diag;
    struct shn_arena arena; /* one record's strings and items */
    struct shn_buf text;    /* text of the element being read */
    int in_record;          /* 1 individual, 2 entity */
    long record_line;
    int group;
    struct group_fields g;
    const char *names[4], *original, *reference, *program, *comments;
    struct item *items, *tail;
    size_t n_items;
    uint32_t added;
    char date[40];
    /* First error libxml2 reported. */
    int xml_error;
    long error_line;
    char error_message[200];
};

static void on_xml_error(void *arg, xmlErrorPtr err)
{
    struct un_state *st = arg;
    size_t n;

    if (!err || err->level < XML_ERR_ERROR || st->xml_error)
        return;
    st->xml_error = 1;
    st->error_line = err->line;
    snprintf(st->error_message, sizeof st->error_message, "%s",
             err->message ? err->message : "malformed XML");
    n = strlen(st->error_message);
    while (n && (st->error_message[n - 1] == '\n' || st->error_message[n - 1] == ' '))
        st->error_message[--n] = '\0';
}

/* Line of the node the reader is on (the parser may have read ahead). */
static long node_line(xmlTextReaderPtr r)
{
    xmlNodePtr node = xmlTextReaderCurrentNode(r);
    long line = node ? xmlGetLineNo(node) : -1;

    return line > 0 ? line : (long)xmlTextReaderGetParserLineNumber(r);
}

static int is(const xmlChar *name, const char *want)
{
    return strcmp((const char *)name, want) == 0;
}

static void record_reset(struct un_state *st)
{
    shn_arena_cleanup(&st->arena);
    shn_arena_init(&st->arena, 16384, (size_t)SHN_MAX_TEXT * 64);
    memset(&st->g, 0, sizeof st->g);
    memset(st->names, 0, sizeof st->names);
    st->original = st->reference = st->program = st->comments = NULL;
    st->items = st->tail = NULL;
    st->n_items = 0;
    st->group = G_NONE;
}

static int add_item(struct un_state *st, int type, int kind, const char *text, const char *country,
                    const struct shn_date *d)
{
    struct item *it;

    if (st->n_items >= UN_MAX_ITEMS)
        return SHN_ERR_TOO_LARGE;
    it = shn_arena_calloc(&st->arena, 1, sizeof *it);
    if (!it)
        return SHN_ERR_NOMEM;
    it->type = type;
    it->kind = kind;
    it->text = text;
    it->country = country;
    if (d)
        it->date = *d;
    if (st->tail)
        st->tail->next = it;
    else
        st->items = it;
    st->tail = it;
    st->n_items++;
    return SHN_OK;
}

/* A 4-digit year, or 0. */
static unsigned year_of(const char *s)
{
    unsigned v = 0;
    int n = 0;

    if (!s)
        return 0;
    while (*s == ' ')
        s++;
    while (*s >= '0' && *s <= '9' && n < 5)
        v = v * 10 + (unsigned)(*s++ - '0'), n++;
    return (n == 4 && v >= 1800 && v <= 2100) ? v : 0;
}

/* "1944-10-13" (possibly followed by a time) into d; 0 if not a date. */
static int iso_date(const char *s, struct shn_date *d)
{
    unsigned y = year_of(s), m, day;

    if (!y || strlen(s) < 10 || s[4] != '-' || s[7] != '-')
        return 0;
    if (s[5] < '0' || s[5] > '9' || s[6] < '0' || s[6] > '9' || s[8] < '0' || s[8] > '9' ||
        s[9] < '0' || s[9] > '9')
        return 0;
    m = (unsigned)(s[5] - '0') * 10 + (unsigned)(s[6] - '0');
    day = (unsigned)(s[8] - '0') * 10 + (unsigned)(s[9] - '0');
    if (m > 12 || day > 31)
        return 0;
    memset(d, 0, sizeof *d);
    d->year = d->year_to = (uint16_t)y;
    d->month = (uint8_t)m;
    d->day = (uint8_t)(m ? day : 0);
    d->kind = d->day ? SHN_DATE_EXACT : m ? SHN_DATE_MONTH : SHN_DATE_YEAR;
    return 1;
}

static int end_dob(struct un_state *st)
{
    const struct group_fields *g = &st->g;
    const char *type = g->type_of_date ? g->type_of_date : "";
    struct shn_date d = {0};
    unsigned y, from = year_of(g->from_year), to = year_of(g->to_year);
    int ok = 0;

    if (from && to && to >= from) {
        d.kind = from == to ? SHN_DATE_YEAR : SHN_DATE_RANGE;
        d.year = (uint16_t)from;
        d.year_to = (uint16_t)to;
        ok = 1;
    } else if (g->date && iso_date(g->date, &d)) {
        ok = 1;
    } else if ((y = year_of(g->year)) != 0) {
        d.kind = SHN_DATE_YEAR;
        d.year = d.year_to = (uint16_t)y;
        ok = 1;
    } else if (g->note) {
        /* "Nov. 1973", "August 1961": only the note has the date. */
        ok = shn__ofac_parse_date(g->note, strlen(g->note), &d);
    }
    if (!ok)
        return SHN_OK;
    if (strcmp(type, "APPROXIMATELY") == 0 && d.kind != SHN_DATE_RANGE) {
        d.kind = SHN_DATE_CIRCA;
        d.month = d.day = 0;
        d.year_to = d.year;
    }
    return add_item(st, I_DOB, 0, NULL, NULL, &d);
}

/* Joins the non-empty parts with ", " into a string in the record arena. */
static const char *join(struct un_state *st, const char *const *parts, int n)
{
    size_t total = 0, at = 0;
    char *out;

    for (int i = 0; i < n; i++)
        if (parts[i] && *parts[i])
            total += strlen(parts[i]) + 2;
    if (!total)
        return "";
    out = shn_arena_alloc(&st->arena, total + 1);
    if (!out)
        return NULL;
    for (int i = 0; i < n; i++) {
        size_t len;
        if (!parts[i] || !*parts[i])
            continue;
        if (at) {
            memcpy(out + at, ", ", 2);
            at += 2;
        }
        len = strlen(parts[i]);
        memcpy(out + at, parts[i], len);
        at += len;
    }
    out[at] = '\0';
    return out;
}

static int contains_nocase(const char *s, const char *needle)
{
    size_t n = strlen(needle);

    for (; s && *s; s++) {
        size_t j = 0;
        while (j < n && s[j] && (s[j] | 0x20) == needle[j])
            j++;
        if (j == n)
            return 1;
    }
    return 0;
}

static int end_group(struct un_state *st)
{
    const struct group_fields *g = &st->g;
    int rc = SHN_OK;

    switch (st->group) {
    case G_ALIAS:
        if (g->alias && *g->alias) {
            int strength = SHN_ALIAS_AKA;
            const char *q = g->quality ? g->quality : "";
            if (strcmp(q, "Low") == 0 || strcmp(q, "low") == 0)
                strength = SHN_ALIAS_WEAK;
            else if (strcmp(q, "f.k.a.") == 0 || strcmp(q, "fka") == 0)
                strength = SHN_ALIAS_FKA;
            rc = add_item(st, I_ALIAS, strength, g->alias, NULL, NULL);
        }
        break;
    case G_DOB:
        rc = end_dob(st);
        break;
    case G_POB: {
        const char *parts[3] = {g->city, g->state, g->country};
        const char *text = join(st, parts, 3);
        if (!text)
            rc = SHN_ERR_NOMEM;
        else if (*text)
            rc = add_item(st, I_POB, 0, text, NULL, NULL);
        break;
    }
    case G_ADDRESS: {
        const char *parts[5] = {g->street, g->city, g->state, g->zip, g->country};
        const char *text = join(st, parts, 5);
        if (!text)
            rc = SHN_ERR_NOMEM;
        else if (*text)
            rc = add_item(st, I_ADDRESS, 0, text, NULL, NULL);
        break;
    }
    case G_DOCUMENT:
        if (g->number && *g->number) {
            int kind = SHN_ID_OTHER;
            const char *t = g->doc_type ? g->doc_type : "";
            const char *t2 = g->doc_type2 ? g->doc_type2 : "";
            if (contains_nocase(t, "passport") || contains_nocase(t, "pasaporte") ||
                contains_nocase(t, "passeport"))
                kind = SHN_ID_PASSPORT;
            else if (contains_nocase(t, "national identification") ||
                     contains_nocase(t, "identity") || contains_nocase(t2, "identity") ||
                     contains_nocase(t2, "identification"))
                kind = SHN_ID_NATIONAL;
            rc = add_item(st, I_DOCUMENT, kind, g->number, g->issuing_country, NULL);
        }
        break;
    default:
        break;
    }
    memset(&st->g, 0, sizeof st->g);
    st->group = G_NONE;
    return rc;
}

/* Trimmed copy of the collected text in the record arena ("" if empty). */
static const char *text_copy(struct un_state *st)
{
    const char *s = st->text.data ? st->text.data : "";
    size_t len = st->text.len;

    while (len && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t'))
        s++, len--;
    while (len &&
           (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == '\t'))
        len--;
    return shn_arena_strndup(&st->arena, s, len);
}

/* A leaf element ended with the text collected in st->text. */
static int end_leaf(struct un_state *st, const xmlChar *name)
{
    struct group_fields *g = &st->g;
    const char *v;

    if (!st->in_record || st->group == G_OTHER)
        return SHN_OK;
    v = text_copy(st);
    if (!v)
        return SHN_ERR_NOMEM;
    if (!*v)
        return SHN_OK;
    switch (st->group) {
    case G_NONE:
        if (is(name, "FIRST_NAME"))
            st->names[0] = v;
        else if (is(name, "SECOND_NAME"))
            st->names[1] = v;
        else if (is(name, "THIRD_NAME"))
            st->names[2] = v;
        else if (is(name, "FOURTH_NAME"))
            st->names[3] = v;
        else if (is(name, "NAME_ORIGINAL_SCRIPT"))
            st->original = v;
        else if (is(name, "REFERENCE_NUMBER"))
            st->reference = v;
        else if (is(name, "UN_LIST_TYPE"))
            st->program = v;
        else if (is(name, "COMMENTS1"))
            st->comments = v;
        break;
    case G_ALIAS:
        if (is(name, "QUALITY"))
            g->quality = v;
        else if (is(name, "ALIAS_NAME"))
            g->alias = v;
        break;
    case G_DOB:
        if (is(name, "TYPE_OF_DATE"))
            g->type_of_date = v;
        else if (is(name, "DATE"))
            g->date = v;
        else if (is(name, "YEAR"))
            g->year = v;
        else if (is(name, "FROM_YEAR"))
            g->from_year = v;
        else if (is(name, "TO_YEAR"))
            g->to_year = v;
        else if (is(name, "NOTE"))
            g->note = v;
        break;
    case G_POB:
    case G_ADDRESS:
        if (is(name, "STREET"))
            g->street = v;
        else if (is(name, "CITY"))
            g->city = v;
        else if (is(name, "STATE_PROVINCE"))
            g->state = v;
        else if (is(name, "ZIP_CODE"))
            g->zip = v;
        else if (is(name, "COUNTRY"))
            g->country = v;
        break;
    case G_DOCUMENT:
        if (is(name, "TYPE_OF_DOCUMENT"))
            g->doc_type = v;
        else if (is(name, "TYPE_OF_DOCUMENT2"))
            g->doc_type2 = v;
        else if (is(name, "NUMBER"))
            g->number = v;
        else if (is(name, "ISSUING_COUNTRY") ||
                 (is(name, "COUNTRY_OF_ISSUE") && !g->issuing_country))
            g->issuing_country = v;
        break;
    case G_NATIONALITY:
        if (is(name, "VALUE"))
            return add_item(st, I_NATIONALITY, 0, v, NULL, NULL);
        break;
    default:
        break;
    }
    return SHN_OK;
}

static int group_of(const xmlChar *name)
{
    if (is(name, "INDIVIDUAL_ALIAS") || is(name, "ENTITY_ALIAS"))
        return G_ALIAS;
    if (is(name, "INDIVIDUAL_DATE_OF_BIRTH"))
        return G_DOB;
    if (is(name, "INDIVIDUAL_PLACE_OF_BIRTH"))
        return G_POB;
    if (is(name, "INDIVIDUAL_ADDRESS") || is(name, "ENTITY_ADDRESS"))
        return G_ADDRESS;
    if (is(name, "INDIVIDUAL_DOCUMENT"))
        return G_DOCUMENT;
    if (is(name, "NATIONALITY"))
        return G_NATIONALITY;
    if (is(name, "TITLE") || is(name, "DESIGNATION") || is(name, "LIST_TYPE") ||
        is(name, "LAST_DAY_UPDATED"))
        return G_OTHER;
    return G_NONE;
}

static int commit_record(struct un_state *st)
{
    char id[160], primary[4 * 1024];
    size_t at = 0;
    struct shn_entity *e;
    uint32_t before = st->set->n_entities;
    int rc = SHN_OK;
    const char *what = st->in_record == 1 ? "INDIVIDUAL" : "ENTITY";

    if (!st->reference) {
        rc = shn_diag_set(st->diag, SHN_ERR_PARSE, st->name, st->record_line, "REFERENCE_NUMBER",
                          "%s without a REFERENCE_NUMBER", what);
        goto out;
    }
    if ((size_t)snprintf(id, sizeof id, "un:%s", st->reference) >= sizeof id) {
        rc = shn_diag_set(st->diag, SHN_ERR_PARSE, st->name, st->record_line, "REFERENCE_NUMBER",
                          "REFERENCE_NUMBER longer than %zu bytes", sizeof id - 4);
        goto out;
    }
    primary[0] = '\0';
    for (int i = 0; i < 4; i++) {
        size_t len;
        if (!st->names[i])
            continue;
        len = strlen(st->names[i]);
        if (at + len + 2 > sizeof primary) {
            rc = shn_diag_set(st->diag, SHN_ERR_TOO_LARGE, st->name, st->record_line, "FIRST_NAME",
                              "%s: name longer than %zu bytes", id, sizeof primary);
            goto out;
        }
        if (at)
            primary[at++] = ' ';
        memcpy(primary + at, st->names[i], len + 1);
        at += len;
    }
    if (!at && !st->original) {
        rc = shn_diag_set(st->diag, SHN_ERR_PARSE, st->name, st->record_line, "FIRST_NAME",
                          "%s has no name", id);
        goto out;
    }
    e = shn__model_entity(st->set, id, "un",
                          st->in_record == 1 ? SHN_KIND_PERSON : SHN_KIND_ORGANIZATION);
    if (!e) {
        rc = st->set->n_entities >= SHN_MAX_ENTITIES ? SHN_ERR_TOO_LARGE : SHN_ERR_NOMEM;
        goto fail;
    }
    if (st->set->n_entities > before)
        st->added++;
    rc = shn__model_add_name(st->set, e, at ? primary : st->original, SHN_ALIAS_PRIMARY);
    if (rc == SHN_OK && at && st->original)
        rc = shn__model_add_name(st->set, e, st->original, SHN_ALIAS_AKA);
    if (rc == SHN_OK && st->program)
        rc = shn__model_add_program(st->set, e, st->program);
    if (rc == SHN_OK && st->comments && !e->remarks)
        rc = shn__model_set_remarks(st->set, e, st->comments);
    for (const struct item *it = st->items; it && rc == SHN_OK; it = it->next) {
        switch (it->type) {
        case I_ALIAS:
            rc = shn__model_add_name(st->set, e, it->text, it->kind);
            break;
        case I_DOB:
            rc = shn__model_add_dob(st->set, e, &it->date);
            break;
        case I_POB:
            rc = shn__model_add_pob(st->set, e, it->text);
            break;
        case I_ADDRESS:
            rc = shn__model_add_address(st->set, e, it->text);
            break;
        case I_DOCUMENT:
            rc = shn__model_add_ident(st->set, e, it->kind, it->text, NULL, it->country);
            break;
        case I_NATIONALITY: {
            const char *code = shn_country_code(it->text);
            rc = shn__model_add_nationality(st->set, e, code ? code : it->text);
            break;
        }
        default:
            break;
        }
    }
fail:
    if (rc != SHN_OK)
        rc = shn_diag_set(st->diag, rc, st->name, st->record_line, NULL, "%s: %s", id,
                          shn_strerror(rc));
out:
    return rc;
}

static int on_start(struct un_state *st, xmlTextReaderPtr r, const xmlChar *name, int depth)
{
    int g;

    shn_buf_reset(&st->text);
    if (depth == 0) {
        xmlChar *date;
        if (!is(name, "CONSOLIDATED_LIST"))
            return shn_diag_set(st->diag, SHN_ERR_PARSE, st->name, node_line(r), NULL,
                                "root element <%.40s> is not <CONSOLIDATED_LIST>",
                                (const char *)name);
        date = xmlTextReaderGetAttribute(r, (const xmlChar *)"dateGenerated");
        if (date) {
            snprintf(st->date, sizeof st->date, "%s", (const char *)date);
            if (strlen(st->date) > 10 && st->date[10] == 'T')
                st->date[10] = '\0';
            xmlFree(date);
        }
        return SHN_OK;
    }
    if (!st->in_record) {
        if (depth == 2 && (is(name, "INDIVIDUAL") || is(name, "ENTITY"))) {
            record_reset(st);
            st->in_record = is(name, "INDIVIDUAL") ? 1 : 2;
            st->record_line = node_line(r);
        }
        return SHN_OK;
    }
    if (depth == 3) {
        g = group_of(name);
        if (g != G_NONE) {
            memset(&st->g, 0, sizeof st->g);
            st->group = g;
        }
    }
    return SHN_OK;
}

static int on_end(struct un_state *st, const xmlChar *name, int depth)
{
    int rc = SHN_OK;

    if (!st->in_record)
        return SHN_OK;
    if (depth == 2) {
        rc = commit_record(st);
        st->in_record = 0;
        return rc;
    }
    if (depth == 3 && st->group != G_NONE)
        return end_group(st);
    if ((depth == 3 && st->group == G_NONE) || (depth == 4 && st->group != G_NONE))
        rc = end_leaf(st, name);
    shn_buf_reset(&st->text);
    return rc;
}

static int run(struct un_state *st, xmlTextReaderPtr r)
{
    unsigned long failures = shn_alloc_failures();
    int rc = SHN_OK, ret, root_seen = 0;

    xmlTextReaderSetStructuredErrorHandler(r, on_xml_error, st);
    while ((ret = xmlTextReaderRead(r)) == 1) {
        int type = xmlTextReaderNodeType(r);
        int depth = xmlTextReaderDepth(r);
        const xmlChar *name;

        if (st->xml_error)
            break;
        switch (type) {
        case XML_READER_TYPE_ELEMENT:
            name = xmlTextReaderConstLocalName(r);
            if (!name)
                return SHN_ERR_NOMEM;
            if (depth == 0)
                root_seen = 1;
            rc = on_start(st, r, name, depth);
            if (rc == SHN_OK && xmlTextReaderIsEmptyElement(r))
                rc = on_end(st, name, depth);
            break;
        case XML_READER_TYPE_END_ELEMENT:
            name = xmlTextReaderConstLocalName(r);
            if (!name)
                return SHN_ERR_NOMEM;
            rc = on_end(st, name, depth);
            break;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
            if (st->in_record) {
                const xmlChar *v = xmlTextReaderConstValue(r);
                if (v)
                    rc = shn_buf_append_str(&st->text, (const char *)v);
                if (rc == SHN_ERR_TOO_LARGE)
                    rc = shn_diag_set(st->diag, SHN_ERR_TOO_LARGE, st->name,
                                      xmlTextReaderGetParserLineNumber(r), NULL,
                                      "text longer than %d bytes", SHN_MAX_TEXT);
            }
            break;
        default:
            break;
        }
        if (rc != SHN_OK)
            return rc;
    }
    /* libxml2 reports a failed allocation as a parse error ("Memory
     * allocation failed"), or stops as if the input ended. */
    if ((ret < 0 || st->xml_error || !root_seen || st->in_record) &&
        shn_alloc_failures() != failures)
        return shn_diag_set(st->diag, SHN_ERR_NOMEM, st->name,
                            (long)xmlTextReaderGetParserLineNumber(r), NULL, "out of memory");
    if (ret < 0 || st->xml_error) {
        /* libxml2 says "Extra content at the end of the document" for a
         * file cut short; name the record left open so it reads right. */
        const char *what = st->in_record == 1 ? "INDIVIDUAL" : "ENTITY";
        long line = st->error_line ? st->error_line : (long)xmlTextReaderGetParserLineNumber(r);
        const char *msg = st->error_message[0] ? st->error_message : "malformed XML";
        if (st->in_record)
            return shn_diag_set(st->diag, SHN_ERR_PARSE, st->name, line, NULL,
                                "%s (in the <%s> opened on line %ld)", msg, what, st->record_line);
        return shn_diag_set(st->diag, SHN_ERR_PARSE, st->name, line, NULL, "%s", msg);
    }
    if (!root_seen)
        return shn_diag_set(st->diag, SHN_ERR_PARSE, st->name, 1, NULL, "no XML element");
    if (st->in_record)
        return shn_diag_set(st->diag, SHN_ERR_PARSE, st->name, st->record_line, NULL,
                            "record not closed");
    return SHN_OK;
}

static void state_init(struct un_state *st, struct shn_listset *set, const char *name,
                       struct shn_diag *diag)
{
    memset(st, 0, sizeof *st);
    st->set = set;
    st->name = name;
    st->diag = diag;
    shn_arena_init(&st->arena, 16384, (size_t)SHN_MAX_TEXT * 64);
    shn_buf_init(&st->text, SHN_MAX_TEXT);
}

static void state_cleanup(struct un_state *st)
{
    shn_arena_cleanup(&st->arena);
    shn_buf_cleanup(&st->text);
}

int shn__un_load_mem(struct shn_listset *set, const char *data, size_t len, const char *name,
                     struct shn_diag *diag)
{
    struct un_state st;
    xmlTextReaderPtr r;
    int rc;

    if (!set || (!data && len))
        return shn_diag_set(diag, SHN_ERR_INVALID, name, 0, NULL, "bad arguments");
    if (len > INT_MAX)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, name, 0, NULL, "more than %d bytes", INT_MAX);
    shn__screen_route_allocations();
    r = xmlReaderForMemory(data ? data : "", (int)len, name, NULL, XML_PARSE_NONET);
    if (!r)
        return shn_diag_set(diag, SHN_ERR_NOMEM, name, 0, NULL, "cannot create an XML reader");
    state_init(&st, set, name, diag);
    rc = run(&st, r);
    xmlFreeTextReader(r);
    state_cleanup(&st);
    return rc;
}

int shn_screen_load_un_xml(struct shn_listset *set, const char *path, struct shn_diag *diag)
{
    struct un_state st;
    xmlTextReaderPtr r;
    unsigned long failures;
    FILE *f;
    int rc;

    if (!set || !path)
        return shn_diag_set(diag, SHN_ERR_INVALID, path, 0, NULL, "no listset or path");
    /* xmlReaderForFile reports a missing file only as a parser error; say
     * it plainly. */
    f = fopen(path, "rb");
    if (!f)
        return shn_diag_set(diag, SHN_ERR_NOT_FOUND, path, 0, NULL, "cannot open");
    fclose(f);
    shn__screen_route_allocations();
    failures = shn_alloc_failures();
    r = xmlReaderForFile(path, NULL, XML_PARSE_NONET);
    if (!r && shn_alloc_failures() != failures)
        return shn_diag_set(diag, SHN_ERR_NOMEM, path, 0, NULL, "cannot create an XML reader");
    if (!r)
        return shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "cannot open for XML reading");
    state_init(&st, set, path, diag);
    rc = run(&st, r);
    xmlFreeTextReader(r);
    if (rc == SHN_OK) {
        rc = shn__model_add_source(set, "un", path, st.date, st.added);
        if (rc != SHN_OK)
            rc = shn_diag_set(diag, rc, path, 0, NULL, "cannot record the source");
        else
            shn_log(SHN_LOG_INFO, "%s: %u entries (list of %s)", path, st.added, st.date);
    }
    state_cleanup(&st);
    return rc;
}
