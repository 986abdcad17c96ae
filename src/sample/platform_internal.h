/* The sample-platform generator's internals (platform*.c), shared by
 * those files only.
 *
 * Everything the generator writes is FICTIONAL: names are combinations of
 * common Japanese surnames and given names, contacts use the reserved
 * example.* domains, numbers come from bijections of an index, images are
 * drawn from scratch. Any resemblance to a real person is accidental. */
#ifndef SHN_SAMPLE_PLATFORM_INTERNAL_H
#define SHN_SAMPLE_PLATFORM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "shinsa/core/buf.h"
#include "shinsa/core/err.h"
#include "shinsa/core/rng.h"
#include "shinsa/image.h"

/* Randomness is core's splitmix64 (shinsa/core/rng.h): a state of one
 * 64-bit number, so that every account can have its own stream seeded
 * from (seed, account) and the output does not depend on the order
 * accounts are generated in.
 *
 * SEQUENCED: two draws from one stream must never sit in the arguments of
 * one call or the operands of one operator, where C leaves their order to
 * the compiler (gcc and clang builds once wrote different platforms). Each
 * draw is its own statement or initializer; where older code had several
 * in one call, they are now drawn in the order gcc evaluated them (last
 * argument first), so that the data sets did not change. */

/* Text is composed in core buffers (struct shn_buf, each with its cap):
 * the functions that append return SHN_OK, SHN_ERR_TOO_LARGE or
 * SHN_ERR_NOMEM, and on failure the buffer holds a partial text that must
 * not be written. */

/* ------------------------------------------------------------ people */

enum { SHN__SAMPLE_CATEGORIES = 8 };
extern const char *const shn__sample_category[SHN__SAMPLE_CATEGORIES];
extern const double shn__sample_category_median[SHN__SAMPLE_CATEGORIES]; /* JPY per job */

struct shn__sample_name {
    const char *surname, *given;             /* kanji */
    const char *surname_kana, *given_kana;   /* katakana */
    const char *surname_latin, *given_latin; /* Hepburn */
};

/* A fictional Japanese name drawn from the tables. */
void shn__sample_name(struct shn_rng *rng, int female, struct shn__sample_name *out);
/* A foreign resident's name (Chinese, Korean or Vietnamese, written as
 * such people register in Japan); returns the nationality ("CN", ...). */
const char *shn__sample_foreign_name(struct shn_rng *rng, struct shn__sample_name *out);
/* Surname i (0..count-1) only; returns the count. */
size_t shn__sample_surname(size_t i, struct shn__sample_name *out);

/* A fictional address in Japan ("東京都世田谷区…"). */
int shn__sample_address(struct shn_buf *b, struct shn_rng *rng);
/* A city name for texts. */
const char *shn__sample_city(struct shn_rng *rng);

/* ------------------------------------------------------------ texts */

/* Natural Japanese, composed from several hundred sentences with slots. */
int shn__sample_profile_natural(struct shn_buf *b, struct shn_rng *rng, int category,
                                const struct shn__sample_name *n, int years);
/* A foreign resident's profile: natural sentences with one or two of a
 * learner's (politely non-native, not machine-translated). */
int shn__sample_profile_learner(struct shn_buf *b, struct shn_rng *rng, int category,
                                const struct shn__sample_name *n, int years);
/* paypal: the message may say PayPal is fine. */
int shn__sample_message_natural(struct shn_buf *b, struct shn_rng *rng, int category, int paypal);

/* Stilted, machine-translation-like Japanese. A cell uses one profile
 * template (`tmpl`, any number: reduced modulo the template count) so that
 * its personas' profiles are near-identical. */
int shn__sample_profile_stilted(struct shn_buf *b, struct shn_rng *rng, unsigned tmpl, int category,
                                const struct shn__sample_name *n, int years);

/* What an operator's message pushes. */
struct shn__sample_push {
    const char *wallet;   /* a wallet address to quote, or NULL */
    const char *telegram; /* "@handle" */
    const char *whatsapp; /* "+86 139 0000 1234" */
    const char *skype;    /* "live:.cid.…" */
};
/* One stilted message; kind 0 = plain, 1 = crypto, 2 = off-platform,
 * 3 = prepayment. */
int shn__sample_message_stilted(struct shn_buf *b, struct shn_rng *rng, int kind, int category,
                                const struct shn__sample_push *push);

/* ------------------------------------------------------------ network */

enum shn__sample_net {
    SHN__NET_JP_HOME,   /* Japanese ISPs (fixed lines) */
    SHN__NET_JP_MOBILE, /* Japanese mobile carriers */
    SHN__NET_US,
    SHN__NET_KR,
    SHN__NET_TW,
    SHN__NET_CN,
    SHN__NET_RU,
    SHN__NET_SEA, /* Viet Nam, Thailand, Malaysia, Indonesia, Laos */
    SHN__NET_HOSTING,
    SHN__NET_KP,
    SHN__NET__COUNT
};

/* An IPv4 address of the kind, picked with rng; *utc_offset gets the
 * browser offset that fits the country ("+09:00"). */
void shn__sample_ip(struct shn_rng *rng, enum shn__sample_net net, char out[16],
                    const char **utc_offset);
/* The n-th address of the kind, distinct for distinct n (< 2^20) within
 * the Japanese home kind: the home connection of ordinary person n. */
