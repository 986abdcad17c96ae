/* The section file (section.h): header and table written and read
 * byte-wise (little-endian), every bound checked before a section is
 * handed out. */
#include "shinsa/core/section.h"

#include <string.h>

#include "shinsa/core/file.h"
#include "shinsa/core/hash.h"

static const unsigned char zeros[8];

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint64_t pad8(uint64_t n)
{
    return (n + 7) & ~(uint64_t)7;
}

static uint32_t header_crc(const unsigned char *h, size_t header_size)
{
    uint32_t crc = shn_crc32(0, h, 28);

    crc = shn_crc32(crc, zeros, 4);
    return shn_crc32(crc, h + SHN_SECTION_HEADER_BYTES, header_size - SHN_SECTION_HEADER_BYTES);
}

/* ---- Writing ------------------------------------------------------------------ */

/* Fills the header (which holds SHN_SECTION_HEADER_BYTES + 24 n bytes). */
static int make_header(const struct shn_section_format *fmt, const struct shn_section *secs,
                       size_t n, unsigned char *h, size_t *header_size)
{
    uint64_t off, size = SHN_SECTION_HEADER_BYTES + SHN_SECTION_ENTRY_BYTES * (uint64_t)n;

    if (n > SHN_SECTION_MAX)
        return SHN_ERR_INVALID;
    memset(h, 0, (size_t)size);
    memcpy(h, fmt->magic, 8);
    put32(h + 8, fmt->version);
    put32(h + 12, (uint32_t)size);
    put32(h + 24, (uint32_t)n);
    off = pad8(size);
    for (size_t i = 0; i < n; i++) {
        unsigned char *e = h + SHN_SECTION_HEADER_BYTES + SHN_SECTION_ENTRY_BYTES * i;
        for (size_t j = 0; j < i; j++)
            if (secs[j].id == secs[i].id)
                return SHN_ERR_INVALID;
        if ((!secs[i].data && secs[i].size) || secs[i].size > UINT64_MAX / 2 - off)
            return SHN_ERR_INVALID;
        put32(e, secs[i].id);
        put32(e + 4, shn_crc32(0, secs[i].data, (size_t)secs[i].size));
        put64(e + 8, off);
        put64(e + 16, secs[i].size);
        off = pad8(off + secs[i].size);
    }
    put64(h + 16, off);
    put32(h + 28, header_crc(h, (size_t)size));
    *header_size = (size_t)size;
    return SHN_OK;
}

size_t shn_section_header_size(size_t n)
{
    return SHN_SECTION_HEADER_BYTES + SHN_SECTION_ENTRY_BYTES * n;
}

int shn_section_header(const struct shn_section_format *fmt, const struct shn_section *secs,
                       size_t n, void *out)
{
    size_t size;

    return make_header(fmt, secs, n, out, &size);
}

typedef int (*emit_fn)(void *sink, const void *data, size_t len);

static int emit_all(emit_fn emit, void *sink, const struct shn_section_format *fmt,
                    const struct shn_section *secs, size_t n)
{
    unsigned char h[SHN_SECTION_HEADER_BYTES + SHN_SECTION_ENTRY_BYTES * SHN_SECTION_MAX];
    size_t size;
    uint64_t off;
    int rc = make_header(fmt, secs, n, h, &size);

    if (rc != SHN_OK)
        return rc;
    rc = emit(sink, h, size);
    off = size;
    for (size_t i = 0; i < n && rc == SHN_OK; i++) {
        if (off % 8)
            rc = emit(sink, zeros, (size_t)(8 - off % 8));
        off = pad8(off);
        if (rc == SHN_OK && secs[i].size)
            rc = emit(sink, secs[i].data, (size_t)secs[i].size);
        off += secs[i].size;
    }
    if (rc == SHN_OK && off % 8)
        rc = emit(sink, zeros, (size_t)(8 - off % 8));
    return rc;
}

static int emit_out(void *sink, const void *data, size_t len)
{
    return shn_file_out_write(sink, data, len);
}

