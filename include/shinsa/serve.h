/* serve: one long-running process that answers over HTTP with the engines'
 * own functions (docs/serve.md).
 *
 * What to serve is a config: a file in the `[section]` / `key = value` style
 * of etc/serve.conf, and values given on the command line, which win over
 * the file. Every file an engine reads is opened once and shared read-only
 * between the server's threads; when the screen index file is replaced the
 * server swaps to the new one while requests in flight finish on the old.
 *
 *     struct shn_serve_config *cfg = NULL;
 *     struct shn_diag diag = {0};
 *     shn_serve_config_new(&cfg);
 *     shn_serve_config_set_file(cfg, "etc/serve.conf");
 *     shn_serve_config_set(cfg, "--listen", "127.0.0.1:8080", &diag);
 *     rc = shn_serve_run(cfg, &diag);           // until SIGTERM or SIGINT
 *     shn_serve_config_free(cfg);
 *
 * All functions return enum shn_err values; on failure out-parameters are
 * untouched and `diag` (optional) names the file, line and key. */
#ifndef SHN_SERVE_SERVE_H
#define SHN_SERVE_SERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "shinsa/core/buf.h"
#include "shinsa/core/err.h"

/* ---- Config ----------------------------------------------------------- */

/* One config key: its name in the file ("server.listen" is `listen` in
 * [server]), the command-line option that sets it, and its help. */
struct shn_serve_key {
    const char *name;          /* "section.key" */
    const char *option;        /* "--listen" */
    const char *arg;           /* the value's name in help: "ADDR:PORT" */
    const char *help;          /* one sentence */
    const char *default_value; /* as the file would write it; NULL: none */
};

/* The keys, in the order docs/serve.md and --help list them; *count gets
 * their number. Static; never NULL. */
const struct shn_serve_key *shn_serve_keys(size_t *count);

struct shn_serve_config; /* a config file and values set over it; opaque */

/* A config with no file and no values (every key at its default). Free it
 * with shn_serve_config_free. SHN_ERR_INVALID (NULL out), SHN_ERR_NOMEM. */
int shn_serve_config_new(struct shn_serve_config **out);
void shn_serve_config_free(struct shn_serve_config *cfg); /* NULL is fine */

/* The config file to read (copied; NULL: none). It is read when the config
 * is checked or a server starts, and again at each reload, so that a
 * SIGHUP picks up its edits. */
int shn_serve_config_set_file(struct shn_serve_config *cfg, const char *path);

/* The data folder used when neither the file nor a value sets data.dir
 * (the CLI passes its own default data folder). Copied; NULL: the current
 * folder. */
int shn_serve_config_set_default_dir(struct shn_serve_config *cfg, const char *dir);

/* Sets `key` (its name, "limits.body_size", or its option, "--max-body") to
 * `value`, over whatever the file says. The value is checked at once:
 * SHN_ERR_PARSE for an unknown key or a bad value (diag: file "command
 * line", field the option), SHN_ERR_NOMEM. Setting a key twice keeps the
 * last value. */
int shn_serve_config_set(struct shn_serve_config *cfg, const char *key, const char *value,
                         struct shn_diag *diag);

/* Reads the file, applies the values and checks the result: syntax, every
 * key and value, that the TLS files and the engines' files can be read and
 * opened. SHN_OK, or the first error with diag naming the file, line and
 * key (SHN_ERR_PARSE, SHN_ERR_IO, SHN_ERR_TOO_LARGE, SHN_ERR_ENCODING, an
 * engine's open error, SHN_ERR_UNSUPPORTED for TLS without TLS support).
 * With `effective` (may be NULL), appends the resulting settings in the
 * file's format, every key with its value. A screen index that does not
 * exist yet is no error (the server waits for it) but a warning in
 * `effective`. */
int shn_serve_config_check(const struct shn_serve_config *cfg, struct shn_buf *effective,
                           struct shn_diag *diag);

/* ---- Server ----------------------------------------------------------- */

struct shn_server; /* a running server; opaque */

/* Checks the config (as shn_serve_config_check), opens every engine's file
 * and starts listening, with the server's own threads answering requests.
 * The config must stay alive and unchanged until shn_serve_stop (reloads
 * read it again). On success *out is the running server, which the caller
 * stops with shn_serve_stop. Errors as shn_serve_config_check, and
 * SHN_ERR_IO when the address cannot be bound. */
int shn_serve_start(const struct shn_serve_config *cfg, struct shn_server **out,
                    struct shn_diag *diag);

/* The TCP port the server listens on (the one the system chose when the
 * config asked for port 0). */
unsigned shn_serve_port(const struct shn_server *srv);

/* Looks at the files the server watches (the screen index, the LINKDB, the
 * trace graph) and swaps in each one whose file was replaced since it was
 * opened; a file that does not open is logged and the old one kept. Call it
 * every second or so (shn_serve_run does). Returns the number of swaps. */
int shn_serve_watch(struct shn_server *srv);

/* Reads the config again and reopens every engine's file, swapping each in
 * as it opens (SIGHUP). Limits take effect at once; the listen address, TLS,
 * threads, connection limit, idle timeout and header size need a restart
 * and are logged as such. A config that does not check, or a file that
 * does not open, is logged and changes nothing. SHN_OK or that error. */
int shn_serve_reload(struct shn_server *srv, struct shn_diag *diag);

/* Stops accepting connections, lets requests in flight finish for up to the
 * config's drain_timeout, then closes every connection and frees the server
 * (NULL is fine). Returns the number of requests that were still in flight
 * when the drain time ran out (0 after a clean drain). */
int shn_serve_stop(struct shn_server *srv);

/* The whole service: blocks SIGHUP, SIGINT and SIGTERM in the calling
 * thread (the server's threads inherit the mask, so signals are taken only
 * here), starts the server, then waits: SIGHUP reloads, SIGINT or SIGTERM
 * drains and stops; the watched files are looked at twice a second. The
 * signal mask is restored before returning. SHN_OK after a stop by signal,
 * or the start's error. */
int shn_serve_run(const struct shn_serve_config *cfg, struct shn_diag *diag);

#endif
