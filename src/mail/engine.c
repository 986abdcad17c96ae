/* The engine: its data loaded once (engine_new), and one message checked
 * by every check in turn (shn_mail_check). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "data.h"
#include "mail_internal.h"
#include "shinsa/core/alloc.h"

#ifndef SHN_MAIL_DATA_DIR
#define SHN_MAIL_DATA_DIR "data/mail"
#endif
#ifndef SHN_MAIL_IOC_DIR
#define SHN_MAIL_IOC_DIR "../shared/data/ioc/maltrail"
#endif

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void pick(char *out, size_t size, const char *given, const char *configured, const char *env,
                 const char *fallback)
{
    const char *e = env ? getenv(env) : NULL;
    if (given)
        snprintf(out, size, "%s", given);
    else if (configured && *configured)
        snprintf(out, size, "%s", configured);
    else if (e && *e)
        snprintf(out, size, "%s", e);
    else
        snprintf(out, size, "%s", fallback ? fallback : "");
}

static int load_data(struct shn_mail_engine *e, const struct shn_mail_options *o,
                     const struct shn__mail_paths *p, struct shn_diag *diag)
{
    char dir_path[1024], ioc_path[1024], file[1200];
    int rc;

    snprintf(file, sizeof file, "%s/identities.tsv", e->data_dir);
    pick(dir_path, sizeof dir_path, o ? o->directory_path : NULL, p->directory, NULL, file);
    if ((rc = shn__mail_lists_load(e, diag)) != SHN_OK ||
        (rc = shn__mail_directory_load(dir_path, &e->directory, diag)) != SHN_OK ||
        (rc = shn__mail_spoof_open(e)) != SHN_OK)
        return rc;
    snprintf(file, sizeof file, "%s/lures.tsv", e->data_dir);
    if ((rc = shn__mail_lexicon_load(file, &e->lexicon, diag)) != SHN_OK)
        return rc;
    pick(ioc_path, sizeof ioc_path, o ? o->indicators : NULL, p->indicators, "SHINSA_MAIL_IOC",
         NULL);
    if (!ioc_path[0] && !(o && o->indicators)) {
        /* the default set: ../shared/data/ioc beside the source tree or
         * the working folder, when it is there */
        if (is_dir(SHN_MAIL_IOC_DIR))
            snprintf(ioc_path, sizeof ioc_path, "%s", SHN_MAIL_IOC_DIR);
        else if (is_dir("../shared/data/ioc/maltrail"))
            snprintf(ioc_path, sizeof ioc_path, "../shared/data/ioc/maltrail");
    }
    if (ioc_path[0]) {
        if ((rc = shn__mail_iocs_load(ioc_path, &e->iocs, diag)) != SHN_OK)
            return rc;
    } else {
        snprintf(e->iocs_why, sizeof e->iocs_why, "%s",
                 o && o->indicators ? "indicators turned off"
                                    : "no indicator files (../shared/data/ioc not found)");
    }
    if (o && o->no_ipdb)
        snprintf(e->ipdb_why, sizeof e->ipdb_why, "IP databases turned off");
    else if ((rc = shn__mail_ipdb_open(e, p->ip_country, p->ip_asn, diag)) != SHN_OK)
        return rc;
    return shn__mail_magic_open(e, diag);
}

int shn_mail_engine_new(const struct shn_mail_options *o, struct shn_mail_engine **out,
                        struct shn_diag *diag)
{
    struct shn__mail_paths p;
    struct shn_mail_engine *e = shn_calloc(1, sizeof *e);
    int rc = SHN_OK;
    if (!e)
        return SHN_ERR_NOMEM;
    memset(&p, 0, sizeof p);
    shn__mail_config_defaults(e);
    if (o && o->config_path && (rc = shn__mail_config_load(e, o->config_path, &p, diag)) != SHN_OK)
        goto out;
    pick(e->data_dir, sizeof e->data_dir, o ? o->data_dir : NULL, p.data_dir, "SHINSA_MAIL_DATA",
         SHN_MAIL_DATA_DIR);
    rc = load_data(e, o, &p, diag);
out:
    if (rc != SHN_OK) {
        shn__mail_diag_detach(diag);
        shn_mail_engine_free(e);
        return rc;
    }
    *out = e;
    return SHN_OK;
}

void shn_mail_engine_free(struct shn_mail_engine *e)
{
    if (!e)
        return;
    shn__mail_lists_free(e->lists);
    shn__mail_directory_free(e->directory);
    shn__mail_lexicon_free(e->lexicon);
    shn__mail_iocs_free(e->iocs);
    shn__mail_ipdb_close(e);
    shn__mail_magic_close(e);
    shn__mail_spoof_close(e);
    shn_free(e);
}

static void summary(struct shn_mail_result *r, const struct shn__mail_msg *m)
{
    const char *from = m->from_header ? m->from_header->value : "";
    shn__mail_copy(r->from, sizeof r->from, from, strlen(from));
    shn__mail_copy(r->subject, sizeof r->subject, m->subject, strlen(m->subject));
    r->n_parts = m->n_parts;
    for (size_t i = 0; i < m->n_parts; i++)
        r->n_attachments += m->parts[i].attachment && m->parts[i].data;
}

int shn_mail_check(const struct shn_mail_engine *e, const char *data, size_t len, const char *name,
                   long long base_offset, struct shn_mail_result **out, struct shn_diag *diag)
{
    struct shn__mail_msg m;
    struct shn__mail_ctx c;
    struct shn_mail_result *r = NULL;
    int rc;

    memset(&m, 0, sizeof m);
    if (!e || (!data && len))
        return SHN_ERR_INVALID;
    if ((rc = shn__mail_parse(data ? data : "", len, base_offset, &m, diag)) != SHN_OK)
        goto out;
    if (!(r = shn_calloc(1, sizeof *r))) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    snprintf(r->name, sizeof r->name, "%s", name ? name : "-");
    memset(&c, 0, sizeof c);
    c.e = e;
    c.m = &m;
    c.r = r;
    c.arena = &m.arena;
    summary(r, &m);
    shn__mail_check_parse(&c);
    shn__mail_check_auth(&c);
    shn__mail_check_identity(&c);
    shn__mail_check_lures(&c); /* before attachments: passwords in the text */
    shn__mail_check_links(&c);
    shn__mail_check_attachments(&c);
    shn__mail_check_infra(&c);
    shn__mail_score(r, e);
    *out = r;
    r = NULL;
out:
    shn_mail_result_free(r);
    shn__mail_msg_cleanup(&m);
    return rc;
}

void shn__mail_check_parse(struct shn__mail_ctx *c)
{
    for (size_t i = 0; i < c->m->n_parts; i++) {
        const struct shn__mail_part *p = &c->m->parts[i];
        char where[64];
        if (!p->charset_failed)
            continue;
        snprintf(where, sizeof where, "part %s", p->path);
        shn__mail_fire(c->r, c->e, SHN__C_PARSE_CHARSET, where, p->offset, 0, p->charset,
                       p->charset);
    }
}
