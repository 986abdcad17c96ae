/* OFAC's legacy CSV set. Four files per list, no header lines, "-0- " for
 * an empty field, a Ctrl-Z at the end:
 *
 *   sdn.csv / cons_prim.csv        ent_num, SDN_Name, SDN_Type, Program, Title,
 *                                  Call_Sign, Vess_type, Tonnage, GRT,
 *                                  Vess_flag, Vess_owner, Remarks
 *   add.csv / cons_add.csv         ent_num, add_num, address, city/state/postal,
 *                                  country, remarks
 *   alt.csv / cons_alt.csv         ent_num, alt_num, alt_type, alt_name, remarks
 *   sdn_comments / cons_comments   ent_num, remarks continued
 *
 * OFAC cuts Remarks at 1,000 bytes and puts the rest in the comments file,
 * anywhere in a word or before a space, so the two are joined byte for byte
 * before the remarks are parsed (trimming either half would glue "1027700070518"
 * to "(Russia)").
 *
 * The SDN and consolidated lists share OFAC's ent_num space, and a few
 * entries are on both (the same entity, same ent_num). Both load into one
 * entity "ofac:<ent_num>": the first list loaded keeps its source and its
 * remarks text, the second adds its names, programs, addresses and parsed
 * facts. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "loaders_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/csv.h"
#include "shinsa/core/file.h"
#include "shinsa/core/log.h"

#define OFAC_MAX_FILE (256u << 20) /* bytes in one CSV file */
#define OFAC_MAX_COMMENTS (1u << 20)

/* "-0- " (OFAC's empty) and all-space fields read as "". */
static const char *field(const struct shn_csv *r, size_t count, size_t i)
{
    const char *s;

    if (i >= count)
        return "";
    s = r->fields[i];
    while (*s == ' ')
        s++;
    if (strncmp(s, "-0-", 3) == 0) {
        const char *t = s + 3;
        while (*t == ' ')
            t++;
        if (!*t)
            return "";
    }
    return *s ? r->fields[i] : "";
}

/* ent_num: 1 to 10 digits, surrounding spaces allowed. */
static int parse_ent_num(const char *s, unsigned long *out)
{
    unsigned long v = 0;
    int n = 0;

    while (*s == ' ')
        s++;
    while (*s >= '0' && *s <= '9' && n < 10) {
        v = v * 10 + (unsigned long)(*s++ - '0');
        n++;
    }
    while (*s == ' ')
        s++;
    if (!n || *s || v == 0)
        return 0;
    *out = v;
    return 1;
}

static int bad_ent_num(const struct shn_csv *r, const char *text, struct shn_diag *diag)
{
    shn_diag_set(diag, SHN_ERR_PARSE, r->file, r->record_line, "ent_num",
                 "not an entry number: \"%.40s\"", text);
    return SHN_ERR_PARSE;
}

/* ---- Comments --------------------------------------------------------- */

/* Reads the next record of an OFAC file: at least min_fields fields and a
 * valid ent_num first. Returns SHN_OK, SHN_ERR_NOT_FOUND at the end of the
 * file, or an error with the diagnostic naming file and line; `layout`
 * names the expected fields for that message. */
static int next_record(struct shn_csv *r, size_t min_fields, const char *layout, size_t *count,
                       unsigned long *ent, struct shn_diag *diag)
{
    int rc = shn_csv_next(r, count, diag);

    if (rc != SHN_OK)
        return rc;
    if (*count < min_fields)
        return shn_diag_set(diag, SHN_ERR_PARSE, r->file, r->record_line, NULL,
                            "%zu fields, expected %s", *count, layout);
    if (!parse_ent_num(r->fields[0], ent))
        return bad_ent_num(r, r->fields[0], diag);
    return SHN_OK;
}

struct comment {
    unsigned long ent;
    size_t order;
    char *text;
};

struct comments {
    struct comment *items;
    size_t n, cap;
};

static void comments_cleanup(struct comments *c)
{
    for (size_t i = 0; i < c->n; i++)
        shn_free(c->items[i].text);
    shn_free(c->items);
    memset(c, 0, sizeof *c);
}

