/* The allocations of jansson (persona lines) routed through shn_malloc
 * once per process, so that the allocation-failure tests reach them
 * (docs/architecture.md, "Errors, memory, limits"). */
#include <jansson.h>
#include <pthread.h>

#include "link_internal.h"
#include "shinsa/core/alloc.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void route(void)
{
    json_set_alloc_funcs(shn_malloc, shn_free);
}

void shn__link_route_allocations(void)
{
    pthread_once(&once, route);
}
