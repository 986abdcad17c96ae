/* Text scanning shared by the lexicon signals (crypto_payment,
 * off_platform) and template_reuse: width folding, weighted lexicons read
 * from data files, wallet-address and contact patterns, masked excerpts.
 * Private to the accounts engine (shn__ names); everything here is
 * read-only once loaded, so eval threads may scan at the same time. */
#ifndef SHN_ACCOUNTS_TEXTSCAN_H
#define SHN_ACCOUNTS_TEXTSCAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shinsa/core/err.h"
#include "shinsa/core/mask.h"
#include "world.h"

/* Bytes of one text that are scanned (events cap texts at 16 KiB). */
#define SHN__SCAN_TEXT_MAX 16384
/* Hits kept per text; more are counted, not kept. */
#define SHN__SCAN_HITS_MAX 64
#define SHN__LEXICON_MAX_BYTES (1u << 20)
#define SHN__LEXICON_MAX_TERMS 4096
#define SHN__EXCERPT_CHARS 60

/* Folds s[0..len) into out (at least len + 1 bytes; the result is never
 * longer than the input): full-width ASCII to ASCII, the ideographic space
 * and control characters to a space, half-width katakana to full-width
 * (voicing marks joined), invalid bytes to '?'. Case is kept. Returns the
 * folded length; out is NUL-terminated. */
size_t shn__scan_fold(const char *s, size_t len, char *out);
/* ASCII lower case of s[0..len) into out (same length, NUL-terminated). */
void shn__scan_lower(const char *s, size_t len, char *out);

/* A weighted lexicon: lines of `weight<TAB>kind<TAB>lang<TAB>term`,
 * '#' comments. Terms are folded and lower-cased when loaded; a term whose
 * first or last character is a Latin letter or digit only matches at a
 * word boundary on that side (so "eth" is not found in "method"). */
struct shn__lex_term {
    const char *term; /* folded, lower case */
    size_t len;
    const char *shown; /* as written in the file */
    double weight;
    char kind[16], lang[8];
};
struct shn__lexicon;

/* Reads the lexicon at `path`. Errors: SHN_ERR_IO/NOT_FOUND (diag names
 * the file), SHN_ERR_PARSE (the line), SHN_ERR_TOO_LARGE, SHN_ERR_NOMEM.
 * The caller frees *out with shn__lexicon_free. */
int shn__lexicon_load(const char *path, struct shn__lexicon **out, struct shn_diag *diag);
void shn__lexicon_free(struct shn__lexicon *lx); /* NULL is fine */
size_t shn__lexicon_size(const struct shn__lexicon *lx);

/* The path of a data file: `given` when set, else $SHINSA_ACCOUNTS_DATA/
 * file when that variable is set, else the source tree's data/accounts/
 * file (compiled in). Writes into buf; returns buf. */
const char *shn__accounts_data_path(const char *given, const char *file, char *buf, size_t size);

enum {
    SHN__HIT_TERM = 0,
    SHN__HIT_EVM,    /* 0x + 40 hex */
    SHN__HIT_TRON,   /* T + 33 base58 */
    SHN__HIT_BTC,    /* 1…/3… base58 */
    SHN__HIT_BECH32, /* bc1… */
    SHN__HIT_EMAIL,
    SHN__HIT_PHONE,
    SHN__HIT_HANDLE, /* @name */
};

struct shn__scan_hit {
    size_t start, end;                /* byte offsets into the folded text */
    int what;                         /* SHN__HIT_* */
    const struct shn__lex_term *term; /* SHN__HIT_TERM */
    double weight;
    bool checksum_ok; /* bech32: checksum verified */
};

/* Lexicon terms in `lower` (a folded, lower-cased text of len bytes); a
 * hit inside a longer hit is dropped. Returns the hits kept (≤ max). */
size_t shn__scan_terms(const struct shn__lexicon *lx, const char *lower, size_t len,
                       struct shn__scan_hit *hits, size_t max);
