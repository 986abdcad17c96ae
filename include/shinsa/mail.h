/* The mail-triage engine (issue 19): one message (or an mbox of them)
 * parsed with GMime, then checked for the tradecraft of North Korean
 * phishing — authentication and the Received chain up to the
 * organisation's trusted relay, identities and lookalike domains, links,
 * attachments (LNK, HWP, HWPX, archives, disk images), lure wording in
 * Korean, Japanese and English, and the origin's infrastructure and known
 * indicators. Every check that fires is a signal with its group, weight,
 * evidence location, a sentence in ja/ko/en, the MITRE ATT&CK technique
 * and its data source (docs/mail.md lists them all).
 *
 * Fully offline and deterministic: the engine reads its data files
 * (data/mail/, the indicator files, the IP databases) once, in
 * shn_mail_engine_new, and never runs an external program or touches the
 * network. An engine is read-only once made: several threads may call
 * shn_mail_check on it at once.
 *
 * Ownership: shn_mail_engine_new returns an engine freed with
 * shn_mail_engine_free; shn_mail_check returns a result freed with
 * shn_mail_result_free (NULL is safe for both). Errors are enum shn_err
 * values; on failure out-parameters are untouched and diag says why. */
#ifndef SHN_MAIL_MAIL_H
#define SHN_MAIL_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shinsa/core/err.h"

struct shn_buf;

/* Hard bounds on one message (a larger one fails with SHN_ERR_TOO_LARGE
 * and a diagnostic naming the bound). */
#define SHN_MAIL_MESSAGE_MAX (32u << 20) /* bytes of one message */
#define SHN_MAIL_MBOX_MAX (1u << 30)     /* bytes of one mbox file */
#define SHN_MAIL_PARTS_MAX 256           /* MIME parts, nested ones included */
#define SHN_MAIL_DEPTH_MAX 12            /* multipart / message nesting */
#define SHN_MAIL_HEADERS_MAX 512         /* header fields of one part */

/* Where the engine's data comes from. Every field may be NULL / 0. */
struct shn_mail_options {
    /* A JSON config (docs/mail.md): trusted relays and authserv-ids,
     * weights, levels, paths. NULL: the built-in defaults. */
    const char *config_path;
    /* The folder of the lists and lexicons (data/mail/ of the source tree
     * unless $SHINSA_MAIL_DATA or the config says otherwise). */
    const char *data_dir;
    /* The protected-identity directory (default: the config's
     * "directory", else data_dir/identities.tsv). */
    const char *directory_path;
    /* Indicator files: a folder of *.txt files, or one file (default: the
     * config's "indicators", else ../shared/data/ioc/maltrail when it
     * exists). "" turns indicators off. */
    const char *indicators;
    /* Skip the IP databases (tests that must not depend on them). */
    bool no_ipdb;
};

struct shn_mail_engine;

/* Loads the config and data files. Errors: SHN_ERR_IO / SHN_ERR_NOT_FOUND
 * (a named file cannot be read), SHN_ERR_PARSE (the file and line),
 * SHN_ERR_TOO_LARGE, SHN_ERR_NOMEM. Optional data that is missing (the IP
 * databases, the default indicator set) is no error: the checks that need
 * it are listed in every result's `unknowns`. */
int shn_mail_engine_new(const struct shn_mail_options *opts, struct shn_mail_engine **out,
                        struct shn_diag *diag);
void shn_mail_engine_free(struct shn_mail_engine *eng);

/* The verdict of one message. */
enum shn_mail_verdict {
    SHN_MAIL_CLEAN = 0,
    SHN_MAIL_SUSPICIOUS = 1,
    SHN_MAIL_PHISHING = 2,
};
const char *shn_mail_verdict_name(int verdict); /* "clean", "suspicious", "phishing" */

struct shn_mail_result;

/* Checks one message of len bytes (RFC 5322, CRLF or LF). `name` labels
 * the message in the output (a file name, "mbox:3"); it is copied.
 * `base_offset` is added to every evidence offset (a message's offset in
 * its mbox). Errors: SHN_ERR_TOO_LARGE (a bound above, named in diag),
 * SHN_ERR_PARSE (not a message at all), SHN_ERR_NOMEM. */
int shn_mail_check(const struct shn_mail_engine *eng, const char *data, size_t len,
                   const char *name, long long base_offset, struct shn_mail_result **out,
                   struct shn_diag *diag);
void shn_mail_result_free(struct shn_mail_result *r);

int shn_mail_result_verdict(const struct shn_mail_result *r);
double shn_mail_result_likelihood(const struct shn_mail_result *r); /* 0..1 */
double shn_mail_result_dprk_score(const struct shn_mail_result *r); /* 0..1 */
size_t shn_mail_result_signal_count(const struct shn_mail_result *r);
/* The id of the i-th signal that fired ("link_dyndns"), or NULL. */
const char *shn_mail_result_signal_id(const struct shn_mail_result *r, size_t i);

/* The result as one JSON object and a newline (docs/mail.md has the
 * shape), sentences in `lang` ("ja", "ko", "en"; NULL = "en"). Appends to
 * out; out's errors (SHN_ERR_TOO_LARGE, SHN_ERR_NOMEM). */
int shn_mail_result_json(const struct shn_mail_result *r, const char *lang, struct shn_buf *out);
/* The result as a SpamAssassin-style text report: a summary line, then one
 * line per signal ("  2.5 LINK_DYNDNS  ..."), then what could not be
 * checked. */
int shn_mail_result_text(const struct shn_mail_result *r, const char *lang, struct shn_buf *out);

/* Splits an mbox (lines "From " after a blank line or at the start) and
 * calls fn for each message without its "From " line, with its offset in
 * data; a message past SHN_MAIL_MESSAGE_MAX is passed as is (the check
 * refuses it). Quoted ">From " lines are left alone. A non-zero return
 * from fn stops the walk and is returned. SHN_ERR_PARSE when data does
 * not start with "From ". */
int shn_mail_mbox_each(const char *data, size_t len,
                       int (*fn)(void *ctx, const char *msg, size_t len, long long offset,
                                 size_t index),
                       void *ctx, struct shn_diag *diag);

/* The exit status of `shinsa mail check` for the worst verdict seen:
 * 0 clean, 3 suspicious, 4 phishing (1 and 2 stay errors and usage). */
int shn_mail_exit_status(int worst_verdict);

#endif
