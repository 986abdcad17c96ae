/* Tests for list updates (src/screen/update*.c): the config parser, and
 * whole updates against file:// URLs and a loopback HTTP server run by the
 * test itself (never the real network). The invariant under test: a failed
 * download, a file that does not load or a suspicious shrink leaves the old
 * index byte for byte, with a diag naming the config line and the URL; the
 * temp folder is gone in every case. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ftw.h>
#include <jansson.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/fault.h"
#include "shinsa/core/file.h"
#include "shinsa/core/log.h"
#include "shinsa/screen.h"
#include "update_internal.h"

#define FIXTURES SHN_TEST_DATA "/screen/update"

/* ---- Helpers ------------------------------------------------------------ */

struct env {
    char root[256];  /* temp folder of this test */
    char src[300];   /* copies of the fixtures */
    char index[300]; /* the index under update */
    char config[300];
};

static void copy_file(const char *from, const char *to)
{
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(shn_file_read(from, 1 << 20, &data, &len, NULL), SHN_OK);
    assert_int_equal(shn_file_write_atomic(to, data, len, NULL), SHN_OK);
    shn_free(data);
}

static void env_setup(struct env *e)
{
    static const char *const files[] = {"sdn.csv", "add.csv",     "alt.csv",           "un.xml",
                                        "eth.txt", "intel.jsonl", "intel-small.jsonl", "bad.jsonl"};
    char from[512], to[512];

    snprintf(e->root, sizeof e->root, "/tmp/shn-test-update-XXXXXX");
    assert_non_null(mkdtemp(e->root));
    snprintf(e->src, sizeof e->src, "%s/src", e->root);
    assert_int_equal(mkdir(e->src, 0700), 0);
    snprintf(to, sizeof to, "%s/idx", e->root);
    assert_int_equal(mkdir(to, 0700), 0);
    snprintf(e->index, sizeof e->index, "%s/idx/lists.shn", e->root);
    snprintf(e->config, sizeof e->config, "%s/lists.conf", e->root);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(from, sizeof from, "%s/%s", FIXTURES, files[i]);
        snprintf(to, sizeof to, "%s/%s", e->src, files[i]);
        copy_file(from, to);
    }
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path);
}

