/* The serve config: its keys, where each value comes from (the command
 * line over the file over the default) and what a value must be. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serve_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"

enum type { T_LISTEN, T_PATH, T_COUNT, T_SIZE, T_BOOL };

enum key {
    K_LISTEN,
    K_THREADS,
    K_TLS_CERT,
    K_TLS_KEY,
    K_KEYS,
    K_LOG_REQUESTS,
    K_DATA,
    K_SCREEN,
    K_IMAGE,
    K_LINK,
    K_TRACE,
    K_TEXT,
    K_ACCOUNTS,
    K_BODY,
    K_HEADER,
    K_QUERIES,
    K_CONNECTIONS,
    K_IDLE,
    K_REQUEST,
    K_DRAIN,
    K_RATE,
    N_KEYS
};

static const struct shn_serve_key keys[N_KEYS] = {
    [K_LISTEN] = {"server.listen", "--listen", "ADDR:PORT",
                  "address and port to listen on (IPv4, [IPv6] or localhost; port 0: any free one)",
                  "127.0.0.1:8080"},
    [K_THREADS] = {"server.threads", "--threads", "N",
                   "worker threads answering requests (0: one per CPU)", "0"},
    [K_TLS_CERT] = {"server.tls_cert", "--tls-cert", "FILE",
                    "TLS certificate chain (PEM); with tls_key, the server speaks HTTPS only",
                    NULL},
    [K_TLS_KEY] = {"server.tls_key", "--tls-key", "FILE", "TLS private key (PEM)", NULL},
    [K_KEYS] = {"server.keys", "--keys", "FILE",
                "API keys file (not enforced yet: every request is admitted)", NULL},
    [K_LOG_REQUESTS] = {"server.log_requests", "--log-requests", "yes|no",
                        "one JSON line per request on stderr", "yes"},
    [K_DATA] = {"data.dir", "--data", "DIR",
                "data folder; relative engine files in the config file are taken from it", NULL},
    [K_SCREEN] = {"data.screen_index", "--index", "FILE",
                  "the screen index (shinsa lists build); swapped when the file is replaced",
                  "screen.idx"},
    [K_IMAGE] = {"data.image_index", "--image-index", "FILE", "an image hash index", NULL},
    [K_LINK] = {"data.linkdb", "--linkdb", "FILE", "a LINKDB (shinsa link build)", NULL},
    [K_TRACE] = {"data.trace_graph", "--trace-graph", "FILE", "a trace graph (shinsa trace import)",
                 NULL},
    [K_TEXT] = {"data.text_model", "--text-model", "FILE", "the text engine's model", NULL},
    [K_ACCOUNTS] = {"data.accounts_db", "--db", "FILE",
                    "the accounts database (must exist; never created)", NULL},
    [K_BODY] = {"limits.body_size", "--max-body", "SIZE",
                "largest request body (K, M suffixes); larger: 413", "1M"},
    [K_HEADER] = {"limits.header_size", "--max-header", "SIZE",
                  "memory for a request's line and headers; larger: 431", "16K"},
    [K_QUERIES] = {"limits.queries", "--max-queries", "N",
                   "most queries in one batch request; more: 413", "100"},
    [K_CONNECTIONS] = {"limits.connections", "--max-connections", "N",
                       "most open connections; more wait unaccepted", "1024"},
    [K_IDLE] = {"limits.idle_timeout", "--idle-timeout", "SECONDS",
                "a connection silent this long is closed", "15"},
    [K_REQUEST] = {"limits.request_timeout", "--request-timeout", "SECONDS",
                   "time a connection has to send a whole request; then it is closed", "30"},
    [K_DRAIN] = {"limits.drain_timeout", "--drain-timeout", "SECONDS",
                 "on SIGTERM, how long requests in flight may take to finish", "10"},
    [K_RATE] = {"limits.rate", "--rate", "N",
                "requests per second over all clients (0: no limit); more: 429", "0"},
};

static const struct {
    int type;
    unsigned long lo, hi;
} kinds[N_KEYS] = {
    [K_LISTEN] = {T_LISTEN, 0, 0},
    [K_THREADS] = {T_COUNT, 0, 256},
    [K_TLS_CERT] = {T_PATH, 0, 0},
    [K_TLS_KEY] = {T_PATH, 0, 0},
    [K_KEYS] = {T_PATH, 0, 0},
    [K_LOG_REQUESTS] = {T_BOOL, 0, 0},
    [K_DATA] = {T_PATH, 0, 0},
    [K_SCREEN] = {T_PATH, 0, 0},
    [K_IMAGE] = {T_PATH, 0, 0},
    [K_LINK] = {T_PATH, 0, 0},
    [K_TRACE] = {T_PATH, 0, 0},
    [K_TEXT] = {T_PATH, 0, 0},
    [K_ACCOUNTS] = {T_PATH, 0, 0},
    [K_BODY] = {T_SIZE, 1u << 10, 64u << 20},
    [K_HEADER] = {T_SIZE, 4u << 10, 1u << 20},
    [K_QUERIES] = {T_COUNT, 1, 10000},
    [K_CONNECTIONS] = {T_COUNT, 1, 65536},
    [K_IDLE] = {T_COUNT, 1, 3600},
    [K_REQUEST] = {T_COUNT, 1, 3600},
    [K_DRAIN] = {T_COUNT, 0, 3600},
    [K_RATE] = {T_COUNT, 0, 1000000},
};

/* The engine each data key opens. */
static const int engine_key[SHN__ENGINE_COUNT] = {
    [SHN__ENGINE_SCREEN] = K_SCREEN, [SHN__ENGINE_IMAGE] = K_IMAGE,
    [SHN__ENGINE_LINK] = K_LINK,     [SHN__ENGINE_TRACE] = K_TRACE,
    [SHN__ENGINE_TEXT] = K_TEXT,     [SHN__ENGINE_ACCOUNTS] = K_ACCOUNTS,
};

