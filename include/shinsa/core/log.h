/* Logging and progress to stderr. Library code logs; it never prints to
 * stdout, which belongs to the CLI's results. */
#ifndef SHN_CORE_LOG_H
#define SHN_CORE_LOG_H

#include "shinsa/core/err.h"

enum shn_log_level { SHN_LOG_ERROR = 0, SHN_LOG_WARN, SHN_LOG_INFO, SHN_LOG_DEBUG };

void shn_log_set_level(enum shn_log_level level);
enum shn_log_level shn_log_get_level(void);
void shn_log(enum shn_log_level level, const char *fmt, ...) SHN_PRINTF(2, 3);

/* Where shn_log messages go instead of "shinsa: level: message" lines on
 * stderr: a long-running service (serve) writes them as JSON lines. `fn`
 * receives the formatted message (valid during the call only) from any
 * thread, for messages at or above the current level. NULL restores stderr.
 * Set it before starting threads that log. */
typedef void (*shn_log_sink_fn)(void *ctx, enum shn_log_level level, const char *message);
void shn_log_set_sink(shn_log_sink_fn fn, void *ctx);

/* Progress for long work: "label: done/total" rewritten in place when stderr
 * is a terminal, else a line every few seconds. Silent below SHN_LOG_INFO.
 * total 0 means unknown. Call shn_progress_end() once at the end. */
void shn_progress(const char *label, unsigned long long done, unsigned long long total);
void shn_progress_end(const char *label, unsigned long long done);

#endif
