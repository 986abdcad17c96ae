/* The allocations of the libraries the list loaders call, jansson (custom
 * lists) and libxml2 (the UN list), routed through shn_malloc once per
 * process, so that the allocation-failure tests reach them
 * (docs/architecture.md, "Errors, memory, limits"). */
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xmlmemory.h>
#include <pthread.h>

#include "loaders_internal.h"
#include "shinsa/core/alloc.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void route(void)
{
    json_set_alloc_funcs(shn_malloc, shn_free);
    /* libxml2 2.9 builds its global tables in xmlInitParser and has no way
     * to report a failure there, so they are built first, with the system
     * allocator (shn_free may free them later: it is free). Every parse
     * after it allocates through shn_malloc. */
    xmlInitParser();
    xmlMemSetup(shn_free, shn_malloc, shn_realloc, shn_strdup);
}

void shn__screen_route_allocations(void)
{
    pthread_once(&once, route);
}