/* Wallet addresses in `folded` (case kept). */
size_t shn__scan_addresses(const char *folded, size_t len, struct shn__scan_hit *hits, size_t max);
/* E-mail addresses, phone numbers and @handles in `folded`. */
size_t shn__scan_contacts(const char *folded, size_t len, struct shn__scan_hit *hits, size_t max);

/* The core masking kind of a hit (docs/mask.md): wallets shortened,
 * e-mails, phones and handles masked. */
enum shn_mask_kind shn__scan_mask_kind(int what);
/* The masked form of a hit for the evidence, by core's policy:
 * "0x5aae…eaed", "t***@gmail.com", "+86***34", "@d***". */
void shn__scan_mask(int what, const char *s, size_t len, char *out, size_t size);
/* An excerpt of at most SHN__EXCERPT_CHARS characters of folded[0..len)
 * around [start, end), with every hit of `hits` but lexicon terms
 * (addresses, e-mails, phones, handles) shown masked (shn_mask_excerpt). */
void shn__scan_excerpt(const char *folded, size_t len, size_t start, size_t end,
                       const struct shn__scan_hit *hits, size_t n_hits, char *out, size_t size);
/* The opening of text[0..len) for the evidence: its first
 * SHN__EXCERPT_CHARS characters, folded, the addresses and contacts in
 * them masked, "…" when there is more. */
void shn__scan_opening(const char *text, size_t len, char *out, size_t size);

/* ------------------------------------------------------------ one account */

/* How a lexicon signal scans an account's profile(s) and messages. */
struct shn__scan_opts {
    const struct shn__lexicon *lx;
    bool addresses;        /* wallet addresses count as hits */
    bool contacts;         /* e-mails, phones (and @handles next to a channel term) */
    double address_weight; /* weight of an address hit */
    double email_weight, phone_weight, handle_weight;
    double profile_factor; /* lexicon weights in profiles are multiplied by it */
    size_t max_messages;   /* most recent messages scanned */
};

/* What the lexicon signals (crypto_payment, off_platform) keep from
 * prepare: the lexicon named by the signal's "lexicon" parameter (else its
 * installed file), or why it could not be read (lx NULL), and the scan
 * options. A signal's own state starts with it. */
struct shn__lexicon_state {
    struct shn__lexicon *lx;
    char why[256];
    char path[1024];
    struct shn__scan_opts opts;
};

struct shn__score_ctx;
struct shn__signal_def;
/* Allocates `size` zeroed bytes (the signal's state, beginning with a
 * struct shn__lexicon_state), loads the lexicon named by the signal's PATH
 * parameter `lexicon` (an index into def->params) into it and points
 * opts.lx at it. NULL when out of memory, also while loading the lexicon:
 * an unreadable lexicon leaves the text part neutral, a lack of memory
 * fails the run. */
void *shn__lexicon_state_new(const struct shn__score_ctx *c, const struct shn__signal_def *def,
                             size_t lexicon, size_t size);
void shn__lexicon_state_free(void *state); /* NULL is fine */

/* What the scan found. The JSON members are new references the caller
 * puts into its evidence (or decrefs). */
struct shn__scan_result {
    double score; /* noisy-or of the three best texts' scores */
    size_t texts, hit_texts, hit_messages;
    bool profile_hit;
    unsigned kinds;         /* bit i: lexicon kind i of kind_names seen */
    json_t *terms;          /* distinct matched terms as written, ≤ 8 */
    json_t *examples;       /* up to 3 {"in", "id", "score", "terms", "excerpt"} */
    json_t *found;          /* up to 5 masked addresses or contacts {"kind", "value"} */
    size_t n_found;         /* all of them */
    char best_excerpt[256]; /* the best text's excerpt, for the reasons */
};

/* Scans account a. kind_names (NULL-terminated, ≤ 16) names the lexicon
 * kinds reported in result->kinds. Errors: SHN_ERR_NOMEM (result freed). */
int shn__scan_account(const struct shn__scan_opts *o, const struct shn__w_account *a,
                      const char *const *kind_names, struct shn__scan_result *r);
void shn__scan_result_cleanup(struct shn__scan_result *r);

#endif
