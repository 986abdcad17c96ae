/* Indicator files (maltrail's format: one host, IP, IP:port, URL or URL
 * path a line; "# Reference: <url>" before a block names its source).
 * Every indicator keeps its file, line and reference as provenance. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"

#define IOC_FILE_MAX_BYTES (64u << 20)
#define IOC_FILES_MAX 64

struct ioc_load {
    struct shn__mail_iocs *i;
    const char *file;      /* interned */
    const char *reference; /* interned, the last "# Reference:" */
};

static bool ip_text(const char *s, size_t n)
{
    size_t dots = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.')
            dots++;
        else if ((s[i] < '0' || s[i] > '9') && s[i] != ':' && !(s[i] >= 'a' && s[i] <= 'f'))
            return false;
    }
    return dots == 3 || memchr(s, ':', n) != NULL;
}

static int ioc_line(void *ctx, char *line, long lineno, struct shn_diag *diag)
{
    struct ioc_load *ld = ctx;
    char *p = line;
    size_t n;
    (void)diag;
    if (strncmp(p, "http://", 7) == 0)
        p += 7;
    else if (strncmp(p, "https://", 8) == 0)
        p += 8;
    if (*p == '/') /* a path on any host */
        return shn__mail_set_add(ld->i->paths, p, strcspn(p, " \t?#"), ld->file, lineno, "",
                                 ld->reference);
    n = strcspn(p, "/ \t");
    if (p[n] == '/' && p[n + 1]) /* host/path: a page on a (often hacked) site */
        return shn__mail_set_add(ld->i->paths, p, strcspn(p, " \t?#"), ld->file, lineno, "url",
                                 ld->reference);
    if (ip_text(p, n)) {
        /* "1.2.3.4:81": the address; an IPv6 address keeps its colons */
        char *colon = strchr(p, ':');
        size_t k = colon && strchr(p, '.') ? (size_t)(colon - p) : n;
        return shn__mail_set_add(ld->i->ips, p, k, ld->file, lineno, "", ld->reference);
    }
    return shn__mail_set_add(ld->i->hosts, p, strcspn(p, ": \t/"), ld->file, lineno, "",
                             ld->reference);
}

/* Comments are dropped by the line reader; references are read in a first
 * pass of our own over the same bytes. */
static int ioc_file(struct shn__mail_iocs *i, const char *path, struct shn_diag *diag)
{
    struct ioc_load ld = {i, shn__mail_set_intern(i->hosts, path), ""};
    char *data = NULL, *p;
    size_t len = 0;
    long lineno = 0;
    int rc;
    if (!ld.file)
        return SHN_ERR_NOMEM;
    if ((rc = shn_file_read(path, IOC_FILE_MAX_BYTES, &data, &len, diag)) != SHN_OK) {
        shn__mail_diag_detach(diag);
        return rc;
    }
    for (p = data; rc == SHN_OK && p < data + len;) {
        char *nl = memchr(p, '\n', (size_t)(data + len - p)), *s;
        if (nl)
            *nl = '\0';
        lineno++;
        s = p + strspn(p, " \t");
        s[strcspn(s, "\r")] = '\0';
        if (strncmp(s, "# Reference:", 12) == 0) {
            const char *r = shn__mail_set_intern(i->hosts, s + 12 + strspn(s + 12, " "));
            if (!r)
                rc = SHN_ERR_NOMEM;
            else
                ld.reference = r;
        } else if (*s && *s != '#') {
            s[strcspn(s, " \t#")] = '\0';
            if (*s)
                rc = ioc_line(&ld, s, lineno, diag);
        }
        p = nl ? nl + 1 : data + len;
    }
    shn_free(data);
    if (rc != SHN_OK)
        shn__mail_diag_detach(diag);
    return rc;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int shn__mail_iocs_load(const char *path, struct shn__mail_iocs **out, struct shn_diag *diag)
{
    struct shn__mail_iocs *i = shn_calloc(1, sizeof *i);
    struct stat st;
    char *names[IOC_FILES_MAX];
    size_t n = 0;
    int rc = SHN_OK;
    if (!i)
        return SHN_ERR_NOMEM;
    if ((rc = shn__mail_set_new(&i->hosts)) != SHN_OK ||
        (rc = shn__mail_set_new(&i->ips)) != SHN_OK ||
        (rc = shn__mail_set_new(&i->paths)) != SHN_OK)
        goto out;
    if (stat(path, &st) != 0) {
        rc =
            shn_diag_set(diag, SHN_ERR_NOT_FOUND, NULL, 0, "indicators", "%.200s: not found", path);
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *de;
        while (d && (de = readdir(d)) && rc == SHN_OK) {
            size_t l = strlen(de->d_name);
            if (l < 5 || strcmp(de->d_name + l - 4, ".txt") != 0)
                continue;
            if (n >= IOC_FILES_MAX)
                rc = shn_diag_set(diag, SHN_ERR_TOO_LARGE, NULL, 0, "indicators",
                                  "more than %d files", IOC_FILES_MAX);
            else if (!(names[n] = shn_malloc(strlen(path) + l + 2)))
                rc = SHN_ERR_NOMEM;
            else
                snprintf(names[n], strlen(path) + l + 2, "%s/%s", path, de->d_name), n++;
        }
        if (d)
            closedir(d);
        qsort(names, n, sizeof names[0], by_name); /* a stable order: provenance is stable */
        for (size_t k = 0; k < n && rc == SHN_OK; k++)
            rc = ioc_file(i, names[k], diag);
        for (size_t k = 0; k < n; k++)
            shn_free(names[k]);
        i->files = n;
    } else {
        rc = ioc_file(i, path, diag);
        i->files = 1;
    }
out:
    if (rc != SHN_OK) {
        shn__mail_iocs_free(i);
        return rc;
    }
    *out = i;
    return SHN_OK;
}

void shn__mail_iocs_free(struct shn__mail_iocs *i)
{
    if (!i)
        return;
    shn__mail_set_free(i->hosts);
    shn__mail_set_free(i->ips);
    shn__mail_set_free(i->paths);
    shn_free(i);
}