static const char *const sections[] = {"server", "data", "limits"};

#define MAX_VALUE 4095
#define COMMAND_LINE "command line"

struct shn_serve_config {
    char *file;
    char *default_dir;
    char *cli[N_KEYS];
};

const struct shn_serve_key *shn_serve_keys(size_t *count)
{
    if (count)
        *count = N_KEYS;
    return keys;
}

const char *shn__serve_engine_key(int engine)
{
    return engine >= 0 && engine < SHN__ENGINE_COUNT ? keys[engine_key[engine]].name : "";
}

/* ---- Values ------------------------------------------------------------ */

bool shn__serve_parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
    unsigned long v;
    char *end;

    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

bool shn__serve_parse_size(const char *s, size_t lo, size_t hi, size_t *out)
{
    unsigned long long v, mul = 1;
    char *end;

    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno)
        return false;
    if (*end == 'K' || *end == 'k')
        mul = 1ULL << 10;
    else if (*end == 'M' || *end == 'm')
        mul = 1ULL << 20;
    else if (*end == 'G' || *end == 'g')
        mul = 1ULL << 30;
    if (mul != 1)
        end++;
    if (*end || v > (unsigned long long)hi / mul || v * mul < lo)
        return false;
    *out = (size_t)(v * mul);
    return true;
}

