/* Frames of the index file: reading them back with resynchronisation after
 * damage, telling torn appends from damage, and encoding them.
 *
 * Why resynchronise: a frame's length is in its header, so one flipped bit
 * there loses the position of every frame after it. The walker then looks
 * for the next position where a whole frame passes its checksum (a false
 * match needs the magic byte, a length in range and a CRC-32 collision),
 * and skips the bytes in between as one damaged span. Scans are cached so
 * that no position is checksummed twice: a walk is linear in the file. */
#include <string.h>

#include "index_format.h"
#include "shinsa/core/hash.h"

/* The longest chain of intact frame headers followed to decide that a
 * damaged frame's own header can be trusted (see walk_next). */
#define CHAIN_MAX 64

static int all_zero(const uint8_t *data, size_t from, size_t size)
{
    for (size_t i = from; i < size; i++)
        if (data[i] != 0)
            return 0;
    return 1;
}

/* The payload length announced by a frame header at q, or 0 when there is
 * no plausible header there. */
static uint32_t head_len(const struct shn__image_walk *w, size_t q)
{
    uint32_t head, len;

    if (q > w->size || w->size - q < SHN__IMAGE_FRAME_SIZE)
        return 0;
    head = shn__image_get32(w->data + q);
    len = head & 0xFFFFFFu;
    if (head >> 24 != SHN__IMAGE_FRAME_MAGIC || len == 0 || len > SHN__IMAGE_MAX_PAYLOAD)
        return 0;
    return len;
}

static int good_at(const struct shn__image_walk *w, size_t q)
{
    uint32_t len = head_len(w, q);
    const uint8_t *f = w->data + q;

    return len > 0 && len <= w->size - q - SHN__IMAGE_FRAME_SIZE &&
           shn__image_get32(f + 4) == shn_crc32(0, f + SHN__IMAGE_FRAME_SIZE, len);
}

/* The first good frame at or after `from`, or the size when there is none. */
static size_t find_good(struct shn__image_walk *w, size_t from)
{
    size_t q;

    if (from >= w->scan_from && from <= w->next_good)
        return w->next_good; /* nothing good in [scan_from, next_good) */
    for (q = from; q + SHN__IMAGE_FRAME_SIZE <= w->size; q++) {
        /* cheap rejections first: the magic byte, then a length < 2^16 */
        if (w->data[q + 3] != SHN__IMAGE_FRAME_MAGIC || w->data[q + 2] != 0)
            continue;
        if (good_at(w, q))
            break;
    }
    if (q + SHN__IMAGE_FRAME_SIZE > w->size)
        q = w->size;
    w->scan_from = from;
    w->next_good = q;
    return q;
}

/* True when intact frame headers, followed from q, lead exactly to the good
 * frame at g (or, with g at the end, to the end or to a tail of zeros):
 * then the header at the start of the chain tells the damaged frame's true
 * length, and two damaged frames in a row stay two records. */
static int chain_reaches(const struct shn__image_walk *w, size_t q, size_t g)
{
    for (int k = 0; k < CHAIN_MAX; k++) {
        uint32_t len;
        if (q == g || (g == w->size && all_zero(w->data, q, w->size)))
            return 1;
        if (q > g || !(len = head_len(w, q)))
            return 0;
        q += SHN__IMAGE_FRAME_SIZE + len;
    }
    return 0;
}

void shn__image_walk_init(struct shn__image_walk *w, const uint8_t *data, size_t size)
{
    memset(w, 0, sizeof *w);
    w->data = data;
    w->size = size;
    w->pos = size < SHN__IMAGE_HEADER_SIZE ? size : SHN__IMAGE_HEADER_SIZE;
    w->scan_from = SIZE_MAX;
}

void shn__image_walk_next(struct shn__image_walk *w, struct shn__image_span *s)
{
    size_t pos = w->pos, size = w->size, g, end1 = 0;
    uint32_t len;

    memset(s, 0, sizeof *s);
    s->offset = pos;
    if (pos >= size) {
        s->kind = SHN__IMAGE_SPAN_END;
        return;
    }
    len = head_len(w, pos);
    if (good_at(w, pos)) {
        s->kind = SHN__IMAGE_SPAN_FRAME;
        s->payload = w->data + pos + SHN__IMAGE_FRAME_SIZE;
        s->payload_len = len;
        s->length = SHN__IMAGE_FRAME_SIZE + len;
        w->pos += s->length;
        return;
    }
    s->length = size - pos; /* unless a shorter span is found below */
    s->kind = SHN__IMAGE_SPAN_TORN;
    if (size - pos < SHN__IMAGE_FRAME_SIZE || all_zero(w->data, pos, size)) {
        w->pos = size; /* a partial header, or space that was never written */
        return;
    }
    g = find_good(w, pos + 1);
    if (len > 0 && len <= size - pos - SHN__IMAGE_FRAME_SIZE)
        end1 = pos + SHN__IMAGE_FRAME_SIZE + len;
    if (end1 && chain_reaches(w, end1, g)) {
        if (g == size && all_zero(w->data, end1, size)) {
            w->pos = size; /* the last frame fails its checksum: torn */
            return;
        }
        s->kind = SHN__IMAGE_SPAN_DAMAGED;
        s->one_frame = 1;
        s->payload = w->data + pos + SHN__IMAGE_FRAME_SIZE;
        s->payload_len = len;
        s->length = end1 - pos;
    } else if (g < size) {
        s->kind = SHN__IMAGE_SPAN_DAMAGED;
        s->length = g - pos;
    } else if (size - pos >= SHN__IMAGE_MAX_FRAME) {
        /* Longer than any append of one frame and no frame in it: damage,
         * kept (not cut off) so that nothing is destroyed by a writer. */
        s->kind = SHN__IMAGE_SPAN_DAMAGED;
    }
    w->pos = pos + s->length;
}