void shn__sample_ip_home(uint64_t n, char out[16]);

const char *shn__sample_user_agent(struct shn_rng *rng, int mobile);
const char *shn__sample_remote_desktop_agent(struct shn_rng *rng);

/* ------------------------------------------------------------ images */

/* The ID-card stand-in: a grey 8-bit image of SHN__SAMPLE_IMG_W x _H. */
enum { SHN__SAMPLE_IMG_W = 320, SHN__SAMPLE_IMG_H = 200 };

/* Draws the card for `seed` into pixels[W*H]. */
void shn__sample_id_card(uint64_t seed, uint8_t *pixels);

/* The PDQ hash of the card after the edits an operator's re-upload gets:
 * recompression-like block quantisation and noise, a crop of a few percent
 * and a brightness change, all chosen by edit_seed (0 = the card as drawn).
 * work must hold W*H bytes. */
int shn__sample_id_hash(const uint8_t *card, uint64_t edit_seed, uint8_t *work,
                        struct shn_pdq *out);
/* An edited copy whose hash is within max_distance of `unedited` (the
 * card's own hash): edits are drawn from edit_seed until one is; after 256
 * tries the closest is kept. */
int shn__sample_id_hash_near(const uint8_t *card, const struct shn_pdq *unedited,
                             uint64_t edit_seed, int max_distance, uint8_t *work,
                             struct shn_pdq *out);

/* ------------------------------------------------------------ the run */

#include <stdio.h>

enum { SHN__SAMPLE_POOL = 64 };          /* unedited cards behind ordinary IDs */
enum { SHN__SAMPLE_CELL_MAX_SIZE = 12 }; /* personas per cell */

struct shn__sample_cell {
    unsigned size;
    int category;
    long long start; /* first sign-up */
    uint8_t *card;   /* the cell's ID card, W*H */
    struct shn_pdq card_pdq;
    char wallets[3][48];
    const char *wallet_chain[3];
    char devices[2][24];
    char hubs[3][16]; /* addresses several personas log in from */
    const char *hub_offset[3];
    char telegram[48], whatsapp[24], skype[48];
};

struct shn__sample_platform {
    uint64_t seed;
    unsigned epa; /* events per ordinary account, on average */
    FILE *events, *truth;
    struct shn_buf line;         /* the event line being written */
    struct shn_buf text;         /* a profile or a message */
    struct shn_buf email, addr;  /* the account's e-mail and postal address */
    struct shn_buf method, bank; /* the account's payout methods (JSON) */
    unsigned long long n_events;
    uint64_t n_ordinary;
    unsigned n_cells, collab_cell;
    struct shn__sample_cell *cells;
    struct shn_pdq pool[SHN__SAMPLE_POOL];
    uint8_t *collab_card, *work;
    struct shn_pdq collab_pdq;
    char collab_number[16];
    int err; /* the run's first error; once set, nothing more is written */
};

/* The period events fall in: 2026-01-05 00:00 JST, 170 days. */
#define SHN__SAMPLE_START 1767538800LL
#define SHN__SAMPLE_SPAN (170LL * 86400)

/* Event lines: begin writes {"event", "id", "time", "account"; the field
 * helpers append ,"key":value; end closes the object and writes the line.
 * They record a failure in G->err (and do nothing once it is set), so the
 * callers check once per account. */
void shn__sample_begin(struct shn__sample_platform *G, const char *type, const char *account,
                       long long t);
void shn__sample_str(struct shn__sample_platform *G, const char *key, const char *value);
void shn__sample_num(struct shn__sample_platform *G, const char *key, double value);
void shn__sample_raw(struct shn__sample_platform *G, const char *text); /* as is */
/* Records rc in G->err when it is the run's first failure; returns G->err.
 * Appending to G->line directly is fine: once G->err is set, end() writes
 * nothing. */
int shn__sample_check(struct shn__sample_platform *G, int rc);
void shn__sample_end(struct shn__sample_platform *G);
/* A truth line. planted: NULL-terminated list. */
void shn__sample_truth(struct shn__sample_platform *G, const char *account, const char *role,
                       int cell, const char *const *planted);

/* Ordinary person oi (0..n_ordinary-1), or the collaborator (oi =
 * n_ordinary), with account id `account`. */
void shn__sample_ordinary(struct shn__sample_platform *G, uint64_t oi, const char *account);
/* Persona k of cell c. */
void shn__sample_operator(struct shn__sample_platform *G, unsigned c, unsigned k,
                          const char *account);
/* Cell c's shared card, wallets, devices, addresses, handles. */
int shn__sample_cell_init(struct shn__sample_platform *G, unsigned c);

/* Fictional numbers: distinct indexes give distinct numbers. */
void shn__sample_doc_number(uint64_t index, char out[16]); /* 12 digits */
void shn__sample_wallet_eth(uint64_t key, char out[48]);
void shn__sample_wallet_tron(uint64_t key, char out[48]);
void shn__sample_device(uint64_t key, char out[24]);
/* Skills of the category as a JSON array. */
int shn__sample_skills(struct shn_buf *b, struct shn_rng *rng, int category);
/* Lower-case ASCII letters of s only (for e-mail addresses). */
int shn__sample_put_lower(struct shn_buf *b, const char *s);

#endif
