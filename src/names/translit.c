/* The ICU side of name analysis: NFKC with case folding for non-ASCII names,
 * and Any-Latin for scripts we do not romanize ourselves (Cyrillic, Greek,
 * Arabic, Thai...).
 *
 * utrans_open() costs milliseconds and a UTransliterator must not be used by
 * two threads at once, so each thread opens its own on first use and keeps
 * it until the thread exits (a pthread key destructor closes it). */
#include <pthread.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "names_internal.h"
#include "shinsa/core/err.h"
#include "shinsa/core/utf8.h"

#define TRANS_CAP 512 /* UChars of one transliterated run */

struct trans_cache {
    UTransliterator *any_latin; /* "Any-Latin; Latin-ASCII" */
    UTransliterator *cyrillic;  /* "Russian-Latin/BGN; Latin-ASCII": Ч -> ch, not č -> c */
    bool failed;
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static bool cache_key_ok;

static void cache_free(void *p)
{
    struct trans_cache *c = p;

    if (!c)
        return;
    if (c->any_latin)
        utrans_close(c->any_latin);
    if (c->cyrillic)
        utrans_close(c->cyrillic);
    shn_free(c);
}

static void cache_key_init(void)
{
    cache_key_ok = pthread_key_create(&cache_key, cache_free) == 0;
}

static UTransliterator *open_trans(const char *id)
{
    UChar uid[64];
    UErrorCode e = U_ZERO_ERROR;
    UTransliterator *t;

    u_uastrncpy(uid, id, (int32_t)(sizeof(uid) / sizeof(uid[0])));
    t = utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &e);
    if (U_FAILURE(e)) {
        if (t)
            utrans_close(t);
        return NULL;
    }
    return t;
}

/* This thread's transliterators, opened on first use. SHN_ERR_NOMEM when
 * the cache cannot be allocated (the next call tries again),
 * SHN_ERR_ENCODING when ICU cannot open them (remembered). */
static int cache_get(struct trans_cache **out)
{
    struct trans_cache *c;
    int rc = SHN_OK;

    pthread_once(&cache_once, cache_key_init);
    if (!cache_key_ok) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    c = pthread_getspecific(cache_key);
    if (!c) {
        c = shn_calloc(1, sizeof(*c));
        if (!c) {
            rc = SHN_ERR_NOMEM;
            goto out;
        }
        c->any_latin = open_trans("Any-Latin; Latin-ASCII");
        c->cyrillic = open_trans("Russian-Latin/BGN; Latin-ASCII");
        c->failed = !c->any_latin || !c->cyrillic;
        if (pthread_setspecific(cache_key, c) != 0) {
            cache_free(c);
            rc = SHN_ERR_NOMEM;
            goto out;
        }
    }
    if (c->failed) {
        rc = SHN_ERR_ENCODING;
        goto out;
    }
    *out = c;
out:
    return rc;
}

int shn__translit_other(const uint32_t *s, size_t n, struct shn__latin *out)
{
    UChar buf[TRANS_CAP];
    int32_t len = 0, limit;
    UErrorCode e = U_ZERO_ERROR;
    struct trans_cache *c = NULL;
    UTransliterator *t;
    bool cyrillic = true;
    int rc = cache_get(&c);

    if (rc != SHN_OK)
        goto out;
    for (size_t i = 0; i < n && len + 2 < (int32_t)(TRANS_CAP / 4); i++) {
        UBool err = 0;
        if (ublock_getCode((UChar32)s[i]) != UBLOCK_CYRILLIC &&
            ublock_getCode((UChar32)s[i]) != UBLOCK_CYRILLIC_SUPPLEMENT)
            cyrillic = false;
        U16_APPEND(buf, len, TRANS_CAP, (UChar32)s[i], err);
        if (err)
            break;
    }
    t = cyrillic ? c->cyrillic : c->any_latin;
    limit = len;
    utrans_transUChars(t, buf, &len, TRANS_CAP, 0, &limit, &e);
    if (U_FAILURE(e)) {
        rc = SHN_ERR_ENCODING;
        goto out;
    }
    for (int32_t i = 0; i < len; i++) {
        UChar u = buf[i];
        if (u >= 'A' && u <= 'Z')
            u = (UChar)(u - 'A' + 'a');
        if ((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9'))
            shn__latin_putc(out, (char)u);
    }
out:
    return rc;
}

/* Latin letters with diacritics (é, ŏ, ŭ, ç...) become their base letter.
 * Other scripts keep their marks: Cyrillic й is not и, and kana voicing
 * marks are letters. */
static bool is_latin_with_marks(UChar32 c)
{
    return (c >= 0xC0 && c <= 0x24F) || (c >= 0x1E00 && c <= 0x1EFF);
}

int shn__normalize_icu(const char *s, size_t len, uint32_t *out, size_t cap, size_t *n_out)
{
    UChar src[SHN_NAME_TEXT * 4 + 8], dst[SHN_NAME_TEXT * 8 + 8];
    int32_t slen = 0, dlen;
    UErrorCode e = U_ZERO_ERROR;
    const UNormalizer2 *nfkc_cf = unorm2_getNFKCCasefoldInstance(&e);
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&e);
    size_t n = 0;
    int rc = SHN_OK;

    if (U_FAILURE(e) || len > (size_t)INT32_MAX) {
        rc = SHN_ERR_ENCODING;
        goto out;
    }
    u_strFromUTF8(src, (int32_t)(sizeof(src) / sizeof(src[0])), &slen, s, (int32_t)len, &e);
    if (e == U_BUFFER_OVERFLOW_ERROR || e == U_STRING_NOT_TERMINATED_WARNING) {
        rc = SHN_ERR_TOO_LARGE;
        goto out;
    }
    if (U_FAILURE(e)) {
        rc = SHN_ERR_ENCODING;
        goto out;
    }
    dlen = unorm2_normalize(nfkc_cf, src, slen, dst, (int32_t)(sizeof(dst) / sizeof(dst[0])), &e);
    if (e == U_BUFFER_OVERFLOW_ERROR || e == U_STRING_NOT_TERMINATED_WARNING) {
        rc = SHN_ERR_TOO_LARGE;
        goto out;
    }
    if (U_FAILURE(e)) {
        rc = SHN_ERR_ENCODING;
        goto out;
    }
    for (int32_t i = 0; i < dlen;) {
        UChar32 c;
        U16_NEXT(dst, i, dlen, c);
        if (is_latin_with_marks(c)) {
            UChar d[8];
            UErrorCode de = U_ZERO_ERROR;
            int32_t dl = unorm2_getDecomposition(nfd, c, d, 8, &de);
            if (U_SUCCESS(de) && dl > 0) {
                for (int32_t j = 0; j < dl;) {
                    UChar32 b;
                    U16_NEXT(d, j, dl, b);
                    if (u_charType(b) == U_NON_SPACING_MARK)
                        continue;
                    if (n >= cap) {
                        rc = SHN_ERR_TOO_LARGE;
                        goto out;
                    }
                    out[n++] = (uint32_t)b;
                }
                continue;
            }
        }
        if (n >= cap) {
            rc = SHN_ERR_TOO_LARGE;
            goto out;
        }
        out[n++] = (uint32_t)c;
    }
    *n_out = n;
out:
    return rc;
}
