/* serve's internals, shared by its files (module-private).
 *
 *   config.c, config_file.c  the keys, the file's syntax, settings resolved
 *   engines.c, engine_open.c the engines' files as swappable shared resources
 *   server.c                 start, stop and drain around libmicrohttpd
 *   conn.c                   connections and the request deadline reaper
 *   request.c                one request: route, checks, body, dispatch
 *   router.c                 the request target: path, query, route match
 *   routes.c                 the route table: every endpoint and its role
 *   auth.c                   the admission hooks: keys and roles, rate
 *   response.c               JSON bodies, errors and headers
 *   handlers.c, screen.c     the endpoints
 *   screen_body.c            the /v1/screen request body
 *   metrics.c, log.c         Prometheus text; JSON log lines
 *   run.c                    the signal loop, watch and reload */
#ifndef SHN_SERVE_INTERNAL_H
#define SHN_SERVE_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "shinsa/core/arena.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/err.h"
#include "shinsa/core/log.h"
#include "shinsa/screen.h"
#include "shinsa/serve.h"

struct json_t;

/* ---- Errors a request can end with ---------------------------------- */

/* The first error of a request; its status is 0 while there is none. The
 * body is {"error": {"code", "message", "field"}} (field null when ""). */
struct shn__serve_error {
    int status;       /* HTTP status */
    const char *code; /* static machine-readable word: "bad_json", "too_large" */
    char field[96];   /* "queries[2].dob", "limit", "" */
    char message[256];
};

/* Records an error unless one is already recorded (the first one wins).
 * Returns SHN_ERR_PARSE, for `return shn__serve_fail(...)` in parsers. */
int shn__serve_fail(struct shn__serve_error *e, int status, const char *code, const char *field,
                    const char *fmt, ...) SHN_PRINTF(5, 6);

/* ---- Settings --------------------------------------------------------- */

enum shn__serve_engine {
    SHN__ENGINE_SCREEN = 0,
    SHN__ENGINE_IMAGE,
    SHN__ENGINE_LINK,
    SHN__ENGINE_TRACE,
    SHN__ENGINE_TEXT,
    SHN__ENGINE_ACCOUNTS,
    SHN__ENGINE_COUNT
};

/* A config resolved: the file and the command line applied over the
 * defaults, every value parsed. Strings are owned (shn__serve_settings_cleanup). */
struct shn__serve_settings {
    char listen[128]; /* as written: "127.0.0.1:8080" */
    struct sockaddr_storage addr;
    socklen_t addr_len;
    char *tls_cert, *tls_key; /* paths; both or neither */
    char *keys;               /* the API keys file; NULL when not configured */
    unsigned threads;
    bool log_requests;
    char *data_dir;
    char *engine_path[SHN__ENGINE_COUNT]; /* NULL when the engine is not configured */
    size_t body_max, header_max;
    unsigned queries_max, connections_max;
    unsigned idle_timeout, request_timeout, drain_timeout; /* seconds */
    unsigned rate;                                         /* requests per second; 0: no limit */
};

/* Reads the config's file, applies its values and parses everything into
 * `out` (zeroed first; cleaned up on error). Diagnostics name the file, line
 * and key, or "command line" and the option. Checks values, not files. */
int shn__serve_settings_resolve(const struct shn_serve_config *cfg, struct shn__serve_settings *out,
                                struct shn_diag *diag);
void shn__serve_settings_cleanup(struct shn__serve_settings *s);

/* Appends the settings in the config file's format. */
int shn__serve_settings_dump(const struct shn__serve_settings *s, struct shn_buf *out);

/* The syntax of a config file (`[section]`, `key = value`, `#` comments):
 * calls fn for each section header (key and value NULL) and each key with
 * its section, key, value and line; stops at the first error (fn's, or the
 * syntax's, with diag naming the line). */