static int comment_cmp(const void *a, const void *b)
{
    const struct comment *x = a, *y = b;

    if (x->ent != y->ent)
        return x->ent < y->ent ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int comments_load(struct comments *c, const char *data, size_t len, const char *name,
                         struct shn_diag *diag)
{
    struct shn_csv r;
    size_t count;
    int rc;

    shn_csv_init(&r, data, len, name);
    for (;;) {
        unsigned long ent;
        rc = next_record(&r, 1, "ent_num, remarks", &count, &ent, diag);
        if (rc == SHN_ERR_NOT_FOUND) {
            rc = SHN_OK;
            break;
        }
        if (rc != SHN_OK)
            goto out;
        if (count < 2)
            continue;
        if (c->n == c->cap) {
            size_t want = c->cap ? c->cap * 2 : 64, bytes;
            struct comment *p;
            if (want > OFAC_MAX_COMMENTS) {
                rc = shn_diag_set(diag, SHN_ERR_TOO_LARGE, name, r.record_line, NULL,
                                  "more than %u comment records", OFAC_MAX_COMMENTS);
                goto out;
            }
            if (!shn_size_mul(want, sizeof *p, &bytes)) {
                rc = SHN_ERR_TOO_LARGE;
                goto out;
            }
            p = shn_realloc(c->items, bytes);
            if (!p) {
                rc = shn_diag_set(diag, SHN_ERR_NOMEM, name, r.record_line, NULL, "out of memory");
                goto out;
            }
            c->items = p;
            c->cap = want;
        }
        /* Not field(): a continuation may legitimately start with spaces. */
        c->items[c->n].text = shn_strndup(r.fields[1], r.lengths[1]);
        if (!c->items[c->n].text) {
            rc = shn_diag_set(diag, SHN_ERR_NOMEM, name, r.record_line, NULL, "out of memory");
            goto out;
        }
        c->items[c->n].ent = ent;
        c->items[c->n].order = c->n;
        c->n++;
    }
    if (c->n)
        qsort(c->items, c->n, sizeof *c->items, comment_cmp);
out:
    shn_csv_cleanup(&r);
    return rc;
}

/* Appends every continuation of `ent`, in file order, to b. */
static int comments_append(const struct comments *c, unsigned long ent, struct shn_buf *b)
{
    size_t lo = 0, hi = c->n;
    int rc = SHN_OK;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->items[mid].ent < ent)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < c->n && c->items[lo].ent == ent && rc == SHN_OK; lo++)
        rc = shn_buf_append_str(b, c->items[lo].text);
    return rc;
}

/* ---- Primary records -------------------------------------------------- */

static int kind_of(const char *type)
{
    while (*type == ' ')
        type++;
    if (!*type)
        return SHN_KIND_ORGANIZATION;
    if (strncmp(type, "individual", 10) == 0)
        return SHN_KIND_PERSON;
    if (strncmp(type, "vessel", 6) == 0)
        return SHN_KIND_VESSEL;
    if (strncmp(type, "aircraft", 8) == 0)
        return SHN_KIND_AIRCRAFT;
    return -1;
}

/* "DPRK] [DPRK2" -> DPRK, DPRK2 (brackets at the ends tolerated). */
static int add_programs(struct shn_listset *set, struct shn_entity *e, const char *s)
{
    char one[256];
    int rc = SHN_OK;

    while (*s && rc == SHN_OK) {
        const char *end = strstr(s, "] [");
        size_t n = end ? (size_t)(end - s) : strlen(s);
        const char *p = s;
        size_t m = n;
        while (m && (*p == '[' || *p == ' '))
            p++, m--;
        while (m && (p[m - 1] == ']' || p[m - 1] == ' '))
            m--;
        if (m >= sizeof one)
            m = sizeof one - 1;
        memcpy(one, p, m);
        one[m] = '\0';
        rc = shn__model_add_program(set, e, one);
        s += n;
        if (end)
            s += 3;
    }
    return rc;
}

static int entity_id(char *buf, size_t size, unsigned long ent)
{
    return (size_t)snprintf(buf, size, "ofac:%lu", ent) < size;
}

