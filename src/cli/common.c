/* Helpers shared by the subcommands. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

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

int shn_cli_parse_double(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || v < lo || v > hi) {
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
