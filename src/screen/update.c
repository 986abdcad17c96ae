/* Updating the lists: download every file the config names into a fresh
 * temp folder beside the index, load them all (the loaders are the
 * verification), refuse a source that shrank suspiciously, build a new
 * index through core's safe writer, check that it opens, and only then
 * rename it over the old one.
 *
 * The one invariant: the index at index_path is either the old file, byte
 * for byte, or a complete new one. Every failure returns before the rename,
 * and the temp folder is removed on every path. */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model.h"
#include "screen_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"
#include "shinsa/core/log.h"
#include "update_internal.h"

struct download {
    int fd;
    unsigned long long got, max;
    bool too_large;
    int write_errno;
    const char *label;
    struct shn__sha256 sha;
};

struct update {
    const struct shn_update_options *opt;
    struct shn__update_config *cfg;
    struct shn_diag *diag;
    char tmpdir[PATH_MAX];
    bool have_tmpdir;
};

/* ---- Temp folder -------------------------------------------------------- */

/* .shinsa-update-PID-XXXXXX: the pid lets a later run (shn_file_sweep_stale)
 * remove the folder of an update that crashed. */
static int make_tmpdir(struct update *u)
{
    const char *index = u->opt->index_path;
    const char *slash = strrchr(index, '/');
    int n;

    shn_file_sweep_stale(index, NULL);
    if (!slash)
        n = snprintf(u->tmpdir, sizeof u->tmpdir, ".shinsa-update-%ld-XXXXXX", (long)getpid());
    else
        n = snprintf(u->tmpdir, sizeof u->tmpdir, "%.*s/.shinsa-update-%ld-XXXXXX",
                     (int)(slash - index), index, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof u->tmpdir)
        return shn_diag_set(u->diag, SHN_ERR_INVALID, index, 0, NULL, "index path too long");
    if (!mkdtemp(u->tmpdir))
        return shn_diag_set(u->diag, SHN_ERR_IO, index, 0, NULL,
                            "cannot create a temp folder beside the index: %s", strerror(errno));
    u->have_tmpdir = true;
    return SHN_OK;
}

/* Removes what we made: files and one level of folders. Symbolic links are
 * unlinked, never followed. */
static void remove_tree(const char *path, int depth)
{
    DIR *d = opendir(path);
    struct dirent *de;

    if (d) {
        for (;;) {
            struct stat st;
            char child[PATH_MAX];

            de = readdir(d);
            if (!de)
                break;
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            if ((size_t)snprintf(child, sizeof child, "%s/%s", path, de->d_name) >= sizeof child)
                continue;
            if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode) && depth > 0)
                remove_tree(child, depth - 1);
            else if (unlink(child) != 0)
                shn_log(SHN_LOG_WARN, "cannot remove %s: %s", child, strerror(errno));
        }
        closedir(d);
    }
    if (rmdir(path) != 0 && errno != ENOENT)
        shn_log(SHN_LOG_WARN, "cannot remove %s: %s", path, strerror(errno));
}

static int tmp_path(struct update *u, const char *rel, char *out, size_t size)
{
    if ((size_t)snprintf(out, size, "%s/%s", u->tmpdir, rel) >= size)
        return shn_diag_set(u->diag, SHN_ERR_INVALID, u->opt->index_path, 0, NULL, "path too long");
    return SHN_OK;
}

/* ---- Download ----------------------------------------------------------- */

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct download *d = userdata;
    size_t n = size * nmemb, done = 0; /* curl documents size as always 1 */

    if (n > d->max - d->got) { /* also guards the sum against overflow */
        d->too_large = true;
        return 0;
    }
    while (done < n) {
        ssize_t w = write(d->fd, ptr + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            d->write_errno = w < 0 ? errno : EIO;
            return 0;
        }
        done += (size_t)w;
    }
    shn__sha256_update(&d->sha, ptr, n);
    d->got += n;
    return n;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    const struct download *d = userdata;

    if (dlnow > 0)
        shn_progress(d->label, (unsigned long long)dlnow,
                     dltotal > 0 ? (unsigned long long)dltotal : 0);
    return 0;
}

