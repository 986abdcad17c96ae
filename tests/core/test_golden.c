/* Golden vectors for every value core computes that files store: shn_hash64
 * (screen index keys, LINKDB cluster ids, alert fingerprints), shn_crc32
 * (every binary file) and the section file's header bytes. A change here
 * changes what is on disk: bump the formats' versions, do not edit the
 * vectors. The hash values were checked against an independent Python
 * version of the algorithm, the CRCs against zlib.crc32. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "shinsa/core/buf.h"
#include "shinsa/core/hash.h"
#include "shinsa/core/section.h"

static const char *const inputs[] = {
    "",
    "a",
    "kim",
    "abcdefgh",  /* one whole word */
    "abcdefghi", /* a word and a tail */
    "0123456789abcdef",
    "The quick brown fox jumps over the lazy dog",
    "\xEB\xA6\xAC\xEB\xA7\x8C\xEA\xB1\xB4", /* 리만건 */
};

static void hash64_is_pinned(void **state)
{
    static const uint64_t seeds[] = {0, 7, 11, 1}; /* the seeds the formats use */
    static const uint64_t want[][4] = {
        {0x4e17cf67001b3979u, 0xd870b48848d8348du, 0xb26fbbc974d3566au, 0xf7622d3784a0ad54u},
        {0x30589ccd6fef853cu, 0x43067ec2ca345435u, 0x4303403ebdd33d8du, 0x31e465160f4937f8u},
        {0x7a551d37066a569cu, 0x625917864344cdbeu, 0xb0f5cf4c9eeabf45u, 0x50d5e5c44bb862c5u},
        {0x4d74aa646a470abeu, 0x0bd9aab9ad498d5cu, 0xa19776f28362d72eu, 0xa09bd4cc1e8062d3u},
        {0x4bdf820ec42b6605u, 0x6e19f6caae83bfc5u, 0xe5ecd74ca64665b3u, 0x268f7e5151fd6cc6u},
        {0x8afc161a81d3389eu, 0x48cefc45a1db0aa6u, 0x5469741e1b1e1a74u, 0x18f5da0ef3ee00deu},
        {0xcb6db9d394db6636u, 0xc97e9dc3250defbeu, 0x7a2152396869b487u, 0xeb727af595eac65du},
        {0x2e2b97d9d4fb82cbu, 0xf49835e4b5f6c296u, 0x24db9f2a3c42cc07u, 0x4e1fa0821981fd45u},
    };
    unsigned char big[1000];
    (void)state;
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        for (size_t k = 0; k < 4; k++)
            assert_true(shn_hash64(inputs[i], strlen(inputs[i]), seeds[k]) == want[i][k]);
    for (int i = 0; i < 1000; i++)
        big[i] = (unsigned char)(i * 7);
    assert_true(shn_hash64(big, sizeof big, 0) == 0xa6399a2262879081u);
}

static void crc32_is_ieee(void **state)
{
    static const uint32_t want[] = {0x00000000u, 0xe8b7be43u, 0x3cff30d8u, 0xaeef2a50u,
                                    0x8da988afu, 0x68c4f033u, 0x414fa339u, 0x3eef40d7u};
    unsigned char big[1000];
    (void)state;
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        assert_int_equal(shn_crc32(0, inputs[i], strlen(inputs[i])), want[i]);
    assert_int_equal(shn_crc32(0, "123456789", 9), 0xCBF43926u); /* the check value */
    /* continued in pieces, across the 8-byte slices */
    assert_int_equal(shn_crc32(shn_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
    for (int i = 0; i < 1000; i++)
        big[i] = (unsigned char)(i * 7);
    assert_int_equal(shn_crc32(0, big, sizeof big), 0x114ad5ffu);
    for (size_t cut = 0; cut <= 1000; cut += 37)
        assert_int_equal(shn_crc32(shn_crc32(0, big, cut), big + cut, 1000 - cut), 0x114ad5ffu);
}

/* The container's bytes, checked against a Python rendering of the layout
 * in section.h (struct.pack("<IIQII") and zlib.crc32). */
static void section_header_bytes_are_pinned(void **state)
{
    static const unsigned char want[104] = {
        0x53, 0x48, 0x4e, 0x54, 0x45, 0x53, 0x54, 0x00, /* magic */
        0x03, 0x00, 0x00, 0x00, 0x68, 0x00, 0x00, 0x00, /* version 3, header 104 */
        0x78, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* file size 120 */
        0x03, 0x00, 0x00, 0x00, 0x7b, 0xde, 0x2e, 0xbe, /* 3 sections, header CRC */
        0x01, 0x00, 0x00, 0x00, 0xc2, 0x41, 0x24, 0x35, /* id 1, CRC("abc") */
        0x68, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* at 104 */
        0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 3 bytes */
        0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* id 7, empty */
        0x70, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* at 112 */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* */
        0x02, 0x00, 0x00, 0x00, 0xaf, 0xda, 0xe0, 0x9a, /* id 2, CRC("12345678") */
        0x70, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* at 112 */
        0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 8 bytes */
    };
    static const struct shn_section_format fmt = {"SHNTEST", 3, "test file", "test"};
    const struct shn_section secs[] = {{1, "abc", 3}, {7, NULL, 0}, {2, "12345678", 8}};
    struct shn_buf out;
    (void)state;
    shn_buf_init(&out, 1 << 16);
    assert_int_equal(shn_section_encode(&fmt, secs, 3, &out), SHN_OK);
    assert_int_equal(out.len, 120);
    assert_memory_equal(out.data, want, sizeof want);
    assert_memory_equal(out.data + 104,
                        "abc\0\0\0\0\0"
                        "12345678",
                        16);
    shn_buf_cleanup(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hash64_is_pinned),
        cmocka_unit_test(crc32_is_ieee),
        cmocka_unit_test(section_header_bytes_are_pinned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
