/* What `shinsa image` prints, as text and as JSON lines: one function per
 * result, so that the CLI and the service print the same bytes. */
#include <inttypes.h>
#include <stdbool.h>

#include "shinsa/core/buf.h"
#include "shinsa/core/log.h"
#include "shinsa/image.h"

/* Appends `"file": F, ` when file is not NULL (the objects that may
 * describe a file or a hash given on the command line). */
static int file_member(struct shn_buf *out, const char *file)
{
    int rc = SHN_OK;

    if (file) {
        rc = shn_buf_append_str(out, "\"file\": ");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(out, file);
        if (rc == SHN_OK)
            rc = shn_buf_append_str(out, ", ");
    }
    return rc;
}

int shn_image_hash_format(const char *file, const struct shn_image_hash *h, bool json,
                          struct shn_buf *out)
{
    char hex[SHN_PDQ_HEX_LEN + 1];
    int rc;

    shn_image_pdq_to_hex(&h->pdq, hex);
    if (!json) {
        rc = shn_buf_appendf(out, "%s %d %ux%u ", hex, h->quality, h->width, h->height);
        if (rc == SHN_OK)
            rc = shn_buf_append_str(out, file);
        return rc == SHN_OK ? shn_buf_append_char(out, '\n') : rc;
    }
    rc = shn_buf_append_char(out, '{');
    if (rc == SHN_OK)
        rc = file_member(out, file);
    if (rc == SHN_OK)
        rc = shn_buf_appendf(out,
                             "\"pdq\": \"%s\", \"quality\": %d, \"width\": %u, \"height\": %u}\n",
                             hex, h->quality, h->width, h->height);
    return rc;
}

int shn_image_error_json(const char *file, const char *message, struct shn_buf *out)
{
    int rc = shn_buf_append_str(out, "{\"file\": ");

    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(out, file ? file : "");
    if (rc == SHN_OK)
        rc = shn_buf_append_str(out, ", \"error\": ");
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(out, message);
    if (rc == SHN_OK)
        rc = shn_buf_append_str(out, "}\n");
    return rc;
}

static int matches_json(const char *file, const char *hex, const struct shn_image_match *m,
                        size_t n, struct shn_buf *out)
{
    int rc = shn_buf_append_char(out, '{');

    if (rc == SHN_OK)
        rc = file_member(out, file);
    if (rc == SHN_OK)
        rc = shn_buf_appendf(out, "\"pdq\": \"%s\", \"matches\": [", hex);
    for (size_t i = 0; rc == SHN_OK && i < n; i++) {
        rc = shn_buf_append_str(out, i ? ", {\"owner\": " : "{\"owner\": ");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(out, m[i].owner);
        if (rc == SHN_OK)
            rc = shn_buf_appendf(out, ", \"distance\": %d}", m[i].distance);
    }
    return rc == SHN_OK ? shn_buf_append_str(out, "]}\n") : rc;
}

int shn_image_matches_format(const char *file, const struct shn_pdq *q,
                             const struct shn_image_match *m, size_t n, bool json,
                             struct shn_buf *out)
{
    char hex[SHN_PDQ_HEX_LEN + 1];
    int rc;

    shn_image_pdq_to_hex(q, hex);
    if (json)
        return matches_json(file, hex, m, n, out);
    rc = shn_buf_appendf(out, "%s %s: %zu match%s\n", file ? file : "hash", hex, n,
                         n == 1 ? "" : "es");
    for (size_t i = 0; rc == SHN_OK && i < n; i++)
        rc = shn_buf_appendf(out, "  %3d  %s\n", m[i].distance, m[i].owner);
    return rc;
}

int shn_image_added_format(const char *file, const struct shn_image_record *r, bool json,
                           struct shn_buf *out)
{
    char hex[SHN_PDQ_HEX_LEN + 1];
    int rc;