typedef int (*shn__serve_conf_fn)(void *ctx, const char *section, const char *key,
                                  const char *value, long line, struct shn_diag *diag);
int shn__serve_conf_parse(const char *text, size_t len, const char *file, shn__serve_conf_fn fn,
                          void *ctx, struct shn_diag *diag);

/* "1M", "64K", "1048576": bytes in [lo, hi]. */
bool shn__serve_parse_size(const char *s, size_t lo, size_t hi, size_t *out);
/* Decimal digits only, in [lo, hi]. */
bool shn__serve_parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out);
/* "HOST:PORT" (IPv4 literal, [IPv6] literal or localhost; port 0-65535). */
bool shn__serve_parse_listen(const char *s, struct sockaddr_storage *addr, socklen_t *len);

/* ---- Engines ---------------------------------------------------------- */

/* Where a file was and what it was when it was opened: a replaced file
 * (renamed over, rewritten) has another inode, size or time. */
struct shn__serve_stamp {
    bool exists;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
};
void shn__serve_stamp_of(const char *path, struct shn__serve_stamp *out);
bool shn__serve_stamp_same(const struct shn__serve_stamp *a, const struct shn__serve_stamp *b);

/* One engine's open file, shared by every request that holds it. It is
 * closed when the last holder lets go: the slot holds one reference while
 * it is current, and each request one more. Read-only after it is made. */
struct shn__serve_res {
    atomic_uint refs;
    int engine; /* enum shn__serve_engine */
    void *obj;  /* struct shn_screen_index *, struct shn_link *, ... */
    char path[4096];
    char version[48];
    int64_t built_at;  /* Unix seconds the file says it was built; 0: unknown */
    int64_t loaded_at; /* Unix seconds it was opened */
    struct shn__serve_stamp stamp;
    char *info; /* screen: what `shinsa lists info --json` prints; owned */
    size_t info_len;
};

/* Opens the file of `engine` at `path` into a new resource with one
 * reference (the caller's). Errors are the engine's open errors. */
int shn__serve_res_open(int engine, const char *path, struct shn__serve_res **out,
                        struct shn_diag *diag);
/* Drops one reference; the last one closes the engine's file. NULL is fine. */
void shn__serve_res_release(struct shn__serve_res *res);

/* An engine's current resource behind a lock held only to swap or take a
 * reference: requests that took the old one finish on it. */
struct shn__serve_slot {
    pthread_mutex_t lock;
    struct shn__serve_res *cur;     /* NULL until loaded */
    atomic_bool configured;         /* the config names a file for this engine */
    char *path;                     /* what the slot follows (main thread only) */
    struct shn__serve_stamp failed; /* a file that did not open: not retried until it changes */
    char error[256];                /* why the last open failed, for readyz ("" after a success) */
    atomic_ullong swaps, failures;
};

void shn__serve_slot_init(struct shn__serve_slot *s);
void shn__serve_slot_cleanup(struct shn__serve_slot *s);
/* A new reference to the current resource, or NULL when none is loaded. */
struct shn__serve_res *shn__serve_slot_acquire(struct shn__serve_slot *s);
/* Makes `fresh` current (taking over the caller's reference) and drops the
 * slot's reference to the old one. */
void shn__serve_slot_swap(struct shn__serve_slot *s, struct shn__serve_res *fresh);

/* The engine's name ("screen"), its config key ("data.screen_index") and
 * whether the watcher follows its file. */
const char *shn__serve_engine_name(int engine);
const char *shn__serve_engine_key(int engine);
bool shn__serve_engine_watched(int engine);

/* ---- Routes ----------------------------------------------------------- */

/* Who may call a route. Today every request is admitted (the keys work of
 * issue 13 §4 fills shn__serve_admit); each route already says its role. */
enum shn__serve_role {
    SHN__ROLE_OPEN = 0, /* no key: /healthz, /readyz */
    SHN__ROLE_SCREEN,
    SHN__ROLE_INGEST,
    SHN__ROLE_ANALYST,
    SHN__ROLE_ADMIN,
};
const char *shn__serve_role_name(int role);

