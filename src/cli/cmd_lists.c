/* shinsa lists build|info|update */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/log.h"
#include "shinsa/screen.h"

static const char usage_lists[] =
    "usage: shinsa lists build|info|update [OPTIONS]\n"
    "\n"
    "  build    compile OFAC, UN, crypto and custom lists into one index file\n"
    "  info     print an index's sources, dates and counts\n"
    "  update   download the official lists, verify them, swap the index in\n"
    "\n"
    "'shinsa lists COMMAND --help' for each command's options.\n";

static const char usage_build[] =
    "usage: shinsa lists build [--out INDEX] [--ofac-csv DIR]... [--un-xml FILE]...\n"
    "                          [--crypto-dir DIR]... [--custom FILE]... [--json]\n"
    "\n"
    "Compiles the given lists into one versioned binary index, written atomically.\n"
    "  --out INDEX        index to write (default: $SHINSA_DATA_DIR/screen.idx)\n"
    "  --ofac-csv DIR     an OFAC legacy CSV set (sdn.csv, add.csv, alt.csv,\n"
    "                     sdn_comments.csv and/or the consolidated cons_*.csv)\n"
    "  --un-xml FILE      the UN Security Council consolidated list (XML)\n"
    "  --crypto-dir DIR   sanctioned_addresses_<ASSET>.txt files\n"
    "  --custom FILE      a custom list in JSON Lines (docs/lists.md)\n"
    "  --json             print the resulting index info as JSON\n";

static const char usage_info[] =
    "usage: shinsa lists info [--index INDEX] [--json]\n"
    "\n"
    "Prints the index's format version, build time, sources with their dates\n"
    "and entity counts.\n";

static const char usage_update[] =
    "usage: shinsa lists update --config FILE [--index INDEX] [--force]\n"
    "\n"
    "Downloads the lists named in FILE (docs/lists.md; a sample is etc/lists.conf),\n"
    "verifies them by loading them, builds a new index and swaps it in atomically.\n"
    "A failed or partial download leaves the current index untouched.\n"
    "  --force   accept a list that shrank below min_percent of the current index\n";

static int print_info(const char *path, int json)
{
    struct shn_screen_index *idx = NULL;
    struct shn_diag diag = {0};
    struct shn_buf out;
    int rc = shn_screen_index_open(path, &idx, &diag);

    if (rc != SHN_OK) {
        shn_cli_report(rc, &diag);
        if (rc == SHN_ERR_IO)
            fprintf(stderr, "shinsa: build one with 'shinsa lists build --out %s ...'\n", path);
        return SHN_EXIT_FAILURE;
    }
    shn_buf_init(&out, 1 << 20);
    rc = shn_screen_index_info(idx, json, &out);
    if (rc == SHN_OK) {
        if (!json)
            printf("index %s\n", path);
        fputs(out.data, stdout);
    }
    shn_buf_cleanup(&out);
    shn_screen_index_close(idx);
    return rc == SHN_OK ? SHN_EXIT_OK : SHN_EXIT_FAILURE;
}