int shn__image_payload_kind(const uint8_t *p, uint32_t len)
{
    if (len == 0)
        return 0;
    if (p[0] == SHN__IMAGE_TYPE_ADD && len > SHN__IMAGE_ADD_FIXED &&
        len == SHN__IMAGE_ADD_FIXED + (uint32_t)p[2] &&
        shn__image_owner_valid((const char *)p + SHN__IMAGE_ADD_FIXED, p[2]) &&
        (p[1] <= 100 || p[1] == SHN_IMAGE_QUALITY_UNKNOWN))
        return SHN__IMAGE_TYPE_ADD;
    if (p[0] == SHN__IMAGE_TYPE_REMOVE && len == SHN__IMAGE_REMOVE_FIXED + (uint32_t)p[2] &&
        shn__image_owner_valid((const char *)p + SHN__IMAGE_REMOVE_FIXED, p[2]))
        return SHN__IMAGE_TYPE_REMOVE;
    if (p[0] == SHN__IMAGE_TYPE_SCRUBBED)
        return SHN__IMAGE_TYPE_SCRUBBED;
    return 0;
}

int shn__image_payload_torn_scrub(const uint8_t *p, uint32_t len)
{
    if (len == 0)
        return 0;
    if (p[0] == SHN__IMAGE_TYPE_SCRUBBED)
        return 1;
    return p[0] == SHN__IMAGE_TYPE_ADD && len > SHN__IMAGE_ADD_FIXED &&
           len == SHN__IMAGE_ADD_FIXED + (uint32_t)p[2] &&
           memchr(p + SHN__IMAGE_ADD_FIXED, 0, len - SHN__IMAGE_ADD_FIXED) != NULL;
}

static size_t seal(uint8_t *f, uint32_t len)
{
    shn__image_put32(f, SHN__IMAGE_FRAME_MAGIC << 24 | len);
    shn__image_put32(f + 4, shn_crc32(0, f + SHN__IMAGE_FRAME_SIZE, len));
    return SHN__IMAGE_FRAME_SIZE + len;
}

size_t shn__image_encode_add(uint8_t *f, const uint8_t hash[32], int quality, const char *owner,
                             size_t owner_len, int64_t when)
{
    uint8_t *p = f + SHN__IMAGE_FRAME_SIZE;

    p[0] = SHN__IMAGE_TYPE_ADD;
    p[1] = (uint8_t)quality;
    p[2] = (uint8_t)owner_len;
    p[3] = 0;
    shn__image_put64(p + 4, (uint64_t)when);
    memcpy(p + 12, hash, 32);
    memcpy(p + SHN__IMAGE_ADD_FIXED, owner, owner_len);
    return seal(f, SHN__IMAGE_ADD_FIXED + (uint32_t)owner_len);
}

size_t shn__image_encode_remove(uint8_t *f, const char *owner, size_t owner_len, int64_t when)
{
    uint8_t *p = f + SHN__IMAGE_FRAME_SIZE;

    memset(p, 0, SHN__IMAGE_REMOVE_FIXED);
    p[0] = SHN__IMAGE_TYPE_REMOVE;
    p[2] = (uint8_t)owner_len;
    shn__image_put64(p + 4, (uint64_t)when);
    memcpy(p + SHN__IMAGE_REMOVE_FIXED, owner, owner_len);
    return seal(f, SHN__IMAGE_REMOVE_FIXED + (uint32_t)owner_len);
}

size_t shn__image_encode_scrubbed(uint8_t *f, uint32_t payload_len)
{
    memset(f + SHN__IMAGE_FRAME_SIZE, 0, payload_len);
    f[SHN__IMAGE_FRAME_SIZE] = SHN__IMAGE_TYPE_SCRUBBED;
    return seal(f, payload_len);
}

void shn__image_encode_header(uint8_t h[SHN__IMAGE_HEADER_SIZE], int64_t created)
{
    memset(h, 0, SHN__IMAGE_HEADER_SIZE);
    memcpy(h, "SHNPDQX1", 8);
    shn__image_put32(h + 8, 1);
    shn__image_put32(h + 12, SHN__IMAGE_HEADER_SIZE);
    shn__image_put64(h + 16, (uint64_t)created);
    shn__image_put32(h + 28, shn_crc32(0, h, 28));
}