enum {
    SHN__ROUTE_BODY = 1u,   /* reads a JSON request body */
    SHN__ROUTE_SCREEN = 2u, /* needs the screen index: 503 until it is loaded */
};

struct shn__serve_request;
typedef void (*shn__serve_handler_fn)(struct shn__serve_request *req);

struct shn__serve_route {
    const char *method;        /* "GET", "POST", "DELETE" (GET routes answer HEAD too) */
    const char *pattern;       /* "/v1/screen", "/match/{dataset}": {name} is one segment */
    int role;                  /* enum shn__serve_role */
    unsigned flags;            /* SHN__ROUTE_* */
    const char *const *params; /* query parameters it takes, NULL-terminated; NULL: none */
    shn__serve_handler_fn handler;
};

extern const struct shn__serve_route shn__serve_routes[];
extern const size_t shn__serve_n_routes;

/* ---- The request target ------------------------------------------------ */

#define SHN__SERVE_MAX_TARGET 8192 /* bytes of path and query */
#define SHN__SERVE_MAX_SEGMENTS 16
#define SHN__SERVE_MAX_ARGS 32
#define SHN__SERVE_MAX_PARAMS 4

/* A request target split and %-decoded. Decoded strings are NUL-terminated,
 * valid UTF-8 without NUL bytes, and live in the arena given to parse. */
struct shn__serve_target {
    size_t n_segments;
    const char *segment[SHN__SERVE_MAX_SEGMENTS];
    size_t n_args;
    struct {
        const char *key, *value; /* value "" for "?flag" */
    } args[SHN__SERVE_MAX_ARGS];
    size_t n_params; /* {name} captures of the matched route, in order */
    struct {
        const char *name; /* points into the pattern, not NUL-terminated: name_len */
        size_t name_len;
        const char *value;
    } params[SHN__SERVE_MAX_PARAMS];
};

/* Splits "/a/b%20c?x=1&y" into segments and arguments. 400 errors for a
 * target that is not origin-form, a bad %-escape, invalid UTF-8 or NUL, too
 * many segments or arguments; 414 when longer than SHN__SERVE_MAX_TARGET. */
int shn__serve_target_parse(const char *uri, struct shn_arena *arena, struct shn__serve_target *t,
                            struct shn__serve_error *err);

/* The route for `method` and the target's path, with its captures filled
 * in; NULL with a 404 (no such path) or a 405 (the path exists for other
 * methods, listed in `allow`, e.g. "GET, HEAD") recorded in err. */
const struct shn__serve_route *shn__serve_route_match(const char *method,
                                                      struct shn__serve_target *t, char *allow,
                                                      size_t allow_size,
                                                      struct shn__serve_error *err);

/* Refuses an argument the route does not take (400 naming it) or one given
 * twice. */
int shn__serve_args_check(const struct shn__serve_route *route, const struct shn__serve_target *t,
                          struct shn__serve_error *err);

/* The value of a path capture or query argument, or NULL. */
const char *shn__serve_param(const struct shn__serve_target *t, const char *name);
const char *shn__serve_arg(const struct shn__serve_target *t, const char *key);

/* ---- Metrics ------------------------------------------------------------ */

#define SHN__SERVE_N_BUCKETS 14

struct shn__serve_metrics {
    size_t n_rows;              /* routes + 1 (the last row: no route matched) */
    atomic_ullong *requests;    /* [n_rows][number of tracked statuses] */
    atomic_ullong *buckets;     /* [n_rows][SHN__SERVE_N_BUCKETS], not cumulative */
    atomic_ullong *duration_us; /* [n_rows] sum */
    atomic_llong in_flight;
    atomic_ullong connections_total, dropped_request_timeout, aborted;
    int64_t started_at; /* Unix seconds */
};

