/* Every endpoint, its method, its role and its handler: the one table a new
 * endpoint is added to (the router matches in this order; metrics count by
 * row). A pattern's {name} matches one path segment, read in the handler
 * with shn__serve_param(&req->target, "name"). */
#include "serve_internal.h"

const struct shn__serve_route shn__serve_routes[] = {
    {"GET", "/healthz", SHN__ROLE_OPEN, 0, NULL, shn__serve_healthz},
    {"GET", "/readyz", SHN__ROLE_OPEN, 0, NULL, shn__serve_readyz},
    /* Scrapers need a key too (issue 13 §4: only the probes are open). */
    {"GET", "/metrics", SHN__ROLE_ADMIN, 0, NULL, shn__serve_metrics_handler},
    {"POST", "/v1/screen", SHN__ROLE_SCREEN, SHN__ROUTE_BODY | SHN__ROUTE_SCREEN, NULL,
     shn__serve_screen},
    {"GET", "/v1/lists", SHN__ROLE_SCREEN, SHN__ROUTE_SCREEN, NULL, shn__serve_lists},
};

const size_t shn__serve_n_routes = sizeof shn__serve_routes / sizeof shn__serve_routes[0];

const char *shn__serve_role_name(int role)
{
    static const char *const names[] = {"open", "screen", "ingest", "analyst", "admin"};

    return role >= 0 && role < (int)(sizeof names / sizeof names[0]) ? names[role] : "";
}
