/* Shared inside the events module only. */
#ifndef SHN_EVENTS_INTERNAL_H
#define SHN_EVENTS_INTERNAL_H

#include <jansson.h>

#include "shinsa/events.h"
#include "store.h"

struct shn_events_db {
    struct shn__events_store *store;
};

/* Routes jansson's allocations through shn_malloc, once per process
 * (alloc_route.c). shn__events_load and shn_events_open call it first; it
 * allocates nothing, so it may run under a failing allocation hook. */
void shn__events_route_allocations(void);

/* The event parser's reading of a line as JSON, shared by the checked
 * parser and the identifier reader so that both refuse the same lines with
 * the same words: no NUL byte (jansson would stop at one, and the store
 * must never keep bytes after it), well-formed JSON without duplicate keys,
 * an object. On success *out is the object (the caller decrefs it). */
int shn__events_load(const char *line, size_t len, const char *file, long line_no, json_t **out,
                     struct shn_diag *diag);

#endif