int shn__serve_metrics_init(struct shn__serve_metrics *m, size_t n_routes);
void shn__serve_metrics_cleanup(struct shn__serve_metrics *m);
/* Counts one finished request: its route (-1: none), status, seconds. */
void shn__serve_metrics_count(struct shn__serve_metrics *m, int route, int status, double seconds);

/* ---- Connections ---------------------------------------------------------- */

enum shn__serve_conn_state {
    SHN__CONN_NEW = 0,    /* connected, no request yet */
    SHN__CONN_RECEIVING,  /* a request line came; headers or body arriving */
    SHN__CONN_RESPONDING, /* the whole request came; the answer is being sent */
    SHN__CONN_IDLE,       /* between requests of a kept-alive connection */
};

/* One open connection, from libmicrohttpd's "started" notice to its
 * "closed" one; the fd stays valid while it is listed (libmicrohttpd closes
 * it after the notice, which takes the list's lock). */
struct shn__serve_conn {
    struct shn__serve_conn *prev, *next;
    int fd;
    int state;    /* enum shn__serve_conn_state, under the list's lock */
    double since; /* monotonic seconds the state began */
    bool shut;    /* shut down by the reaper or the drain */
};

struct shn__serve_conns {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct shn__serve_conn head; /* circular list sentinel */
    size_t open;
    bool stop;
    bool reaper_started;
    pthread_t reaper;
};

/* ---- The server ------------------------------------------------------------ */

struct shn_server {
    const struct shn_serve_config *cfg;
    struct shn__serve_settings set; /* as started; reload replaces the live parts */
    struct MHD_Daemon *daemon;
    unsigned port;
    char *tls_cert_pem, *tls_key_pem;
    /* Limits a reload may change; read by every request. */
    atomic_size_t body_max;
    atomic_uint queries_max, request_timeout, drain_timeout, rate;
    atomic_bool log_requests;
    atomic_bool draining;
    struct shn__serve_slot slots[SHN__ENGINE_COUNT];
    struct shn__serve_metrics metrics;
    struct shn__serve_conns conns;
    struct {
        pthread_mutex_t lock;
        double tokens, last;
    } bucket;
    atomic_ullong next_request;
    uint32_t id_prefix;
    struct MHD_Response *oom_response; /* the 500 for a request that could not be set up */
};

double shn__serve_now(void); /* monotonic seconds */

int shn__serve_conns_init(struct shn_server *srv);
void shn__serve_conns_cleanup(struct shn_server *srv);
/* libmicrohttpd's connection notices (MHD_OPTION_NOTIFY_CONNECTION). */
void shn__serve_conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                            enum MHD_ConnectionNotificationCode toe);
void shn__serve_conn_set_state(struct shn_server *srv, struct shn__serve_conn *conn, int state);
/* Drain: shuts down idle connections (and new ones older than `new_grace`
 * seconds); returns how many connections are still open. */
size_t shn__serve_conns_drain(struct shn_server *srv, double new_grace);

/* ---- Requests --------------------------------------------------------------- */

struct shn__serve_request {
    struct shn_server *srv;
    struct shn__serve_conn *conn;
    struct shn_arena arena; /* everything with the request's lifetime */
    char id[24];
    double t_start;
    const char *method; /* libmicrohttpd's, valid during the request */
    const char *uri;    /* the raw target, in the arena */
    struct shn__serve_target target;
    const struct shn__serve_route *route;
    int route_index;               /* -1: none matched */
    struct shn__serve_res *screen; /* held from dispatch to completion; may be NULL */
    bool started, answered, body_over;
    size_t body_seen;
    struct shn_buf body;
    /* The answer. */
    int status; /* 200 unless an error is recorded */
    struct shn_buf out;
    const char *content_type;
    char allow[64];
    unsigned retry_after; /* seconds, for 429 and 503; 0: no header */
    struct shn__serve_error err;
};

