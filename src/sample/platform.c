/* The sample platform (issue 6, section 5): ordinary Japanese freelancers
 * with ordinary behaviour and realistic noise, DPRK IT-worker operator
 * cells that act as the seeds describe, one Japanese collaborator whose
 * licence backs several operator accounts, and the ground truth beside the
 * events. Deterministic for a seed: every account draws from its own
 * random stream, and accounts are written in one shuffled order so that a
 * cell's personas are not neighbours in the file.
 *
 * Everything written is FICTIONAL (platform_internal.h). This file: the run,
 * the roster, event lines, truth lines and the fictional numbers;
 * platform_ordinary.c and platform_cell.c write the two kinds of account. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "platform_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/log.h"
#include "shinsa/core/time.h"
#include "shinsa/events.h" /* the event format's line bound, a constant only */
#include "shinsa/sample.h"

/* An event line, its newline included, stays within the event format's
 * bound; the texts and identifiers composed beside it within FIELD_CAP. */
#define LINE_CAP SHN_EVENTS_LINE_MAX
#define FIELD_CAP 4096

/* ------------------------------------------------------------ lines */

/* Unix seconds as ISO 8601 in Japan time (the platform's clock). */
static int put_time(struct shn_buf *b, long long t)
{
    char text[SHN_TIME_FORMAT_SIZE];
    int rc = shn_time_format_offset(t, 9 * 60, text, sizeof text);

    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, text);
    return rc;
}

int shn__sample_check(struct shn__sample_platform *G, int rc)
{
    if (rc != SHN_OK && G->err == SHN_OK)
        G->err = rc;
    return G->err;
}

void shn__sample_begin(struct shn__sample_platform *G, const char *type, const char *account,
                       long long t)
{
    int rc;

    if (G->err)
        return;
    shn_buf_reset(&G->line);
    rc = shn_buf_appendf(&G->line, "{\"event\":\"%s\",\"id\":\"e%llu\",\"time\":\"", type,
                         ++G->n_events);
    if (rc == SHN_OK)
        rc = put_time(&G->line, t);
    if (rc == SHN_OK)
        rc = shn_buf_append_str(&G->line, "\",\"account\":");
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(&G->line, account);
    shn__sample_check(G, rc);
}

void shn__sample_str(struct shn__sample_platform *G, const char *key, const char *value)
{
    int rc;

    if (G->err)
        return;
    rc = shn_buf_appendf(&G->line, ",\"%s\":", key);
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(&G->line, value);
    shn__sample_check(G, rc);
}

void shn__sample_num(struct shn__sample_platform *G, const char *key, double value)
{
    if (!G->err)
        shn__sample_check(G, shn_buf_appendf(&G->line, ",\"%s\":%.15g", key, value));
}

void shn__sample_raw(struct shn__sample_platform *G, const char *text)
{
    if (!G->err)
        shn__sample_check(G, shn_buf_append_str(&G->line, text));
}

void shn__sample_end(struct shn__sample_platform *G)
{
    /* a line past the event format's bound is the generator's bug: the
     * run stops with SHN_ERR_TOO_LARGE rather than write it */
    if (G->err || shn__sample_check(G, shn_buf_append(&G->line, "}\n", 2)))
        return;
    if (fwrite(G->line.data, 1, G->line.len, G->events) != G->line.len)
        shn__sample_check(G, SHN_ERR_IO);
}

void shn__sample_truth(struct shn__sample_platform *G, const char *account, const char *role,
                       int cell, const char *const *planted)
{
    fprintf(G->truth, "{\"account\":\"%s\",\"role\":\"%s\",\"cell\":", account, role);
    if (cell > 0)
        fprintf(G->truth, "\"c%d\"", cell);
    else
        fputs("null", G->truth);
    fputs(",\"planted\":[", G->truth);
    for (size_t i = 0; planted && planted[i]; i++)
        fprintf(G->truth, "%s\"%s\"", i ? "," : "", planted[i]);
    fputs("]}\n", G->truth);
}

/* ------------------------------------------------------------ numbers */

void shn__sample_doc_number(uint64_t index, char out[16])
{
    /* index -> index * A + B mod 10^12 is a bijection (A is prime to 10);
     * index < 2^24 keeps the product inside 64 bits */
    uint64_t v = (index * 389461223917ull + 274877906944ull) % 1000000000000ull;
    snprintf(out, 16, "%012llu", (unsigned long long)v);
}

void shn__sample_wallet_eth(uint64_t key, char out[48])
{
    static const char hex[] = "0123456789abcdef";
    struct shn_rng s = shn_rng_seed(key);
    uint64_t w = 0;
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 40; i++) {
        if (i % 16 == 0)
            w = shn_rng_next(&s);
        out[2 + i] = hex[w & 15];
        w >>= 4;
    }
    out[42] = '\0';
}

void shn__sample_wallet_tron(uint64_t key, char out[48])
{
    static const char b58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    struct shn_rng s = shn_rng_seed(key);
    out[0] = 'T';
    for (int i = 1; i < 34; i++)
        out[i] = b58[shn_rng_below(&s, 58)];
    out[34] = '\0';
}