static void env_teardown(struct env *e)
{
    assert_int_equal(nftw(e->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void write_text(const char *path, const char *text)
{
    assert_int_equal(shn_file_write_atomic(path, text, strlen(text), NULL), SHN_OK);
}

static void write_config(struct env *e, const char *fmt, ...) SHN_PRINTF(2, 3);
static void write_config(struct env *e, const char *fmt, ...)
{
    char text[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    write_text(e->config, text);
}

static char *slurp(const char *path, size_t *len)
{
    char *data = NULL;
    assert_int_equal(shn_file_read(path, 64 << 20, &data, len, NULL), SHN_OK);
    return data;
}

/* Nothing but the index may be left beside it: no temp folder, no temp file. */
static void assert_index_dir_clean(const struct env *e, int want_index)
{
    char dir[320];
    DIR *d;
    struct dirent *de;
    int n = 0;

    snprintf(dir, sizeof dir, "%s/idx", e->root);
    d = opendir(dir);
    assert_non_null(d);
    for (de = readdir(d); de; de = readdir(d)) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (strcmp(de->d_name, "lists.shn") != 0)
            fail_msg("left behind: %s/%s", dir, de->d_name);
        n++;
    }
    closedir(d);
    assert_int_equal(n, want_index);
}

/* Entities in the index, from its JSON info; every source's path must be
 * the URL it came from, never the vanished temp folder. */
static size_t index_entities(const char *path)
{
    struct shn_screen_index *idx = NULL;
    struct shn_buf info;
    json_error_t jerr;
    json_t *j, *src;
    size_t n, i;

    assert_int_equal(shn_screen_index_open(path, &idx, NULL), SHN_OK);
    shn_buf_init(&info, 1 << 20);
    assert_int_equal(shn_screen_index_info(idx, 1, &info), SHN_OK);
    j = json_loads(info.data, 0, &jerr);
    assert_non_null(j);
    n = (size_t)json_integer_value(json_object_get(j, "entities"));
    json_array_foreach(json_object_get(j, "sources"), i, src)
    {
        const char *p = json_string_value(json_object_get(src, "path"));
        assert_non_null(p);
        if (strncmp(p, "file:///", 8) != 0 && strncmp(p, "http://127.0.0.1:", 17) != 0)
            fail_msg("source path %s is not its URL", p);
    }
    json_decref(j);
    shn_buf_cleanup(&info);
    shn_screen_index_close(idx);
    return n;
}

static int update(const struct env *e, int force, struct shn_diag *d)
{
    struct shn_update_options opt = {
        .config_path = e->config, .index_path = e->index, .force = force};
    memset(d, 0, sizeof *d);
    return shn_screen_lists_update_ex(&opt, d);
}

/* Runs an update that must fail, and checks the old index is untouched. */
static void assert_update_fails(struct env *e, int want_rc, const char *want_in_message)
{
    struct shn_diag d;
    size_t before_len = 0, after_len = 0;
    char *before = slurp(e->index, &before_len), *after;
    int rc = update(e, 0, &d);
    char text[600];

    shn_diag_format(&d, text, sizeof text);
    if (rc != want_rc)
        fail_msg("rc %d (%s), wanted %d: %s", rc, shn_strerror(rc), want_rc, text);
    if (want_in_message && !strstr(d.message, want_in_message))
        fail_msg("\"%s\" not in diag: %s", want_in_message, text);
    assert_string_equal(d.file, e->config);
    after = slurp(e->index, &after_len);
    assert_int_equal(before_len, after_len);
    assert_memory_equal(before, after, before_len);
    shn_free(before);
    shn_free(after);
    assert_index_dir_clean(e, 1);
}

/* ---- Loopback HTTP server ------------------------------------------------ */

struct server {
    int fd;
    int port;
    const char *dir;
    volatile int stop;
    pthread_t thread;
};

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* GET /files/NAME: the file; GET /truncated/NAME: its first half with a
 * Content-Length claiming the whole; GET /redirect/NAME: a 302 to
 * /files/NAME on this server (plain http); anything else: 404. */
static void serve_one(struct server *s, int c)
{
    char req[4096] = "", path[600], head[256];
    size_t got = 0;
    char *body = NULL;
    size_t len = 0;
    int truncated = 0;

    while (got < sizeof req - 1 && !strstr(req, "\r\n\r\n")) {
        ssize_t n = recv(c, req + got, sizeof req - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        req[got] = '\0';
    }
    req[got] = '\0';
    if (strncmp(req, "GET /redirect/", 14) == 0) {
        size_t n = strcspn(req + 14, " ");
        int k = snprintf(head, sizeof head,
                         "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:%d/files/%.*s\r\n"
                         "Content-Length: 0\r\nConnection: close\r\n\r\n",
                         s->port, (int)(n < 100 ? n : 100), req + 14);
        send_all(c, head, (size_t)k);
        shutdown(c, SHUT_WR);
        close(c);
        return;
    }
    if (strncmp(req, "GET /files/", 11) == 0 || strncmp(req, "GET /truncated/", 15) == 0) {
        const char *name = strchr(req + 5, '/') + 1;
        size_t n = strcspn(name, " ");
        truncated = req[5] == 't';
        snprintf(path, sizeof path, "%s/%.*s", s->dir, (int)n, name);
        if (!strstr(path, "..") && shn_file_read(path, 1 << 20, &body, &len, NULL) != SHN_OK)
            body = NULL;
    }
    if (!body) {
        static const char nf[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n"
                                 "Connection: close\r\n\r\nnot found";
        send_all(c, nf, sizeof nf - 1);
    } else {
        int n = snprintf(head, sizeof head,
                         "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
                         "Connection: close\r\n\r\n",
                         len);
        send_all(c, head, (size_t)n);
        send_all(c, body, truncated ? len / 2 : len);
    }
    shn_free(body);
    shutdown(c, SHUT_WR);
    close(c);
}

static void *server_main(void *arg)
{
    struct server *s = arg;

    while (!s->stop) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        int c;
        if (poll(&p, 1, 50) <= 0)
            continue;
        c = accept(s->fd, NULL, NULL);
        if (c >= 0)
            serve_one(s, c);
    }
    return NULL;
}

static void server_start(struct server *s, const char *dir)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t alen = sizeof a;

    memset(s, 0, sizeof *s);
    s->dir = dir;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0; /* any free port */
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->fd >= 0);
    assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s->fd, 8), 0);
    assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &alen), 0);
    s->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
}

