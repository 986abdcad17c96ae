/* List loaders: OFAC remarks parsing and from-memory entry points of the
 * OFAC CSV, UN XML and crypto list loaders (module-internal). The public
 * shn_screen_load_* functions read files and call these; fuzzers and tests
 * call them directly on bytes in memory. */
#ifndef SHN_SCREEN_LOADERS_INTERNAL_H
#define SHN_SCREEN_LOADERS_INTERNAL_H

#include <stddef.h>

#include "model.h"
#include "shinsa/core/err.h"

/* Routes jansson's and libxml2's allocations through shn_malloc, once per
 * process (alloc_route.c). The loaders that call them call it first; it
 * allocates nothing through shn_malloc, so it may run under a failing
 * allocation hook. */
void shn__screen_route_allocations(void);

/* ---- OFAC remarks (ofac_remarks.c) ------------------------------------ */

/* Counts of what the remarks parser recognised, summed over calls. */
struct shn_ofac_remarks_stats {
    unsigned long facts;    /* "; "-separated facts seen */
    unsigned long parsed;   /* facts turned into structured fields */
    unsigned long ignored;  /* facts known to carry nothing we store (Gender, Linked To...) */
    unsigned long unparsed; /* the rest: logged at debug level */
};

/* Parses OFAC remarks (`DOB 26 Dec 1992; POB Pyongyang, North Korea;
 * nationality Korea, North; Passport 563120356 (Korea, North); a.k.a.
 * 'X'...`) into e's structured fields, and keeps the whole string as e's
 * remarks. `remarks` may be NULL or empty. `stats` (may be NULL) is added
 * to. Returns SHN_OK, SHN_ERR_NOMEM or SHN_ERR_TOO_LARGE; text it does not
 * understand is not an error. */
int shn__ofac_parse_remarks(struct shn_listset *set, struct shn_entity *e, const char *remarks,
                            struct shn_ofac_remarks_stats *stats);

/* Parses one OFAC date fact body ("26 Dec 1992", "circa 1947", "1962",
 * "Mar 1960", "1955 to 1957", "01 Jan 1960 to 31 Dec 1962", "circa
 * 1960-1962"). Returns 1 and fills *d, or 0 when the text is no date. */
int shn__ofac_parse_date(const char *text, size_t len, struct shn_date *d);

/* ---- OFAC CSV (load_ofac.c) ------------------------------------------- */

/* The bytes of one OFAC file set: prim is sdn.csv or cons_prim.csv
 * (required); the others may have data NULL (file absent). `*_name` are
 * the paths used in diagnostics (caller-owned, must outlive the diag). */
struct shn_ofac_mem {
    const char *prim, *add, *alt, *comments;
    size_t prim_len, add_len, alt_len, comments_len;
    const char *prim_name, *add_name, *alt_name, *comments_name;
};

/* Loads one file set from memory with the given source ("ofac" or
 * "ofac-cons"). On error the set may hold part of the list. */
int shn__ofac_load_mem(struct shn_listset *set, const struct shn_ofac_mem *m, const char *source,
                       struct shn_ofac_remarks_stats *stats, uint32_t *added,
                       struct shn_diag *diag);

/* ---- UN XML (load_un.c) ----------------------------------------------- */

/* Loads a UN consolidated list held in memory; `name` names it in
 * diagnostics. */
int shn__un_load_mem(struct shn_listset *set, const char *data, size_t len, const char *name,
                     struct shn_diag *diag);

/* ---- Crypto address lists (load_crypto.c) ----------------------------- */

#define SHN_CRYPTO_MAX_ADDRESS 128 /* bytes in one address */
#define SHN_CRYPTO_MAX_ASSET 16    /* bytes in an asset code */

/* Loads one sanctioned_addresses_<asset>.txt held in memory. `*added`
 * (may be NULL) receives how many new entities it made. */
int shn__crypto_load_mem(struct shn_listset *set, const char *asset, const char *data, size_t len,
                         const char *name, uint32_t *added, struct shn_diag *diag);

#endif
