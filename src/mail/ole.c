/* OLE compound files ([MS-CFB]), the container of HWP 5 and old Office
 * documents: the header, the FAT from the DIFAT, the mini FAT, the
 * directory tree (flattened into paths), and stream reads. Written for
 * hostile input: every sector number is checked against the file, every
 * chain is walked at most as many steps as there are sectors (a cycle
 * ends it), the tree walk is bounded in depth and visits each entry
 * once. */
#include <string.h>

#include "attach.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/utf8.h"

#define FREESECT 0xFFFFFFFFu
#define ENDOFCHAIN 0xFFFFFFFEu
#define MAXREG 0xFFFFFFFAu
#define NOSTREAM 0xFFFFFFFFu
#define TREE_DEPTH_MAX 32

static const unsigned char signature[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};

static uint32_t u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool shn__ole_is(const unsigned char *data, size_t len)
{
    return len >= 512 && memcmp(data, signature, 8) == 0;
}

static size_t n_sectors(const struct shn__ole *o)
{
    return (o->len - o->sector_size) / o->sector_size; /* the header is sector -1 */
}

static const unsigned char *sector(const struct shn__ole *o, uint32_t s)
{
    if (s > MAXREG || (size_t)s >= n_sectors(o))
        return NULL;
    return o->data + (size_t)(s + 1) * o->sector_size;
}

static int load_fat(struct shn__ole *o, const unsigned char *h)
{
    size_t per = o->sector_size / 4, total = n_sectors(o), n_fat_sectors = u32(h + 0x2C), got = 0,
           cap;
    uint32_t difat = u32(h + 0x44);
    size_t difat_left = u32(h + 0x48);
    if (n_fat_sectors == 0 || n_fat_sectors > total)
        return SHN_ERR_PARSE;
    if (!shn_size_mul(n_fat_sectors, per, &cap) || !(o->fat = shn_malloc(cap * 4)))
        return SHN_ERR_NOMEM;
    o->n_fat = cap;
    /* the first 109 FAT sector numbers sit in the header, the rest in the
     * DIFAT chain (last slot of each DIFAT sector: the next one) */
    for (size_t i = 0; i < 109 && got < n_fat_sectors; i++) {
        const unsigned char *s = sector(o, u32(h + 0x4C + 4 * i));
        if (!s)
            return SHN_ERR_PARSE;
        memcpy(o->fat + got * per, s, o->sector_size);
        got++;
    }
    for (size_t steps = 0; got < n_fat_sectors && difat_left-- > 0 && steps < total; steps++) {
        const unsigned char *d = sector(o, difat);
        if (!d)
            return SHN_ERR_PARSE;
        for (size_t i = 0; i + 1 < per && got < n_fat_sectors; i++) {
            const unsigned char *s = sector(o, u32(d + 4 * i));
            if (!s)
                return SHN_ERR_PARSE;
            memcpy(o->fat + got * per, s, o->sector_size);
            got++;
        }
        difat = u32(d + 4 * (per - 1));
    }
    if (got < n_fat_sectors)
        return SHN_ERR_PARSE;
    for (size_t i = 0; i < o->n_fat; i++) /* little-endian on disk */
        o->fat[i] = u32((const unsigned char *)&o->fat[i]);
    return SHN_OK;
}

/* Calls fn for each sector of the chain from `start` in `fat`, at most
 * `limit` steps. */
static int chain(const uint32_t *fat, size_t n_fat, uint32_t start, size_t limit,
                 int (*fn)(void *ctx, uint32_t s), void *ctx)
{
    uint32_t s = start;
    int rc = SHN_OK;
    for (size_t steps = 0; s != ENDOFCHAIN && rc == SHN_OK; steps++) {
        if (steps >= limit || s >= n_fat)
            return SHN_ERR_PARSE;
        rc = fn(ctx, s);
        s = fat[s];
    }
    return rc;
}

struct gather {
    const struct shn__ole *o;
    unsigned char *buf;
    size_t len, max;
};

static int gather_sector(void *ctx, uint32_t s)
{
    struct gather *g = ctx;
    const unsigned char *p = sector(g->o, s);
    size_t n = g->o->sector_size;
    if (!p)
        return SHN_ERR_PARSE;
    if (g->len >= g->max)
        return SHN_ERR_TOO_LARGE; /* the caller keeps what it has */
    if (n > g->max - g->len)
        n = g->max - g->len;
    memcpy(g->buf + g->len, p, n);
    g->len += n;
    return SHN_OK;
}

