/* The section file: one container for every binary file shinsa writes and
 * maps (the screen index, the LINKDB, the trace graph, the text model), so
 * that magic, version, bounds and checksums are written and checked by one
 * piece of code (docs/files.md has the layout).
 *
 *   0   char magic[8]       the format's own ("SHNSCRN\0", "SHNLINK\0", ...)
 *   8   u32  version        the format's version
 *   12  u32  header_size    32 + 24 * n_sections
 *   16  u64  file_size
 *   24  u32  n_sections     at most SHN_SECTION_MAX
 *   28  u32  header_crc     CRC-32 of [0, header_size) with this field zero
 *   32  n_sections x { u32 id, u32 crc (CRC-32 of the section), u64 offset,
 *                      u64 size }
 *   then the sections, in table order, each at an 8-byte aligned offset,
 *   zero bytes between them (checked too).
 *
 * Header integers are little-endian. A section's contents are its format's
 * business (the formats store host-order arrays and refuse big-endian
 * hosts). Magic and version come first, where earlier versions of each
 * format had them too, so an old file is refused by its version number. */
#ifndef SHN_CORE_SECTION_H
#define SHN_CORE_SECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shinsa/core/buf.h"
#include "shinsa/core/err.h"

#define SHN_SECTION_HEADER_BYTES 32
#define SHN_SECTION_ENTRY_BYTES 24
#define SHN_SECTION_MAX 64

/* What a format is, for the checks and their messages. */
struct shn_section_format {
    char magic[8];
    uint32_t version;
    const char *name; /* "screen index": "not a shinsa screen index" */
    const char *make; /* the command that writes it: "shinsa lists build" */
};

/* One section to write: `size` bytes at `data` (NULL when size is 0). */
struct shn_section {
    uint32_t id;
    const void *data;
    uint64_t size;
};

/* Writes a section file through the safe writer (shn_file_write_atomic's
 * guarantees: the old file or the whole new one). SHN_ERR_INVALID for more
 * than SHN_SECTION_MAX sections or repeated ids; write errors as
 * shn_file_out_commit. */
int shn_section_write(const char *path, const struct shn_section_format *fmt,
                      const struct shn_section *secs, size_t n, struct shn_diag *diag);

struct shn_file_out;
/* The same into a streamed writer the caller then commits or aborts (to
 * check the temporary before it replaces the target). */
int shn_section_write_out(struct shn_file_out *o, const struct shn_section_format *fmt,
                          const struct shn_section *secs, size_t n);

/* The same file into memory: appended to `out` (whose cap bounds it).
 * The bytes open with shn_section_open() once they sit at an 8-byte aligned
 * address (a fresh shn_buf's are). */
int shn_section_encode(const struct shn_section_format *fmt, const struct shn_section *secs,
                       size_t n, struct shn_buf *out);

/* For a producer that lays its sections out in one buffer itself: the
 * header's size for n sections (a multiple of 8), and the header for
 * sections that follow it in table order, each at the next 8-byte boundary
 * with zero bytes between (as shn_section_encode lays them out), written
 * into out[shn_section_header_size(n)]. SHN_ERR_INVALID as for the writer. */
size_t shn_section_header_size(size_t n);
int shn_section_header(const struct shn_section_format *fmt, const struct shn_section *secs,
                       size_t n, void *out);

/* A checked section file over caller-owned bytes (a mapping or a buffer
 * that must outlive it). */
struct shn_section_file {
    const unsigned char *data;
    size_t size;
    uint32_t version;
    uint32_t n_sections;
};

/* Checks everything before anything is used: magic (SHN_ERR_FORMAT "not a
 * shinsa NAME"), version (SHN_ERR_FORMAT naming the file's version and the
 * one this build reads), header size and checksum, file size, and for each
 * section its bounds, alignment, order, id (unique) and checksum, and that
 * the bytes between sections are zero, so every byte is checked
 * (SHN_ERR_CORRUPT). `data` must be 8-byte aligned (SHN_ERR_INVALID).
 * `path` names the file in diagnostics and must outlive them. */
int shn_section_open(struct shn_section_file *f, const void *data, size_t size,
                     const struct shn_section_format *fmt, const char *path, struct shn_diag *diag);

/* The section `id` of a checked file: false when there is none. */
bool shn_section_get(const struct shn_section_file *f, uint32_t id, const void **data,
                     uint64_t *size);

/* The same, as an array of `elem`-byte items (8-aligned): false when the
 * section is missing or not a whole number of items. */
bool shn_section_array(const struct shn_section_file *f, uint32_t id, size_t elem,
                       const void **data, uint64_t *count);

/* The offset of section `id` in the file (for tests that damage one on
 * purpose); false when there is none. Does not check the file. */
bool shn_section_locate(const void *data, size_t size, uint32_t id, uint64_t *offset,
                        uint64_t *length);

/* Recomputes, in place, file size and checksums of bytes that start with a
 * plausible header, so that fuzzers and tests can hand the reader damaged
 * but checksummed files and reach the checks behind the CRCs. Sections
 * outside the bytes are left alone. False when there is no header. */
bool shn_section_reseal(void *data, size_t size);

#endif
