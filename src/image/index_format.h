/* The index file format, shared by the files that read, write and repair
 * it (index.c, index_write.c, index_check.c, index_frame.c).
 *
 * All integers little-endian:
 *   header, 32 bytes: "SHNPDQX1", u32 version (1), u32 header size (32),
 *     i64 creation time, u32 reserved (0), u32 CRC-32 of the 28 bytes before;
 *   then records, each a frame: u32 (0xA5 << 24 | payload length),
 *     u32 CRC-32 of the payload, payload:
 *     ADD (1):      u8 type, u8 quality, u8 owner length L, u8 0, i64 time,
 *                   32 hash bytes, L owner bytes            (44 + L bytes)
 *     REMOVE (2):   u8 type, u8 0, u8 L, u8 0, i64 time, L owner bytes
 *     SCRUBBED (3): u8 type, then zeros, as long as the ADD it replaced. */
#ifndef SHN_IMAGE_INDEX_FORMAT_H
#define SHN_IMAGE_INDEX_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "image_internal.h"

#define SHN__IMAGE_HEADER_SIZE 32
#define SHN__IMAGE_FRAME_SIZE 8
#define SHN__IMAGE_FRAME_MAGIC 0xA5u
#define SHN__IMAGE_ADD_FIXED 44u
#define SHN__IMAGE_REMOVE_FIXED 12u
#define SHN__IMAGE_MAX_PAYLOAD (SHN__IMAGE_ADD_FIXED + SHN_IMAGE_OWNER_MAX)
#define SHN__IMAGE_MAX_FRAME (SHN__IMAGE_FRAME_SIZE + SHN__IMAGE_MAX_PAYLOAD)
#define SHN__IMAGE_TYPE_ADD 1
#define SHN__IMAGE_TYPE_REMOVE 2
#define SHN__IMAGE_TYPE_SCRUBBED 3

static inline void shn__image_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void shn__image_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t shn__image_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t shn__image_get64(const uint8_t *p)
{
    return (uint64_t)shn__image_get32(p) | (uint64_t)shn__image_get32(p + 4) << 32;
}

/* What the file holds at a position, as the walker sees it. */
enum shn__image_span_kind {
    SHN__IMAGE_SPAN_END = 0,
    SHN__IMAGE_SPAN_FRAME,   /* a frame whose checksum holds */
    SHN__IMAGE_SPAN_DAMAGED, /* bytes skipped up to the next good frame */
    SHN__IMAGE_SPAN_TORN,    /* the rest of the file: a torn last append */
};

struct shn__image_span {
    enum shn__image_span_kind kind;
    size_t offset, length; /* the span's bytes in the file */
    /* FRAME: the payload. DAMAGED with one_frame: the payload its intact
     * header announces (its checksum fails). */
    const uint8_t *payload;
    uint32_t payload_len;
    int one_frame; /* DAMAGED: exactly one frame whose header is intact */
};

/* Walks the frames of a file after its header, resynchronising after
 * damage: a frame that cannot be read is skipped up to the next position
 * where a whole frame passes its checksum (2^-32 odds of a false one). */
struct shn__image_walk {
    const uint8_t *data;
    size_t size, pos;
    /* Cache of the last scan: no good frame in [scan_from, next_good), and
     * one at next_good (or next_good is the size). */
    size_t scan_from, next_good;
};

void shn__image_walk_init(struct shn__image_walk *w, const uint8_t *data, size_t size);
/* Fills *s with the span at the current position and moves past it; END
 * when the data is used up. Every byte after the header is in exactly one
 * span, in order. */
void shn__image_walk_next(struct shn__image_walk *w, struct shn__image_span *s);

/* The record type of a good frame's payload when it is well formed (ADD
 * with a valid owner and quality, REMOVE with a valid owner, SCRUBBED);
 * 0 for a frame we do not understand. */
int shn__image_payload_kind(const uint8_t *p, uint32_t len);

/* A damaged frame with an intact header that a removal was overwriting
 * when it was cut short (the start of a SCRUBBED frame, or an ADD whose
 * owner bytes hold zeros, which no owner id can). */
int shn__image_payload_torn_scrub(const uint8_t *p, uint32_t len);

/* Frames into f (room for SHN__IMAGE_MAX_FRAME bytes); each returns the
 * frame's length. Owners are 1..255 bytes, checked by the caller. */
size_t shn__image_encode_add(uint8_t *f, const uint8_t hash[32], int quality, const char *owner,
                             size_t owner_len, int64_t when);
size_t shn__image_encode_remove(uint8_t *f, const char *owner, size_t owner_len, int64_t when);
size_t shn__image_encode_scrubbed(uint8_t *f, uint32_t payload_len);

/* The 32-byte header of a new file. */
void shn__image_encode_header(uint8_t h[SHN__IMAGE_HEADER_SIZE], int64_t created);

#endif