static int net_fail(struct update *u, const struct shn__update_file *f, int err, const char *what)
{
    return shn_diag_set(u->diag, err, u->opt->config_path, f->line, f->key, "%.200s: %s", f->url,
                        what);
}

static int fetch_one(struct update *u, CURL *curl, const struct shn__update_file *f,
                     const char *dest)
{
    char errbuf[CURL_ERROR_SIZE] = "", what[CURL_ERROR_SIZE + 64];
    struct download d = {.max = u->cfg->max_size, .label = f->key};
    unsigned char digest[32];
    long status = 0;
    CURLcode res;
    int rc = SHN_OK;

    shn__sha256_init(&d.sha);
    d.fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (d.fd < 0)
        return shn_diag_set(u->diag, SHN_ERR_IO, u->opt->config_path, f->line, f->key,
                            "cannot create the temp file: %s", strerror(errno));
    curl_easy_reset(curl);
    if (curl_easy_setopt(curl, CURLOPT_URL, f->url) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http,file") != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "https") != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, u->cfg->connect_timeout) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, u->cfg->timeout) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)u->cfg->max_size) !=
            CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_USERAGENT, "shinsa/0.1 (list update)") != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &d) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &d) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L) != CURLE_OK) {
        rc = net_fail(u, f, SHN_ERR_UNSUPPORTED, "libcurl lacks a needed option");
        goto out;
    }
    res = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (d.too_large || res == CURLE_FILESIZE_EXCEEDED) {
        snprintf(what, sizeof what, "larger than max_size (%llu bytes)", u->cfg->max_size);
        rc = net_fail(u, f, SHN_ERR_TOO_LARGE, what);
    } else if (d.write_errno) {
        snprintf(what, sizeof what, "cannot write the temp file: %s", strerror(d.write_errno));
        rc = net_fail(u, f, SHN_ERR_IO, what);
    } else if (res != CURLE_OK) {
        snprintf(what, sizeof what, "%s", errbuf[0] ? errbuf : curl_easy_strerror(res));
        rc = net_fail(u, f, SHN_ERR_NETWORK, what);
    } else if (strncmp(f->url, "file:", 5) != 0 && status != 200) {
        snprintf(what, sizeof what, "HTTP status %ld, expected 200", status);
        rc = net_fail(u, f, SHN_ERR_NETWORK, what);
    } else if (d.got == 0 && f->group != SHN_UPDATE_CUSTOM) {
        rc = net_fail(u, f, SHN_ERR_NETWORK, "empty file");
    }
    if (rc != SHN_OK)
        goto out;
    if (f->has_sha256) {
        shn__sha256_final(&d.sha, digest);
        if (memcmp(digest, f->sha256, sizeof digest) != 0) {
            rc = net_fail(u, f, SHN_ERR_CORRUPT, "SHA-256 differs from the config's pin");
            goto out;
        }
    }
    shn_progress_end(f->key, d.got);
out:
    if (close(d.fd) != 0 && rc == SHN_OK)
        rc = shn_diag_set(u->diag, SHN_ERR_IO, u->opt->config_path, f->line, f->key,
                          "cannot write the temp file: %s", strerror(errno));
    return rc;
}

