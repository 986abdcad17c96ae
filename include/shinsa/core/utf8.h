/* UTF-8 helpers. Decoding is strict: overlongs, surrogates and code points
 * past U+10FFFF are errors, so the rest of shinsa can trust valid text. */
#ifndef SHN_CORE_UTF8_H
#define SHN_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes one code point from s[0..len). Returns the number of bytes used
 * (1-4) and sets *cp, or returns 0 on an invalid or truncated sequence. */
size_t shn_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Encodes cp into out (at least 4 bytes). Returns bytes written, 0 if cp is
 * not a Unicode scalar value. */
size_t shn_utf8_encode(uint32_t cp, char *out);

/* True when s[0..len) is entirely valid UTF-8. On false, *bad_offset (if not
 * NULL) receives the byte offset of the first invalid sequence. */
bool shn_utf8_valid(const char *s, size_t len, size_t *bad_offset);

/* Number of code points in valid UTF-8 text (invalid bytes count as one). */
size_t shn_utf8_length(const char *s, size_t len);

#endif