bool shn__serve_parse_listen(const char *s, struct sockaddr_storage *addr, socklen_t *len)
{
    char host[64];
    const char *colon;
    unsigned long port;
    size_t n;
    struct sockaddr_storage a = {0};

    if (!s || !addr || !len)
        return false;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return false;
        n = (size_t)(close - s - 1);
        colon = close + 1;
        s++;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return false;
        n = (size_t)(colon - s);
    }
    if (n == 0 || n >= sizeof host || !shn__serve_parse_uint(colon + 1, 0, 65535, &port))
        return false;
    memcpy(host, s, n);
    host[n] = '\0';
    if (strcmp(host, "localhost") == 0)
        memcpy(host, "127.0.0.1", sizeof "127.0.0.1");
    if (strchr(host, ':')) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a;
        if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
            return false;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        *len = sizeof *in6;
    } else {
        struct sockaddr_in *in4 = (struct sockaddr_in *)&a;
        if (inet_pton(AF_INET, host, &in4->sin_addr) != 1)
            return false;
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        *len = sizeof *in4;
    }
    *addr = a;
    return true;
}

static bool parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"}, *const no[] = {"no", "false",
                                                                                "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

/* Checks `value` for key k without storing it: the message for a bad one. */
static const char *check_value(int k, const char *value, char *why, size_t size)
{
    struct sockaddr_storage a;
    socklen_t alen;
    unsigned long u;
    size_t z;
    bool b;

    if (strlen(value) > MAX_VALUE)
        return "longer than 4095 bytes";
    switch (kinds[k].type) {
    case T_LISTEN:
        if (!shn__serve_parse_listen(value, &a, &alen))
            return "not ADDR:PORT (127.0.0.1:8080, [::1]:8080, localhost:8080; port 0-65535)";
        return NULL;
    case T_COUNT:
        if (shn__serve_parse_uint(value, kinds[k].lo, kinds[k].hi, &u))
            return NULL;
        snprintf(why, size, "not a whole number from %lu to %lu", kinds[k].lo, kinds[k].hi);
        return why;
    case T_SIZE:
        if (shn__serve_parse_size(value, kinds[k].lo, kinds[k].hi, &z))
            return NULL;
        snprintf(why, size, "not a size from %luK to %luM (bytes, or a K or M suffix)",
                 kinds[k].lo >> 10, kinds[k].hi >> 20);
        return why;
    case T_BOOL:
        return parse_bool(value, &b) ? NULL : "not yes or no";
    default:
        return value[0] ? NULL : "empty";
    }
}

static int find_key(const char *name)
{
    for (int k = 0; k < N_KEYS; k++)
        if (strcmp(keys[k].name, name) == 0 || strcmp(keys[k].option, name) == 0)
            return k;
    return -1;
}

/* ---- The public config --------------------------------------------------- */

int shn_serve_config_new(struct shn_serve_config **out)
{
    struct shn_serve_config *cfg;

    if (!out)
        return SHN_ERR_INVALID;
    cfg = shn_calloc(1, sizeof *cfg);
    if (!cfg)
        return SHN_ERR_NOMEM;
    *out = cfg;
    return SHN_OK;
}

void shn_serve_config_free(struct shn_serve_config *cfg)
{
    if (!cfg)
        return;
    shn_free(cfg->file);
    shn_free(cfg->default_dir);
    for (int k = 0; k < N_KEYS; k++)
        shn_free(cfg->cli[k]);
    shn_free(cfg);
}

static int replace(char **slot, const char *value)
{
    char *copy = NULL;

    if (value) {
        copy = shn_strdup(value);
        if (!copy)
            return SHN_ERR_NOMEM;
    }
    shn_free(*slot);
    *slot = copy;
    return SHN_OK;
}

int shn_serve_config_set_file(struct shn_serve_config *cfg, const char *path)
{
    return cfg ? replace(&cfg->file, path) : SHN_ERR_INVALID;
}

int shn_serve_config_set_default_dir(struct shn_serve_config *cfg, const char *dir)
{
    return cfg ? replace(&cfg->default_dir, dir) : SHN_ERR_INVALID;
}

int shn_serve_config_set(struct shn_serve_config *cfg, const char *key, const char *value,
                         struct shn_diag *diag)
{
    char why[128];
    const char *bad;
    int k;