/* libmicrohttpd's callbacks (request.c). */
void *shn__serve_request_begin(void *cls, const char *uri, struct MHD_Connection *c);
enum MHD_Result shn__serve_request_handle(void *cls, struct MHD_Connection *c, const char *url,
                                          const char *method, const char *version,
                                          const char *upload_data, size_t *upload_data_size,
                                          void **con_cls);
void shn__serve_request_end(void *cls, struct MHD_Connection *c, void **con_cls,
                            enum MHD_RequestTerminationCode toe);

/* Admission (auth.c): keys and roles, then the rate limit. Records 401,
 * 403 or 429 in req->err and returns false to refuse. */
bool shn__serve_admit(struct shn__serve_request *req);

/* Queues req's answer (its body, or its error's) with the headers every
 * response carries (response.c). */
enum MHD_Result shn__serve_respond(struct MHD_Connection *c, struct shn__serve_request *req);
/* Records an error for the request (the first one wins). */
void shn__serve_error(struct shn__serve_request *req, int status, const char *code,
                      const char *field, const char *fmt, ...) SHN_PRINTF(5, 6);
/* Writes {"error": {...}} for `e` into out. */
int shn__serve_error_json(const struct shn__serve_error *e, struct shn_buf *out);
/* The static 500 for when a request cannot be set up (no memory). */
struct MHD_Response *shn__serve_oom_response(void);

/* ---- Endpoints ---------------------------------------------------------------- */

void shn__serve_healthz(struct shn__serve_request *req);
void shn__serve_readyz(struct shn__serve_request *req);
void shn__serve_metrics_handler(struct shn__serve_request *req);
void shn__serve_lists(struct shn__serve_request *req);
void shn__serve_screen(struct shn__serve_request *req);

/* Prometheus text of the server's metrics (metrics.c). */
int shn__serve_metrics_text(struct shn_server *srv, struct shn_buf *out);

/* The /v1/screen body: one query object, or {"queries": [...]} with
 * optional "threshold" and "limit" for all of them. Strings point into
 * `root`, which the batch owns. */
struct shn__serve_screen_batch {
    struct json_t *root;
    bool batch;
    size_t n;
    struct shn_screen_query *queries; /* n of them */
};
int shn__serve_screen_parse(const char *body, size_t len, size_t max_queries,
                            struct shn__serve_screen_batch *out, struct shn__serve_error *err);
void shn__serve_screen_batch_cleanup(struct shn__serve_screen_batch *b);

/* ---- Logs ---------------------------------------------------------------------- */

/* One JSON object per line on stderr, written with one write(2):
 *   {"ts": "...", "level": "info", "event": "listening", "port": 8080}
 * Fields are added in order; the line is cut (still valid JSON) past
 * SHN__SERVE_LOG_LINE bytes. */
#define SHN__SERVE_LOG_LINE 2048
struct shn__serve_log {
    char buf[SHN__SERVE_LOG_LINE];
    size_t len;
    bool on;
};
void shn__serve_log_begin(struct shn__serve_log *l, enum shn_log_level level, const char *event);
void shn__serve_log_str(struct shn__serve_log *l, const char *key, const char *value);
void shn__serve_log_int(struct shn__serve_log *l, const char *key, long long value);
void shn__serve_log_num(struct shn__serve_log *l, const char *key, double value);
void shn__serve_log_end(struct shn__serve_log *l);
/* An event with one message field, for the common case. */
void shn__serve_log_msg(enum shn_log_level level, const char *event, const char *fmt, ...)
    SHN_PRINTF(3, 4);
/* Routes shn_log (the engines' messages) and libmicrohttpd's error log
 * through the JSON lines. */
void shn__serve_log_sink(void *ctx, enum shn_log_level level, const char *message);
void shn__serve_log_mhd(void *cls, const char *fmt, va_list ap);

#endif