static int cmd_build(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'},    {"ofac-csv", required_argument, 0, 'f'},
        {"un-xml", required_argument, 0, 'u'}, {"crypto-dir", required_argument, 0, 'c'},
        {"custom", required_argument, 0, 'm'}, {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    struct shn_listset *set = NULL;
    struct shn_diag diag = {0};
    const char *out = NULL;
    int json = 0, opt, rc, loaded = 0, status = SHN_EXIT_FAILURE;

    optind = 0;
    /* First pass: options that change nothing but output. */
    while ((opt = getopt_long(argc, argv, "+ho:f:u:c:m:j", opts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(usage_build, stdout);
            return SHN_EXIT_OK;
        }
        if (opt == '?') {
            fputs(usage_build, stderr);
            return SHN_EXIT_USAGE;
        }
        if (opt == 'o')
            out = optarg;
        if (opt == 'j')
            json = 1;
    }
    if (optind < argc) {
        fprintf(stderr, "shinsa: unexpected argument '%s'\n%s", argv[optind], usage_build);
        return SHN_EXIT_USAGE;
    }
    if (!out)
        out = shn_cli_default_index(1);
    if (shn_screen_listset_new(&set) != SHN_OK) {
        fprintf(stderr, "shinsa: out of memory\n");
        return SHN_EXIT_FAILURE;
    }
    /* Second pass: load the sources in the order given. */
    optind = 0;
    while ((opt = getopt_long(argc, argv, "+ho:f:u:c:m:j", opts, NULL)) != -1) {
        rc = SHN_OK;
        if (opt == 'f')
            rc = shn_screen_load_ofac_csv(set, optarg, &diag);
        else if (opt == 'u')
            rc = shn_screen_load_un_xml(set, optarg, &diag);
        else if (opt == 'c')
            rc = shn_screen_load_crypto_dir(set, optarg, &diag);
        else if (opt == 'm')
            rc = shn_screen_load_custom(set, optarg, &diag);
        else
            continue;
        if (rc != SHN_OK) {
            shn_cli_report(rc, &diag);
            fprintf(stderr, "shinsa: nothing written; %s is unchanged\n", out);
            goto done;
        }
        loaded++;
        shn_log(SHN_LOG_INFO, "loaded %s: %zu entities so far", optarg,
                shn_screen_listset_count(set));
    }
    if (!loaded) {
        fprintf(stderr, "shinsa: no lists given\n%s", usage_build);
        status = SHN_EXIT_USAGE;
        goto done;
    }
    rc = shn_screen_index_build(set, out, &diag);
    if (rc != SHN_OK) {
        shn_cli_report(rc, &diag);
        goto done;
    }
    status = print_info(out, json);
done:
    shn_screen_listset_free(set);
    return status;
}

static int cmd_info(int argc, char **argv)
{
    static const struct option opts[] = {{"index", required_argument, 0, 'i'},
                                         {"json", no_argument, 0, 'j'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *index = NULL;
    int json = 0, opt;

    optind = 0;
    while ((opt = getopt_long(argc, argv, "+hi:j", opts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(usage_info, stdout);
            return SHN_EXIT_OK;
        }
        if (opt == '?') {
            fputs(usage_info, stderr);
            return SHN_EXIT_USAGE;
        }
        if (opt == 'i')
            index = optarg;
        if (opt == 'j')
            json = 1;
    }
    return print_info(index ? index : shn_cli_default_index(0), json);
}

static int cmd_update(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                         {"index", required_argument, 0, 'i'},
                                         {"force", no_argument, 0, 'f'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct shn_update_options uo = {0};
    struct shn_diag diag = {0};
    int opt, rc;

    optind = 0;
    while ((opt = getopt_long(argc, argv, "+hc:i:f", opts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(usage_update, stdout);
            return SHN_EXIT_OK;
        }
        if (opt == '?') {
            fputs(usage_update, stderr);
            return SHN_EXIT_USAGE;
        }
        if (opt == 'c')
            uo.config_path = optarg;
        if (opt == 'i')
            uo.index_path = optarg;
        if (opt == 'f')
            uo.force = 1;
    }
    if (!uo.config_path) {
        fprintf(stderr, "shinsa: lists update needs --config FILE\n%s", usage_update);
        return SHN_EXIT_USAGE;
    }
    if (!uo.index_path)
        uo.index_path = shn_cli_default_index(1);
    rc = shn_screen_lists_update_ex(&uo, &diag);
    if (rc != SHN_OK) {
        shn_cli_report(rc, &diag);
        fprintf(stderr, "shinsa: the index %s was left as it was\n", uo.index_path);
        return SHN_EXIT_FAILURE;
    }
    return print_info(uo.index_path, 0);
}

int shn_cli_lists(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0) {
        fputs(usage_lists, argc < 1 ? stderr : stdout);
        return argc < 1 ? SHN_EXIT_USAGE : SHN_EXIT_OK;
    }
    if (strcmp(argv[0], "build") == 0)
        return cmd_build(argc, argv);
    if (strcmp(argv[0], "info") == 0)
        return cmd_info(argc, argv);
    if (strcmp(argv[0], "update") == 0)
        return cmd_update(argc, argv);
    fprintf(stderr, "shinsa: unknown lists command '%s'\n%s", argv[0], usage_lists);
    return SHN_EXIT_USAGE;
}
