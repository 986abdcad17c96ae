/* libFuzzer target: the text scanners of the accounts signals
 * (src/accounts/textscan.c) on arbitrary bytes — width folding, the
 * crypto and off-platform lexicons, wallet-address and contact patterns,
 * masked excerpts and openings (valid UTF-8 whatever the input), and a whole account scan with the
 * input as its profile and message. Checks that folding never grows the text, that every hit lies
 * inside it, and that excerpts fit their buffer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/utf8.h"
#include "textscan.h"

static struct shn__lexicon *crypto, *off;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char path[1024];
    (void)argc;
    (void)argv;
    if (shn__lexicon_load(shn__accounts_data_path(NULL, "crypto-lexicon.txt", path, sizeof path),
                          &crypto, NULL) != SHN_OK ||
        shn__lexicon_load(
            shn__accounts_data_path(NULL, "off-platform-lexicon.txt", path, sizeof path), &off,
            NULL) != SHN_OK)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char text[SHN__SCAN_TEXT_MAX + 1], folded[SHN__SCAN_TEXT_MAX + 1],
        lower[SHN__SCAN_TEXT_MAX + 1], excerpt[512];
    struct shn__scan_hit h[SHN__SCAN_HITS_MAX];
    struct shn__w_msg msg = {0};
    struct shn__w_account a = {0};
    struct shn__scan_opts o = {.addresses = true,
                               .contacts = true,
                               .address_weight = 0.6,
                               .email_weight = 0.5,
                               .phone_weight = 0.45,
                               .handle_weight = 0.3,
                               .profile_factor = 0.5,
                               .max_messages = 10};
    struct shn__scan_result r;
    size_t len = size < SHN__SCAN_TEXT_MAX ? size : SHN__SCAN_TEXT_MAX, n, k;

    memcpy(text, data, len);
    text[len] = '\0';
    n = shn__scan_fold(text, len, folded);
    if (n > len)
        abort();
    shn__scan_lower(folded, n, lower);
    k = shn__scan_terms(crypto, lower, n, h, SHN__SCAN_HITS_MAX);
    k += shn__scan_terms(off, lower, n, h + k, SHN__SCAN_HITS_MAX - k);
    k += shn__scan_addresses(folded, n, h + k, SHN__SCAN_HITS_MAX - k);
    k += shn__scan_contacts(folded, n, h + k, SHN__SCAN_HITS_MAX - k);
    for (size_t i = 0; i < k; i++) {
        if (h[i].start >= h[i].end || h[i].end > n)
            abort();
        shn__scan_excerpt(folded, n, h[i].start, h[i].end, h, k, excerpt, sizeof excerpt);
        if (strlen(excerpt) >= sizeof excerpt || !shn_utf8_valid(excerpt, strlen(excerpt), NULL))
            abort();
    }
    shn__scan_opening(text, len, excerpt, sizeof excerpt);
    if (!shn_utf8_valid(excerpt, strlen(excerpt), NULL))
        abort();
    /* a whole account: the input (up to its first NUL) as profile and message */
    msg.id = "m1";
    msg.text = text;
    a.id = "fuzz";
    a.profile = text;
    a.msgs = &msg;
    a.n_msgs = 1;
    o.lx = size % 2 ? crypto : off;
    if (shn__scan_account(&o, &a, NULL, &r) == SHN_OK) {
        if (!(r.score >= 0 && r.score <= 1))
            abort();
        shn__scan_result_cleanup(&r);
    }
    return 0;
}
