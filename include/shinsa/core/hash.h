/* Hashing for in-memory tables and on-disk indexes, and the IEEE CRC-32
 * (zlib's crc32, not CRC-32C) that checks our binary files. Both are
 * stable across builds and machines because files store their values;
 * tests/core/test_golden.c pins them. */
#ifndef SHN_CORE_HASH_H
#define SHN_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>

/* A fast 64-bit hash of bytes (multiply-xorshift over 8-byte words). */
uint64_t shn_hash64(const void *data, size_t len, uint64_t seed);

/* CRC-32 (IEEE, as zlib's crc32) continued from `crc` (start with 0). */
uint32_t shn_crc32(uint32_t crc, const void *data, size_t len);

#endif