static int load_prim(struct shn_listset *set, const struct shn_ofac_mem *m, const char *source,
                     const struct comments *com, struct shn_ofac_remarks_stats *stats,
                     uint32_t *added, struct shn_diag *diag)
{
    struct shn_csv r;
    struct shn_buf remarks;
    size_t count;
    int rc;

    shn_csv_init(&r, m->prim, m->prim_len, m->prim_name);
    shn_buf_init(&remarks, SHN_MAX_TEXT);
    for (;;) {
        unsigned long ent;
        char id[32];
        const char *name, *type;
        struct shn_entity *e;
        uint32_t before = set->n_entities;
        int kind;

        rc = next_record(&r, 4, "12 (ent_num, SDN_Name, SDN_Type, Program, ..., Remarks)", &count,
                         &ent, diag);
        if (rc == SHN_ERR_NOT_FOUND) {
            rc = SHN_OK;
            break;
        }
        if (rc != SHN_OK)
            goto out;
        name = field(&r, count, 1);
        if (!*name) {
            rc = shn_diag_set(diag, SHN_ERR_PARSE, r.file, r.record_line, "SDN_Name",
                              "entry %lu has no name", ent);
            goto out;
        }
        type = field(&r, count, 2);
        kind = kind_of(type);
        if (kind < 0) {
            shn_log(SHN_LOG_WARN, "%s:%ld: unknown SDN_Type \"%.40s\"", r.file, r.record_line,
                    type);
            kind = SHN_KIND_UNKNOWN;
        }
        entity_id(id, sizeof id, ent);
        e = shn__model_entity(set, id, source, kind);
        if (!e) {
            rc = shn_diag_set(
                diag, set->n_entities >= SHN_MAX_ENTITIES ? SHN_ERR_TOO_LARGE : SHN_ERR_NOMEM,
                r.file, r.record_line, NULL, "cannot add entry %lu", ent);
            goto out;
        }
        if (set->n_entities > before && added)
            (*added)++;
        rc = shn__model_add_name(set, e, name, SHN_ALIAS_PRIMARY);
        if (rc == SHN_OK)
            rc = add_programs(set, e, field(&r, count, 3));
        if (rc == SHN_OK && *field(&r, count, 5))
            rc = shn__model_add_ident(set, e, SHN_ID_OTHER, field(&r, count, 5), NULL, NULL);
        shn_buf_reset(&remarks);
        if (rc == SHN_OK)
            rc = shn_buf_append_str(&remarks, field(&r, count, 11));
        if (rc == SHN_OK)
            rc = comments_append(com, ent, &remarks);
        if (rc == SHN_OK && remarks.len)
            rc = shn__ofac_parse_remarks(set, e, remarks.data, stats);
        if (rc != SHN_OK) {
            rc = shn_diag_set(diag, rc, r.file, r.record_line, NULL, "entry %lu: %s", ent,
                              shn_strerror(rc));
            goto out;
        }
    }
out:
    shn_buf_cleanup(&remarks);
    shn_csv_cleanup(&r);
    return rc;
}

/* ---- Aliases and addresses -------------------------------------------- */

/* Finds the entity a secondary record belongs to; NULL (logged, skipped)
 * for an ent_num that no primary record defined. */
static struct shn_entity *owner(struct shn_listset *set, const struct shn_csv *r, unsigned long ent)
{
    char id[32];
    struct shn_entity *e;

    entity_id(id, sizeof id, ent);
    e = shn__model_find(set, id);
    if (!e)
        shn_log(SHN_LOG_WARN, "%s:%ld: entry %lu is not in the primary file; record skipped",
                r->file, r->record_line, ent);
    return e;
}