static void server_stop(struct server *s)
{
    s->stop = 1;
    pthread_join(s->thread, NULL);
    close(s->fd);
}

/* ---- Config parser -------------------------------------------------------- */

static int parse(const char *text, struct shn__update_config **cfg, struct shn_diag *d)
{
    memset(d, 0, sizeof *d);
    return shn__update_config_parse(text, strlen(text), "t.conf", "/base dir", cfg, d);
}

static void config_parses_sections_settings_and_paths(void **state)
{
    static const char text[] =
        "# lists\n"
        "\n"
        "[settings]\n"
        "max_size = 16M\n"
        "  timeout=60  \r\n"
        "min_percent = 0\n"
        "[ofac]\n"
        "sdn = https://example.org/sdn.csv\n"
        "comments = https://example.org/sdn_comments.csv\n"
        "[un]\n"
        "xml = http://127.0.0.1:8080/un.xml\n"
        "[crypto]\n"
        "ETH = file:///srv/lists/eth.txt\n"
        "ETH.sha256 = E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\n"
        "[custom]\n"
        "block-list = rel/my list.jsonl\n"
        "intel = /abs/intel.jsonl\n";
    struct shn__update_config *cfg = NULL;
    struct shn_diag d;
    (void)state;

    assert_int_equal(parse(text, &cfg, &d), SHN_OK);
    assert_int_equal(cfg->max_size, 16u << 20);
    assert_int_equal(cfg->timeout, 60);
    assert_int_equal(cfg->connect_timeout, SHN_UPDATE_DEFAULT_CONNECT_TIMEOUT);
    assert_int_equal(cfg->min_percent, 0);
    assert_int_equal(cfg->n_files, 6);
    assert_string_equal(cfg->files[0].key, "ofac.sdn");
    assert_string_equal(cfg->files[0].local, "ofac/sdn.csv");
    assert_int_equal(cfg->files[0].line, 8);
    assert_string_equal(cfg->files[1].local, "ofac/sdn_comments.csv");
    assert_string_equal(cfg->files[2].local, "un/consolidated.xml");
    assert_string_equal(cfg->files[3].local, "crypto/sanctioned_addresses_ETH.txt");
    assert_true(cfg->files[3].has_sha256);
    assert_int_equal(cfg->files[3].sha256[0], 0xE3);
    assert_int_equal(cfg->files[3].sha256[31], 0x55);
    assert_string_equal(cfg->files[4].local, "custom/block-list.jsonl");
    assert_string_equal(cfg->files[4].url, "file:///base%20dir/rel/my%20list.jsonl");
    assert_string_equal(cfg->files[5].url, "file:///abs/intel.jsonl");
    assert_int_equal(cfg->files[5].group, SHN_UPDATE_CUSTOM);
    shn__update_config_free(cfg);
}

