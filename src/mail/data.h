/* The engine's data: domain lists, the protected-identity directory, the
 * lure lexicon, the indicator files, the IP databases and libmagic. All
 * read once by shn_mail_engine_new and read-only after (libmagic, which is
 * not, sits behind a mutex). */
#ifndef SHN_MAIL_DATA_H
#define SHN_MAIL_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mail_internal.h"

/* ---- a set of strings with where each came from (file, line, tag) */

struct shn__mail_entry {
    const char *key; /* lower case */
    const char *file;
    long line;
    const char *tag;  /* the line's second field ("kr"), or "" */
    const char *note; /* a reference for indicators, or "" */
};

struct shn__mail_set;
int shn__mail_set_new(struct shn__mail_set **out);
void shn__mail_set_free(struct shn__mail_set *s);
/* Adds key (copied, lowered); the first of a duplicate wins. */
int shn__mail_set_add(struct shn__mail_set *s, const char *key, size_t len, const char *file,
                      long line, const char *tag, const char *note);
const struct shn__mail_entry *shn__mail_set_get(const struct shn__mail_set *s, const char *key,
                                                size_t len);
size_t shn__mail_set_size(const struct shn__mail_set *s);
/* The entry for host or the longest of its parent domains ("a.b.kro.kr"
 * finds "kro.kr"), or NULL. */
const struct shn__mail_entry *shn__mail_set_suffix(const struct shn__mail_set *s, const char *host);
/* Copies a string into the set's storage (lives as long as the set). */
const char *shn__mail_set_intern(struct shn__mail_set *s, const char *str);

/* ---- the domain lists of data/mail/ */

enum {
    SHN__L_SHORTENERS,
    SHN__L_DYNDNS,
    SHN__L_HOSTING,
    SHN__L_TUNNELS,
    SHN__L_FREEMAIL,
    SHN__L_LOGIN_PATHS, /* path words of portal logins */
    SHN__L_COUNT
};

struct shn__mail_lists {
    struct shn__mail_set *set[SHN__L_COUNT];
};

int shn__mail_lists_load(struct shn_mail_engine *e, struct shn_diag *diag);
void shn__mail_lists_free(struct shn__mail_lists *l);
const struct shn__mail_entry *shn__mail_list_host(const struct shn_mail_engine *e, int list,
                                                  const char *host);

/* Reads a data file line by line ('#' comments, blank lines skipped, at
 * most max_bytes); fn gets the trimmed line (writable) and its number. */
int shn__mail_data_lines(const char *path, size_t max_bytes,
                         int (*fn)(void *ctx, char *line, long lineno, struct shn_diag *diag),
                         void *ctx, struct shn_diag *diag);

/* Moves diag's file (and line) into its message, for a file name that
 * does not outlive the call. */
void shn__mail_diag_detach(struct shn_diag *d);

/* ---- registrable domains (libpsl) */

/* The registrable domain of host ("mail.naver.com" → "naver.com",
 * "x.kro.kr" → "x.kro.kr") into out; host itself when libpsl knows no
 * suffix. */
void shn__mail_registrable(const char *host, char *out, size_t size);

/* ---- the protected-identity directory */

#define SHN__MAIL_DIR_DOMAINS 8
#define SHN__MAIL_DIR_ALIASES 8

struct shn__mail_identity {
    char kind[16]; /* portal, gov, press, think, finance, person, org, ... */
    char name[128];
    char domains[SHN__MAIL_DIR_DOMAINS][96]; /* registrable domains, lower case */
    char labels[SHN__MAIL_DIR_DOMAINS][64];  /* their first labels ("naver") */
    char skels[SHN__MAIL_DIR_DOMAINS][96];   /* ICU skeletons of the labels; "" = none */
    size_t n_domains;
    char aliases[SHN__MAIL_DIR_ALIASES][128]; /* folded: lower case, no blanks */
    size_t n_aliases;
    long line;
};

struct shn__mail_directory {
    struct shn__mail_identity *v;
    size_t n;
    char path[1024];
    struct shn__mail_set *owned; /* registrable domain → identity index (tag) */
};

int shn__mail_directory_load(const char *path, struct shn__mail_directory **out,
                             struct shn_diag *diag);
void shn__mail_directory_free(struct shn__mail_directory *d);
/* The identity owning registrable domain reg, or NULL. */
const struct shn__mail_identity *shn__mail_directory_owner(const struct shn__mail_directory *d,
                                                           const char *reg);
/* Folds a name for alias matching: lower case, blanks and punctuation
 * dropped, full-width ASCII to ASCII. */
void shn__mail_fold_name(const char *s, char *out, size_t size);

/* True when host (registrable domain reg) imitates a protected identity
 * (*who, NULL for a mixed-script name), with how ("1 edit away from
 * naver.com") in how[size]. */
bool shn__mail_lookalike(const struct shn_mail_engine *e, const char *host, const char *reg,
                         const struct shn__mail_identity **who, char *how, size_t size);
/* Opens ICU's spoof checkers and fills the directory's labels and
 * skeletons (after the directory is loaded). */
int shn__mail_spoof_open(struct shn_mail_engine *e);
void shn__mail_spoof_close(struct shn_mail_engine *e);

/* ---- the lure lexicon */

struct shn__mail_lexicon;
int shn__mail_lexicon_load(const char *path, struct shn__mail_lexicon **out, struct shn_diag *diag);
void shn__mail_lexicon_free(struct shn__mail_lexicon *lx);

/* ---- indicator files */

struct shn__mail_iocs {
    struct shn__mail_set *hosts, *ips, *paths;
    size_t files;
};

/* Reads every *.txt under path (a folder) or the one file. */
int shn__mail_iocs_load(const char *path, struct shn__mail_iocs **out, struct shn_diag *diag);
void shn__mail_iocs_free(struct shn__mail_iocs *i);

/* ---- the IP databases (the accounts engine's) and libmagic */

int shn__mail_ipdb_open(struct shn_mail_engine *e, const char *country, const char *asn,
                        struct shn_diag *diag);
void shn__mail_ipdb_close(struct shn_mail_engine *e);

int shn__mail_magic_open(struct shn_mail_engine *e, struct shn_diag *diag);
void shn__mail_magic_close(struct shn_mail_engine *e);
/* The MIME type libmagic sees in data ("application/x-ms-shortcut"), or
 * "" when libmagic is not there. */
void shn__mail_magic_type(const struct shn_mail_engine *e, const void *data, size_t len, char *out,
                          size_t size);

#endif
