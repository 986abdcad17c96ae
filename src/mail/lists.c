/* The domain lists of data/mail/ (shorteners, dynamic DNS, free hosting,
 * tunnels, free mail, portal login paths): one entry a line, an optional
 * tag after a blank ("kr": Korean, the DPRK favourites), '#' comments.
 * Registrable domains come from libpsl's built-in Public Suffix List. */
#include <string.h>

#include <libpsl.h>

#include "data.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"

#define LIST_MAX_BYTES (4u << 20)

static char *trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t' || *s == '\r')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

int shn__mail_data_lines(const char *path, size_t max_bytes,
                         int (*fn)(void *ctx, char *line, long lineno, struct shn_diag *diag),
                         void *ctx, struct shn_diag *diag)
{
    char *data = NULL, *p;
    size_t len = 0;
    long lineno = 0;
    int rc = shn_file_read(path, max_bytes, &data, &len, diag);
    if (rc != SHN_OK)
        return rc;
    for (p = data; rc == SHN_OK && p < data + len;) {
        char *nl = memchr(p, '\n', (size_t)(data + len - p)), *line;
        if (nl)
            *nl = '\0';
        lineno++;
        line = trim(p);
        if (*line && *line != '#')
            rc = fn(ctx, line, lineno, diag);
        p = nl ? nl + 1 : data + len;
    }
    shn_free(data);
    if (rc == SHN_ERR_PARSE && diag && !diag->file)
        diag->file = path;
    return rc;
}

struct list_load {
    struct shn__mail_set *set;
    const char *file;
};

static int list_line(void *ctx, char *line, long lineno, struct shn_diag *diag)
{
    struct list_load *ld = ctx;
    char *tag = line + strcspn(line, " \t");
    int rc;
    if (*tag) {
        *tag++ = '\0';
        tag = trim(tag);
        if (*tag == '#')
            tag = (char *)"";
        else
            tag[strcspn(tag, " \t#")] = '\0';
    }
    rc = shn__mail_set_add(ld->set, line, strlen(line), ld->file, lineno, tag, "");
    if (rc == SHN_ERR_TOO_LARGE)
        rc = shn_diag_set(diag, rc, NULL, lineno, "", "too many entries");
    return rc;
}

static const char *const list_files[SHN__L_COUNT] = {
    [SHN__L_SHORTENERS] = "shorteners.txt", [SHN__L_DYNDNS] = "dyndns.txt",
    [SHN__L_HOSTING] = "hosting.txt",       [SHN__L_TUNNELS] = "tunnels.txt",
    [SHN__L_FREEMAIL] = "freemail.txt",     [SHN__L_LOGIN_PATHS] = "login-paths.txt",
};

int shn__mail_lists_load(struct shn_mail_engine *e, struct shn_diag *diag)
{
    struct shn__mail_lists *l = shn_calloc(1, sizeof *l);
    int rc = SHN_OK;
    if (!l)
        return SHN_ERR_NOMEM;
    for (int i = 0; rc == SHN_OK && i < SHN__L_COUNT; i++) {
        char path[1200];
        struct list_load ld;
        if ((rc = shn__mail_set_new(&l->set[i])) != SHN_OK)
            break;
        snprintf(path, sizeof path, "%s/%s", e->data_dir, list_files[i]);
        ld.set = l->set[i];
        /* the path is kept: signals and diagnostics point at it */
        ld.file = shn__mail_set_intern(l->set[i], path);
        if (!ld.file) {
            rc = SHN_ERR_NOMEM;
            break;
        }
        rc = shn__mail_data_lines(ld.file, LIST_MAX_BYTES, list_line, &ld, diag);
    }
    if (rc != SHN_OK) {
        shn__mail_lists_free(l);
        return rc;
    }
    e->lists = l;
    return SHN_OK;
}

void shn__mail_lists_free(struct shn__mail_lists *l)
{
    if (!l)
        return;
    for (int i = 0; i < SHN__L_COUNT; i++)
        shn__mail_set_free(l->set[i]);
    shn_free(l);
}

const struct shn__mail_entry *shn__mail_list_host(const struct shn_mail_engine *e, int list,
                                                  const char *host)
{
    return e->lists ? shn__mail_set_suffix(e->lists->set[list], host) : NULL;
}

void shn__mail_registrable(const char *host, char *out, size_t size)
{
    const psl_ctx_t *psl = psl_builtin();
    const char *reg = psl ? psl_registrable_domain(psl, host) : NULL;
    snprintf(out, size, "%s", reg ? reg : host);
}

void shn__mail_diag_detach(struct shn_diag *d)
{
    char msg[sizeof d->message];
    if (!d || !d->file)
        return;
    if (d->line > 0)
        snprintf(msg, sizeof msg, "%.100s:%ld: %.130s", d->file, d->line, d->message);
    else
        snprintf(msg, sizeof msg, "%.100s: %.140s", d->file, d->message);
    memcpy(d->message, msg, sizeof msg);
    d->file = NULL;
    d->line = 0;
}
