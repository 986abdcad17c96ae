/* The mail engine's config file and defaults (config.c). */
#ifndef SHN_MAIL_CONFIG_H
#define SHN_MAIL_CONFIG_H

#include "mail_internal.h"

/* The paths a config may name; "" = not named. */
struct shn__mail_paths {
    char data_dir[1024], directory[1024], indicators[1024];
    char ip_country[1024], ip_asn[1024];
};

/* The built-in weights, prior, levels and watched countries. */
void shn__mail_config_defaults(struct shn_mail_engine *e);
/* Applies the JSON config at `file` over e and p. Errors name the file
 * and the key: SHN_ERR_IO, SHN_ERR_PARSE, SHN_ERR_TOO_LARGE. */
int shn__mail_config_load(struct shn_mail_engine *e, const char *file, struct shn__mail_paths *p,
                          struct shn_diag *diag);

#endif