static int fetch_all(struct update *u)
{
    static const char *const folders[SHN_UPDATE__GROUPS] = {"ofac", "un", "crypto", "custom"};
    char path[PATH_MAX];
    CURL *curl = curl_easy_init();
    int rc = SHN_OK;

    if (!curl)
        return shn_diag_set(u->diag, SHN_ERR_NOMEM, u->opt->config_path, 0, NULL,
                            "cannot start libcurl");
    for (int g = 0; g < SHN_UPDATE__GROUPS && rc == SHN_OK; g++) {
        rc = tmp_path(u, folders[g], path, sizeof path);
        if (rc == SHN_OK && mkdir(path, 0700) != 0)
            rc = shn_diag_set(u->diag, SHN_ERR_IO, path, 0, NULL, "mkdir failed: %s",
                              strerror(errno));
    }
    for (size_t i = 0; i < u->cfg->n_files && rc == SHN_OK; i++) {
        const struct shn__update_file *f = &u->cfg->files[i];
        shn_log(SHN_LOG_INFO, "downloading %s from %s", f->key, f->url);
        rc = tmp_path(u, f->local, path, sizeof path);
        if (rc == SHN_OK)
            rc = fetch_one(u, curl, f, path);
    }
    curl_easy_cleanup(curl);
    return rc;
}

/* ---- Verify: load everything ------------------------------------------- */

static const struct shn__update_file *first_of(const struct update *u, int group)
{
    for (size_t i = 0; i < u->cfg->n_files; i++)
        if (u->cfg->files[i].group == group)
            return &u->cfg->files[i];
    return NULL;
}

/* A loader failed on a downloaded file: its diag names a temp path that is
 * about to disappear, so restate it against the config line of that file. */
static int load_fail(struct update *u, int group, int rc, const struct shn_diag *ld)
{
    const struct shn__update_file *f = first_of(u, group);
    const char *base = ld->file ? strrchr(ld->file, '/') : NULL;
    char where[128] = "";

    base = base ? base + 1 : (ld->file ? ld->file : "");
    for (size_t i = 0; i < u->cfg->n_files; i++) {
        const struct shn__update_file *g = &u->cfg->files[i];
        const char *gb = strrchr(g->local, '/');
        if (g->group == group && strcmp(gb ? gb + 1 : g->local, base) == 0)
            f = g;
    }
    if (ld->line > 0 && ld->field[0])
        snprintf(where, sizeof where, "%.60s line %ld, %.40s", base, ld->line, ld->field);
    else if (ld->line > 0)
        snprintf(where, sizeof where, "%.60s line %ld", base, ld->line);
    else
        snprintf(where, sizeof where, "%.60s", base);
    return shn_diag_set(u->diag, rc, u->opt->config_path, f ? f->line : 0, f ? f->key : NULL,
                        "%s: %s (downloaded from %.120s)", where, ld->message, f ? f->url : "?");
}

/* The sources a loader added name temp paths: record the URL instead. */
static int relabel_sources(struct shn_listset *set, uint32_t from, const char *url)
{
    for (uint32_t i = from; i < set->n_sources; i++) {
        const char *copy = shn_arena_strdup(&set->arena, url);
        if (!copy)
            return SHN_ERR_NOMEM;
        set->sources[i].path = copy;
    }
    return SHN_OK;
}

static int load_group(struct update *u, struct shn_listset *set, int group)
{
    const struct shn__update_file *f = first_of(u, group);
    struct shn_diag ld = {0};
    char path[PATH_MAX];
    uint32_t before = set->n_sources;
    int rc = SHN_OK;

    if (!f)
        return SHN_OK;
    switch (group) {
    case SHN_UPDATE_OFAC:
        rc = tmp_path(u, "ofac", path, sizeof path);
        if (rc == SHN_OK)
            rc = shn_screen_load_ofac_csv(set, path, &ld);
        break;
    case SHN_UPDATE_UN:
        rc = tmp_path(u, f->local, path, sizeof path);
        if (rc == SHN_OK)
            rc = shn_screen_load_un_xml(set, path, &ld);
        break;
    case SHN_UPDATE_CRYPTO:
        rc = tmp_path(u, "crypto", path, sizeof path);
        if (rc == SHN_OK)
            rc = shn_screen_load_crypto_dir(set, path, &ld);
        break;
    default:
        for (size_t i = 0; i < u->cfg->n_files && rc == SHN_OK; i++) {
            const struct shn__update_file *c = &u->cfg->files[i];
            if (c->group != SHN_UPDATE_CUSTOM)
                continue;
            before = set->n_sources;
            rc = tmp_path(u, c->local, path, sizeof path);
            if (rc == SHN_OK)
                rc = shn_screen_load_custom(set, path, &ld);
            if (rc == SHN_OK && relabel_sources(set, before, c->url) != SHN_OK)
                return shn_diag_set(u->diag, SHN_ERR_NOMEM, u->opt->config_path, 0, NULL,
                                    "out of memory");
        }
        return rc == SHN_OK ? SHN_OK : load_fail(u, group, rc, &ld);
    }
    if (rc != SHN_OK)
        return load_fail(u, group, rc, &ld);
    if (relabel_sources(set, before, f->url) != SHN_OK)
        return shn_diag_set(u->diag, SHN_ERR_NOMEM, u->opt->config_path, 0, NULL, "out of memory");
    return SHN_OK;
}