static void config_errors_name_line_and_field(void **state)
{
    static const struct {
        const char *text;
        long line;
        const char *field;
    } cases[] = {
        {"[ofac]\nsdn = https://x/sdn.csv\n[bogus]\n", 3, ""},
        {"sdn = https://x/sdn.csv\n", 1, "sdn"},
        {"[ofac]\nsdn = https://x/a\nsdn = https://x/b\n", 3, "ofac.sdn"},
        {"[ofac]\nsdm = https://x/sdn.csv\n", 2, "ofac.sdm"},
        {"[ofac]\nadd = https://x/add.csv\n", 0, "ofac"},
        {"[un]\nxml = http://example.org/un.xml\n", 2, "un.xml"},
        {"[un]\nxml = http://127.0.0.1@example.org/un.xml\n", 2, "un.xml"},
        /* issue 12 F5: user info before the real host, read by libcurl */
        {"[un]\nxml = http://localhost:x@127.0.0.2:8080/un.xml\n", 2, "un.xml"},
        {"[un]\nxml = http://localhost@example.org/un.xml\n", 2, "un.xml"},
        {"[un]\nxml = https://user:secret@example.org/un.xml\n", 2, "un.xml"},
        {"[un]\nxml = http://[::2]:8080/un.xml\n", 2, "un.xml"},
        {"[un]\nxml = http://[::ffff:127.0.0.2]/un.xml\n", 2, "un.xml"},
        {"[un]\nxml = http://%6c%6fcalhost.example.org/un.xml\n", 2, "un.xml"},
        {"[un]\nxml = http://127.0.0.1.example.org/un.xml\n", 2, "un.xml"},
        {"[un]\nxml = http://localhost.:8080/un.xml\n", 2, "un.xml"},
        {"[un]\nxml = ftp://example.org/un.xml\n", 2, "un.xml"},
        {"[un]\nxml = https://example.org/a b.xml\n", 2, "un.xml"},
        {"[un]\nxml = file://host/un.xml\n", 2, "un.xml"},
        {"[un]\nxml\n", 2, ""},
        {"[un]\nxml =\n", 2, "xml"},
        {"[un]\nxml = https://x/u\n[un]\n", 3, "un"},
        {"[crypto]\neth = https://x/e\n", 2, "crypto.eth"},
        {"[custom]\nofac = https://x/c\n", 2, "custom.ofac"},
        {"[custom]\nc = https://x/c\nd.sha256 = 00\n", 3, "custom.d.sha256"},
        {"[custom]\nc = https://x/c\nc.sha256 = 00\n", 3, "custom.c.sha256"},
        {"[settings]\nmax_size = 12Q\n[un]\nxml = https://x/u\n", 2, "settings.max_size"},
        {"[settings]\ntimeout = 0\n[un]\nxml = https://x/u\n", 2, "settings.timeout"},
        {"[settings]\nmin_percent = 101\n[un]\nxml = https://x/u\n", 2, "settings.min_percent"},
        {"[settings]\nretries = 3\n", 2, "settings.retries"},
        {"[ofac\n", 1, ""},
        {"# nothing\n", 0, ""},
        {"[un]\nxml = https://x/\x01u\n", 2, ""},
    };
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct shn__update_config *cfg = NULL;
        struct shn_diag d;
        int rc = parse(cases[i].text, &cfg, &d);
        if (rc != SHN_ERR_PARSE || d.line != cases[i].line || strcmp(d.field, cases[i].field) != 0)
            fail_msg("case %zu: rc %d line %ld field \"%s\": %s", i, rc, d.line, d.field,
                     d.message);
        assert_null(cfg);
        assert_string_equal(d.file, "t.conf");
    }
}

/* issue 12 F5: the loopback rule is decided on libcurl's parse of the URL;
 * these loopback forms are accepted, written as libcurl writes them. */