static int emit_buf(void *sink, const void *data, size_t len)
{
    return shn_buf_append(sink, data, len);
}

int shn_section_write_out(struct shn_file_out *o, const struct shn_section_format *fmt,
                          const struct shn_section *secs, size_t n)
{
    return emit_all(emit_out, o, fmt, secs, n);
}

int shn_section_write(const char *path, const struct shn_section_format *fmt,
                      const struct shn_section *secs, size_t n, struct shn_diag *diag)
{
    struct shn_file_out *o = NULL;
    int rc = shn_file_out_open(path, &o, diag);

    if (rc != SHN_OK)
        return rc;
    rc = shn_section_write_out(o, fmt, secs, n);
    if (rc == SHN_ERR_INVALID) {
        shn_file_out_abort(o);
        return shn_diag_set(diag, rc, path, 0, NULL, "bad section table (a bug)");
    }
    return shn_file_out_commit(o, diag); /* reports a failed write */
}

int shn_section_encode(const struct shn_section_format *fmt, const struct shn_section *secs,
                       size_t n, struct shn_buf *out)
{
    return emit_all(emit_buf, out, fmt, secs, n);
}

/* ---- Reading ------------------------------------------------------------------ */

static int corrupt(struct shn_diag *diag, const struct shn_section_format *fmt, const char *path,
                   const char *what)
{
    return shn_diag_set(diag, SHN_ERR_CORRUPT, path, 0, NULL, "%s is corrupt: %s", fmt->name, what);
}

static int corrupt_section(struct shn_diag *diag, const struct shn_section_format *fmt,
                           const char *path, const char *what, uint32_t id)
{
    return shn_diag_set(diag, SHN_ERR_CORRUPT, path, 0, NULL, "%s is corrupt: %s section %u",
                        fmt->name, what, (unsigned)id);
}

/* The padding between sections is zero, so that every byte of a file is
 * checked by a checksum or by this. */
static bool zeros_between(const unsigned char *p, uint64_t from, uint64_t to)
{
    for (uint64_t i = from; i < to; i++)
        if (p[i])
            return false;
    return true;
}

int shn_section_open(struct shn_section_file *f, const void *data, size_t size,
                     const struct shn_section_format *fmt, const char *path, struct shn_diag *diag)
{
    const unsigned char *p = data;
    uint64_t header_size, file_size, end;
    uint32_t n, version;

    if (size < 12 || memcmp(p, fmt->magic, 8) != 0)
        return shn_diag_set(diag, SHN_ERR_FORMAT, path, 0, NULL,
                            "not a shinsa %s (build one with '%s')", fmt->name, fmt->make);
    version = get32(p + 8);
    if (version != fmt->version)
        return shn_diag_set(diag, SHN_ERR_FORMAT, path, 0, NULL,
                            "%s format version %u, this shinsa reads version %u: rebuild it "
                            "with '%s'",
                            fmt->name, version, fmt->version, fmt->make);
    if ((uintptr_t)data % 8)
        return shn_diag_set(diag, SHN_ERR_INVALID, path, 0, NULL, "buffer not 8-byte aligned");
    if (size < SHN_SECTION_HEADER_BYTES)
        return corrupt(diag, fmt, path, "header cut short");
    header_size = get32(p + 12);
    n = get32(p + 24);
    if (n > SHN_SECTION_MAX ||
        header_size != SHN_SECTION_HEADER_BYTES + (uint64_t)SHN_SECTION_ENTRY_BYTES * n ||
        header_size > size)
        return corrupt(diag, fmt, path, "bad section table");
    if (header_crc(p, (size_t)header_size) != get32(p + 28))
        return corrupt(diag, fmt, path, "header checksum mismatch");
    file_size = get64(p + 16);
    if (file_size != size)
        return shn_diag_set(diag, SHN_ERR_CORRUPT, path, 0, NULL,
                            "%s is %zu bytes but says %llu: truncated or overwritten", fmt->name,
                            size, (unsigned long long)file_size);
    end = header_size;
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *e = p + SHN_SECTION_HEADER_BYTES + SHN_SECTION_ENTRY_BYTES * i;
        uint32_t id = get32(e);
        uint64_t off = get64(e + 8), len = get64(e + 16);
        for (uint32_t j = 0; j < i; j++)
            if (get32(p + SHN_SECTION_HEADER_BYTES + SHN_SECTION_ENTRY_BYTES * j) == id)
                return corrupt_section(diag, fmt, path, "repeated", id);
        /* in order, so that sections cannot overlap */
        if (off % 8 || off < end || off > size || len > size - off)
            return corrupt_section(diag, fmt, path, "out-of-bounds", id);
        if (!zeros_between(p, end, off))
            return corrupt_section(diag, fmt, path, "non-zero bytes before", id);
        if (shn_crc32(0, p + off, (size_t)len) != get32(e + 4))
            return corrupt_section(diag, fmt, path, "checksum mismatch in", id);
        end = off + len;
    }
    if (!zeros_between(p, end, size))
        return corrupt(diag, fmt, path, "non-zero bytes after the last section");
    f->data = p;
    f->size = size;
    f->version = version;
    f->n_sections = n;
    return SHN_OK;
}