/* ---- Shrink check --------------------------------------------------------- */

static unsigned long long new_count(const struct shn_listset *set, const char *name)
{
    unsigned long long n = 0;

    for (uint32_t i = 0; i < set->n_sources; i++)
        if (strcmp(set->sources[i].name, name) == 0)
            n += set->sources[i].entities;
    return n;
}

static bool has_source(const struct shn_listset *set, const char *name)
{
    for (uint32_t i = 0; i < set->n_sources; i++)
        if (strcmp(set->sources[i].name, name) == 0)
            return true;
    return false;
}

/* A source that comes back with far fewer entities than the index holds is
 * more likely a truncated or changed file than a mass delisting: refuse it
 * unless the caller forces. Sources in only one of the two are not
 * compared (the config may add or drop a list). */
static int check_shrink(struct update *u, const struct shn_listset *set)
{
    struct shn_screen_index *idx = NULL;
    struct shn_diag od = {0};
    struct stat st;
    int rc = SHN_OK;

    if (u->cfg->min_percent == 0 || stat(u->opt->index_path, &st) != 0)
        return SHN_OK;
    if (shn_screen_index_open(u->opt->index_path, &idx, &od) != SHN_OK) {
        shn_log(SHN_LOG_WARN, "%s: current index unreadable (%s); no shrink check",
                u->opt->index_path, od.message);
        return SHN_OK;
    }
    for (uint32_t i = 0; i < idx->h->n_sources && rc == SHN_OK; i++) {
        const char *name = shn__idx_str(idx, idx->sources[i].name);
        unsigned long long old = 0, now;

        if (!has_source(set, name))
            continue;
        for (uint32_t j = 0; j < idx->h->n_sources; j++) /* a name may repeat */
            if (strcmp(shn__idx_str(idx, idx->sources[j].name), name) == 0)
                old += idx->sources[j].entities;
        now = new_count(set, name);
        if (now * 100 >= old * (unsigned long long)u->cfg->min_percent)
            continue;
        if (u->opt->force) {
            shn_log(SHN_LOG_WARN,
                    "%s: %llu entities, the current index has %llu; accepted (forced)", name, now,
                    old);
            continue;
        }
        rc = shn_diag_set(u->diag, SHN_ERR_PARSE, u->opt->config_path, 0, name,
                          "%llu entities where the current index has %llu (below min_percent %d%%);"
                          " the download may be truncated; use force to accept it",
                          now, old, u->cfg->min_percent);
    }
    shn_screen_index_close(idx);
    return rc;
}

/* ---- Build and swap ------------------------------------------------------- */