void shn__sample_device(uint64_t key, char out[24])
{
    struct shn_rng s = shn_rng_seed(key);
    snprintf(out, 24, "dev-%012llx", (unsigned long long)(shn_rng_next(&s) & 0xFFFFFFFFFFFFull));
}

int shn__sample_put_lower(struct shn_buf *b, const char *s)
{
    int rc = SHN_OK;

    for (; rc == SHN_OK && *s; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c >= 'a' && c <= 'z')
            rc = shn_buf_append_char(b, c);
    }
    return rc;
}

/* ------------------------------------------------------------ the run */

enum { R_ORDINARY, R_COLLAB, R_OPERATOR };

struct member {
    uint8_t role;
    uint8_t k;      /* persona in its cell */
    uint16_t cell;  /* 0-based */
    uint32_t index; /* ordinary index */
};

static int build_roster(struct shn__sample_platform *G, struct member **out, size_t *n_out)
{
    size_t n = (size_t)G->n_ordinary + 1, i = 0;
    struct member *m;
    struct shn_rng r = shn_rng_stream(G->seed, 0x4057E4);

    for (unsigned c = 0; c < G->n_cells; c++)
        n += G->cells[c].size;
    m = shn_calloc(n, sizeof *m);
    if (!m)
        return SHN_ERR_NOMEM;
    for (; i < G->n_ordinary; i++)
        m[i] = (struct member){R_ORDINARY, 0, 0, (uint32_t)i};
    m[i++] = (struct member){R_COLLAB, 0, 0, (uint32_t)G->n_ordinary};
    for (unsigned c = 0; c < G->n_cells; c++)
        for (unsigned k = 0; k < G->cells[c].size; k++)
            m[i++] = (struct member){R_OPERATOR, (uint8_t)k, (uint16_t)c, 0};
    for (size_t j = n - 1; j > 0; j--) { /* Fisher-Yates */
        size_t x = (size_t)shn_rng_below(&r, j + 1);
        struct member t = m[j];
        m[j] = m[x];
        m[x] = t;
    }
    *out = m;
    *n_out = n;
    return SHN_OK;
}

static int check_opts(const struct shn_sample_platform_opts *o, struct shn_diag *diag)
{
    if (o->freelancers &&
        (o->freelancers < 10 || o->freelancers > SHN_SAMPLE_PLATFORM_FREELANCERS_MAX))
        return shn_diag_set(diag, SHN_ERR_INVALID, NULL, 0, "freelancers", "10..%llu",
                            SHN_SAMPLE_PLATFORM_FREELANCERS_MAX);
    if (o->cells > SHN_SAMPLE_PLATFORM_CELLS_MAX)
        return shn_diag_set(diag, SHN_ERR_INVALID, NULL, 0, "cells", "1..%u",
                            SHN_SAMPLE_PLATFORM_CELLS_MAX);
    if (o->events_per_account &&
        (o->events_per_account < 2 || o->events_per_account > SHN_SAMPLE_PLATFORM_EVENTS_MAX))
        return shn_diag_set(diag, SHN_ERR_INVALID, NULL, 0, "events_per_account", "2..%u",
                            SHN_SAMPLE_PLATFORM_EVENTS_MAX);
    return SHN_OK;
}

/* The pool of unedited cards behind ordinary IDs and the collaborator's
 * licence: real PDQ hashes of drawn cards. */
static int init_images(struct shn__sample_platform *G)
{
    uint8_t *card = shn_malloc((size_t)SHN__SAMPLE_IMG_W * SHN__SAMPLE_IMG_H);
    int rc = card ? SHN_OK : SHN_ERR_NOMEM;

    for (unsigned i = 0; rc == SHN_OK && i < SHN__SAMPLE_POOL; i++) {
        shn__sample_id_card(shn_rng_mix(G->seed, 0x9001 + i), card);
        rc = shn__sample_id_hash(card, 0, G->work, &G->pool[i]);
    }
    shn_free(card);
    if (rc == SHN_OK) {
        shn__sample_id_card(shn_rng_mix(G->seed, 0xC011AB), G->collab_card);
        rc = shn__sample_id_hash(G->collab_card, 0, G->work, &G->collab_pdq);
    }
    return rc;
}

/* A buffer with all of its room taken at once: appends then fail only by
 * reaching the cap, and data is a string ("") from the start, so a field
 * can be written even when composing it failed (the run stops anyway). */
static int buf_open(struct shn_buf *b, size_t cap)
{
    int rc;

    shn_buf_init(b, cap);
    rc = shn_buf_reserve(b, cap);
    if (rc == SHN_OK)
        shn_buf_reset(b);
    return rc;
}