bool shn_section_get(const struct shn_section_file *f, uint32_t id, const void **data,
                     uint64_t *size)
{
    for (uint32_t i = 0; i < f->n_sections; i++) {
        const unsigned char *e = f->data + SHN_SECTION_HEADER_BYTES + SHN_SECTION_ENTRY_BYTES * i;
        if (get32(e) != id)
            continue;
        *data = f->data + get64(e + 8);
        *size = get64(e + 16);
        return true;
    }
    return false;
}

bool shn_section_array(const struct shn_section_file *f, uint32_t id, size_t elem,
                       const void **data, uint64_t *count)
{
    const void *p;
    uint64_t size;

    if (!elem || !shn_section_get(f, id, &p, &size) || size % elem)
        return false;
    *data = p;
    *count = size / elem;
    return true;
}

/* The table of bytes that may be damaged: n entries that fit in `size`. */
static bool table(const unsigned char *p, size_t size, uint32_t *n)
{
    uint64_t hs;

    if (size < SHN_SECTION_HEADER_BYTES)
        return false;
    *n = get32(p + 24);
    hs = SHN_SECTION_HEADER_BYTES + (uint64_t)SHN_SECTION_ENTRY_BYTES * *n;
    return *n <= SHN_SECTION_MAX && hs <= size;
}

bool shn_section_locate(const void *data, size_t size, uint32_t id, uint64_t *offset,
                        uint64_t *length)
{
    const unsigned char *p = data;
    uint32_t n;

    if (!table(p, size, &n))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *e = p + SHN_SECTION_HEADER_BYTES + SHN_SECTION_ENTRY_BYTES * i;
        if (get32(e) == id) {
            *offset = get64(e + 8);
            *length = get64(e + 16);
            return true;
        }
    }
    return false;
}

bool shn_section_reseal(void *data, size_t size)
{
    unsigned char *p = data;
    uint32_t n;

    if (!table(p, size, &n))
        return false;
    put32(p + 12, SHN_SECTION_HEADER_BYTES + SHN_SECTION_ENTRY_BYTES * n);
    put64(p + 16, size);
    for (uint32_t i = 0; i < n; i++) {
        unsigned char *e = p + SHN_SECTION_HEADER_BYTES + SHN_SECTION_ENTRY_BYTES * i;
        uint64_t off = get64(e + 8), len = get64(e + 16);
        if (off <= size && len <= size - off)
            put32(e + 4, shn_crc32(0, p + off, (size_t)len));
    }
    put32(p + 28, header_crc(p, SHN_SECTION_HEADER_BYTES + SHN_SECTION_ENTRY_BYTES * n));
    return true;
}
