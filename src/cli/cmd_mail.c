/* shinsa mail check: triage of mail for North Korean phishing. Parse the
 * command line, call the engine, print what it returns. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/file.h"
#include "shinsa/mail.h"

struct run {
    struct shn_mail_engine *eng;
    bool json;
    const char *lang, *file;
    int worst, failed;
    struct shn_buf out;
};

static int check_one(struct run *r, const char *data, size_t len, const char *name,
                     long long offset)
{
    struct shn_mail_result *res = NULL;
    struct shn_diag diag = {0};
    int rc = shn_mail_check(r->eng, data, len, name, offset, &res, &diag);
    if (rc != SHN_OK) {
        fprintf(stderr, "shinsa: %s: ", name);
        shn_cli_report(rc, &diag);
        r->failed = 1;
        return SHN_OK; /* one bad message does not stop the others */
    }
    shn_buf_reset(&r->out);
    rc = r->json ? shn_mail_result_json(res, r->lang, &r->out)
                 : shn_mail_result_text(res, r->lang, &r->out);
    if (rc == SHN_OK)
        fwrite(r->out.data, 1, r->out.len, stdout);
    if (shn_mail_result_verdict(res) > r->worst)
        r->worst = shn_mail_result_verdict(res);
    shn_mail_result_free(res);
    return rc;
}

static int on_mbox(void *ctx, const char *msg, size_t len, long long offset, size_t index)
{
    struct run *r = ctx;
    char name[1100];
    snprintf(name, sizeof name, "%s:%zu", r->file, index + 1);
    return check_one(r, msg, len, name, offset);
}

static int read_input(const char *path, size_t max, char **data, size_t *len, struct shn_diag *diag)
{
    struct shn_buf b;
    char chunk[65536];
    size_t n;
    int rc = SHN_OK;
    if (strcmp(path, "-") != 0)
        return shn_file_read(path, max, data, len, diag);
    shn_buf_init(&b, max);
    while (rc == SHN_OK && (n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        rc = shn_buf_append(&b, chunk, n);
    if (rc == SHN_OK && ferror(stdin))
        rc = SHN_ERR_IO;
    if (rc == SHN_OK)
        rc = shn_buf_append_char(&b, '\0');
    if (rc != SHN_OK) {
        shn_buf_cleanup(&b);
        return shn_diag_set(diag, rc, "<stdin>", 0, "", "%s", shn_strerror(rc));
    }
    *data = b.data;
    *len = b.len - 1;
    return SHN_OK;
}

static int cmd_check(int argc, char **argv)
{
    static const char *const langs[] = {"en", "ja", "ko", NULL};
    struct shn_mail_options o = {0};
    struct run r = {0};
    struct shn_diag diag = {0};
    struct shn_cli_list files = {0};
    const char *indicators = NULL;
    bool mbox = false;
    int lang = 0, rc, status;
    const struct shn_cli_opt opts[] = {
        {"--mbox", SHN_ARG_FLAG, &mbox, .help = "the files are mbox files of many messages"},
        {"--json", SHN_ARG_FLAG, &r.json, .help = "one JSON object per message (docs/mail.md)"},
        {"--lang", SHN_ARG_CHOICE, &lang, .choices = langs,
         .help = "the language of the sentences"},
        {"--config", SHN_ARG_STRING, &o.config_path, .arg = "FILE",
         .help = "trusted relays and authserv-ids, weights, levels, paths (JSON)"},
        {"--directory", SHN_ARG_STRING, &o.directory_path, .arg = "FILE",
         .help = "the protected-identity directory (TSV)"},
        {"--indicators", SHN_ARG_STRING, &indicators, .arg = "PATH",
         .help = "indicator files (a folder of *.txt or one file); none turns them off"},
        {"FILE", SHN_ARG_LIST, &files, .help = "messages; - or none for standard input"},
        {0}};
    const struct shn_cli_spec spec = {
        .usage = "shinsa mail check",
        .about = "Checks mail (RFC 5322 files, or mbox files with --mbox) for the tradecraft of "
                 "North Korean phishing: authentication from the trusted server, lookalike and "
                 "impersonated senders, links to dynamic DNS and shorteners, LNK, HWP, HWPX and "
                 "archive attachments, lures in Korean, Japanese and English, known indicators. "
                 "Offline: nothing is fetched, nothing in a mail is run.",
        .opts = opts,
        .epilog = "Exit status: 0 every message clean, 3 one suspicious, 4 one phishing, 1 on "
                  "errors (they win over verdicts), 2 on a bad command line."};

    status = shn_cli_parse(&spec, argc, argv);
    if (status != SHN_CLI_RUN)
        return status;
    r.lang = langs[lang];
    if (indicators)
        o.indicators = strcmp(indicators, "none") == 0 ? "" : indicators;
    if ((rc = shn_mail_engine_new(&o, &r.eng, &diag)) != SHN_OK) {
        shn_cli_report(rc, &diag);
        return SHN_EXIT_FAILURE;
    }
    if (files.n == 0)
        files.v[files.n++] = "-";
    shn_buf_init(&r.out, 64u << 20);
    rc = SHN_OK;
    for (size_t i = 0; rc == SHN_OK && i < files.n; i++) {
        const char *path = files.v[i];
        char *data = NULL;
        size_t len = 0;
        memset(&diag, 0, sizeof diag);
        if (read_input(path, mbox ? SHN_MAIL_MBOX_MAX : SHN_MAIL_MESSAGE_MAX, &data, &len, &diag) !=
            SHN_OK) {
            shn_cli_report(SHN_ERR_IO, &diag);
            r.failed = 1;
            continue;
        }
        r.file = path;
        if (mbox) {
            rc = shn_mail_mbox_each(data, len, on_mbox, &r, &diag);
            if (rc != SHN_OK) {
                fprintf(stderr, "shinsa: %s: ", path);
                shn_cli_report(rc, &diag);
                r.failed = 1;
                rc = SHN_OK;
            }
        } else {
            rc = check_one(&r, data, len, path, 0);
        }
        shn_free(data);
    }
    status = rc != SHN_OK || r.failed ? SHN_EXIT_FAILURE : shn_mail_exit_status(r.worst);
    shn_buf_cleanup(&r.out);
    shn_mail_engine_free(r.eng);
    return status;
}

static const struct shn_cli_command verbs[] = {
    {"check", cmd_check, "check mail for North Korean phishing, with the reasons"}, {0}};

int shn_cli_mail(int argc, char **argv)
{
    const struct shn_cli_spec group = {.usage = "shinsa mail",
                                       .about =
                                           "Mail triage for North Korean phishing (docs/mail.md).",
                                       .commands = verbs};

    return shn_cli_dispatch(&group, argc - 1, argv + 1);
}