static int load_alt(struct shn_listset *set, const struct shn_ofac_mem *m, struct shn_diag *diag)
{
    struct shn_csv r;
    size_t count;
    int rc;

    shn_csv_init(&r, m->alt, m->alt_len, m->alt_name);
    for (;;) {
        unsigned long ent;
        const char *type, *remarks;
        struct shn_entity *e;
        int strength = SHN_ALIAS_AKA;

        rc = next_record(&r, 4, "5 (ent_num, alt_num, alt_type, alt_name, remarks)", &count, &ent,
                         diag);
        if (rc == SHN_ERR_NOT_FOUND) {
            rc = SHN_OK;
            break;
        }
        if (rc != SHN_OK)
            goto out;
        e = owner(set, &r, ent);
        if (!e)
            continue;
        type = field(&r, count, 2);
        remarks = field(&r, count, 4);
        if (strstr(type, "fka") || strstr(type, "nka"))
            strength = SHN_ALIAS_FKA;
        if (strstr(remarks, "weak") || strstr(remarks, "Weak") || strstr(remarks, "WEAK") ||
            strstr(remarks, "low quality") || strstr(remarks, "Low quality"))
            strength = SHN_ALIAS_WEAK;
        rc = shn__model_add_name(set, e, field(&r, count, 3), strength);
        if (rc != SHN_OK) {
            rc = shn_diag_set(diag, rc, r.file, r.record_line, "alt_name", "%s", shn_strerror(rc));
            goto out;
        }
    }
out:
    shn_csv_cleanup(&r);
    return rc;
}

static int load_add(struct shn_listset *set, const struct shn_ofac_mem *m, struct shn_diag *diag)
{
    struct shn_csv r;
    struct shn_buf b;
    size_t count;
    int rc;

    shn_csv_init(&r, m->add, m->add_len, m->add_name);
    shn_buf_init(&b, SHN_MAX_TEXT);
    for (;;) {
        unsigned long ent;
        struct shn_entity *e;

        rc = next_record(&r, 5, "6 (ent_num, add_num, address, city, country, remarks)", &count,
                         &ent, diag);
        if (rc == SHN_ERR_NOT_FOUND) {
            rc = SHN_OK;
            break;
        }
        if (rc != SHN_OK)
            goto out;
        e = owner(set, &r, ent);
        if (!e)
            continue;
        shn_buf_reset(&b);
        for (size_t i = 2; i <= 4 && rc == SHN_OK; i++) {
            const char *part = field(&r, count, i);
            if (!*part)
                continue;
            if (b.len)
                rc = shn_buf_append_str(&b, ", ");
            if (rc == SHN_OK)
                rc = shn_buf_append_str(&b, part);
        }
        if (rc == SHN_OK && b.len)
            rc = shn__model_add_address(set, e, b.data);
        if (rc != SHN_OK) {
            rc = shn_diag_set(diag, rc, r.file, r.record_line, "address", "%s", shn_strerror(rc));
            goto out;
        }
    }
out:
    shn_buf_cleanup(&b);
    shn_csv_cleanup(&r);
    return rc;
}

int shn__ofac_load_mem(struct shn_listset *set, const struct shn_ofac_mem *m, const char *source,
                       struct shn_ofac_remarks_stats *stats, uint32_t *added, struct shn_diag *diag)
{
    struct comments com = {0};
    int rc = SHN_OK;

    if (!set || !m || !m->prim || !source)
        return SHN_ERR_INVALID;
    if (m->comments) {
        rc = comments_load(&com, m->comments, m->comments_len, m->comments_name, diag);
        if (rc != SHN_OK)
            goto out;
    }
    rc = load_prim(set, m, source, &com, stats, added, diag);
    if (rc == SHN_OK && m->alt)
        rc = load_alt(set, m, diag);
    if (rc == SHN_OK && m->add)
        rc = load_add(set, m, diag);
out:
    comments_cleanup(&com);
    return rc;
}

/* ---- Files ------------------------------------------------------------ */

/* dir + "/" + name, in the set's arena so that a diagnostic naming it
 * outlives this call. NULL when out of memory. */
static const char *join_path(struct shn_listset *set, const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name), total;
    char *p;

    if (!shn_size_add(a, b, &total) || !shn_size_add(total, 2, &total))
        return NULL;
    p = shn_arena_alloc(&set->arena, total);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
    return p;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Reads an optional file: *data stays NULL when it does not exist. */