static void config_accepts_loopback_forms(void **state)
{
    static const struct {
        const char *url, *normalized;
    } cases[] = {
        {"http://127.0.0.1:8080/un.xml", "http://127.0.0.1:8080/un.xml"},
        {"http://localhost/un.xml", "http://localhost/un.xml"},
        {"http://[::1]:8080/un.xml", "http://[::1]:8080/un.xml"},
        {"HTTP://127.0.0.1/un.xml", "http://127.0.0.1/un.xml"},
        {"https://example.org/a%20b.xml", "https://example.org/a%20b.xml"},
        {"file:///srv/un.xml", "file:///srv/un.xml"},
        /* libcurl decodes a percent-encoded host before connecting, so the
         * rule is checked on the decoded host, the one it connects to */
        {"http://%6c%6fcalhost/un.xml", "http://localhost/un.xml"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct shn__update_config *cfg = NULL;
        struct shn_diag d;
        char text[256];
        snprintf(text, sizeof text, "[un]\nxml = %s\n", cases[i].url);
        if (parse(text, &cfg, &d) != SHN_OK)
            fail_msg("case %zu (%s): %s", i, cases[i].url, d.message);
        assert_string_equal(cfg->files[0].url, cases[i].normalized);
        shn__update_config_free(cfg);
    }
}

static void config_bounds(void **state)
{
    struct shn__update_config *cfg = NULL;
    struct shn_diag d;
    char *text = malloc(SHN_UPDATE_MAX_CONFIG + 2);
    (void)state;

    assert_non_null(text);
    memset(text, '#', SHN_UPDATE_MAX_CONFIG + 1);
    text[SHN_UPDATE_MAX_CONFIG + 1] = '\0';
    assert_int_equal(parse(text, &cfg, &d), SHN_ERR_TOO_LARGE);
    memcpy(text, "[un]\n", 5);
    text[SHN_UPDATE_MAX_LINE + 10] = '\0'; /* one long comment line */
    assert_int_equal(parse(text, &cfg, &d), SHN_ERR_TOO_LARGE);
    assert_int_equal(d.line, 2);
    assert_int_equal(parse("[un]\nxml = https://x/\xff\n", &cfg, &d), SHN_ERR_ENCODING);
    assert_int_equal(d.line, 2);
    free(text);
}

static void sha256_matches_known_vectors(void **state)
{
    static const unsigned char abc[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
                                          0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                                          0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
                                          0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    static const unsigned char million_a[32] = {0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92,
                                                0x81, 0xa1, 0xc7, 0xe2, 0x84, 0xd7, 0x3e, 0x67,
                                                0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97, 0x20, 0x0e,
                                                0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0};
    struct shn__sha256 s;
    unsigned char out[32], block[1000];
    (void)state;

    shn__sha256_init(&s);
    shn__sha256_update(&s, "abc", 3);
    shn__sha256_final(&s, out);
    assert_memory_equal(out, abc, 32);
    memset(block, 'a', sizeof block);
    shn__sha256_init(&s);
    for (int i = 0; i < 1000; i++)
        shn__sha256_update(&s, block, sizeof block);
    shn__sha256_final(&s, out);
    assert_memory_equal(out, million_a, 32);
}

/* etc/lists.conf, with its commented-out URLs switched on, parses: the
 * sample stays in step with the parser. */
static void sample_config_parses(void **state)
{
    char *text = NULL, *out, *o;
    size_t len = 0;
    struct shn__update_config *cfg = NULL;
    struct shn_diag d;
    const char *p;
    (void)state;

    assert_int_equal(
        shn_file_read(SHN_TEST_DATA "/../../etc/lists.conf", 1 << 16, &text, &len, NULL), SHN_OK);
    out = o = shn_malloc(len + 1);
    assert_non_null(out);
    for (p = text; *p;) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) + 1 : strlen(p);
        if (strncmp(p, "# ", 2) == 0 && memchr(p, '=', n) && strstr(p, "://") &&
            (size_t)(strstr(p, "://") - p) < n) {
            p += 2; /* "# sdn = https://..." -> "sdn = https://..." */
            n -= 2;
        }
        memcpy(o, p, n);
        o += n;
        p += n;
    }
    *o = '\0';
    if (shn__update_config_parse(out, (size_t)(o - out), "lists.conf", "/etc/shinsa", &cfg, &d) !=
        SHN_OK)
        fail_msg("etc/lists.conf:%ld: %s: %s", d.line, d.field, d.message);
    assert_int_equal(cfg->n_files, 16);
    for (size_t i = 0; i < cfg->n_files; i++)
        assert_true(strncmp(cfg->files[i].url, "https://", 8) == 0 ||
                    strncmp(cfg->files[i].url, "file:///", 8) == 0);
    shn__update_config_free(cfg);
    shn_free(out);
    shn_free(text);
}

/* ---- Whole updates over file:// ------------------------------------------- */

