/* Helpers shared by the commands. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "shinsa/core/err.h"
#include "shinsa/core/log.h"

const char *shn_cli_data_dir(void)
{
    static char dir[4096];
    const char *env = getenv("SHINSA_DATA_DIR");
    const char *home = getenv("HOME");

    if (env && *env)
        return env;
    if (access("/var/lib/shinsa", W_OK) == 0)
        return "/var/lib/shinsa";
    snprintf(dir, sizeof dir, "%s/.local/share/shinsa", home && *home ? home : ".");
    return dir;
}

const char *shn_cli_default_index(int create_dir)
{
    static char path[4200];
    const char *dir = shn_cli_data_dir();

    if (create_dir) {
        /* mkdir -p for the two levels a default home path may lack. */
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s", dir);
        for (char *p = tmp + 1; *p; p++) {
            if (*p == '/') {
                *p = '\0';
                mkdir(tmp, 0755);
                *p = '/';
            }
        }
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            fprintf(stderr, "shinsa: cannot create %s: %s\n", tmp, strerror(errno));
    }
    snprintf(path, sizeof path, "%s/screen.idx", dir);
    return path;
}

int shn_cli_wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

bool shn_cli_quiet(void)
{
    return shn_log_get_level() < SHN_LOG_INFO;
}

void shn_cli_report(int rc, const void *diag_ptr)
{
    const struct shn_diag *diag = diag_ptr;
    char text[512];

    if (diag && diag->message[0] && !diag->file && diag->line <= 0) {
        /* nothing to point at (a command-line value): no "<input>:" */
        fprintf(stderr, "shinsa: %s%s%s\n", diag->field, diag->field[0] ? ": " : "", diag->message);
    } else if (diag && diag->message[0]) {
        shn_diag_format(diag, text, sizeof text);
        fprintf(stderr, "shinsa: %s\n", text);
    } else {
        fprintf(stderr, "shinsa: %s\n", shn_strerror(rc));
    }
}

int shn_cli_parse_double(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi) {
        fprintf(stderr, "shinsa: %s wants a number from %g to %g, not '%s'\n", opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

int shn_cli_parse_int(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "shinsa: %s wants a whole number from %ld to %ld, not '%s'\n", opt, lo, hi,
                s);
        return -1;
    }
    *out = v;
    return 0;
}

/* errno of the first failed write to stdout that was seen, 0 if none. */
static int stdout_errno;

bool shn_cli_output_failed(void)
{
    if (ferror(stdout) && !stdout_errno)
        stdout_errno = errno ? errno : EIO;
    return ferror(stdout) != 0;
}

int shn_cli_close_stdout(int status)
{
    int err = 0;

    /* stdio keeps what it could not write, so this flush fails again with
     * the reason when an earlier write failed; the saved errno covers the
     * case where nothing was left to write. */
    errno = 0;
    if (fflush(stdout) != 0)
        err = errno;
    else if (ferror(stdout))
        err = stdout_errno ? stdout_errno : EIO;
    if (fclose(stdout) != 0 && !err)
        err = errno ? errno : EIO;
    if (!err)
        return status;
    fprintf(stderr, "shinsa: cannot write standard output: %s\n", strerror(err));
    return SHN_EXIT_FAILURE;
}