    shn_image_pdq_to_hex(&r->pdq, hex);
    if (!json)
        return shn_buf_appendf(out, "added %s %s\n", hex, file ? file : "");
    rc = shn_buf_append_char(out, '{');
    if (rc == SHN_OK)
        rc = file_member(out, file);
    if (rc == SHN_OK)
        rc = shn_buf_appendf(out, "\"pdq\": \"%s\", \"quality\": ", hex);
    if (rc == SHN_OK && r->quality == SHN_IMAGE_QUALITY_UNKNOWN)
        rc = shn_buf_append_str(out, "null");
    else if (rc == SHN_OK)
        rc = shn_buf_appendf(out, "%d", r->quality);
    if (rc == SHN_OK)
        rc = shn_buf_append_str(out, ", \"owner\": ");
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(out, r->owner);
    if (rc == SHN_OK)
        rc = shn_buf_append_str(out, ", \"added\": true}\n");
    return rc;
}

int shn_image_removed_format(const char *owner, size_t removed, bool json, struct shn_buf *out)
{
    int rc;

    if (!json)
        return shn_buf_appendf(out, "removed %zu hash%s of %s\n", removed, removed == 1 ? "" : "es",
                               owner);
    rc = shn_buf_append_str(out, "{\"owner\": ");
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(out, owner);
    if (rc == SHN_OK)
        rc = shn_buf_appendf(out, ", \"removed\": %zu}\n", removed);
    return rc;
}

int shn_image_index_stats_format(const char *path, const struct shn_image_index_stats *s, bool json,
                                 struct shn_buf *out)
{
    int rc;

    if (!json)
        return shn_buf_appendf(out,
                               "index %s: %zu hashes, %zu owners, %zu removed, %zu damaged "
                               "records, %zu torn bytes ignored, %" PRIu64 " bytes\n",
                               path, s->hashes, s->owners, s->removed, s->damaged_records,
                               s->torn_bytes, s->file_bytes);
    rc = shn_buf_append_str(out, "{\"index\": ");
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(out, path);
    if (rc == SHN_OK)
        rc = shn_buf_appendf(out,
                             ", \"hashes\": %zu, \"owners\": %zu, \"removed\": %zu, "
                             "\"damaged_records\": %zu, \"torn_bytes\": %zu, \"file_bytes\": "
                             "%" PRIu64 "}\n",
                             s->hashes, s->owners, s->removed, s->damaged_records, s->torn_bytes,
                             s->file_bytes);
    return rc;
}

void shn_image_index_warn_damage(const struct shn_image_index *idx, const char *path)
{
    struct shn_image_index_stats s;
    struct shn_image_index_damage d;
    size_t i;

    shn_image_index_stats(idx, &s);
    for (i = 0; i < 5 && shn_image_index_damage(idx, i, &d) == SHN_OK; i++)
        shn_log(SHN_LOG_WARN, "%s: damaged record at byte %" PRIu64 " (%" PRIu64 " bytes) skipped",
                path, d.offset, d.length);
    if (s.damaged_records > i)
        shn_log(SHN_LOG_WARN, "%s: %zu more damaged records skipped", path, s.damaged_records - i);
    if (s.damaged_records > 0)
        shn_log(SHN_LOG_WARN,
                "%s: 'shinsa image check --index %s --repair' keeps every intact record", path,
                path);
    if (s.unscrubbed > 0)
        shn_log(SHN_LOG_WARN,
                "%s: %zu hashes of removed owners are still in the file (a removal was cut "
                "short); the next add, remove or check --repair overwrites them",
                path, s.unscrubbed);
}

/* The report of what a read-only open found (the JSON object is left open
 * for the repair's members). */
