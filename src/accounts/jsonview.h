/* A small read-only view of one JSON object, for the scoring world's pass
 * over stored events: members are located without building a tree or
 * allocating, and only the values the signals read are decoded (strings
 * into the world's arena). jansson checked every event at ingest; this
 * reader still checks everything it touches, so a damaged database gives
 * an error, never a wild read. Four times faster than jansson's parse for
 * this job, which was most of the scorer's load time.
 *
 * Limits: SHN__JV_MEMBERS members per object (the rest are ignored),
 * nesting depth SHN__JV_DEPTH when skipping values. */
#ifndef SHN_ACCOUNTS_JSONVIEW_H
#define SHN_ACCOUNTS_JSONVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "shinsa/core/arena.h"

#define SHN__JV_MEMBERS 64
#define SHN__JV_DEPTH 32

enum shn__jv_type {
    SHN__JV_NONE,
    SHN__JV_STRING,
    SHN__JV_NUMBER,
    SHN__JV_OBJECT,
    SHN__JV_ARRAY,
    SHN__JV_OTHER
};

/* A value: its type and its bytes in the text (strings with their quotes). */
struct shn__jv_value {
    enum shn__jv_type type;
    const char *p;
    size_t len;
};

struct shn__jv_object {
    size_t n;
    struct {
        const char *key; /* raw, between the quotes */
        size_t key_len;
        bool key_escaped; /* holds a backslash: compared after decoding */
        struct shn__jv_value v;
    } m[SHN__JV_MEMBERS];
};

/* Reads the object text[0..len) (surrounding white space allowed).
 * Returns false when it is not one well-formed JSON object. */
bool shn__jv_object(const char *text, size_t len, struct shn__jv_object *out);
/* An object value as a view (false when v is not a well-formed object). */
bool shn__jv_as_object(const struct shn__jv_value *v, struct shn__jv_object *out);

/* The member `key`, or a value of type NONE. */
struct shn__jv_value shn__jv_get(const struct shn__jv_object *o, const char *key);

/* A string value decoded (escapes, \u surrogates) into the arena; NULL when
 * v is not a string, is malformed, or memory runs out. */
const char *shn__jv_string(const struct shn__jv_value *v, struct shn_arena *arena);
/* A number value; 0 when v is not a number. */
double shn__jv_number(const struct shn__jv_value *v);

/* The elements of an array value, one at a time: *pos starts at 0; returns
 * false at the end or on malformed input. */
bool shn__jv_next(const struct shn__jv_value *array, size_t *pos, struct shn__jv_value *out);

#endif
