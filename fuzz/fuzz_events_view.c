/* libFuzzer: the JSON object view the scoring world reads stored events
 * with (src/events/jsonview.c). A database can be damaged or edited by
 * hand, so the view must survive any bytes: every member is read as a
 * string, a number, an object and an array, one level down as well. When
 * jansson accepts a text as an object, the view must accept it too. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/arena.h"
#include "shinsa/events.h"

static void walk(const struct shn_events_view_value *v, struct shn_arena *arena, int depth)
{
    struct shn_events_view o;
    struct shn_events_view_value el;
    size_t pos = 0;
    (void)shn_events_view_string(v, arena);
    (void)shn_events_view_number(v);
    if (depth > 2)
        return;
    if (shn_events_view_as_object(v, &o))
        for (size_t i = 0; i < o.n; i++)
            walk(&o.m[i].v, arena, depth + 1);
    while (shn_events_view_next(v, &pos, &el))
        walk(&el, arena, depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct shn_events_view o;
    struct shn_arena arena;
    bool ok = shn_events_view_object((const char *)data, size, &o);
    json_t *j = json_loadb((const char *)data, size, 0, NULL);
    /* jansson reads an object the view refuses (jansson stops at a NUL
     * byte, the view does not: such inputs are left out). */
    if (json_is_object(j) && !ok && !memchr(data, 0, size))
        abort();
    json_decref(j);
    if (!ok)
        return 0;
    shn_arena_init(&arena, 0, 0);
    for (size_t i = 0; i < o.n; i++)
        walk(&o.m[i].v, &arena, 0);
    shn_arena_cleanup(&arena);
    return 0;
}