/* The bytes of a FAT chain, at most max. */
static int read_chain(const struct shn__ole *o, uint32_t start, size_t max, unsigned char **out,
                      size_t *out_len)
{
    struct gather g = {o, NULL, 0, max};
    int rc;
    if (g.max > o->len) /* a chain visits each sector at most once */
        g.max = o->len;
    if (!(g.buf = shn_malloc(g.max ? g.max : 1)))
        return SHN_ERR_NOMEM;
    rc = chain(o->fat, o->n_fat, start, n_sectors(o), gather_sector, &g);
    if (rc == SHN_ERR_TOO_LARGE)
        rc = SHN_OK;
    if (rc != SHN_OK) {
        shn_free(g.buf);
        return rc;
    }
    *out = g.buf;
    *out_len = g.len;
    return SHN_OK;
}

static void entry_name(const unsigned char *d, char *out, size_t size)
{
    size_t n = 0, chars = d[0x40] | d[0x41] << 8;
    chars = chars >= 2 && chars <= 64 ? chars / 2 - 1 : 0;
    for (size_t i = 0; i < chars && n + 5 < size; i++) {
        uint32_t cp = (uint32_t)(d[2 * i] | d[2 * i + 1] << 8);
        if (cp < 0x20 || (cp >= 0xD800 && cp <= 0xDFFF))
            cp = '_'; /* "\x05SummaryInformation" */
        n += shn_utf8_encode(cp, out + n);
    }
    out[n] = '\0';
}

struct tree {
    struct shn__ole *o;
    const unsigned char *dir;
    size_t n_dir;
    unsigned char *seen;
};

/* Visits the red-black tree of siblings under a storage (in-order walk,
 * depth bounded; an entry seen twice ends that branch). */
static int walk(struct tree *t, uint32_t id, const char *prefix, int depth)
{
    const unsigned char *d;
    struct shn__ole_entry *e;
    int rc;
    if (id == NOSTREAM)
        return SHN_OK;
    if (id >= t->n_dir || depth > TREE_DEPTH_MAX || t->seen[id])
        return SHN_ERR_PARSE;
    if (t->o->n_entries >= SHN__OLE_ENTRIES_MAX)
        return SHN_ERR_TOO_LARGE;
    t->seen[id] = 1;
    d = t->dir + (size_t)id * 128;
    if ((rc = walk(t, u32(d + 0x44), prefix, depth + 1)) != SHN_OK)
        return rc;
    e = &t->o->entries[t->o->n_entries++];
    entry_name(d, e->name, sizeof e->name);
    snprintf(e->path, sizeof e->path, "%s%s%s", prefix, *prefix ? "/" : "", e->name);
    e->type = d[0x42];
    e->start = u32(d + 0x74);
    e->size = u32(d + 0x78); /* v3 files: the high half is undefined */
    if (e->type == 1) {
        char sub[256];
        snprintf(sub, sizeof sub, "%s", e->path);
        if ((rc = walk(t, u32(d + 0x4C), sub, depth + 1)) != SHN_OK)
            return rc;
    }
    return walk(t, u32(d + 0x48), prefix, depth + 1);
}

static int load_directory(struct shn__ole *o, uint32_t first)
{
    unsigned char *dir = NULL;
    size_t len = 0, max;
    struct tree t;
    int rc;
    if (!shn_size_mul(n_sectors(o), o->sector_size, &max))
        return SHN_ERR_TOO_LARGE;
    if (max > (size_t)SHN__OLE_ENTRIES_MAX * 128)
        max = (size_t)SHN__OLE_ENTRIES_MAX * 128;
    if ((rc = read_chain(o, first, max, &dir, &len)) != SHN_OK)
        return rc;
    t.o = o;
    t.dir = dir;
    t.n_dir = len / 128;
    t.seen = shn_calloc(t.n_dir ? t.n_dir : 1, 1);
    o->entries = shn_calloc(SHN__OLE_ENTRIES_MAX, sizeof *o->entries);
    if (!t.seen || !o->entries || t.n_dir == 0) {
        rc = t.n_dir == 0 ? SHN_ERR_PARSE : SHN_ERR_NOMEM;
    } else if (dir[0x42] != 5) {
        rc = SHN_ERR_PARSE; /* entry 0 is the root */
    } else {
        o->mini_start = u32(dir + 0x74);
        o->mini_stream_size = u32(dir + 0x78);
        t.seen[0] = 1;
        rc = walk(&t, u32(dir + 0x4C), "", 0);
    }
    shn_free(t.seen);
    shn_free(dir);
    return rc;
}

