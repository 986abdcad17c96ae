/* Shared inside the accounts engine only. */
#ifndef SHN_ACCOUNTS_INTERNAL_H
#define SHN_ACCOUNTS_INTERNAL_H

#include "shinsa/accounts.h"
#include "store.h"

struct shn_accounts_db {
    struct shn__accounts_store *store;
};

#endif
