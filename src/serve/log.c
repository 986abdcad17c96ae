/* JSON log lines on stderr, one object a line, each written with a single
 * write(2) so that lines from several threads never interleave. No
 * allocation: a line is built in a fixed buffer and cut, still valid JSON,
 * when it would not fit. Request bodies and query values never reach a
 * log line (request.c logs the route's pattern, not the path). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "serve_internal.h"
#include "shinsa/core/utf8.h"

#define RESERVE 8 /* room kept for the closing `"}` and the newline */

static void raw(struct shn__serve_log *l, const char *s, size_t n)
{
    if (l->len + n + RESERVE > sizeof l->buf) {
        l->on = false; /* full: drop the rest; begin() already wrote '{' */
        return;
    }
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

/* A JSON string literal, cut at a character boundary when the line is full. */
static void quoted(struct shn__serve_log *l, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = strlen(s);
    bool valid = shn_utf8_valid(s, n, NULL);

    l->buf[l->len++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        char esc[6];
        size_t k = 0;

        if (ch == '"' || ch == '\\') {
            esc[k++] = '\\';
            esc[k++] = (char)ch;
        } else if (ch < 0x20) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[ch >> 4];
            esc[5] = hex[ch & 15];
            k = 6;
        } else if (ch >= 0x80 && !valid) {
            esc[k++] = '?';
        } else {
            esc[k++] = (char)ch;
        }
        if (l->len + k + RESERVE > sizeof l->buf) {
            while (l->len && ((unsigned char)l->buf[l->len - 1] & 0xC0) == 0x80 && valid)
                l->len--; /* do not end inside a UTF-8 sequence */
            if (l->len && (unsigned char)l->buf[l->len - 1] >= 0xC0)
                l->len--;
            l->on = false;
            break;
        }
        memcpy(l->buf + l->len, esc, k);
        l->len += k;
    }
    l->buf[l->len++] = '"';
}

static void key(struct shn__serve_log *l, const char *k)
{
    raw(l, ", ", 2);
    if (!l->on)
        return;
    quoted(l, k);
    raw(l, ": ", 2);
}

void shn__serve_log_begin(struct shn__serve_log *l, enum shn_log_level level, const char *event)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    struct timespec ts;
    struct tm tm;
    char when[48];

    l->len = 0;
    l->on = level <= shn_log_get_level();
    if (!l->on)
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    l->len = (size_t)snprintf(l->buf, sizeof l->buf, "{\"ts\": \"%s.%03ldZ\", \"level\": \"%s\"",
                              when, ts.tv_nsec / 1000000,
                              names[level <= SHN_LOG_DEBUG ? level : SHN_LOG_DEBUG]);
    key(l, "event");
    if (l->on)
        quoted(l, event ? event : "");
}

void shn__serve_log_str(struct shn__serve_log *l, const char *k, const char *value)
{
    if (!l->on)
        return;
    key(l, k);
    if (l->on)
        quoted(l, value ? value : "");
}

void shn__serve_log_int(struct shn__serve_log *l, const char *k, long long value)
{
    char num[32];
    int n = snprintf(num, sizeof num, "%lld", value);

    if (!l->on)
        return;
    key(l, k);
    if (l->on)
        raw(l, num, (size_t)n);
}

void shn__serve_log_num(struct shn__serve_log *l, const char *k, double value)
{
    char num[48];
    int n = snprintf(num, sizeof num, "%.3f", value);

    if (!l->on)
        return;
    key(l, k);
    if (l->on)
        raw(l, num, (size_t)n);
}

void shn__serve_log_end(struct shn__serve_log *l)
{
    size_t off = 0;

    if (l->len == 0)
        return; /* begun while off */
    memcpy(l->buf + l->len, "}\n", 2);
    l->len += 2;
    while (off < l->len) {
        ssize_t w = write(STDERR_FILENO, l->buf + off, l->len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break; /* nowhere to log to; nothing else to do */
        off += (size_t)w;
    }
    l->len = 0;
    l->on = false;
}

void shn__serve_log_msg(enum shn_log_level level, const char *event, const char *fmt, ...)
{
    struct shn__serve_log l;
    char message[1024];
    va_list ap;

    shn__serve_log_begin(&l, level, event);
    if (!l.on)
        return;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    shn__serve_log_str(&l, "message", message);
    shn__serve_log_end(&l); /* a line cut short still ends */
}

void shn__serve_log_sink(void *ctx, enum shn_log_level level, const char *message)
{
    (void)ctx;
    shn__serve_log_msg(level, "log", "%s", message ? message : "");
}

void shn__serve_log_mhd(void *cls, const char *fmt, va_list ap)
{
    char message[1024];
    size_t n;

    (void)cls;
    vsnprintf(message, sizeof message, fmt, ap);
    n = strlen(message);
    while (n && (message[n - 1] == '\n' || message[n - 1] == '\r'))
        message[--n] = '\0';
    shn__serve_log_msg(SHN_LOG_WARN, "http", "%s", message);
}
