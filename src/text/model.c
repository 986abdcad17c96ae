/* Loading the natural-Japanese model and looking counts up in it. The file
 * is read whole, checked (the section file's magic, version, CRCs and
 * bounds; here every count and offset), and used in place: counts are
 * sorted key arrays searched by bisection. */
#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"
#include "shinsa/core/hash.h"
#include "shinsa/core/section.h"
#include "text_internal.h"

const struct shn_section_format shn__text_model_format = {
    SHN__TEXT_MODEL_MAGIC, SHN__TEXT_MODEL_VERSION, "text model", "the build's shinsa-text-train"};

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

/* Points *out at section `id` as `count` items of `elem` bytes. */
static bool array(const struct shn_section_file *f, int id, size_t elem, uint64_t count,
                  const void **out)
{
    uint64_t n;

    return shn_section_array(f, (uint32_t)id, elem, out, &n) && n == count;
}

int shn__text_model_from_memory(char *data, size_t size, struct shn__text_model *m,
                                struct shn_diag *diag)
{
    struct shn_section_file f;
    struct shn__text_model t;
    struct shn__text_model_meta meta;
    const void *p;
    uint64_t n;
    int rc = shn_section_open(&f, data, size, &shn__text_model_format, NULL, diag);

    if (rc != SHN_OK)
        goto out;
    memset(&t, 0, sizeof t);
    if (!shn_section_get(&f, SHN__TEXT_SEC_META, &p, &n) || n != sizeof meta)
        goto corrupt;
    memcpy(&meta, p, sizeof meta);
    t.vocab = meta.vocab;
    t.tokens = meta.tokens;
    t.sentences = meta.sentences;
    t.n_bi = meta.n_bi;
    t.n_tri = meta.n_tri;
    t.trigram_min = meta.trigram_min;
    if (t.vocab >= (1u << 21) || t.vocab == 0 ||
        !array(&f, SHN__TEXT_SEC_UNI, 4, t.vocab, (const void **)&t.uni) ||
        !array(&f, SHN__TEXT_SEC_STR_OFF, 4, t.vocab, (const void **)&t.str_off) ||
        !shn_section_get(&f, SHN__TEXT_SEC_STRINGS, &p, &n) || n == 0 || n > UINT32_MAX ||
        !array(&f, SHN__TEXT_SEC_BI_KEY, 8, t.n_bi, (const void **)&t.bi_key) ||
        !array(&f, SHN__TEXT_SEC_BI_COUNT, 4, t.n_bi, (const void **)&t.bi_count) ||
        !array(&f, SHN__TEXT_SEC_TRI_KEY, 8, t.n_tri, (const void **)&t.tri_key) ||
        !array(&f, SHN__TEXT_SEC_TRI_COUNT, 4, t.n_tri, (const void **)&t.tri_count))
        goto corrupt;
    t.strings = p;
    t.strings_bytes = (size_t)n;
    if (t.strings[t.strings_bytes - 1] != '\0')
        goto corrupt;
    for (uint32_t i = 0; i < t.vocab; i++)
        if (t.str_off[i] >= t.strings_bytes)
            goto corrupt;
    if (!sorted(t.bi_key, t.n_bi) || !sorted(t.tri_key, t.n_tri))
        goto corrupt;
    t.data = data;
    t.size = size;
    rc = build_slots(&t);
    if (rc == SHN_OK)
        *m = t;
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
