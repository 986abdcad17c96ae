#include "shinsa/core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static enum shn_log_level current_level = SHN_LOG_WARN;
static time_t last_progress;
static shn_log_sink_fn sink;
static void *sink_ctx;

void shn_log_set_sink(shn_log_sink_fn fn, void *ctx)
{
    sink = fn;
    sink_ctx = ctx;
}

void shn_log_set_level(enum shn_log_level level)
{
    current_level = level;
}

enum shn_log_level shn_log_get_level(void)
{
    return current_level;
}

void shn_log(enum shn_log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    va_list ap;

    if (level > current_level)
        return;
    if (sink) {
        char message[1024];
        va_start(ap, fmt);
        vsnprintf(message, sizeof message, fmt, ap);
        va_end(ap);
        sink(sink_ctx, level, message);
        return;
    }
    fprintf(stderr, "shinsa: %s: ", names[level]);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void shn_progress(const char *label, unsigned long long done, unsigned long long total)
{
    time_t now;
    int tty;

    if (current_level < SHN_LOG_INFO)
        return;
    now = time(NULL);
    if (last_progress == 0)
        last_progress = now; /* the first report comes after two seconds of work */
    if (now - last_progress < 2)
        return;
    last_progress = now;
    tty = isatty(STDERR_FILENO);
    if (total)
        fprintf(stderr, "%s: %llu/%llu (%.0f%%)%s", label, done, total, 100.0 * done / total,
                tty ? "\r" : "\n");
    else
        fprintf(stderr, "%s: %llu%s", label, done, tty ? "\r" : "\n");
}

void shn_progress_end(const char *label, unsigned long long done)
{
    if (current_level < SHN_LOG_INFO)
        return;
    last_progress = 0;
    fprintf(stderr, "%s: %llu done\n", label, done);
}
