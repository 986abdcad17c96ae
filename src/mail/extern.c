/* The engine's outside helpers: the accounts engine's IP databases
 * (through accounts.h) and libmagic (behind a mutex, since a magic_t is
 * not thread-safe). */
#include <pthread.h>
#include <string.h>

#include <magic.h>

#include "data.h"
#include "shinsa/accounts.h"
#include "shinsa/core/alloc.h"

int shn__mail_ipdb_open(struct shn_mail_engine *e, const char *country, const char *asn,
                        struct shn_diag *diag)
{
    int rc = shn_accounts_ipdb_open(country && *country ? country : NULL, asn && *asn ? asn : NULL,
                                    &e->ipdb, diag);
    if (rc != SHN_OK)
        return rc;
    if (!shn_accounts_ipdb_has_country(e->ipdb))
        snprintf(e->ipdb_why, sizeof e->ipdb_why,
                 "no IP country database installed (scripts/install-deps.sh)");
    return SHN_OK;
}

void shn__mail_ipdb_close(struct shn_mail_engine *e)
{
    shn_accounts_ipdb_close(e->ipdb);
    e->ipdb = NULL;
}

int shn__mail_magic_open(struct shn_mail_engine *e, struct shn_diag *diag)
{
    pthread_mutex_t *lock = shn_malloc(sizeof *lock);
    magic_t m;
    (void)diag;
    if (!lock)
        return SHN_ERR_NOMEM;
    pthread_mutex_init(lock, NULL);
    e->magic_lock = lock;
    m = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF);
    if (m && magic_load(m, NULL) != 0) {
        magic_close(m);
        m = NULL;
    }
    e->magic = m; /* NULL: types unknown, said in each result */
    return SHN_OK;
}

void shn__mail_magic_close(struct shn_mail_engine *e)
{
    if (e->magic)
        magic_close(e->magic);
    if (e->magic_lock) {
        pthread_mutex_destroy(e->magic_lock);
        shn_free(e->magic_lock);
    }
    e->magic = NULL;
    e->magic_lock = NULL;
}

void shn__mail_magic_type(const struct shn_mail_engine *e, const void *data, size_t len, char *out,
                          size_t size)
{
    const char *t = NULL;
    out[0] = '\0';
    if (!e->magic || !len)
        return;
    pthread_mutex_lock(e->magic_lock);
    t = magic_buffer(e->magic, data, len);
    if (t)
        snprintf(out, size, "%s", t);
    pthread_mutex_unlock(e->magic_lock);
}