static int build_and_swap(struct update *u, const struct shn_listset *set)
{
    struct shn_screen_index *idx = NULL;
    struct shn_file_out *o = NULL;
    struct shn_diag bd = {0};
    int rc;

    shn_log(SHN_LOG_INFO, "building the index (%zu entities)", shn_screen_listset_count(set));
    rc = shn_file_out_open(u->opt->index_path, &o, u->diag);
    if (rc != SHN_OK)
        return rc;
    rc = shn__screen_index_write(set, o, u->opt->index_path, &bd);
    if (rc == SHN_OK)
        rc = shn_file_out_flush(o, &bd);
    if (rc == SHN_OK) /* what we swap in must open */
        rc = shn_screen_index_open(shn_file_out_temp_path(o), &idx, &bd);
    shn_screen_index_close(idx);
    if (rc != SHN_OK) {
        shn_file_out_abort(o);
        return shn_diag_set(u->diag, rc, u->opt->index_path, 0, bd.field,
                            "building the new index failed: %s", bd.message);
    }
    rc = shn_file_out_commit(o, &bd);
    if (rc != SHN_OK)
        return shn_diag_set(u->diag, rc, u->opt->index_path, 0, NULL, "%s", bd.message);
    return SHN_OK;
}

/* ---- Entry points --------------------------------------------------------- */

static int read_config(struct update *u)
{
    char dir[PATH_MAX], real[PATH_MAX];
    const char *cfg_path = u->opt->config_path;
    const char *slash = strrchr(cfg_path, '/');
    char *text = NULL;
    size_t len = 0;
    int rc;

    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == cfg_path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - cfg_path), cfg_path);
    if (!realpath(dir, real))
        return shn_diag_set(u->diag, SHN_ERR_IO, cfg_path, 0, NULL, "cannot resolve folder: %s",
                            strerror(errno));
    rc = shn_file_read(cfg_path, SHN_UPDATE_MAX_CONFIG, &text, &len, u->diag);
    if (rc == SHN_OK)
        rc = shn__update_config_parse(text, len, cfg_path, real, &u->cfg, u->diag);
    shn_free(text);
    return rc;
}

int shn_screen_lists_update_ex(const struct shn_update_options *opt, struct shn_diag *diag)
{
    struct update u = {.opt = opt, .diag = diag};
    struct shn_listset *set = NULL;
    bool curl_ready = false;
    int rc;

    if (!opt || !opt->config_path || !opt->index_path)
        return shn_diag_set(diag, SHN_ERR_INVALID, NULL, 0, NULL, "no config or index path");
    rc = read_config(&u);
    if (rc != SHN_OK)
        goto out;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        rc = shn_diag_set(diag, SHN_ERR_NETWORK, opt->config_path, 0, NULL,
                          "cannot initialise libcurl");
        goto out;
    }
    curl_ready = true;
    rc = make_tmpdir(&u);
    if (rc == SHN_OK)
        rc = fetch_all(&u);
    if (rc != SHN_OK)
        goto out;

    if (shn_screen_listset_new(&set) != SHN_OK) {
        rc = shn_diag_set(diag, SHN_ERR_NOMEM, opt->config_path, 0, NULL, "out of memory");
        goto out;
    }
    for (int g = 0; g < SHN_UPDATE__GROUPS && rc == SHN_OK; g++)
        rc = load_group(&u, set, g);
    if (rc == SHN_OK)
        rc = check_shrink(&u, set);
    if (rc == SHN_OK)
        rc = build_and_swap(&u, set);
    if (rc == SHN_OK)
        shn_log(SHN_LOG_INFO, "%s: updated, %zu entities from %zu files", opt->index_path,
                shn_screen_listset_count(set), u.cfg->n_files);
out:
    shn_screen_listset_free(set);
    if (u.have_tmpdir)
        remove_tree(u.tmpdir, 1);
    if (curl_ready)
        curl_global_cleanup();
    shn__update_config_free(u.cfg);
    return rc;
}

int shn_screen_lists_update(const char *config_path, const char *index_path, struct shn_diag *diag)
{
    struct shn_update_options opt = {.config_path = config_path, .index_path = index_path};

    return shn_screen_lists_update_ex(&opt, diag);
}