static int open_out(const char *dir, const char *name, FILE **f, struct shn_diag *diag, char *path,
                    size_t path_size)
{
    int n = snprintf(path, path_size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= path_size)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, dir, 0, "", "path too long");
    *f = fopen(path, "w");
    if (!*f)
        return shn_diag_set(diag, SHN_ERR_IO, path, 0, "", "cannot create: %s", strerror(errno));
    setvbuf(*f, NULL, _IOFBF, 1 << 20);
    return SHN_OK;
}

static int close_out(FILE **f, const char *path, int rc, struct shn_diag *diag)
{
    int bad = *f && (ferror(*f) || fclose(*f) != 0);
    *f = NULL;
    if (bad && rc == SHN_OK)
        return shn_diag_set(diag, SHN_ERR_IO, path, 0, "", "write failed");
    return rc;
}

int shn_sample_platform(const char *dir, const struct shn_sample_platform_opts *o,
                        struct shn_diag *diag)
{
    struct shn__sample_platform G;
    struct member *roster = NULL;
    size_t n_roster = 0;
    char events_path[4096], truth_path[4096], account[32];
    struct shn_rng r;
    int rc;

    memset(&G, 0, sizeof G);
    events_path[0] = truth_path[0] = '\0';
    rc = check_opts(o, diag);
    if (rc != SHN_OK)
        return rc;
    G.seed = o->seed ? o->seed : 0x5A3B1E;
    G.epa = o->events_per_account ? o->events_per_account : 10;
    G.n_ordinary = o->freelancers ? o->freelancers : 3000;
    G.n_cells = o->cells ? o->cells : 4;
    G.collab_cell = G.n_cells > 1 ? 1 : 0;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return shn_diag_set(diag, SHN_ERR_IO, dir, 0, "", "cannot create folder: %s",
                            strerror(errno));
    rc = buf_open(&G.line, LINE_CAP);
    if (rc == SHN_OK)
        rc = buf_open(&G.text, FIELD_CAP);
    if (rc == SHN_OK)
        rc = buf_open(&G.email, FIELD_CAP);
    if (rc == SHN_OK)
        rc = buf_open(&G.addr, FIELD_CAP);
    if (rc == SHN_OK)
        rc = buf_open(&G.method, FIELD_CAP);
    if (rc == SHN_OK)
        rc = buf_open(&G.bank, FIELD_CAP);
    G.cells = shn_calloc(G.n_cells, sizeof *G.cells);
    G.work = shn_malloc((size_t)SHN__SAMPLE_IMG_W * SHN__SAMPLE_IMG_H);
    G.collab_card = shn_malloc((size_t)SHN__SAMPLE_IMG_W * SHN__SAMPLE_IMG_H);
    if (rc != SHN_OK || !G.cells || !G.work || !G.collab_card) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    r = shn_rng_stream(G.seed, 0xCE115);
    for (unsigned c = 0; c < G.n_cells; c++)
        G.cells[c].size = 5 + (unsigned)shn_rng_below(&r, 8);
    shn__sample_doc_number(G.n_ordinary, G.collab_number);
    rc = init_images(&G);
    for (unsigned c = 0; rc == SHN_OK && c < G.n_cells; c++)
        rc = shn__sample_cell_init(&G, c);
    if (rc == SHN_OK)
        rc = build_roster(&G, &roster, &n_roster);
    if (rc != SHN_OK)
        goto out;
    rc = open_out(dir, "events.jsonl", &G.events, diag, events_path, sizeof events_path);
    if (rc == SHN_OK)
        rc = open_out(dir, "truth.jsonl", &G.truth, diag, truth_path, sizeof truth_path);
    for (size_t i = 0; rc == SHN_OK && i < n_roster; i++) {
        const struct member *m = &roster[i];
        snprintf(account, sizeof account, "u%07llu", 1000001ull + i);
        if (m->role == R_OPERATOR)
            shn__sample_operator(&G, m->cell, m->k, account);
        else
            shn__sample_ordinary(&G, m->index, account);
        rc = G.err;
        if ((i & 0x1FFF) == 0x1FFF)
            shn_progress("accounts gen: accounts", i + 1, n_roster);
    }
    if (rc == SHN_OK)
        shn_progress_end("accounts gen: accounts", n_roster);
    if (rc == SHN_ERR_IO)
        rc = shn_diag_set(diag, rc, events_path, 0, "", "write failed");
    else if (rc == SHN_ERR_TOO_LARGE)
        rc = shn_diag_set(diag, rc, events_path, 0, "", "an event line or field outgrew its bound");
out:
    rc = close_out(&G.events, events_path, rc, diag);
    rc = close_out(&G.truth, truth_path, rc, diag);
    for (unsigned c = 0; G.cells && c < G.n_cells; c++)
        shn_free(G.cells[c].card);
    shn_free(G.cells);
    shn_free(G.work);
    shn_free(G.collab_card);
    shn_buf_cleanup(&G.line);
    shn_buf_cleanup(&G.text);
    shn_buf_cleanup(&G.email);
    shn_buf_cleanup(&G.addr);
    shn_buf_cleanup(&G.method);
    shn_buf_cleanup(&G.bank);
    shn_free(roster);
    return rc;
}