    if (!cfg || !key || !value)
        return SHN_ERR_INVALID;
    k = find_key(key);
    if (k < 0)
        return shn_diag_set(diag, SHN_ERR_PARSE, COMMAND_LINE, 0, NULL, "unknown key %.64s", key);
    bad = check_value(k, value, why, sizeof why);
    if (bad)
        return shn_diag_set(diag, SHN_ERR_PARSE, COMMAND_LINE, 0, keys[k].option,
                            "\"%.200s\" is %s", value, bad);
    return replace(&cfg->cli[k], value);
}

/* ---- Resolving ----------------------------------------------------------- */

struct file_values {
    const char *file;
    char *text[N_KEYS];
    long line[N_KEYS];
};

static int file_key(void *ctx, const char *section, const char *key, const char *value, long line,
                    struct shn_diag *diag)
{
    struct file_values *fv = ctx;
    char name[96], why[128];
    const char *bad;
    bool known = false;
    int k;

    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        known = known || strcmp(section, sections[i]) == 0;
    if (!known)
        return shn_diag_set(diag, SHN_ERR_PARSE, fv->file, line, NULL,
                            "unknown section [%s] (known: [server], [data], [limits])", section);
    if (!key)
        return SHN_OK;
    snprintf(name, sizeof name, "%s.%s", section, key);
    k = find_key(name);
    if (k < 0 || strncmp(name, "--", 2) == 0)
        return shn_diag_set(diag, SHN_ERR_PARSE, fv->file, line, name,
                            "unknown key (docs/serve.md lists the keys)");
    if (fv->text[k])
        return shn_diag_set(diag, SHN_ERR_PARSE, fv->file, line, name,
                            "set twice (first on line %ld)", fv->line[k]);
    bad = check_value(k, value, why, sizeof why);
    if (bad)
        return shn_diag_set(diag, SHN_ERR_PARSE, fv->file, line, name, "\"%.200s\" is %s", value,
                            bad);
    fv->text[k] = shn_strdup(value);
    if (!fv->text[k])
        return shn_diag_set(diag, SHN_ERR_NOMEM, fv->file, line, name, "out of memory");
    fv->line[k] = line;
    return SHN_OK;
}

/* `path` taken from `base` unless it is absolute or base is NULL. */
static char *join(const char *base, const char *path)
{
    struct shn_buf b;

    if (!base || !base[0] || path[0] == '/')
        return shn_strdup(path);
    shn_buf_init(&b, 2 * MAX_VALUE + 2);
    if (shn_buf_appendf(&b, "%s/%s", base, path) != SHN_OK) {
        shn_buf_cleanup(&b);
        return NULL;
    }
    return b.data;
}

/* The folder of the config file, for the paths it names. */
static char *file_dir(const char *file)
{
    const char *slash = file ? strrchr(file, '/') : NULL;

    if (!file)
        return NULL;
    if (!slash)
        return shn_strdup(".");
    return shn_strndup(file, slash == file ? 1 : (size_t)(slash - file));
}

struct resolver {
    const struct shn_serve_config *cfg;
    struct file_values fv;
    char *file_folder;
    struct shn__serve_settings *out;
    struct shn_diag *diag;
};

/* The value of key k and where it came from; NULL when unset. */
static const char *value_of(const struct resolver *r, int k, const char **file, long *line,
                            const char **field, bool *from_cli)
{
    *from_cli = r->cfg->cli[k] != NULL;
    if (r->cfg->cli[k]) {
        *file = COMMAND_LINE;
        *line = 0;
        *field = keys[k].option;
        return r->cfg->cli[k];
    }
    *file = r->fv.file;
    *line = r->fv.line[k];
    *field = keys[k].name;
    if (r->fv.text[k])
        return r->fv.text[k];
    *file = "defaults";
    return keys[k].default_value;
}

static int path_key(const struct resolver *r, int k, const char *base, char **out)
{
    const char *file, *field, *v;
    bool cli;
    long line;

    v = value_of(r, k, &file, &line, &field, &cli);
    if (!v)
        return SHN_OK;
    *out = join(cli ? NULL : base, v);
    return *out ? SHN_OK : shn_diag_set(r->diag, SHN_ERR_NOMEM, file, line, field, "out of memory");
}

