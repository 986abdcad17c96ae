/* shinsa lists build|info|update */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/log.h"
#include "shinsa/screen.h"

static int print_info(const char *path, bool json)
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
    } else {
        shn_cli_report(rc, NULL);
    }
    shn_buf_cleanup(&out);
    shn_screen_index_close(idx);
    return rc == SHN_OK ? SHN_EXIT_OK : SHN_EXIT_FAILURE;
}

/* The kinds of list, as the tags of the one ordered list of sources. */
enum { SRC_OFAC, SRC_UN, SRC_CRYPTO, SRC_CUSTOM };

static int load(struct shn_listset *set, int tag, const char *path, struct shn_diag *diag)
{
    switch (tag) {
    case SRC_OFAC:
        return shn_screen_load_ofac_csv(set, path, diag);
    case SRC_UN:
        return shn_screen_load_un_xml(set, path, diag);
    case SRC_CRYPTO:
        return shn_screen_load_crypto_dir(set, path, diag);
    default:
        return shn_screen_load_custom(set, path, diag);
    }
}

static int cmd_build(int argc, char **argv)
{
    struct shn_cli_list sources = {0};
    struct shn_listset *set = NULL;
    struct shn_diag diag = {0};
    const char *out = NULL;
    bool json = false;
    const struct shn_cli_opt opts[] = {
        {"--out", SHN_ARG_STRING, &out, .arg = "INDEX",
         .help = "index to write (default: $SHINSA_DATA_DIR/screen.idx)"},
        {"--ofac-csv", SHN_ARG_LIST, &sources, .arg = "DIR", .tag = SRC_OFAC,
         .help = "an OFAC legacy CSV set (sdn.csv, add.csv, alt.csv, sdn_comments.csv and/or "
                 "the consolidated cons_*.csv)"},
        {"--un-xml", SHN_ARG_LIST, &sources, .arg = "FILE", .tag = SRC_UN,
         .help = "the UN Security Council consolidated list (XML)"},
        {"--crypto-dir", SHN_ARG_LIST, &sources, .arg = "DIR", .tag = SRC_CRYPTO,
         .help = "sanctioned_addresses_<ASSET>.txt files"},
        {"--custom", SHN_ARG_LIST, &sources, .arg = "FILE", .tag = SRC_CUSTOM,
         .help = "a custom list in JSON Lines (docs/lists.md)"},
        {"--json", SHN_ARG_FLAG, &json, .help = "print the resulting index info as JSON"},
        {0}};
    const struct shn_cli_spec spec = {
        .usage = "shinsa lists build",
        .about = "Compiles the given lists into one versioned binary index, written atomically. "
                 "Each list option may be repeated; lists load in the order given.",
        .opts = opts};
    int rc = SHN_OK, status = shn_cli_parse(&spec, argc, argv);

    if (status != SHN_CLI_RUN)
        return status;
    if (!sources.n)
        return shn_cli_usage_error(&spec, "no lists given");
    if (!out)
        out = shn_cli_default_index(1);
    if (shn_screen_listset_new(&set) != SHN_OK) {
        fprintf(stderr, "shinsa: out of memory\n");
        return SHN_EXIT_FAILURE;
    }
    status = SHN_EXIT_FAILURE;
    for (size_t i = 0; rc == SHN_OK && i < sources.n; i++) {
        rc = load(set, sources.tag[i], sources.v[i], &diag);
        if (rc == SHN_OK)
            shn_log(SHN_LOG_INFO, "loaded %s: %zu entities so far", sources.v[i],
                    shn_screen_listset_count(set));
    }
    if (rc != SHN_OK) {
        shn_cli_report(rc, &diag);
        fprintf(stderr, "shinsa: nothing written; %s is unchanged\n", out);
        goto out;
    }
    rc = shn_screen_index_build(set, out, &diag);
    if (rc != SHN_OK)
        shn_cli_report(rc, &diag);
    else
        status = print_info(out, json);
out:
    shn_screen_listset_free(set);
    return status;
}

static int cmd_info(int argc, char **argv)
{
    const char *index = NULL;
    bool json = false;
    const struct shn_cli_opt opts[] = {
        {"--index", SHN_ARG_STRING, &index, .arg = "INDEX",
         .help = "the index (default: $SHINSA_DATA_DIR/screen.idx)"},
        {"--json", SHN_ARG_FLAG, &json, .help = "the info as one JSON object"},
        {0}};
    const struct shn_cli_spec spec = {
        .usage = "shinsa lists info",
        .about =
            "Prints the index's format version, build time, sources with their dates and entity "
            "counts.",
        .opts = opts};
    int status = shn_cli_parse(&spec, argc, argv);

    if (status != SHN_CLI_RUN)
        return status;
    return print_info(index ? index : shn_cli_default_index(0), json);
}

static int cmd_update(int argc, char **argv)
{
    struct shn_update_options uo = {0};
    struct shn_diag diag = {0};
    bool force = false;
    const struct shn_cli_opt opts[] = {
        {"--config", SHN_ARG_STRING, &uo.config_path, .arg = "FILE", .flags = SHN_CLI_REQUIRED,
         .help = "the lists to download (docs/lists.md; a sample is etc/lists.conf)"},
        {"--index", SHN_ARG_STRING, &uo.index_path, .arg = "INDEX",
         .help = "the index to replace (default: $SHINSA_DATA_DIR/screen.idx)"},
        {"--force", SHN_ARG_FLAG, &force,
         .help = "accept a list that shrank below min_percent of the current index"},
        {0}};
    const struct shn_cli_spec spec = {
        .usage = "shinsa lists update",
        .about =
            "Downloads the lists named in FILE, verifies them by loading them, builds a new index "
            "and swaps it in atomically. A failed or partial download leaves the current index "
            "untouched.",
        .opts = opts};
    int rc, status = shn_cli_parse(&spec, argc, argv);

    if (status != SHN_CLI_RUN)
        return status;
    uo.force = force;
    if (!uo.index_path)
        uo.index_path = shn_cli_default_index(1);
    rc = shn_screen_lists_update_ex(&uo, &diag);
    if (rc != SHN_OK) {
        shn_cli_report(rc, &diag);
        fprintf(stderr, "shinsa: the index %s was left as it was\n", uo.index_path);
        return SHN_EXIT_FAILURE;
    }
    return print_info(uo.index_path, false);
}

static const struct shn_cli_command verbs[] = {
    {"build", cmd_build, "compile OFAC, UN, crypto and custom lists into one index file"},
    {"info", cmd_info, "print an index's sources, dates and counts"},
    {"update", cmd_update, "download the official lists, verify them, swap the index in"},
    {0}};

int shn_cli_lists(int argc, char **argv)
{
    const struct shn_cli_spec group = {.usage = "shinsa lists",
                                       .about = "Builds, inspects and updates the watchlist index.",
                                       .commands = verbs};

    return shn_cli_dispatch(&group, argc - 1, argv + 1);
}
