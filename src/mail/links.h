/* Link extraction (links.c) and their checks (link_checks.c). */
#ifndef SHN_MAIL_LINKS_H
#define SHN_MAIL_LINKS_H

#include "mail_internal.h"

/* Every URL of the message's text and HTML parts into c->links. */
void shn__mail_links_collect(struct shn__mail_ctx *c);

#endif