/* Values were checked when they were set or read, and the defaults are
 * good, so the typed readers below cannot fail. */
static const char *plain(const struct resolver *r, int k)
{
    const char *file, *field;
    long line;
    bool cli;

    return value_of(r, k, &file, &line, &field, &cli);
}

static unsigned count_key(const struct resolver *r, int k)
{
    unsigned long u = 0;

    shn__serve_parse_uint(plain(r, k), kinds[k].lo, kinds[k].hi, &u);
    return (unsigned)u;
}

static size_t size_key(const struct resolver *r, int k)
{
    size_t z = 0;

    shn__serve_parse_size(plain(r, k), kinds[k].lo, kinds[k].hi, &z);
    return z;
}

static int read_file(struct resolver *r)
{
    char *text = NULL;
    size_t len = 0;
    int rc;

    r->fv.file = r->cfg->file;
    if (!r->cfg->file)
        return SHN_OK;
    rc = shn_file_read(r->cfg->file, 64u << 10, &text, &len, r->diag);
    if (rc == SHN_OK)
        rc = shn__serve_conf_parse(text, len, r->cfg->file, file_key, &r->fv, r->diag);
    shn_free(text);
    if (rc == SHN_OK) {
        r->file_folder = file_dir(r->cfg->file);
        if (!r->file_folder)
            rc = SHN_ERR_NOMEM;
    }
    return rc;
}

static int resolve(struct resolver *r)
{
    struct shn__serve_settings *s = r->out;
    const char *file, *field, *v;
    long line;
    bool cli;
    int rc = read_file(r);

    if (rc != SHN_OK)
        return rc;
    v = plain(r, K_LISTEN);
    snprintf(s->listen, sizeof s->listen, "%s", v);
    shn__serve_parse_listen(v, &s->addr, &s->addr_len);
    s->threads = count_key(r, K_THREADS);
    if (s->threads == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        s->threads = cpus < 1 ? 1 : cpus > 64 ? 64 : (unsigned)cpus;
    }
    parse_bool(plain(r, K_LOG_REQUESTS), &s->log_requests);
    s->body_max = size_key(r, K_BODY);
    s->header_max = size_key(r, K_HEADER);
    s->queries_max = count_key(r, K_QUERIES);
    s->connections_max = count_key(r, K_CONNECTIONS);
    s->idle_timeout = count_key(r, K_IDLE);
    s->request_timeout = count_key(r, K_REQUEST);
    s->drain_timeout = count_key(r, K_DRAIN);
    s->rate = count_key(r, K_RATE);

    /* data.dir: from the command line as given, in the file from the
     * file's folder, else the caller's default folder. */
    v = value_of(r, K_DATA, &file, &line, &field, &cli);
    if (v)
        s->data_dir = join(cli ? NULL : r->file_folder, v);
    else
        s->data_dir = shn_strdup(r->cfg->default_dir ? r->cfg->default_dir : ".");
    if (!s->data_dir)
        return SHN_ERR_NOMEM;
    rc = path_key(r, K_TLS_CERT, r->file_folder, &s->tls_cert);
    if (rc == SHN_OK)
        rc = path_key(r, K_TLS_KEY, r->file_folder, &s->tls_key);
    if (rc == SHN_OK)
        rc = path_key(r, K_KEYS, r->file_folder, &s->keys);
    for (int e = 0; rc == SHN_OK && e < SHN__ENGINE_COUNT; e++)
        rc = path_key(r, engine_key[e], s->data_dir, &s->engine_path[e]);
    if (rc != SHN_OK)
        return rc;
    if (!s->tls_cert != !s->tls_key) {
        int k = s->tls_cert ? K_TLS_CERT : K_TLS_KEY;
        value_of(r, k, &file, &line, &field, &cli);
        return shn_diag_set(r->diag, SHN_ERR_PARSE, file, line, field,
                            "TLS needs both server.tls_cert and server.tls_key");
    }
    return SHN_OK;
}

