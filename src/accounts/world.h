/* The scoring model of the accounts engine: every stored account read once
 * into memory (its latest profile plus its logins, bids, messages and
 * payouts in time order), with the cross-account facts the signals share.
 * Scoring 100k accounts then needs one pass over the store, not one query
 * per account and signal.
 *
 * Everything lives in one arena owned by the world and is read-only once
 * shn__world_load returns; signals may be evaluated from several threads.
 * Strings are NUL-terminated UTF-8 as ingested; NULL = never given. */
#ifndef SHN_ACCOUNTS_WORLD_H
#define SHN_ACCOUNTS_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shinsa/accounts.h"
#include "shinsa/core/arena.h"
#include "shinsa/events.h"
#include "shinsa/image.h"

/* A payout method as declared in an account event or used by a payout. */
struct shn__w_pay {
    const char *type;    /* bank, crypto, paypal, other */
    const char *account; /* bank/paypal/other: the account string */
    const char *chain;   /* crypto */
    const char *address; /* crypto */
};

struct shn__w_doc {
    const char *type, *number, *country, *image;
    bool has_pdq;
    struct shn_pdq pdq;
};

struct shn__w_login {
    int64_t t;
    const char *ip, *user_agent, *device;
    bool has_offset;
    int utc_offset_min; /* the browser's offset, minutes east of UTC */
};

struct shn__w_bid {
    int64_t t;
    const char *id, *job, *category, *currency;
    double amount;
};

struct shn__w_msg {
    int64_t t;
    const char *id, *to, *text;
};

struct shn__w_payout {
    int64_t t;
    const char *id, *currency;
    struct shn__w_pay method;
    double amount;
};

/* What one account event changed, for profile_churn. */
enum {
    SHN__W_CH_NAME = 1u << 0,
    SHN__W_CH_EMAIL = 1u << 1,
    SHN__W_CH_PHONE = 1u << 2,
    SHN__W_CH_PAYOUT = 1u << 3,
    SHN__W_CH_ADDRESS = 1u << 4,
    SHN__W_CH_DOCUMENT = 1u << 5,
};

struct shn__w_change {
    int64_t t;
    unsigned fields; /* SHN__W_CH_* that took a new value (not the first set) */
};

#define SHN__W_LIST(type, name)                                                                    \
    type *name;                                                                                    \
    size_t n_##name

struct shn__w_account {
    const char *id;
    int64_t first_t, last_t;
    size_t n_events;
    /* The latest value of each profile field. */
    const char *name, *name_reading, *name_latin, *birth_date, *nationality, *residence;
    const char *email, *phone, *address, *profile;
    double rate_amount; /* hourly_rate; 0 = none */
    const char *rate_currency;
    /* Every distinct value an account ever declared (identifiers are
     * shared-identifier evidence even after a change). */
    SHN__W_LIST(const char *, names);
    SHN__W_LIST(const char *, emails);
    SHN__W_LIST(const char *, phones);
    SHN__W_LIST(const char *, profiles);
    SHN__W_LIST(struct shn__w_doc, docs);
    SHN__W_LIST(struct shn__w_pay, pays); /* declared payout methods */
    SHN__W_LIST(struct shn__w_change, changes);
    SHN__W_LIST(struct shn__w_login, logins);
    SHN__W_LIST(struct shn__w_bid, bids);
    SHN__W_LIST(struct shn__w_msg, msgs);
    SHN__W_LIST(struct shn__w_payout, payouts);
};

struct shn__world {
    struct shn_arena arena;
    struct shn__w_account *accounts; /* sorted by id */
    size_t n_accounts;
    size_t n_events;
};

/* At most this many logins, bids, messages, payouts and changes per account
 * are handed to the signals — the latest (so the work per account stays
 * bounded); the others are counted in n_events. The whole store is read
 * before it is sliced, so memory follows the store's size, not this cap. */
#define SHN__W_PER_LIST_MAX 10000

/* Reads every stored event, in account and time order, into a new world.
 * Progress on stderr when `progress` is set. */
int shn__world_load(struct shn_events_db *db, bool progress, struct shn__world **out,
                    struct shn_diag *diag);
/* Builds a world from JSON Lines events in memory (tests, one-shot tools):
 * the same parser as ingest, invalid lines are an error. */
int shn__world_from_jsonl(const char *data, size_t len, struct shn__world **out,
                          struct shn_diag *diag);
void shn__world_free(struct shn__world *w); /* NULL is fine */

/* The position of an account of w in w->accounts. */
static inline size_t shn__world_index(const struct shn__world *w, const struct shn__w_account *a)
{
    return (size_t)(a - w->accounts);
}

/* The account with this id, or NULL. */
const struct shn__w_account *shn__world_find(const struct shn__world *w, const char *id);

#endif
