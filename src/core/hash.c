#include "core/hash.h"

#include <string.h>

static inline uint64_t mix(uint64_t x)
{
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    return x;
}

static inline uint64_t read64le(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

uint64_t shn_hash64(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = seed ^ (0x9E3779B97F4A7C15ULL * (len + 1));

    while (len >= 8) {
        h = mix(h ^ read64le(p)) + 0x9E3779B97F4A7C15ULL;
        p += 8;
        len -= 8;
    }
    if (len) {
        unsigned char tail[8] = {0};
        memcpy(tail, p, len);
        h = mix(h ^ read64le(tail) ^ ((uint64_t)len << 56));
    }
    return mix(h);
}

static uint32_t crc_table[256];
static int crc_ready;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    crc_ready = 1;
}

uint32_t shn_crc32(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = data;

    if (!crc_ready)
        crc_init();
    crc = ~crc;
    while (len--)
        crc = crc_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}
