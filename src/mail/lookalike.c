/* Lookalike domains: a domain that is not a protected identity's but
 * imitates one — the same skeleton under Unicode's confusables (ICU's
 * spoof checker: "rn" for "m", Cyrillic "а" for "a", "0" for "o"), an
 * edit or two away (typos, keyboard neighbours), the same name under
 * another suffix, the name with words around it ("naver-security"), or
 * the protected domain itself spelt inside a foreign host
 * ("naver.com.login.kro.kr"). Internationalised names are read in
 * Unicode through libidn2 and must keep to one script family (ICU's
 * highly restrictive level), so Latin mixed with Cyrillic fails. */
#include <stdlib.h>
#include <string.h>

#include <idn2.h>
#include <unicode/uspoof.h>

#include "data.h"
#include "shinsa/core/alloc.h"

static bool skeleton(const struct shn_mail_engine *e, const char *s, char *out, size_t size);
static void first_label(const char *reg, char *out, size_t size);

struct shn__mail_spoof {
    USpoofChecker *skeleton, *scripts;
};

int shn__mail_spoof_open(struct shn_mail_engine *e)
{
    UErrorCode st = U_ZERO_ERROR;
    struct shn__mail_spoof *s = shn_calloc(1, sizeof *s);
    if (!s)
        return SHN_ERR_NOMEM;
    s->skeleton = uspoof_open(&st);
    if (U_SUCCESS(st))
        s->scripts = uspoof_open(&st);
    if (U_SUCCESS(st)) {
        uspoof_setChecks(s->scripts, USPOOF_RESTRICTION_LEVEL | USPOOF_INVISIBLE, &st);
        uspoof_setRestrictionLevel(s->scripts, USPOOF_HIGHLY_RESTRICTIVE);
    }
    e->spoof = s;
    /* without ICU's data the confusable checks are skipped, not fatal */
    for (size_t i = 0; e->directory && i < e->directory->n; i++) {
        struct shn__mail_identity *id = &e->directory->v[i];
        for (size_t k = 0; k < id->n_domains; k++) {
            first_label(id->domains[k], id->labels[k], sizeof id->labels[k]);
            if (!skeleton(e, id->labels[k], id->skels[k], sizeof id->skels[k]))
                id->skels[k][0] = '\0';
        }
    }
    return SHN_OK;
}

void shn__mail_spoof_close(struct shn_mail_engine *e)
{
    struct shn__mail_spoof *s = e->spoof;
    if (!s)
        return;
    if (s->skeleton)
        uspoof_close(s->skeleton);
    if (s->scripts)
        uspoof_close(s->scripts);
    shn_free(s);
    e->spoof = NULL;
}

static bool skeleton(const struct shn_mail_engine *e, const char *s, char *out, size_t size)
{
    UErrorCode st = U_ZERO_ERROR;
    int32_t n;
    if (!e->spoof || !e->spoof->skeleton)
        return false;
    n = uspoof_getSkeletonUTF8(e->spoof->skeleton, 0, s, -1, out, (int32_t)size, &st);
    return U_SUCCESS(st) && n >= 0 && (size_t)n < size;
}

static bool mixed_scripts(const struct shn_mail_engine *e, const char *label)
{
    UErrorCode st = U_ZERO_ERROR;
    int32_t r;
    if (!e->spoof || !e->spoof->scripts)
        return false;
    r = uspoof_check2UTF8(e->spoof->scripts, label, -1, NULL, &st);
    return U_SUCCESS(st) && r != 0;
}

/* Optimal string alignment distance of ASCII labels, capped at 3. */
static int distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    int d[64][64];
    if (n >= 64 || m >= 64)
        return 3;
    if ((n > m ? n - m : m - n) >= 3)
        return 3;
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1], v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m] < 3 ? d[n][m] : 3;
}

/* QWERTY neighbours (staggered rows). */
static bool keyboard_neighbours(char x, char y)
{
    static const char *const rows[] = {"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"};
    int rx = -1, cx = 0, ry = -1, cy = 0;
    for (int r = 0; r < 4; r++) {
        const char *p = strchr(rows[r], x), *q = strchr(rows[r], y);
        if (x && p)
            rx = r, cx = (int)(p - rows[r]);
        if (y && q)
            ry = r, cy = (int)(q - rows[r]);
    }
    if (rx < 0 || ry < 0)
        return false;
    if (rx == ry)
        return abs(cx - cy) == 1;
    if (abs(rx - ry) != 1)
        return false;
    return ry > rx ? (cy == cx || cy == cx - 1) : (cx == cy || cx == cy - 1);
}