static void file_update_builds_then_replaces_the_index(void **state)
{
    struct env e;
    struct shn_diag d;
    char text[600];
    int rc;
    (void)state;

    env_setup(&e);
    write_config(&e,
                 "[ofac]\nsdn = file://%s/sdn.csv\nadd = file://%s/add.csv\nalt = %s/alt.csv\n"
                 "[un]\nxml = file://%s/un.xml\n"
                 "[crypto]\nETH = file://%s/eth.txt\n"
                 "[custom]\nintel = src/intel.jsonl\n", /* relative to the config */
                 e.src, e.src, e.src, e.src, e.src);
    rc = update(&e, 0, &d);
    shn_diag_format(&d, text, sizeof text);
    if (rc != SHN_OK)
        fail_msg("first update: %s", text);
    assert_index_dir_clean(&e, 1);
    /* 4 OFAC + 2 UN + 2 crypto + 3 custom */
    assert_int_equal(index_entities(e.index), 11);

    /* a second update replaces it: the custom list now has one entry (forced,
     * since 1 of 3 is below the default min_percent) */
    write_config(&e, "[custom]\nintel = file://%s/intel-small.jsonl\n", e.src);
    rc = update(&e, 1, &d);
    shn_diag_format(&d, text, sizeof text);
    if (rc != SHN_OK)
        fail_msg("second update: %s", text);
    assert_int_equal(index_entities(e.index), 1);
    assert_index_dir_clean(&e, 1);
    env_teardown(&e);
}

static void file_update_failures_keep_the_old_index(void **state)
{
    struct env e;
    struct shn_diag d;
    char url[400];
    (void)state;

    env_setup(&e);
    write_config(&e, "[custom]\nintel = file://%s/intel.jsonl\n", e.src);
    assert_int_equal(update(&e, 0, &d), SHN_OK);

    /* a missing file */
    snprintf(url, sizeof url, "file://%s/absent.jsonl", e.src);
    write_config(&e, "# the list moved\n[custom]\nintel = %s\n", url);
    assert_update_fails(&e, SHN_ERR_NETWORK, url);
    assert_int_equal(update(&e, 0, &d), SHN_ERR_NETWORK);
    assert_int_equal(d.line, 3);
    assert_string_equal(d.field, "custom.intel");

    /* a file that does not load: the diag names the file, line and field */
    snprintf(url, sizeof url, "file://%s/bad.jsonl", e.src);
    write_config(&e, "[custom]\nintel = %s\n", url);
    assert_update_fails(&e, SHN_ERR_PARSE, "intel.jsonl line 2, kind");
    assert_update_fails(&e, SHN_ERR_PARSE, url);

    /* another loader's parse error is restated the same way */
    write_config(&e, "[un]\nxml = file://%s/sdn.csv\n[custom]\nintel = file://%s/intel.jsonl\n",
                 e.src, e.src);
    assert_update_fails(&e, SHN_ERR_PARSE, "consolidated.xml");

    /* a suspicious shrink: 1 entity where the index has 3 */
    write_config(&e, "[custom]\nintel = file://%s/intel-small.jsonl\n", e.src);
    assert_update_fails(&e, SHN_ERR_PARSE, "1 entities where the current index has 3");
    write_config(
        &e, "[settings]\nmin_percent = 30\n[custom]\nintel = file://%s/intel-small.jsonl\n", e.src);
    assert_int_equal(update(&e, 0, &d), SHN_OK); /* 33% passes a 30% floor */

    /* over the size limit, and a wrong SHA-256 pin */
    {
        char big[400], body[3000];
        snprintf(big, sizeof big, "%s/big.jsonl", e.src);
        memset(body, 0, sizeof body);
        snprintf(body, sizeof body,
                 "{\"id\": \"big\", \"name\": \"Big\", \"remarks\": \"%02000d\"}\n", 0);
        write_text(big, body);
        write_config(&e, "[settings]\nmax_size = 1K\n[custom]\nintel = file://%s\n", big);
    }
    assert_update_fails(&e, SHN_ERR_TOO_LARGE, "max_size");
    write_config(
        &e,
        "[custom]\nintel = file://%s/intel-small.jsonl\n"
        "intel.sha256 = 0000000000000000000000000000000000000000000000000000000000000000\n",
        e.src);
    assert_update_fails(&e, SHN_ERR_CORRUPT, "SHA-256");

    /* a config error */
    write_config(&e, "[custom]\nintel = ftp://example.org/intel.jsonl\n");
    assert_update_fails(&e, SHN_ERR_PARSE, "https");
    env_teardown(&e);
}

