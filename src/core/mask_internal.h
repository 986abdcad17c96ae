/* What the masking files share: an output that takes whole characters only,
 * and character counting. Private to core. */
#ifndef SHN_CORE_MASK_INTERNAL_H
#define SHN_CORE_MASK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

struct shn__mask_out {
    char *buf;
    size_t size, n;
    bool full; /* a character did not fit: nothing more is written */
};

void shn__mask_out_init(struct shn__mask_out *o, char *buf, size_t size);
/* Appends whole characters of s[0..len) while they fit; a byte that is not
 * UTF-8, or a NUL, is written as '?'. */
void shn__mask_put(struct shn__mask_out *o, const char *s, size_t len);
void shn__mask_puts(struct shn__mask_out *o, const char *s);
/* The SHN_MASK_SHAPE form of s[0..len). */
void shn__mask_shape(struct shn__mask_out *o, const char *s, size_t len);
/* Bytes of the character at s (1 for a byte that is not UTF-8). */
size_t shn__mask_char_len(const char *s, size_t len);
size_t shn__mask_chars(const char *s, size_t len);

#endif
