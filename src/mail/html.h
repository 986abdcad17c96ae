/* A tolerant, bounded HTML scanner for mail bodies (html.c). */
#ifndef SHN_MAIL_HTML_H
#define SHN_MAIL_HTML_H

#include <stdbool.h>
#include <stddef.h>

/* The text of html[0..len) without tags, <style> and <script>, entities
 * decoded, into out (cap bytes, NUL-terminated). Returns its length. */
size_t shn__mail_html_text(const char *html, size_t len, char *out, size_t cap);
/* Entities of s[0..len) decoded into out (cap bytes). */
size_t shn__mail_html_decode(const char *s, size_t len, char *out, size_t cap);
/* The decoded value of attribute `name` in a tag body; false if absent. */
bool shn__mail_html_attr(const char *tag, size_t len, const char *name, char *out, size_t cap);
/* Calls fn for every tag: its lower-case name ("a", "/a", "img"), the body
 * after the name up to '>', the tag's offset in html, and what follows
 * it. A non-zero return stops the walk and is returned. */
int shn__mail_html_tags(const char *html, size_t len,
                        int (*fn)(void *ctx, const char *name, const char *body, size_t body_len,
                                  size_t offset, const char *after, size_t after_len),
                        void *ctx);

#endif
