/* Which download URLs a list update accepts, decided on the URL as libcurl
 * itself parses it (curl_url), so that the rule and the connection can
 * never read a URL differently. A hand-written prefix check once accepted
 * "http://localhost:x@127.0.0.2:8080/" as loopback: the host is what
 * follows the "@", and the text before it is user info.
 *
 *   https://  any host; no user info (credentials do not belong in a
 *             config file that is logged and shared)
 *   http://   loopback only (127.0.0.1, localhost, [::1]): tests and local
 *             mirrors; no user info
 *   file://   no host (or "localhost"): file:///absolute/path
 *
 * Redirects are limited to https by the fetcher (update.c), so a loopback
 * mirror cannot bounce the download to plain http elsewhere. */
#include <curl/curl.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "update_internal.h"

static bool is_loopback(const char *host)
{
    return strcmp(host, "127.0.0.1") == 0 || strcmp(host, "localhost") == 0 ||
           strcmp(host, "[::1]") == 0;
}

int shn__update_url_check(const char *value, char **normalized, const char **why)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *user = NULL, *password = NULL, *full = NULL;
    int rc = SHN_ERR_PARSE;

    *why = "not a URL libcurl can parse";
    if (!u) {
        *why = "out of memory";
        return SHN_ERR_NOMEM;
    }
    /* CURLU_NON_SUPPORT_SCHEME: parse any scheme, so that ftp:// gets our
     * message rather than libcurl's. No URL-decoding of the host: a
     * percent-encoded host is compared as written, and fails. */
    if (curl_url_set(u, CURLUPART_URL, value, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
        goto out;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
        goto out;
    curl_url_get(u, CURLUPART_HOST, &host, 0);
    curl_url_get(u, CURLUPART_USER, &user, 0);
    curl_url_get(u, CURLUPART_PASSWORD, &password, 0);
    if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0 &&
        strcmp(scheme, "file") != 0) {
        *why = "only https://, http:// (loopback) and file:// URLs";
        goto out;
    }
    if (user || password) {
        *why = "a URL with user info (user@ or user:password@) is not accepted";
        goto out;
    }
    if (strcmp(scheme, "http") == 0 && (!host || !is_loopback(host))) {
        *why = "plain http is allowed only for 127.0.0.1, localhost or [::1]; use https";
        goto out;
    }
    if (strcmp(scheme, "file") == 0 &&
        ((host && host[0] && strcmp(host, "localhost") != 0) || strncmp(value, "file:///", 8))) {
        *why = "write a file URL as file:///absolute/path";
        goto out;
    }
    if (strcmp(scheme, "https") == 0 && (!host || !host[0])) {
        *why = "an https URL needs a host";
        goto out;
    }
    if (curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK)
        goto out;
    *normalized = shn_strdup(full);
    if (!*normalized) {
        *why = "out of memory";
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    *why = NULL;
    rc = SHN_OK;
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(password);
    curl_free(full);
    curl_url_cleanup(u);
    return rc;
}