static int read_optional(const char *path, char **data, size_t *len, struct shn_diag *diag)
{
    if (!exists(path))
        return SHN_OK;
    return shn_file_read(path, OFAC_MAX_FILE, data, len, diag);
}

static void file_date(const char *path, char *out, size_t size)
{
    struct stat st;
    struct tm tm;

    out[0] = '\0';
    if (stat(path, &st) == 0 && gmtime_r(&st.st_mtime, &tm))
        strftime(out, size, "%Y-%m-%d", &tm);
}

static int load_set(struct shn_listset *set, const char *dir, const char *const names[4],
                    const char *source, struct shn_diag *diag)
{
    struct shn_ofac_mem m = {0};
    struct shn_ofac_remarks_stats stats = {0};
    const char *paths[4];
    char *data[4] = {NULL, NULL, NULL, NULL};
    size_t lens[4] = {0, 0, 0, 0};
    char date[32];
    uint32_t added = 0;
    int rc = SHN_OK;

    for (int i = 0; i < 4; i++) {
        paths[i] = join_path(set, dir, names[i]);
        if (!paths[i]) {
            rc = shn_diag_set(diag, SHN_ERR_NOMEM, dir, 0, NULL, "out of memory");
            goto out;
        }
    }
    rc = shn_file_read(paths[0], OFAC_MAX_FILE, &data[0], &lens[0], diag);
    for (int i = 1; i < 4 && rc == SHN_OK; i++)
        rc = read_optional(paths[i], &data[i], &lens[i], diag);
    if (rc != SHN_OK)
        goto out;
    m.prim = data[0];
    m.prim_len = lens[0];
    m.prim_name = paths[0];
    m.add = data[1];
    m.add_len = lens[1];
    m.add_name = paths[1];
    m.alt = data[2];
    m.alt_len = lens[2];
    m.alt_name = paths[2];
    m.comments = data[3];
    m.comments_len = lens[3];
    m.comments_name = paths[3];
    rc = shn__ofac_load_mem(set, &m, source, &stats, &added, diag);
    if (rc != SHN_OK)
        goto out;
    file_date(paths[0], date, sizeof date);
    rc = shn__model_add_source(set, source, dir, date, added);
    if (rc != SHN_OK) {
        rc = shn_diag_set(diag, rc, paths[0], 0, NULL, "cannot record the source");
        goto out;
    }
    shn_log(SHN_LOG_INFO,
            "%s: %u entries; remarks: %lu facts, %lu parsed, %lu skipped, %lu not "
            "understood",
            paths[0], added, stats.facts, stats.parsed, stats.ignored, stats.unparsed);
out:
    for (int i = 0; i < 4; i++)
        shn_free(data[i]);
    return rc;
}

int shn_screen_load_ofac_csv(struct shn_listset *set, const char *dir, struct shn_diag *diag)
{
    static const char *const sdn[4] = {"sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"};
    static const char *const cons[4] = {"cons_prim.csv", "cons_add.csv", "cons_alt.csv",
                                        "cons_comments.csv"};
    const char *sdn_path, *cons_path;
    int have_sdn, have_cons, rc = SHN_OK;

    if (!set || !dir)
        return shn_diag_set(diag, SHN_ERR_INVALID, NULL, 0, NULL, "no listset or folder");
    sdn_path = join_path(set, dir, sdn[0]);
    cons_path = join_path(set, dir, cons[0]);
    if (!sdn_path || !cons_path)
        return shn_diag_set(diag, SHN_ERR_NOMEM, dir, 0, NULL, "out of memory");
    have_sdn = exists(sdn_path);
    have_cons = exists(cons_path);
    if (!have_sdn && !have_cons) {
        rc = shn_diag_set(diag, SHN_ERR_NOT_FOUND, sdn_path, 0, NULL,
                          "neither sdn.csv nor cons_prim.csv in %s", dir);
        goto out;
    }
    if (have_sdn)
        rc = load_set(set, dir, sdn, "ofac", diag);
    if (rc == SHN_OK && have_cons)
        rc = load_set(set, dir, cons, "ofac-cons", diag);
out:
    return rc;
}