/* Fail the Nth allocation for every N until the update succeeds: whatever
 * step fails, the old index stays as it was and the temp folder goes. */
static void allocation_failures_keep_the_old_index(void **state)
{
    struct env e;
    struct shn_diag d;
    size_t old_len = 0;
    char *old;
    int rc = SHN_ERR_NOMEM;
    long n;
    (void)state;

    env_setup(&e);
    write_config(&e, "[custom]\nintel = file://%s/intel.jsonl\n", e.src);
    assert_int_equal(update(&e, 0, &d), SHN_OK);
    old = slurp(e.index, &old_len);
    write_config(&e, "[settings]\nmin_percent = 0\n[custom]\nintel = file://%s/intel-small.jsonl\n",
                 e.src);
    for (n = 0; rc != SHN_OK && n < 20000; n++) {
        size_t len = 0;
        char *now;

        shn_alloc_fail_after(n);
        rc = update(&e, 0, &d);
        shn_alloc_fail_after(-1);
        assert_index_dir_clean(&e, 1);
        if (rc == SHN_OK)
            break;
        now = slurp(e.index, &len);
        assert_int_equal(len, old_len);
        assert_memory_equal(now, old, len);
        shn_free(now);
    }
    assert_int_equal(rc, SHN_OK);
    assert_true(n > 0);
    assert_int_equal(index_entities(e.index), 1);
    shn_free(old);
    env_teardown(&e);
}

/* Issue 12 item 9: every write and fsync of the new index failed in turn
 * (a full disk): the old index stays, byte for byte, and nothing is left. */
static void io_failures_keep_the_old_index(void **state)
{
    struct env e;
    struct shn_diag d;
    size_t old_len = 0;
    char *old;
    long n, points = 0;
    (void)state;

    env_setup(&e);
    write_config(&e, "[custom]\nintel = file://%s/intel.jsonl\n", e.src);
    assert_int_equal(update(&e, 0, &d), SHN_OK);
    old = slurp(e.index, &old_len);
    write_config(&e, "[settings]\nmin_percent = 0\n[custom]\nintel = file://%s/intel-small.jsonl\n",
                 e.src);
    for (n = 0; n < 1000; n++) {
        size_t len = 0;
        char *now;
        int rc;
        long fired;

        shn_io_fail_after(n);
        rc = update(&e, 0, &d);
        fired = shn_io_fail_after(-1);
        assert_index_dir_clean(&e, 1);
        if (rc == SHN_OK && !fired)
            break;
        if (rc == SHN_OK) /* the folder's fsync, after the rename */
            continue;
        points++;
        assert_non_null(strstr(d.message, "No space left") ? d.message
                                                           : strstr(d.message, "Input/output"));
        now = slurp(e.index, &len);
        assert_int_equal(len, old_len);
        assert_memory_equal(now, old, len);
        shn_free(now);
    }
    assert_true(points >= 2); /* a write and the fsync at least */
    assert_int_equal(index_entities(e.index), 1);
    shn_free(old);
    env_teardown(&e);
}

/* F10: the download folder of an update that crashed (its process is gone)
 * is removed by the next update; F16: a symlinked index is followed. */