int shn__serve_settings_resolve(const struct shn_serve_config *cfg, struct shn__serve_settings *out,
                                struct shn_diag *diag)
{
    struct shn__serve_settings s;
    struct resolver r = {.cfg = cfg, .out = &s, .diag = diag};
    int rc;

    if (!cfg || !out)
        return SHN_ERR_INVALID;
    memset(&s, 0, sizeof s);
    rc = resolve(&r);
    for (int k = 0; k < N_KEYS; k++)
        shn_free(r.fv.text[k]);
    shn_free(r.file_folder);
    if (rc != SHN_OK) {
        shn__serve_settings_cleanup(&s);
        return rc;
    }
    *out = s;
    return SHN_OK;
}

void shn__serve_settings_cleanup(struct shn__serve_settings *s)
{
    if (!s)
        return;
    shn_free(s->tls_cert);
    shn_free(s->tls_key);
    shn_free(s->keys);
    shn_free(s->data_dir);
    for (int e = 0; e < SHN__ENGINE_COUNT; e++)
        shn_free(s->engine_path[e]);
    memset(s, 0, sizeof *s);
}

/* ---- The effective settings, in the file's format ----------------------- */

static int dump_size(struct shn_buf *out, const char *key, size_t v)
{
    if (v % (1u << 20) == 0)
        return shn_buf_appendf(out, "%s = %zuM\n", key, v >> 20);
    if (v % (1u << 10) == 0)
        return shn_buf_appendf(out, "%s = %zuK\n", key, v >> 10);
    return shn_buf_appendf(out, "%s = %zu\n", key, v);
}

static int dump_path(struct shn_buf *out, const char *key, const char *v)
{
    return v ? shn_buf_appendf(out, "%s = %s\n", key, v)
             : shn_buf_appendf(out, "# %s (not set)\n", key);
}

int shn__serve_settings_dump(const struct shn__serve_settings *s, struct shn_buf *out)
{
    static const char *const data_keys[SHN__ENGINE_COUNT] = {
        "screen_index", "image_index", "linkdb", "trace_graph", "text_model", "accounts_db"};
    int rc;

    if (!s || !out)
        return SHN_ERR_INVALID;
    rc = shn_buf_appendf(out, "[server]\nlisten = %s\nthreads = %u\n", s->listen, s->threads);
    if (rc == SHN_OK)
        rc = dump_path(out, "tls_cert", s->tls_cert);
    if (rc == SHN_OK)
        rc = dump_path(out, "tls_key", s->tls_key);
    if (rc == SHN_OK)
        rc = dump_path(out, "keys", s->keys);
    if (rc == SHN_OK)
        rc = shn_buf_appendf(out, "log_requests = %s\n\n[data]\ndir = %s\n",
                             s->log_requests ? "yes" : "no", s->data_dir);
    for (int e = 0; rc == SHN_OK && e < SHN__ENGINE_COUNT; e++)
        rc = dump_path(out, data_keys[e], s->engine_path[e]);
    if (rc == SHN_OK)
        rc = shn_buf_append_str(out, "\n[limits]\n");
    if (rc == SHN_OK)
        rc = dump_size(out, "body_size", s->body_max);
    if (rc == SHN_OK)
        rc = dump_size(out, "header_size", s->header_max);
    if (rc == SHN_OK)
        rc = shn_buf_appendf(out,
                             "queries = %u\nconnections = %u\nidle_timeout = %u\n"
                             "request_timeout = %u\ndrain_timeout = %u\nrate = %u\n",
                             s->queries_max, s->connections_max, s->idle_timeout,
                             s->request_timeout, s->drain_timeout, s->rate);
    return rc;
}
