/* The one entity model every list loads into (module-internal).
 *
 * A `struct shn_listset` owns everything: entities and all their strings
 * live in its arena and die with shn_screen_listset_free(). Loaders append
 * through the shn__model_* functions below, which copy their string
 * arguments, so a loader may pass pointers into its own scratch buffers. */
#ifndef SHN_SCREEN_MODEL_H
#define SHN_SCREEN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "shinsa/core/arena.h"
#include "shinsa/screen.h"

/* Bounds: past these a loader fails with SHN_ERR_TOO_LARGE. */
#define SHN_MAX_ENTITIES (1u << 22)
#define SHN_MAX_PER_ENTITY 4096 /* names, dates, identifiers... each */
#define SHN_MAX_TEXT 65536      /* bytes in one string (remarks included) */

enum shn_alias_strength {
    SHN_ALIAS_PRIMARY = 0,
    SHN_ALIAS_AKA = 1,  /* strong a.k.a. (OFAC "aka", UN quality "Good"/"a.k.a.") */
    SHN_ALIAS_FKA = 2,  /* formerly known as (OFAC "fka"/"nka", UN "f.k.a.") */
    SHN_ALIAS_WEAK = 3, /* OFAC weak a.k.a., UN quality "Low" */
};

enum shn_date_kind {
    SHN_DATE_EXACT = 0, /* year, month, day */
    SHN_DATE_MONTH = 1, /* year and month */
    SHN_DATE_YEAR = 2,  /* year only */
    SHN_DATE_CIRCA = 3, /* about `year` (matching allows a few years either side) */
    SHN_DATE_RANGE = 4, /* between year and year_to, inclusive */
};

struct shn_date {
    uint8_t kind;     /* enum shn_date_kind */
    uint8_t month;    /* 1-12, 0 if unknown */
    uint8_t day;      /* 1-31, 0 if unknown */
    uint16_t year;    /* first (or only) year */
    uint16_t year_to; /* last year of a range; = year otherwise */
};

enum shn_ident_kind {
    SHN_ID_PASSPORT = 0,
    SHN_ID_NATIONAL = 1, /* national ID, identification number, registration... */
    SHN_ID_OTHER = 2,    /* other numbered documents (tax ID, licence, IMO...) */
    SHN_ID_EMAIL = 3,
    SHN_ID_PHONE = 4,
    SHN_ID_WEBSITE = 5,
    SHN_ID_CRYPTO = 6, /* `chain` holds the asset, e.g. "ETH", "XBT" */
    SHN_ID_HANDLE = 7, /* `chain` holds the platform, e.g. "github", "telegram" */
    SHN_ID__COUNT
};

struct shn_name {
    const char *text; /* as the list writes it, e.g. "KIM, Jong Un" */
    uint8_t strength; /* enum shn_alias_strength */
};

struct shn_ident {
    uint8_t kind;        /* enum shn_ident_kind */
    const char *value;   /* as written in the list */
    const char *chain;   /* crypto asset or handle platform; NULL otherwise */
    const char *country; /* issuing country as written; NULL if none */
};

/* Small arrays grow inside the set's arena. */
#define SHN_ARRAY(type, name)                                                                      \
    type *name;                                                                                    \
    uint32_t n_##name;                                                                             \
    uint32_t cap_##name

struct shn_entity {
    const char *id;     /* "ofac:12211", "un:KPi.001", "crypto:ETH:0x…", "custom:…" */
    const char *source; /* "ofac", "ofac-cons", "un", "crypto", or the custom list's name */
    uint8_t kind;       /* enum shn_entity_kind (screen.h) */
    SHN_ARRAY(struct shn_name, names); /* names[0] is the primary name */
    SHN_ARRAY(struct shn_date, dobs);
    SHN_ARRAY(const char *, pobs);
    SHN_ARRAY(const char *, nationalities); /* ISO 3166 alpha-2 when known, else as written */
    SHN_ARRAY(const char *, addresses);
    SHN_ARRAY(struct shn_ident, idents);
    SHN_ARRAY(const char *, programs); /* "DPRK", "DPRK2", "CYBER2"... */
    const char *remarks;               /* NULL if none */
};

struct shn_source_info {
    const char *name;  /* "ofac", "un", ... */
    const char *path;  /* file or folder it came from */
    const char *date;  /* the list's own date when known (UN dateGenerated), else file mtime */
    uint32_t entities; /* how many entities it added */
};

struct shn_listset {
    struct shn_arena arena;
    struct shn_entity **entities;
    uint32_t n_entities, cap_entities;
    struct shn_source_info sources[64];
    uint32_t n_sources;
    /* id -> entity lookup for loaders that attach to earlier records
     * (OFAC add.csv/alt.csv refer to sdn.csv by ent_num). */
    struct shn_entity **by_id_slots;
    uint32_t by_id_cap;
};

/* Creates an entity with the given id (copied) and source; returns NULL on
 * allocation failure or SHN_MAX_ENTITIES. If an entity with the same id
 * exists already, returns that one (lists may repeat an id). */
struct shn_entity *shn__model_entity(struct shn_listset *set, const char *id, const char *source,
                                     int kind);
/* Finds an entity by id, or NULL. */
struct shn_entity *shn__model_find(const struct shn_listset *set, const char *id);

/* Each returns SHN_OK, SHN_ERR_NOMEM or SHN_ERR_TOO_LARGE. Empty or
 * all-space strings are ignored (SHN_OK). Exact duplicates are not added. */
int shn__model_add_name(struct shn_listset *set, struct shn_entity *e, const char *text,
                        int strength);
int shn__model_add_dob(struct shn_listset *set, struct shn_entity *e, const struct shn_date *d);
int shn__model_add_pob(struct shn_listset *set, struct shn_entity *e, const char *text);
int shn__model_add_nationality(struct shn_listset *set, struct shn_entity *e, const char *text);
int shn__model_add_address(struct shn_listset *set, struct shn_entity *e, const char *text);
int shn__model_add_ident(struct shn_listset *set, struct shn_entity *e, int kind, const char *value,
                         const char *chain, const char *country);
int shn__model_add_program(struct shn_listset *set, struct shn_entity *e, const char *text);
/* OFAC's sdn_comments.csv continues a Remarks field: load_ofac.c joins the
 * two before the remarks are parsed and set, so remarks are set once. */
int shn__model_set_remarks(struct shn_listset *set, struct shn_entity *e, const char *text);

/* Records where a source came from; name/path/date are copied. */
int shn__model_add_source(struct shn_listset *set, const char *name, const char *path,
                          const char *date, uint32_t entities);

#endif
