/* Word classes for the model: what a token is, coarse enough that a few MB
 * of prose count every common sequence, fine enough that particles and
 * auxiliaries keep their identity. */
#include <string.h>

#include "text_internal.h"

#define FIELDS 7
#define WORD_MAX 30 /* bytes of a base form kept in a class */

/* Splits the IPA feature CSV ("名詞,一般,*,*,*,*,基本形,読み,発音") into up
 * to FIELDS fields; missing ones are "*". */
static void split_feature(const char *feature, const char *f[FIELDS], size_t flen[FIELDS])
{
    const char *p = feature ? feature : "";

    for (int i = 0; i < FIELDS; i++) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);

        if (*p == '\0' && i > 0) {
            f[i] = "*";
            flen[i] = 1;
            continue;
        }
        f[i] = p;
        flen[i] = n;
        p = comma ? comma + 1 : p + n;
    }
}

static bool field_is(const char *f, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n == l && memcmp(f, lit, l) == 0;
}

/* Appends s[0..n) to out at *len, never past SHN__TEXT_CLASS_MAX - 1 bytes
 * and never inside a UTF-8 sequence. */
static void put(char *out, size_t *len, const char *s, size_t n)
{
    size_t room = SHN__TEXT_CLASS_MAX - 1 - *len;

    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out + *len, s, n);
    *len += n;
}

static size_t word_len(const char *s, size_t n)
{
    if (n <= WORD_MAX)
        return n;
    n = WORD_MAX;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

size_t shn__text_class(const char *feature, const char *surface, size_t surface_len, char *out)
{
    const char *f[FIELDS];
    size_t fl[FIELDS], len = 0;
    bool keep_word = false, keep_form = false;
    const char *word = surface;
    size_t wlen = surface_len;

    split_feature(feature, f, fl);
    if (field_is(f[0], fl[0], "助詞") || field_is(f[0], fl[0], "助動詞") ||
        field_is(f[0], fl[0], "接頭詞")) {
        keep_word = true; /* surface: です and でし are different facts */
    } else if (field_is(f[0], fl[0], "記号")) {
        keep_word = field_is(f[1], fl[1], "句点") || field_is(f[1], fl[1], "読点");
    } else if (field_is(f[0], fl[0], "名詞")) {
        if (field_is(f[1], fl[1], "非自立") || field_is(f[1], fl[1], "代名詞") ||
            field_is(f[1], fl[1], "接尾")) {
            keep_word = true;
            if (!field_is(f[6], fl[6], "*")) {
                word = f[6];
                wlen = fl[6];
            }
        }
    } else if (field_is(f[0], fl[0], "動詞") || field_is(f[0], fl[0], "形容詞")) {
        keep_form = true;
        if (field_is(f[1], fl[1], "非自立") || field_is(f[1], fl[1], "接尾")) {
            keep_word = true;
            if (!field_is(f[6], fl[6], "*")) {
                word = f[6];
                wlen = fl[6];
            }
        }
    }
    put(out, &len, f[0], fl[0]);
    put(out, &len, "|", 1);
    put(out, &len, f[1], fl[1]);
    if (keep_form) {
        put(out, &len, "|", 1);
        put(out, &len, f[5], fl[5]);
    }
    if (keep_word) {
        put(out, &len, "|", 1);
        put(out, &len, word, word_len(word, wlen));
    }
    out[len] = '\0';
    return len;
}