static int load_minifat(struct shn__ole *o, const unsigned char *h)
{
    uint32_t first = u32(h + 0x3C);
    unsigned char *buf = NULL;
    size_t len = 0, max;
    int rc;
    if (first == ENDOFCHAIN || u32(h + 0x40) == 0)
        return SHN_OK;
    if (!shn_size_mul(u32(h + 0x40), o->sector_size, &max) || max > o->len)
        return SHN_ERR_PARSE;
    if ((rc = read_chain(o, first, max, &buf, &len)) != SHN_OK)
        return rc;
    o->minifat = (uint32_t *)(void *)buf;
    o->n_minifat = len / 4;
    for (size_t i = 0; i < o->n_minifat; i++)
        o->minifat[i] = u32(buf + 4 * i);
    return SHN_OK;
}

int shn__ole_open(const unsigned char *data, size_t len, struct shn__ole *out)
{
    struct shn__ole o;
    unsigned shift, mini_shift;
    int rc;
    if (!shn__ole_is(data, len))
        return SHN_ERR_FORMAT;
    memset(&o, 0, sizeof o);
    o.data = data;
    shift = data[0x1E] | data[0x1F] << 8;
    mini_shift = data[0x20] | data[0x21] << 8;
    if ((shift != 9 && shift != 12) || mini_shift != 6 || data[0x1C] != 0xFE || data[0x1D] != 0xFF)
        return SHN_ERR_PARSE;
    o.sector_size = 1u << shift;
    o.mini_size = 1u << mini_shift;
    o.len = len - len % o.sector_size; /* a cut last sector is dropped */
    if (o.len < 2 * o.sector_size)
        return SHN_ERR_PARSE;
    if ((rc = load_fat(&o, data)) == SHN_OK && (rc = load_minifat(&o, data)) == SHN_OK)
        rc = load_directory(&o, u32(data + 0x30));
    if (rc != SHN_OK) {
        shn__ole_close(&o);
        return rc;
    }
    *out = o;
    return SHN_OK;
}

void shn__ole_close(struct shn__ole *o)
{
    if (!o)
        return;
    shn_free(o->fat);
    shn_free(o->minifat);
    shn_free(o->entries);
    memset(o, 0, sizeof *o);
}

const struct shn__ole_entry *shn__ole_find(const struct shn__ole *o, const char *path)
{
    for (size_t i = 0; i < o->n_entries; i++)
        if (strcasecmp(o->entries[i].path, path) == 0)
            return &o->entries[i];
    return NULL;
}

int shn__ole_read(const struct shn__ole *o, const struct shn__ole_entry *e, size_t max,
                  unsigned char **out, size_t *out_len)
{
    size_t want = e->size < max ? (size_t)e->size : max;
    unsigned char *mini = NULL, *buf;
    size_t mini_len = 0, n = 0;
    uint32_t s = e->start;
    int rc;
    if (e->type != 2)
        return SHN_ERR_INVALID;
    if (e->size >= 4096) /* the mini stream cutoff */
        return read_chain(o, e->start, want, out, out_len);
    /* a small stream lives in the mini stream, itself a FAT chain of the
     * root entry */
    if ((rc = read_chain(o, o->mini_start, (size_t)o->mini_stream_size, &mini, &mini_len)) !=
        SHN_OK)
        return rc;
    if (!(buf = shn_malloc(want ? want : 1))) {
        shn_free(mini);
        return SHN_ERR_NOMEM;
    }
    for (size_t steps = 0; n < want && s != ENDOFCHAIN; steps++) {
        size_t at = (size_t)s * o->mini_size, k = o->mini_size;
        if (steps > o->n_minifat || s >= o->n_minifat || at >= mini_len ||
            mini_len - at < o->mini_size) {
            rc = SHN_ERR_PARSE;
            break;
        }
        if (k > want - n)
            k = want - n;
        memcpy(buf + n, mini + at, k);
        n += k;
        s = o->minifat[s];
    }
    shn_free(mini);
    if (rc != SHN_OK) {
        shn_free(buf);
        return rc;
    }
    *out = buf;
    *out_len = n;
    return SHN_OK;
}