static void stale_folders_swept_and_links_followed(void **state)
{
    struct env e;
    struct shn_diag d;
    char stale[400], real[440];
    struct stat st;
    pid_t pid;
    (void)state;

    env_setup(&e);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    snprintf(stale, sizeof stale, "%s/idx/.shinsa-update-%ld-AbC123", e.root, (long)pid);
    assert_int_equal(mkdir(stale, 0700), 0);
    snprintf(real, sizeof real, "%s/ofac", stale);
    assert_int_equal(mkdir(real, 0700), 0);
    snprintf(real, sizeof real, "%s/ofac/sdn.csv", stale);
    write_text(real, "half a download");
    /* the index is a link to a file in another folder */
    snprintf(real, sizeof real, "%s/src/real.shn", e.root);
    assert_int_equal(symlink(real, e.index), 0);
    write_config(&e, "[custom]\nintel = file://%s/intel.jsonl\n", e.src);
    assert_int_equal(update(&e, 0, &d), SHN_OK);
    assert_int_not_equal(stat(stale, &st), 0);
    assert_int_equal(lstat(e.index, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(index_entities(real), 3);
    assert_index_dir_clean(&e, 1);
    env_teardown(&e);
}

/* ---- Whole updates over loopback HTTP -------------------------------------- */

static void http_update_and_failures(void **state)
{
    struct env e;
    struct server s;
    struct shn_diag d;
    char url[400], text[600];
    int rc;
    (void)state;

    env_setup(&e);
    server_start(&s, e.src);

    write_config(&e,
                 "[ofac]\nsdn = http://127.0.0.1:%d/files/sdn.csv\n"
                 "[custom]\nintel = http://127.0.0.1:%d/files/intel.jsonl\n",
                 s.port, s.port);
    rc = update(&e, 0, &d);
    shn_diag_format(&d, text, sizeof text);
    if (rc != SHN_OK)
        fail_msg("http update: %s", text);
    assert_int_equal(index_entities(e.index), 7);
    assert_index_dir_clean(&e, 1);

    /* HTTP 404 */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/files/absent.jsonl", s.port);
    write_config(&e, "[ofac]\nsdn = http://127.0.0.1:%d/files/sdn.csv\n[custom]\nintel = %s\n",
                 s.port, url);
    assert_update_fails(&e, SHN_ERR_NETWORK, url);
    assert_update_fails(&e, SHN_ERR_NETWORK, "404");

    /* a body cut short of its Content-Length */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/truncated/sdn.csv", s.port);
    write_config(&e, "[ofac]\nsdn = %s\n[custom]\nintel = http://127.0.0.1:%d/files/intel.jsonl\n",
                 url, s.port);
    assert_update_fails(&e, SHN_ERR_NETWORK, url);

    /* issue 12 F5: a redirect may lead only to https, even from loopback */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/redirect/intel.jsonl", s.port);
    write_config(&e, "[custom]\nintel = %s\n", url);
    assert_update_fails(&e, SHN_ERR_NETWORK, url);

    /* nothing listening */
    write_config(&e, "[custom]\nintel = http://127.0.0.1:1/files/intel.jsonl\n");
    assert_update_fails(&e, SHN_ERR_NETWORK, "127.0.0.1:1");

    server_stop(&s);
    env_teardown(&e);
}

static void first_update_failure_creates_no_index(void **state)
{
    struct env e;
    struct shn_diag d;
    struct stat st;
    (void)state;

    env_setup(&e);
    write_config(&e, "[custom]\nintel = file://%s/bad.jsonl\n", e.src);
    assert_int_equal(update(&e, 0, &d), SHN_ERR_PARSE);
    assert_int_not_equal(stat(e.index, &st), 0);
    assert_index_dir_clean(&e, 0);
    assert_int_equal(shn_screen_lists_update(e.config, "/nonexistent-dir/x.shn", &d), SHN_ERR_IO);
    env_teardown(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(config_parses_sections_settings_and_paths),
        cmocka_unit_test(config_errors_name_line_and_field),
        cmocka_unit_test(config_bounds),
        cmocka_unit_test(sha256_matches_known_vectors),
        cmocka_unit_test(config_accepts_loopback_forms),
        cmocka_unit_test(sample_config_parses),
        cmocka_unit_test(file_update_builds_then_replaces_the_index),
        cmocka_unit_test(file_update_failures_keep_the_old_index),
        cmocka_unit_test(allocation_failures_keep_the_old_index),
        cmocka_unit_test(io_failures_keep_the_old_index),
        cmocka_unit_test(stale_folders_swept_and_links_followed),
        cmocka_unit_test(http_update_and_failures),
        cmocka_unit_test(first_update_failure_creates_no_index),
    };

    shn_log_set_level(SHN_LOG_ERROR);
    /* the loopback server must be reached directly, whatever the machine's proxy */
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
