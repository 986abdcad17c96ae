/* The allocations of jansson (the config, the signals' evidence, the
 * alerts) routed through shn_malloc once per process, so that the
 * allocation-failure tests reach them (docs/architecture.md, "Errors,
 * memory, limits"). Every scoring run loads a config first. */
#include <jansson.h>
#include <pthread.h>

#include "shinsa/core/alloc.h"
#include "signals.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void route(void)
{
    json_set_alloc_funcs(shn_malloc, shn_free);
}

void shn__accounts_route_allocations(void)
{
    pthread_once(&once, route);
}
