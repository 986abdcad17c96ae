/* The protected-identity directory (docs/mail.md, "Directory"): a TSV
 * file the organisation supplies, one identity a line:
 *
 *   kind <TAB> name <TAB> domain,domain... <TAB> alias|alias...
 *
 * kind is a word (portal, gov, press, think, finance, defence, crypto,
 * person, org); domains are registrable domains it sends from; aliases are
 * the names a display name may use (네이버, NAVER, 国税庁). */
#include <string.h>

#include "data.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/utf8.h"

#define DIRECTORY_MAX_BYTES (4u << 20)
#define DIRECTORY_MAX 20000

void shn__mail_fold_name(const char *s, char *out, size_t size)
{
    size_t n = 0, len = strlen(s);
    for (size_t i = 0; i < len && n + 5 < size;) {
        uint32_t cp;
        size_t used = shn_utf8_decode(s + i, len - i, &cp);
        if (used == 0) {
            i++;
            continue;
        }
        i += used;
        if (cp >= 0xFF01 && cp <= 0xFF5E) /* full-width ASCII */
            cp -= 0xFEE0;
        if (cp < 0x80) {
            if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
                out[n++] = (char)cp;
            else if (cp >= 'A' && cp <= 'Z')
                out[n++] = (char)(cp + 32);
            continue; /* blanks and punctuation dropped */
        }
        if (cp == 0x3000 || cp == 0x30FB || cp == 0x00B7 || (cp >= 0x2000 && cp <= 0x206F))
            continue; /* ideographic space, middle dots, general punctuation */
        n += shn_utf8_encode(cp, out + n);
    }
    out[n] = '\0';
}

struct dir_load {
    struct shn__mail_directory *d;
    size_t cap;
};

static int dir_line(void *ctx, char *line, long lineno, struct shn_diag *diag)
{
    struct dir_load *ld = ctx;
    struct shn__mail_directory *d = ld->d;
    struct shn__mail_identity *id;
    char *f[4] = {line, NULL, NULL, NULL};
    int rc;
    for (int i = 1; i < 4; i++) {
        char *tab = f[i - 1] ? strchr(f[i - 1], '\t') : NULL;
        if (tab) {
            *tab = '\0';
            f[i] = tab + 1;
        }
    }
    if (!f[2] || !*f[0] || !*f[1] || !*f[2])
        return shn_diag_set(diag, SHN_ERR_PARSE, NULL, lineno, "",
                            "not 'kind<TAB>name<TAB>domains<TAB>aliases'");
    if (d->n >= DIRECTORY_MAX)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, NULL, lineno, "", "more than %d identities",
                            DIRECTORY_MAX);
    if ((rc = shn_grow((void **)&d->v, &ld->cap, d->n + 1, sizeof *d->v)) != SHN_OK)
        return rc;
    id = &d->v[d->n];
    memset(id, 0, sizeof *id);
    id->line = lineno;
    shn__mail_lower(f[0], strlen(f[0]), id->kind, sizeof id->kind);
    snprintf(id->name, sizeof id->name, "%s", f[1]);
    for (char *p = f[2], *next; p && *p && id->n_domains < SHN__MAIL_DIR_DOMAINS; p = next) {
        next = strchr(p, ',');
        if (next)
            *next++ = '\0';
        while (*p == ' ')
            p++;
        if (!*p)
            continue;
        shn__mail_lower(p, strlen(p), id->domains[id->n_domains], sizeof id->domains[0]);
        rc = shn__mail_set_add(d->owned, id->domains[id->n_domains],
                               strlen(id->domains[id->n_domains]), d->path, lineno, "", "");
        if (rc != SHN_OK)
            return rc;
        id->n_domains++;
    }
    /* the name itself is an alias too */
    shn__mail_fold_name(id->name, id->aliases[0], sizeof id->aliases[0]);
    id->n_aliases = id->aliases[0][0] ? 1 : 0;
    for (char *p = f[3], *next; p && *p && id->n_aliases < SHN__MAIL_DIR_ALIASES; p = next) {
        next = strchr(p, '|');
        if (next)
            *next++ = '\0';
        shn__mail_fold_name(p, id->aliases[id->n_aliases], sizeof id->aliases[0]);
        if (id->aliases[id->n_aliases][0])
            id->n_aliases++;
    }
    d->n++;
    return SHN_OK;
}

int shn__mail_directory_load(const char *path, struct shn__mail_directory **out,
                             struct shn_diag *diag)
{
    struct shn__mail_directory *d = shn_calloc(1, sizeof *d);
    struct dir_load ld = {d, 0};
    int rc;
    if (!d)
        return SHN_ERR_NOMEM;
    snprintf(d->path, sizeof d->path, "%s", path);
    if ((rc = shn__mail_set_new(&d->owned)) == SHN_OK)
        rc = shn__mail_data_lines(d->path, DIRECTORY_MAX_BYTES, dir_line, &ld, diag);
    if (rc != SHN_OK) {
        shn__mail_directory_free(d);
        return rc;
    }
    *out = d;
    return SHN_OK;
}

void shn__mail_directory_free(struct shn__mail_directory *d)
{
    if (!d)
        return;
    shn__mail_set_free(d->owned);
    shn_free(d->v);
    shn_free(d);
}

const struct shn__mail_identity *shn__mail_directory_owner(const struct shn__mail_directory *d,
                                                           const char *reg)
{
    const struct shn__mail_entry *e;
    if (!d || !(e = shn__mail_set_get(d->owned, reg, strlen(reg))))
        return NULL;
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].line == e->line)
            return &d->v[i];
    return NULL;
}
