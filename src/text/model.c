/* Loading the natural-Japanese model and looking counts up in it. The file
 * is read whole, checked (magic, version, CRC, every offset), and used in
 * place: counts are sorted key arrays searched by bisection. */
#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"
#include "shinsa/core/hash.h"
#include "text_internal.h"

#define HEADER_BYTES 48

static size_t pad8(size_t n)
{
    return (n + 7u) & ~(size_t)7u;
}

/* Takes `len` bytes at *pos, 8-aligned by construction; false when the
 * file is too short. */
static bool take(size_t size, size_t *pos, size_t len, size_t *at)
{
    size_t end;

    if (!shn_size_add(*pos, len, &end) || end > size)
        return false;
    *at = *pos;
    *pos = pad8(end);
    if (*pos > size)
        *pos = size;
    return true;
}

static int build_slots(struct shn__text_model *m)
{
    size_t cap = 16;

    while (cap < (size_t)m->vocab * 2)
        cap *= 2;
    m->slots = shn_malloc(cap * sizeof *m->slots);
    if (!m->slots)
        return SHN_ERR_NOMEM;
    for (size_t i = 0; i < cap; i++)
        m->slots[i] = SHN__TEXT_NO_CLASS;
    m->slot_mask = cap - 1;
    for (uint32_t id = 0; id < m->vocab; id++) {
        const char *s = m->strings + m->str_off[id];
        size_t h = (size_t)shn_hash64(s, strlen(s), 0) & m->slot_mask;
        while (m->slots[h] != SHN__TEXT_NO_CLASS)
            h = (h + 1) & m->slot_mask;
        m->slots[h] = id;
    }
    return SHN_OK;
}

static bool sorted(const uint64_t *k, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++)
        if (k[i - 1] >= k[i])
            return false;
    return true;
}

int shn__text_model_from_memory(char *data, size_t size, struct shn__text_model *m,
                                struct shn_diag *diag)
{
    int rc = SHN_ERR_CORRUPT;
    struct shn__text_model t;
    uint32_t version, crc, strings_bytes;
    size_t pos = HEADER_BYTES, at, n;

    memset(&t, 0, sizeof t);
    if (size < HEADER_BYTES + 4 || memcmp(data, SHN__TEXT_MODEL_MAGIC, 8) != 0 ||
        ((uintptr_t)data & 7u) != 0) {
        rc = shn_diag_set(diag, SHN_ERR_FORMAT, NULL, 0, NULL, "not a text model file");
        goto out;
    }
    memcpy(&version, data + 8, 4);
    if (version != SHN__TEXT_MODEL_VERSION) {
        rc = shn_diag_set(diag, SHN_ERR_FORMAT, NULL, 0, NULL,
                          "text model version %u, this build reads %u", version,
                          SHN__TEXT_MODEL_VERSION);
        goto out;
    }
    memcpy(&crc, data + size - 4, 4);
    if (shn_crc32(0, data, size - 4) != crc) {
        rc = shn_diag_set(diag, SHN_ERR_CORRUPT, NULL, 0, NULL, "text model checksum mismatch");
        goto out;
    }
    memcpy(&t.vocab, data + 12, 4);
    memcpy(&t.tokens, data + 16, 8);
    memcpy(&t.sentences, data + 24, 8);
    memcpy(&t.n_bi, data + 32, 4);
    memcpy(&t.n_tri, data + 36, 4);
    memcpy(&strings_bytes, data + 40, 4);
    memcpy(&t.trigram_min, data + 44, 4);
    size -= 4; /* the CRC is not content */
    if (t.vocab >= (1u << 21) || t.vocab == 0)
        goto corrupt;
    if (!take(size, &pos, (size_t)t.vocab * 4, &at))
        goto corrupt;
    t.uni = (const uint32_t *)(void *)(data + at);
    if (!take(size, &pos, (size_t)t.vocab * 4, &at))
        goto corrupt;
    t.str_off = (const uint32_t *)(void *)(data + at);
    if (strings_bytes == 0 || !take(size, &pos, strings_bytes, &at))
        goto corrupt;
    t.strings = data + at;
    t.strings_bytes = strings_bytes;
    if (t.strings[strings_bytes - 1] != '\0')
        goto corrupt;
    for (uint32_t i = 0; i < t.vocab; i++)
        if (t.str_off[i] >= strings_bytes)
            goto corrupt;
    if (!shn_size_mul(t.n_bi, 8, &n) || !take(size, &pos, n, &at))
        goto corrupt;
    t.bi_key = (const uint64_t *)(void *)(data + at);
    if (!take(size, &pos, (size_t)t.n_bi * 4, &at))
        goto corrupt;
    t.bi_count = (const uint32_t *)(void *)(data + at);
    if (!shn_size_mul(t.n_tri, 8, &n) || !take(size, &pos, n, &at))
        goto corrupt;
    t.tri_key = (const uint64_t *)(void *)(data + at);
    if (!take(size, &pos, (size_t)t.n_tri * 4, &at))
        goto corrupt;
    t.tri_count = (const uint32_t *)(void *)(data + at);
    if (!sorted(t.bi_key, t.n_bi) || !sorted(t.tri_key, t.n_tri))
        goto corrupt;
    t.data = data;
    t.size = size + 4;
    rc = build_slots(&t);
    if (rc != SHN_OK)
        goto out;
    *m = t;
    rc = SHN_OK;
    goto out;
corrupt:
    rc = shn_diag_set(diag, SHN_ERR_CORRUPT, NULL, 0, NULL, "text model tables out of bounds");
out:
    return rc;
}

int shn__text_model_load(const char *path, struct shn__text_model *m, struct shn_diag *diag)
{
    char *data = NULL;
    size_t len = 0;
    int rc = shn_file_read(path, SHN__TEXT_MODEL_MAX_BYTES, &data, &len, diag);

    if (rc != SHN_OK)
        goto out;
    rc = shn__text_model_from_memory(data, len, m, diag);
    if (rc == SHN_OK)
        data = NULL;
    else if (diag && !diag->file)
        diag->file = path;
out:
    shn_free(data);
    return rc;
}

void shn__text_model_cleanup(struct shn__text_model *m)
{
    if (!m)
        return;
    shn_free(m->slots);
    shn_free(m->data);
    memset(m, 0, sizeof *m);
}

uint32_t shn__text_model_id(const struct shn__text_model *m, const char *cls, size_t len)
{
    size_t h;

    if (!m->slots)
        return SHN__TEXT_NO_CLASS;
    h = (size_t)shn_hash64(cls, len, 0) & m->slot_mask;
    while (m->slots[h] != SHN__TEXT_NO_CLASS) {
        const char *s = m->strings + m->str_off[m->slots[h]];
        if (strncmp(s, cls, len) == 0 && s[len] == '\0')
            return m->slots[h];
        h = (h + 1) & m->slot_mask;
    }
    return SHN__TEXT_NO_CLASS;
}

static uint32_t find(const uint64_t *keys, const uint32_t *counts, uint32_t n, uint64_t key)
{
    uint32_t lo = 0, hi = n;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (keys[mid] == key)
            return counts[mid];
        if (keys[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

uint32_t shn__text_model_bi(const struct shn__text_model *m, uint32_t a, uint32_t b)
{
    return find(m->bi_key, m->bi_count, m->n_bi, shn__text_key(0, a, b));
}

uint32_t shn__text_model_tri(const struct shn__text_model *m, uint32_t a, uint32_t b, uint32_t c)
{
    return find(m->tri_key, m->tri_count, m->n_tri, shn__text_key(a, b, c));
}
