/* shinsa serve: the long-running HTTP service (docs/serve.md). Every config
 * key is also an option, so a one-line start needs no file: the option
 * table is made from serve's own key table, and each key's values are
 * handed to serve, which checks them, in command-line order. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "shinsa/core/buf.h"
#include "shinsa/serve.h"

#define MAX_KEYS 48

/* Options for the keys, then --config and --check-config. */
static size_t key_options(struct shn_cli_opt *opts, struct shn_cli_list *values, char help[][256])
{
    size_t n;
    const struct shn_serve_key *keys = shn_serve_keys(&n);

    if (n > MAX_KEYS)
        n = MAX_KEYS;
    for (size_t i = 0; i < n; i++) {
        snprintf(help[i], 256, "%s (%s%s%s)", keys[i].help, keys[i].name,
                 keys[i].default_value ? "; default " : "",
                 keys[i].default_value ? keys[i].default_value : "");
        opts[i] = (struct shn_cli_opt){keys[i].option,  SHN_ARG_LIST,       values,
                                       .help = help[i], .arg = keys[i].arg, .tag = (int)i};
    }
    return n;
}

static int check(const struct shn_serve_config *cfg)
{
    struct shn_diag diag = {0};
    struct shn_buf effective;
    int rc, status = SHN_EXIT_FAILURE;

    shn_buf_init(&effective, 1 << 20);
    rc = shn_serve_config_check(cfg, &effective, &diag);
    if (rc == SHN_OK) {
        fputs(effective.data ? effective.data : "", stdout);
        status = SHN_EXIT_OK;
    } else {
        shn_cli_report(rc, &diag);
    }
    shn_buf_cleanup(&effective);
    return status;
}

int shn_cli_serve(int argc, char **argv)
{
    static struct shn_cli_list values; /* large: not on the stack */
    static char help[MAX_KEYS][256];
    struct shn_cli_opt opts[MAX_KEYS + 3];
    struct shn_serve_config *cfg = NULL;
    struct shn_diag diag = {0};
    const struct shn_serve_key *keys = shn_serve_keys(NULL);
    const char *config = NULL;
    bool check_only = false;
    size_t n = key_options(opts, &values, help);
    int rc, status;

    opts[n] = (struct shn_cli_opt){"--config", SHN_ARG_STRING, &config, .arg = "FILE",
                                   .help = "a config file (etc/serve.conf); options win over it"};
    opts[n + 1] = (struct shn_cli_opt){
        "--check-config", SHN_ARG_FLAG, &check_only,
        .help = "check the config and the files it names, print the effective settings and "
                "exit (0, or 1 with the error)"};
    opts[n + 2] = (struct shn_cli_opt){0};
    const struct shn_cli_spec spec = {
        .usage = "shinsa serve",
        .about = "Answers screening (and, as they come, the other engines) over HTTP until "
                 "SIGTERM or SIGINT. SIGHUP reloads the config and files; a replaced screen "
                 "index is swapped in while requests run. Logs are JSON lines on stderr; "
                 "docs/serve.md has the API and every key.",
        .opts = opts,
        .epilog = "Example: shinsa serve --listen 127.0.0.1:8080 --index screen.idx\n"
                  "Exit status: 0 after a clean stop or a good config, 1 on errors, 2 on a bad "
                  "command line."};

    memset(&values, 0, sizeof values);
    status = shn_cli_parse(&spec, argc, argv);
    if (status != SHN_CLI_RUN)
        return status;
    if (shn_serve_config_new(&cfg) != SHN_OK) {
        fprintf(stderr, "shinsa: out of memory\n");
        return SHN_EXIT_FAILURE;
    }
    status = SHN_EXIT_FAILURE;
    for (size_t i = 0; i < values.n; i++) {
        rc = shn_serve_config_set(cfg, keys[values.tag[i]].option, values.v[i], &diag);
        if (rc != SHN_OK) {
            char text[512];
            shn_diag_format(&diag, text, sizeof text);
            status = shn_cli_usage_error(&spec, "%s", text);
            goto out;
        }
    }
    if (shn_serve_config_set_file(cfg, config) != SHN_OK ||
        shn_serve_config_set_default_dir(cfg, shn_cli_data_dir()) != SHN_OK) {
        fprintf(stderr, "shinsa: out of memory\n");
        goto out;
    }
    if (check_only) {
        status = check(cfg);
        goto out;
    }
    rc = shn_serve_run(cfg, &diag);
    if (rc != SHN_OK)
        shn_cli_report(rc, &diag);
    else
        status = SHN_EXIT_OK;
out:
    shn_serve_config_free(cfg);
    return status;
}