static int check_found(const char *path, const struct shn_image_index *idx,
                       const struct shn_image_index_stats *s, bool json, struct shn_buf *out)
{
    struct shn_image_index_damage d;
    int rc;

    if (!json) {
        rc = shn_buf_appendf(out,
                             "index %s: %zu intact records (%zu hashes, %zu removed), %zu damaged "
                             "records, %zu torn bytes, %zu unscrubbed hashes of removed owners\n",
                             path, s->records, s->hashes, s->removed, s->damaged_records,
                             s->torn_bytes, s->unscrubbed);
        for (size_t i = 0; rc == SHN_OK && shn_image_index_damage(idx, i, &d) == SHN_OK; i++)
            rc = shn_buf_appendf(out, "  damaged: byte %" PRIu64 ", %" PRIu64 " bytes\n", d.offset,
                                 d.length);
        return rc;
    }
    rc = shn_buf_append_str(out, "{\"index\": ");
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(out, path);
    if (rc == SHN_OK)
        rc = shn_buf_appendf(out,
                             ", \"intact_records\": %zu, \"hashes\": %zu, \"removed\": %zu, "
                             "\"damaged_records\": %zu, \"damaged\": [",
                             s->records, s->hashes, s->removed, s->damaged_records);
    for (size_t i = 0; rc == SHN_OK && shn_image_index_damage(idx, i, &d) == SHN_OK; i++)
        rc = shn_buf_appendf(out, "%s{\"offset\": %" PRIu64 ", \"bytes\": %" PRIu64 "}",
                             i ? ", " : "", d.offset, d.length);
    if (rc == SHN_OK)
        rc = shn_buf_appendf(
            out, "], \"torn_bytes\": %zu, \"unscrubbed\": %zu, \"file_bytes\": %" PRIu64,
            s->torn_bytes, s->unscrubbed, s->file_bytes);
    return rc;
}

/* What the repair did (`repaired`: it ran and succeeded), closing the JSON
 * object; in text, the outcome or the command that would repair. */
static int check_outcome(const char *path, bool problems, bool repair, bool repaired, int rewritten,
                         const struct shn_image_index_stats *after, bool json, struct shn_buf *out)
{
    int rc;

    if (json) {
        rc = shn_buf_appendf(out, ", \"repaired\": %s", repaired ? "true" : "false");
        if (rc == SHN_OK && repaired)
            rc = shn_buf_appendf(out,
                                 ", \"after\": {\"intact_records\": %zu, \"hashes\": %zu, "
                                 "\"file_bytes\": %" PRIu64 "}",
                                 after->records, after->hashes, after->file_bytes);
        return rc == SHN_OK ? shn_buf_append_str(out, "}\n") : rc;
    }
    if (repaired)
        return shn_buf_appendf(
            out, "repaired %s: %zu intact records kept (%zu hashes), %" PRIu64 " bytes%s\n", path,
            after->records, after->hashes, after->file_bytes,
            rewritten ? ""
                      : " (torn tail cut, removals completed; nothing "
                        "rewritten)");
    if (problems && !repair)
        return shn_buf_appendf(
            out, "run 'shinsa image check --index %s --repair' to keep every intact record\n",
            path);
    return SHN_OK;
}

int shn_image_index_check(const char *path, bool repair, bool json, struct shn_buf *out,
                          bool *sound, struct shn_diag *diag)
{
    struct shn_image_index *idx = NULL;
    struct shn_image_index_stats s, after = {0};
    bool problems, repaired = false;
    int rewritten = 0, rc, out_rc;

    /* Read-only first: a check never creates or changes a file. */
    rc = shn_image_index_open(path, SHN_IMAGE_INDEX_READ, &idx, diag);
    if (rc != SHN_OK)
        return rc;
    shn_image_index_stats(idx, &s);
    problems = s.damaged_records > 0 || s.torn_bytes > 0 || s.unscrubbed > 0;
    out_rc = check_found(path, idx, &s, json, out);
    /* closed before the repair, which takes the exclusive lock */
    shn_image_index_close(idx);
    if (repair && problems) {
        rc = shn_image_index_repair(path, NULL, &after, &rewritten, diag);
        repaired = rc == SHN_OK;
    }
    if (out_rc == SHN_OK)
        out_rc = check_outcome(path, problems, repair, repaired, rewritten, &after, json, out);
    if (rc == SHN_OK && out_rc != SHN_OK)
        rc = shn_diag_set(diag, out_rc, NULL, 0, "", "%s", shn_strerror(out_rc));
    if (rc == SHN_OK && sound)
        *sound = !problems || repaired;
    return rc;
}