static bool one_keyboard_slip(const char *a, const char *b)
{
    size_t n = strlen(a), diff = 0, at = 0;
    if (n != strlen(b))
        return false;
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            diff++, at = i;
    return diff == 1 && keyboard_neighbours(a[at], b[at]);
}

/* The first label of a registrable domain ("naver" of "naver.com"). */
static void first_label(const char *reg, char *out, size_t size)
{
    size_t n = strcspn(reg, ".");
    shn__mail_copy(out, size, reg, n);
}

static bool ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

/* How label (of a foreign registrable domain) imitates protected label
 * `pl` of domain `pd`; false when it does not. */
static bool imitates(const char *label, const char *skel, const char *pl, const char *pskel,
                     const char *pd, char *how, size_t size)
{
    size_t ll = strlen(label), pll = strlen(pl);
    int dist;
    if (strcmp(label, pl) == 0) {
        if (pll < 4)
            return false;
        snprintf(how, size, "the name of %s under another suffix", pd);
        return true;
    }
    if (*skel && *pskel && strcmp(skel, pskel) == 0) {
        snprintf(how, size, "visually confusable with %s", pd);
        return true;
    }
    if (!ascii(label) || pll < 5)
        return false;
    dist = distance(label, pl);
    if (dist == 1 || (dist == 2 && pll >= 9)) {
        if (one_keyboard_slip(label, pl))
            snprintf(how, size, "a keyboard slip away from %s", pd);
        else
            snprintf(how, size, "%d edit%s away from %s", dist, dist == 1 ? "" : "s", pd);
        return true;
    }
    if (ll > pll && strstr(label, pl)) {
        snprintf(how, size, "the name of %s with words around it", pd);
        return true;
    }
    return false;
}

/* A label of host, left of its registrable domain, that carries a
 * protected name ("nid-naver" of "nid-naver.ddnsking.com"). */
static bool host_uses(const char *host, size_t prefix, const char *pl)
{
    size_t pll = strlen(pl);
    for (size_t i = 0; i < prefix;) {
        size_t n = strcspn(host + i, ".");
        char l[128];
        if (n > prefix - i)
            n = prefix - i;
        shn__mail_copy(l, sizeof l, host + i, n);
        if ((pll >= 4 && strcmp(l, pl) == 0) || (pll >= 5 && strstr(l, pl)))
            return true;
        i += n + 1;
    }
    return false;
}

bool shn__mail_lookalike(const struct shn_mail_engine *e, const char *host, const char *reg,
                         const struct shn__mail_identity **who, char *how, size_t size)
{
    const struct shn__mail_directory *d = e->directory;
    char *uhost = NULL, *ureg = NULL, label[128], skel[256];
    size_t hl = strlen(host), rl = strlen(reg), prefix = hl > rl ? hl - rl : 0;
    bool found = false;
    *who = NULL;
    if (!d || !*reg || shn__mail_directory_owner(d, reg))
        return false;
    /* Unicode forms of internationalised names */
    if (strstr(host, "xn--") && idn2_to_unicode_8z8z(host, &uhost, 0) != IDN2_OK)
        uhost = NULL;
    if (strstr(reg, "xn--") && idn2_to_unicode_8z8z(reg, &ureg, 0) != IDN2_OK)
        ureg = NULL;
    first_label(ureg ? ureg : reg, label, sizeof label);
    if (!skeleton(e, label, skel, sizeof skel))
        skel[0] = '\0';
    for (size_t i = 0; !found && i < d->n; i++) {
        const struct shn__mail_identity *id = &d->v[i];
        for (size_t k = 0; !found && k < id->n_domains; k++) {
            char spelt[128];
            const char *pd = id->domains[k], *pl = id->labels[k];
            snprintf(spelt, sizeof spelt, "%s.", pd);
            if (imitates(label, skel, pl, id->skels[k], pd, how, size)) {
                found = true;
            } else if (strlen(pd) >= 7 && strstr(host, spelt) && !shn__mail_host_in(host, pd)) {
                snprintf(how, size, "spells %s inside another host", pd);
                found = true;
            } else if (host_uses(host, prefix, pl)) {
                snprintf(how, size, "carries the name of %s in another host", pd);
                found = true;
            }
            if (found)
                *who = id;
        }
    }
    if (!found && (uhost || ureg) && mixed_scripts(e, label)) {
        snprintf(how, size, "an internationalised name mixing scripts (%.60s)", ureg ? ureg : reg);
        found = true;
    }
    free(uhost); /* libidn2's own allocations */
    free(ureg);
    return found;
}
