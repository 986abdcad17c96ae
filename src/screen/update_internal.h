/* List updates (module-internal): the config file parser and the extended
 * update entry point. docs/lists.md describes the config format.
 * The extended entry point, shn_screen_lists_update_ex(), is public
 * (screen.h). */
#ifndef SHN_SCREEN_UPDATE_INTERNAL_H
#define SHN_SCREEN_UPDATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "shinsa/core/err.h"
#include "shinsa/screen.h"

#define SHN_UPDATE_MAX_CONFIG ((size_t)64 << 10) /* bytes in a config file */
#define SHN_UPDATE_MAX_LINE 4096                 /* bytes in one config line */
#define SHN_UPDATE_MAX_FILES 64                  /* files named in one config */
#define SHN_UPDATE_MAX_URL 4096                  /* bytes in a URL, after encoding */

/* Defaults of the [settings] section. */
#define SHN_UPDATE_DEFAULT_MAX_SIZE (256ULL << 20)
#define SHN_UPDATE_DEFAULT_CONNECT_TIMEOUT 30L
#define SHN_UPDATE_DEFAULT_TIMEOUT 900L
#define SHN_UPDATE_DEFAULT_MIN_PERCENT 50

enum shn__update_group {
    SHN_UPDATE_OFAC = 0,   /* files of one folder for shn_screen_load_ofac_csv */
    SHN_UPDATE_UN = 1,     /* one XML for shn_screen_load_un_xml */
    SHN_UPDATE_CRYPTO = 2, /* files of one folder for shn_screen_load_crypto_dir */
    SHN_UPDATE_CUSTOM = 3, /* one JSON Lines file per list, shn_screen_load_custom */
    SHN_UPDATE__GROUPS
};

struct shn__update_file {
    int group;      /* enum shn__update_group */
    char key[72];   /* "ofac.sdn", "crypto.ETH", "custom.blocklist" (diagnostics) */
    char local[96]; /* path inside the temp folder: "ofac/sdn.csv" */
    char *url;      /* owned; https://, http:// (loopback only) or file:/// */
    long line;      /* where the config names it */
    bool has_sha256;
    unsigned char sha256[32];
};

struct shn__update_config {
    struct shn__update_file files[SHN_UPDATE_MAX_FILES];
    size_t n_files;
    unsigned long long max_size; /* bytes, per file */
    long connect_timeout;        /* seconds */
    long timeout;                /* seconds, per file */
    int min_percent;             /* 0 disables the shrink check */
};

/* Parses config text[0..len). `file` names it in diagnostics (caller-owned,
 * must outlive `diag`); `base_dir` (may be NULL) is the absolute folder that
 * relative paths are taken from. On success *out is a new config for
 * shn__update_config_free(). Errors: SHN_ERR_PARSE (with line and field),
 * SHN_ERR_TOO_LARGE, SHN_ERR_ENCODING, SHN_ERR_NOMEM. */
int shn__update_config_parse(const char *text, size_t len, const char *file, const char *base_dir,
                             struct shn__update_config **out, struct shn_diag *diag);
void shn__update_config_free(struct shn__update_config *cfg); /* NULL is fine */

/* SHA-256 of data (for `KEY.sha256 = HEX` in the config). */
struct shn__sha256 {
    unsigned int h[8];
    unsigned long long bytes;
    unsigned char block[64];
    size_t fill;
};
void shn__sha256_init(struct shn__sha256 *s);
void shn__sha256_update(struct shn__sha256 *s, const void *data, size_t len);
void shn__sha256_final(struct shn__sha256 *s, unsigned char out[32]);

/* Checks a download URL on libcurl's own parse of it (update_url.c): https
 * to any host, http to loopback only, file:/// with no host; never user
 * info. On success *normalized is the URL as libcurl writes it (the caller
 * frees it with shn_free). SHN_ERR_PARSE with *why saying what is wrong,
 * or SHN_ERR_NOMEM. */
int shn__update_url_check(const char *value, char **normalized, const char **why);

#endif
