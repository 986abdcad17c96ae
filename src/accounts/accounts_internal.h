/* Shared inside the accounts engine only. */
#ifndef SHN_ACCOUNTS_INTERNAL_H
#define SHN_ACCOUNTS_INTERNAL_H

#include "shinsa/accounts.h"
#include "store.h"

/* A UTC offset "+09:00" / "-05:30" (or "Z" when allow_z) of n bytes into
 * seconds east of UTC; false when malformed or past ±14:59. */
bool shn__accounts_parse_offset(const char *s, size_t n, bool allow_z, int *seconds);

/* ISO 8601 instant with zone into seconds since 1970 UTC. */
int shn__accounts_parse_time(const char *s, long long *unix_time);

struct shn_accounts_db {
    struct shn__accounts_store *store;
};

#endif
