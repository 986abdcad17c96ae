/* Sanctioned digital currency addresses: a folder of
 * sanctioned_addresses_<ASSET>.txt files (as regenerated from OFAC's
 * sdn_advanced.xml), one address a line. Each address becomes its own
 * entity "crypto:<ASSET>:<address>" whose primary name is the address and
 * whose one identifier is the address on chain <ASSET>, so that a query by
 * address finds it even when the OFAC entry that lists it is not loaded.
 *
 * Blank lines and '#' comments are skipped. Anything else must look like an
 * address: printable ASCII letters and digits (plus ':' '_' '-' '.' for
 * prefixed or memo forms such as "bitcoincash:q..."), 8 to
 * SHN_CRYPTO_MAX_ADDRESS bytes; otherwise the load fails naming file and
 * line, because a list that suddenly holds prose is a broken download. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "loaders_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"
#include "shinsa/core/log.h"

#define CRYPTO_MAX_FILE (64u << 20)
#define CRYPTO_MIN_ADDRESS 8
#define CRYPTO_MAX_FILES 256
#define PREFIX "sanctioned_addresses_"
#define SUFFIX ".txt"

static int address_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
           c == '_' || c == '-' || c == '.';
}

static int asset_ok(const char *asset)
{
    size_t n = strlen(asset);

    if (n == 0 || n > SHN_CRYPTO_MAX_ASSET)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((asset[i] >= 'A' && asset[i] <= 'Z') || (asset[i] >= '0' && asset[i] <= '9') ||
              (asset[i] >= 'a' && asset[i] <= 'z')))
            return 0;
    return 1;
}

int shn__crypto_load_mem(struct shn_listset *set, const char *asset, const char *data, size_t len,
                         const char *name, uint32_t *added, struct shn_diag *diag)
{
    const char *p = data, *end = data + len;
    long line = 0;
    uint32_t count = 0;
    int rc = SHN_OK;

    if (!set || !asset || (!data && len))
        return shn_diag_set(diag, SHN_ERR_INVALID, name, 0, NULL, "bad arguments");
    if (!asset_ok(asset))
        return shn_diag_set(diag, SHN_ERR_INVALID, name, 0, NULL,
                            "asset code \"%.20s\" is not 1-%d letters or digits", asset,
                            SHN_CRYPTO_MAX_ASSET);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *start = p, *s = p, *e = nl ? nl : end;
        char id[sizeof "crypto:" + SHN_CRYPTO_MAX_ASSET + 1 + SHN_CRYPTO_MAX_ADDRESS + 1];
        char address[SHN_CRYPTO_MAX_ADDRESS + 1];
        struct shn_entity *ent;
        uint32_t before;
        size_t n;

        line++;
        p = nl ? nl + 1 : end;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            e--;
        if (s == e || *s == '#')
            continue;
        n = (size_t)(e - s);
        if (n > SHN_CRYPTO_MAX_ADDRESS) {
            rc = shn_diag_set(diag, SHN_ERR_PARSE, name, line, "address",
                              "%zu bytes, longer than any address (%d)", n, SHN_CRYPTO_MAX_ADDRESS);
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            if (!address_char((unsigned char)s[i])) {
                rc = shn_diag_set(diag, SHN_ERR_PARSE, name, line, "address",
                                  "byte 0x%02x at column %zu cannot be in an address",
                                  (unsigned char)s[i], (size_t)(s - start) + i + 1);
                goto out;
            }
        }
        if (n < CRYPTO_MIN_ADDRESS) {
            rc = shn_diag_set(diag, SHN_ERR_PARSE, name, line, "address",
                              "\"%.*s\" is too short for an address", (int)n, s);
            goto out;
        }
        memcpy(address, s, n);
        address[n] = '\0';
        snprintf(id, sizeof id, "crypto:%s:%s", asset, address);
        before = set->n_entities;
        ent = shn__model_entity(set, id, "crypto", SHN_KIND_UNKNOWN);
        if (!ent) {
            rc = shn_diag_set(
                diag, set->n_entities >= SHN_MAX_ENTITIES ? SHN_ERR_TOO_LARGE : SHN_ERR_NOMEM, name,
                line, NULL, "cannot add the address");
            goto out;
        }
        if (set->n_entities > before)
            count++;
        rc = shn__model_add_name(set, ent, address, SHN_ALIAS_PRIMARY);
        if (rc == SHN_OK)
            rc = shn__model_add_ident(set, ent, SHN_ID_CRYPTO, address, asset, NULL);
        if (rc != SHN_OK) {
            rc = shn_diag_set(diag, rc, name, line, NULL, "%s", shn_strerror(rc));
            goto out;
        }
    }
out:
    if (added)
        *added += count;
    return rc;
}

/* Asset code of "sanctioned_addresses_ETH.txt" into asset; 0 if the name
 * is not one of ours. */
