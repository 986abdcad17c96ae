/* Opening and closing each engine's file, with the engine's own functions
 * (the same ones the CLI calls), and the version a response reports. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "serve_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/events.h"
#include "shinsa/image.h"
#include "shinsa/link.h"
#include "shinsa/text.h"
#include "shinsa/trace.h"

#define MAX_INFO (1u << 20) /* bytes of `lists info --json` */

static int open_screen(const char *path, void **obj, struct shn_diag *diag)
{
    return shn_screen_index_open(path, (struct shn_screen_index **)obj, diag);
}

static void close_screen(void *obj)
{
    shn_screen_index_close(obj);
}

static int open_image(const char *path, void **obj, struct shn_diag *diag)
{
    return shn_image_index_open(path, SHN_IMAGE_INDEX_READ, (struct shn_image_index **)obj, diag);
}

static void close_image(void *obj)
{
    shn_image_index_close(obj);
}

static int open_link(const char *path, void **obj, struct shn_diag *diag)
{
    return shn_link_open(path, (struct shn_link **)obj, diag);
}

static void close_link(void *obj)
{
    shn_link_free(obj);
}

static int open_trace(const char *path, void **obj, struct shn_diag *diag)
{
    return shn_trace_graph_open(path, (struct shn_trace_graph **)obj, diag);
}

static void close_trace(void *obj)
{
    shn_trace_graph_close(obj);
}

/* One engine here only shows that the model loads; MeCab is not
 * thread-safe, so the text endpoint will open one per worker thread. */
static int open_text(const char *path, void **obj, struct shn_diag *diag)
{
    struct shn_text_options opt = {.model_path = path};

    return shn_text_engine_open(&opt, (struct shn_text_engine **)obj, diag);
}

static void close_text(void *obj)
{
    shn_text_engine_free(obj);
}

/* shn_events_open creates a missing database; a server must not make an
 * empty one from a typo, so the file has to exist. */
static int open_accounts(const char *path, void **obj, struct shn_diag *diag)
{
    struct shn__serve_stamp st;

    shn__serve_stamp_of(path, &st);
    if (!st.exists)
        return shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL,
                            "no such database (create it with 'shinsa accounts ingest')");
    return shn_events_open(path, (struct shn_events_db **)obj, diag);
}

static void close_accounts(void *obj)
{
    shn_events_close(obj);
}

static const struct {
    const char *name;
    bool watched; /* replaced by rename when rebuilt; the watcher follows it */
    int (*open)(const char *path, void **obj, struct shn_diag *diag);
    void (*close)(void *obj);
} engines[SHN__ENGINE_COUNT] = {
    [SHN__ENGINE_SCREEN] = {"screen", true, open_screen, close_screen},
    [SHN__ENGINE_IMAGE] = {"image", false, open_image, close_image},
    [SHN__ENGINE_LINK] = {"link", true, open_link, close_link},
    [SHN__ENGINE_TRACE] = {"trace", true, open_trace, close_trace},
    [SHN__ENGINE_TEXT] = {"text", false, open_text, close_text},
    [SHN__ENGINE_ACCOUNTS] = {"accounts", false, open_accounts, close_accounts},
};

const char *shn__serve_engine_name(int engine)
{
    return engine >= 0 && engine < SHN__ENGINE_COUNT ? engines[engine].name : "";
}

bool shn__serve_engine_watched(int engine)
{
    return engine >= 0 && engine < SHN__ENGINE_COUNT && engines[engine].watched;
}

/* Files without a version of their own are known by time and size. */
static void stamp_version(struct shn__serve_res *r)
{
    time_t t = r->stamp.mtime.tv_sec;
    struct tm tm;
    char when[20] = "0";

    if (gmtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(r->version, sizeof r->version, "%s-%llx", when, (unsigned long long)r->stamp.size);
    r->built_at = (int64_t)t;
}

static int describe_screen(struct shn__serve_res *r)
{
    struct shn_buf info;
    int rc = shn_screen_index_version(r->obj, r->version, sizeof r->version);

    if (rc != SHN_OK)
        return rc;
    r->built_at = shn_screen_index_built_at(r->obj);
    shn_buf_init(&info, MAX_INFO);
    rc = shn_screen_index_info(r->obj, 1, &info);
    if (rc == SHN_OK && !info.data)
        rc = shn_buf_append_str(&info, "");
    if (rc != SHN_OK) {
        shn_buf_cleanup(&info);
        return rc;
    }
    r->info = info.data;
    r->info_len = info.len;
    return SHN_OK;
}

int shn__serve_res_open(int engine, const char *path, struct shn__serve_res **out,
                        struct shn_diag *diag)
{
    struct shn__serve_res *r;
    int rc;

    if (engine < 0 || engine >= SHN__ENGINE_COUNT || !path || !out)
        return SHN_ERR_INVALID;
    if (strlen(path) >= sizeof r->path)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, NULL, 0, shn__serve_engine_key(engine),
                            "path longer than %zu bytes", sizeof r->path - 1);
    r = shn_calloc(1, sizeof *r);
    if (!r)
        return SHN_ERR_NOMEM;
    r->engine = engine;
    memcpy(r->path, path, strlen(path) + 1);
    /* The stamp is taken before the open: a file replaced while it was
     * being opened then looks changed at the next watch, and is reopened. */
    shn__serve_stamp_of(path, &r->stamp);
    rc = engines[engine].open(path, &r->obj, diag);
    if (rc == SHN_OK) {
        if (engine == SHN__ENGINE_SCREEN)
            rc = describe_screen(r);
        else
            stamp_version(r);
    }
    if (rc != SHN_OK) {
        if (r->obj)
            engines[engine].close(r->obj);
        shn_free(r->info);
        shn_free(r);
        return rc;
    }
    r->loaded_at = (int64_t)time(NULL);
    atomic_init(&r->refs, 1);
    *out = r;
    return SHN_OK;
}

void shn__serve_res_release(struct shn__serve_res *r)
{
    if (!r)
        return;
    if (atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1)
        return;
    engines[r->engine].close(r->obj);
    shn_free(r->info);
    shn_free(r);
}