static int asset_of(const char *file, char *asset, size_t size)
{
    size_t n = strlen(file), pre = strlen(PREFIX), suf = strlen(SUFFIX);

    if (n <= pre + suf || strncmp(file, PREFIX, pre) != 0 || strcmp(file + n - suf, SUFFIX) != 0)
        return 0;
    n -= pre + suf;
    if (n >= size)
        return 0;
    memcpy(asset, file + pre, n);
    asset[n] = '\0';
    return asset_ok(asset);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int shn_screen_load_crypto_dir(struct shn_listset *set, const char *dir, struct shn_diag *diag)
{
    DIR *d = NULL;
    struct dirent *de;
    char *files[CRYPTO_MAX_FILES];
    size_t n_files = 0;
    char *data = NULL, *path = NULL;
    uint32_t added = 0;
    char date[32] = "";
    time_t newest = 0;
    int rc = SHN_OK;

    if (!set || !dir)
        return shn_diag_set(diag, SHN_ERR_INVALID, NULL, 0, NULL, "no listset or folder");
    d = opendir(dir);
    if (!d)
        return shn_diag_set(diag, SHN_ERR_NOT_FOUND, dir, 0, NULL, "cannot open the folder");
    /* Sorted, so that entity order does not depend on the file system. */
    while ((de = readdir(d)) != NULL) {
        char asset[SHN_CRYPTO_MAX_ASSET + 1];
        if (!asset_of(de->d_name, asset, sizeof asset))
            continue;
        if (n_files == CRYPTO_MAX_FILES) {
            rc = shn_diag_set(diag, SHN_ERR_TOO_LARGE, dir, 0, NULL, "more than %d address files",
                              CRYPTO_MAX_FILES);
            goto out;
        }
        files[n_files] = shn_strdup(de->d_name);
        if (!files[n_files]) {
            rc = shn_diag_set(diag, SHN_ERR_NOMEM, dir, 0, NULL, "out of memory");
            goto out;
        }
        n_files++;
    }
    if (!n_files) {
        rc = shn_diag_set(diag, SHN_ERR_NOT_FOUND, dir, 0, NULL,
                          "no " PREFIX "<ASSET>" SUFFIX " files");
        goto out;
    }
    qsort(files, n_files, sizeof files[0], name_cmp);
    for (size_t i = 0; i < n_files; i++) {
        char asset[SHN_CRYPTO_MAX_ASSET + 1];
        size_t len, dlen = strlen(dir), flen = strlen(files[i]);
        struct stat st;

        asset_of(files[i], asset, sizeof asset);
        /* In the arena: a diagnostic may name this path after we return. */
        path = shn_arena_alloc(&set->arena, dlen + flen + 2);
        if (!path) {
            rc = shn_diag_set(diag, SHN_ERR_NOMEM, dir, 0, NULL, "out of memory");
            goto out;
        }
        memcpy(path, dir, dlen);
        path[dlen] = '/';
        memcpy(path + dlen + 1, files[i], flen + 1);
        rc = shn_file_read(path, CRYPTO_MAX_FILE, &data, &len, diag);
        if (rc != SHN_OK)
            goto out;
        rc = shn__crypto_load_mem(set, asset, data, len, path, &added, diag);
        shn_free(data);
        data = NULL;
        if (rc != SHN_OK)
            goto out;
        if (stat(path, &st) == 0 && st.st_mtime > newest)
            newest = st.st_mtime;
    }
    if (newest) {
        struct tm tm;
        if (gmtime_r(&newest, &tm))
            strftime(date, sizeof date, "%Y-%m-%d", &tm);
    }
    rc = shn__model_add_source(set, "crypto", dir, date, added);
    if (rc != SHN_OK)
        rc = shn_diag_set(diag, rc, dir, 0, NULL, "cannot record the source");
    else
        shn_log(SHN_LOG_INFO, "%s: %u addresses in %zu files", dir, added, n_files);
out:
    for (size_t i = 0; i < n_files; i++)
        shn_free(files[i]);
    shn_free(data);
    if (d)
        closedir(d);
    return rc;
}
