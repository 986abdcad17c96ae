/* args.c: the option table parser and help printer of the CLI. Each test
 * parses a command line against a small table and checks the stored values,
 * the exit status and what was printed. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "args.h"
#include "cli.h"

/* ---- capturing stdout and stderr -------------------------------------- */

static char out_text[16384], err_text[16384];

struct capture {
    int saved_out, saved_err;
    FILE *out, *err;
};

static void capture_begin(struct capture *c)
{
    fflush(stdout);
    fflush(stderr);
    c->out = tmpfile();
    c->err = tmpfile();
    assert_non_null(c->out);
    assert_non_null(c->err);
    c->saved_out = dup(STDOUT_FILENO);
    c->saved_err = dup(STDERR_FILENO);
    dup2(fileno(c->out), STDOUT_FILENO);
    dup2(fileno(c->err), STDERR_FILENO);
}

static void read_back(FILE *f, char *buf, size_t size)
{
    size_t n;

    rewind(f);
    n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static void capture_end(struct capture *c)
{
    fflush(stdout);
    fflush(stderr);
    dup2(c->saved_out, STDOUT_FILENO);
    dup2(c->saved_err, STDERR_FILENO);
    close(c->saved_out);
    close(c->saved_err);
    read_back(c->out, out_text, sizeof out_text);
    read_back(c->err, err_text, sizeof err_text);
}

/* Parses `line` (words separated by spaces; argv[0] is "cmd") with the
 * spec, capturing what it prints. */
static int parse_line(const struct shn_cli_spec *spec, const char *line)
{
    static char copy[1024];
    char *argv[64], *save = NULL;
    int argc = 0, status;
    struct capture c;

    snprintf(copy, sizeof copy, "cmd %s", line);
    for (char *w = strtok_r(copy, " ", &save); w && argc < 63; w = strtok_r(NULL, " ", &save))
        argv[argc++] = w;
    argv[argc] = NULL;
    capture_begin(&c);
    status = shn_cli_parse(spec, argc, argv);
    capture_end(&c);
    return status;
}

#define assert_err(text) assert_non_null(strstr(err_text, text))
#define assert_out(text) assert_non_null(strstr(out_text, text))

/* ---- one table for most tests ------------------------------------------ */

static struct {
    bool json;
    const char *index;
    long threads;
    double threshold;
    int method;
    struct shn_cli_list files, labels;
    const char *file;
} v;

static const char *const methods[] = {"poison", "haircut", "fifo", NULL};

static int parse_even(const char *s, void *dest)
{
    long n = strtol(s, NULL, 10);
    if (n % 2)
        return -1;
    *(long *)dest = n;
    return 0;
}

static long even = 0;

static const struct shn_cli_opt opts[] = {
    {"--json", SHN_ARG_FLAG, &v.json, .help = "JSON output"},
    {"--index", SHN_ARG_STRING, &v.index, .arg = "INDEX", .help = "the index"},
    {"--threads", SHN_ARG_INT, &v.threads, 1, 64, "worker threads", .arg = "N"},
    {"--threshold", SHN_ARG_NUMBER, &v.threshold, 0.01, 1, "minimum score", .arg = "T"},
    {"--method", SHN_ARG_CHOICE, &v.method, .choices = methods, .help = "how"},
    {"--transfers", SHN_ARG_VALUES, &v.files, 0, 5, .arg = "FILE", .help = "inputs", .tag = 1},
    {"--labels", SHN_ARG_LIST, &v.labels, .arg = "FILE", .help = "labels", .tag = 2},
    {"--custom", SHN_ARG_LIST, &v.files, .arg = "FILE", .help = "more inputs", .tag = 3},
    {"--even", SHN_ARG_CUSTOM, &even, .parse = parse_even, .want = "an even number",
     .help = "an even number", .alias = "-e"},
    {"FILE", SHN_ARG_STRING, &v.file, .help = "the input"},
    {0}};

static const struct shn_cli_spec spec = {
    .usage = "shinsa test", .about = "A command for tests.", .opts = opts};

static int setup(void **state)
{
    memset(&v, 0, sizeof v);
    v.threads = 2;
    v.threshold = 0.85;
    v.method = 1;
    even = 0;
    return 0;
}

static void test_values_are_stored(void **state)
{
    assert_int_equal(parse_line(&spec, "--json --index a.idx --threads 8 --threshold 0.5 "
                                       "--method fifo in.txt"),
                     SHN_CLI_RUN);
    assert_true(v.json);
    assert_string_equal(v.index, "a.idx");
    assert_int_equal(v.threads, 8);
    assert_true(v.threshold == 0.5);
    assert_int_equal(v.method, 2);
    assert_string_equal(v.file, "in.txt");
    assert_string_equal(err_text, "");
}

static void test_defaults_kept_when_not_given(void **state)
{
    assert_int_equal(parse_line(&spec, ""), SHN_CLI_RUN);
    assert_false(v.json);
    assert_null(v.index);
    assert_int_equal(v.threads, 2);
    assert_int_equal(v.method, 1);
    assert_null(v.file);
}

static void test_equals_form_and_any_order(void **state)
{
    assert_int_equal(parse_line(&spec, "in.txt --threads=4 --index=x=y"), SHN_CLI_RUN);
    assert_int_equal(v.threads, 4);
    assert_string_equal(v.index, "x=y");
    assert_string_equal(v.file, "in.txt");
}

static void test_integer_refuses_fraction(void **state)
{
    assert_int_equal(parse_line(&spec, "--threads 2.5"), SHN_EXIT_USAGE);
    assert_err("shinsa: --threads wants a whole number from 1 to 64, not '2.5'\n");
    assert_err("usage: shinsa test");
    assert_err("'shinsa test --help' for more.");
    assert_string_equal(out_text, "");
}

static void test_integer_refuses_other_forms(void **state)
{
    const char *bad[] = {"1e3", "+5", "0x10", "", "5x", "99999999999999999999999", "65", "0"};

    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char line[64];
        snprintf(line, sizeof line, "--threads=%s", bad[i]);
        assert_int_equal(parse_line(&spec, line), SHN_EXIT_USAGE);
        assert_err("--threads wants a whole number from 1 to 64");
    }
    assert_int_equal(v.threads, 2);
    assert_int_equal(parse_line(&spec, "--threads 64"), SHN_CLI_RUN);
    assert_int_equal(v.threads, 64);
}

static void test_number_is_finite_and_in_range(void **state)
{
    const char *bad[] = {"nan", "inf", "-inf", "0x1p-2", "abc", "1.5", "0", "0.5x", ""};

    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char line[64];
        snprintf(line, sizeof line, "--threshold=%s", bad[i]);
        assert_int_equal(parse_line(&spec, line), SHN_EXIT_USAGE);
        assert_err("--threshold wants a number from 0.01 to 1, not '");
    }
    assert_int_equal(parse_line(&spec, "--threshold 5e-1"), SHN_CLI_RUN);
    assert_true(v.threshold == 0.5);
    assert_int_equal(parse_line(&spec, "--threshold .25"), SHN_CLI_RUN);
    assert_true(v.threshold == 0.25);
}

static void test_choice_names_the_words(void **state)
{
    assert_int_equal(parse_line(&spec, "--method x"), SHN_EXIT_USAGE);
    assert_err("shinsa: --method wants poison, haircut or fifo, not 'x'\n");
    assert_int_equal(parse_line(&spec, "--method poison"), SHN_CLI_RUN);
    assert_int_equal(v.method, 0);
}

static void test_values_follow_the_option(void **state)
{
    assert_int_equal(parse_line(&spec, "--transfers a b - c --json --custom d --transfers e"),
                     SHN_CLI_RUN);
    assert_int_equal(v.files.n, 6);
    assert_string_equal(v.files.v[0], "a");
    assert_string_equal(v.files.v[2], "-"); /* standard input is a value */
    assert_string_equal(v.files.v[4], "d");
    assert_int_equal(v.files.tag[4], 3);
    assert_string_equal(v.files.v[5], "e");
    assert_int_equal(v.files.tag[5], 1);
    assert_true(v.json);
    assert_null(v.file); /* the words after --transfers were its values */
}

static void test_list_keeps_order_and_count(void **state)
{
    assert_int_equal(parse_line(&spec, "--labels x --labels y in"), SHN_CLI_RUN);
    assert_int_equal(v.labels.n, 2);
    assert_string_equal(v.labels.v[1], "y");
    assert_string_equal(v.file, "in");
    assert_int_equal(parse_line(&spec, "--transfers 1 2 3 4 5 6"), SHN_EXIT_USAGE);
    assert_err("shinsa: --transfers takes at most 5 values\n");
}

static void test_custom_parser_and_alias(void **state)
{
    assert_int_equal(parse_line(&spec, "-e 4"), SHN_CLI_RUN);
    assert_int_equal(even, 4);
    assert_int_equal(parse_line(&spec, "--even 3"), SHN_EXIT_USAGE);
    assert_err("shinsa: --even wants an even number, not '3'\n");
}

static void test_unknown_and_missing(void **state)
{
    assert_int_equal(parse_line(&spec, "--bogus"), SHN_EXIT_USAGE);
    assert_err("shinsa: unknown option '--bogus'\n");
    assert_int_equal(parse_line(&spec, "--thread 2"), SHN_EXIT_USAGE); /* no abbreviations */
    assert_err("unknown option '--thread'");
    assert_int_equal(parse_line(&spec, "--index"), SHN_EXIT_USAGE);
    assert_err("shinsa: --index needs a value (INDEX)\n");
    assert_int_equal(parse_line(&spec, "--json=yes"), SHN_EXIT_USAGE);
    assert_err("shinsa: --json takes no value\n");
    assert_int_equal(parse_line(&spec, "a b"), SHN_EXIT_USAGE);
    assert_err("shinsa: unexpected argument 'b'\n");
}

static void test_double_dash_ends_options(void **state)
{
    assert_int_equal(parse_line(&spec, "-- --json"), SHN_CLI_RUN);
    assert_false(v.json);
    assert_string_equal(v.file, "--json");
    assert_int_equal(parse_line(&spec, "-- -h"), SHN_CLI_RUN);
    assert_string_equal(v.file, "-h");
}

static void test_help_anywhere_wins(void **state)
{
    assert_int_equal(parse_line(&spec, "--threads 2.5 --bogus x -h"), SHN_EXIT_OK);
    assert_string_equal(err_text, "");
    assert_out("usage: shinsa test [OPTIONS] [FILE]\n");
    assert_out("A command for tests.");
    assert_int_equal(v.threads, 2); /* nothing stored */
    assert_int_equal(parse_line(&spec, "--help"), SHN_EXIT_OK);
    assert_out("  -h, --help            print this help and exit\n");
    /* a value that happens to be "-h" is a value */
    assert_int_equal(parse_line(&spec, "--index -h"), SHN_CLI_RUN);
    assert_string_equal(v.index, "-h");
}

static void test_help_shows_every_option_ranges_and_defaults(void **state)
{
    assert_int_equal(parse_line(&spec, "-h"), SHN_EXIT_OK);
    for (const struct shn_cli_opt *o = opts; o->name; o++)
        assert_non_null(strstr(out_text, o->name));
    assert_out("  --threads N           worker threads (from 1 to 64; default: 2)\n");
    assert_out("  --threshold T         minimum score (from 0.01 to 1; default: 0.85)\n");
    assert_out("how (poison, haircut or fifo; default: haircut)");
    assert_out("  -e, --even VALUE");
    assert_out("  --transfers FILE...");
    /* every line fits 80 columns */
    for (char *line = out_text, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        assert_non_null(nl);
        assert_true(nl - line < 80);
    }
}

static void test_help_wraps_long_text(void **state)
{
    const char *dest = NULL;
    const struct shn_cli_opt o[] = {
        {"--long-option-name", SHN_ARG_STRING, &dest, .arg = "SOMETHING",
         .help = "a help text long enough that it must be wrapped over more than one line "
                 "of the terminal, at word boundaries, with the continuation indented"},
        {0}};
    const struct shn_cli_spec s = {.usage = "shinsa wrap", .opts = o};

    assert_int_equal(parse_line(&s, "--help"), SHN_EXIT_OK);
    /* the option is too wide for the column: its help starts below it */
    assert_out("  --long-option-name SOMETHING\n                        a help text long");
    assert_out("\n                        ");
}

/* ---- required entries and positionals ---------------------------------- */

static void test_required_option_and_positional(void **state)
{
    const char *graph = NULL, *address = NULL;
    struct shn_cli_list in = {0};
    const struct shn_cli_opt o[] = {
        {"--graph", SHN_ARG_STRING, &graph, .arg = "GRAPH", .flags = SHN_CLI_REQUIRED,
         .help = "the graph"},
        {"--in", SHN_ARG_VALUES, &in, 1, 0, .arg = "FILE", .help = "inputs"},
        {"ADDRESS", SHN_ARG_STRING, &address, .flags = SHN_CLI_REQUIRED, .help = "an address"},
        {0}};
    const struct shn_cli_spec s = {.usage = "shinsa trace exposure", .opts = o};

    assert_int_equal(parse_line(&s, "--in a X"), SHN_EXIT_USAGE);
    assert_err("shinsa: trace exposure needs --graph GRAPH\n");
    assert_err("usage: shinsa trace exposure --graph GRAPH --in FILE... ADDRESS\n");
    assert_int_equal(parse_line(&s, "--graph g --in a"), SHN_EXIT_USAGE);
    assert_err("shinsa: trace exposure needs ADDRESS\n");
    in.n = 0;
    assert_int_equal(parse_line(&s, "X --graph g"), SHN_EXIT_USAGE);
    assert_err("shinsa: trace exposure needs --in FILE\n");
    in.n = 0;
    assert_int_equal(parse_line(&s, "X --graph g --in a b"), SHN_CLI_RUN);
    assert_string_equal(address, "X");
    assert_int_equal(in.n, 2);
}

static void test_positional_list_with_a_count(void **state)
{
    struct shn_cli_list files = {0};
    const char *last = NULL;
    const struct shn_cli_opt o[] = {{"FILE", SHN_ARG_LIST, &files, 1, 3, .help = "images"},
                                    {"OUT", SHN_ARG_STRING, &last, .help = "where"},
                                    {0}};
    const struct shn_cli_spec s = {.usage = "shinsa img", .opts = o};

    assert_int_equal(parse_line(&s, "a b c d"), SHN_CLI_RUN);
    assert_int_equal(files.n, 3);
    assert_string_equal(last, "d");
    files.n = 0;
    assert_int_equal(parse_line(&s, "a b c d e"), SHN_EXIT_USAGE);
    assert_err("unexpected argument 'e'");
    files.n = 0;
    assert_int_equal(parse_line(&s, ""), SHN_EXIT_USAGE);
    assert_err("shinsa: img needs FILE\n");
    assert_int_equal(parse_line(&s, "-h"), SHN_EXIT_OK);
    assert_out("usage: shinsa img FILE... [OUT]\n");
}

/* Operands: any number (more than a LIST holds), gathered in order in argv
 * itself, options anywhere among them. */
static void test_operands_take_every_positional(void **state)
{
    enum { N = SHN_CLI_MAX_VALUES + 10 };
    static char words[N][16];
    static char *argv[N + 4];
    struct shn_cli_rest files = {0};
    bool json = false;
    const struct shn_cli_opt o[] = {{"--json", SHN_ARG_FLAG, &json, .help = "x"},
                                    {"FILE", SHN_ARG_OPERANDS, &files, 1, .help = "images"},
                                    {0}};
    const struct shn_cli_spec s = {.usage = "shinsa img", .opts = o};
    struct capture c;
    int argc = 0, status;

    (void)state;
    argv[argc++] = "img";
    for (int i = 0; i < N; i++) {
        snprintf(words[i], sizeof words[i], "f%d", i);
        argv[argc++] = words[i];
        if (i == 2)
            argv[argc++] = "--json";
    }
    capture_begin(&c);
    status = shn_cli_parse(&s, argc, argv);
    capture_end(&c);
    assert_int_equal(status, SHN_CLI_RUN);
    assert_true(json);
    assert_int_equal(files.argc, N);
    for (int i = 0; i < N; i++)
        assert_string_equal(files.argv[i], words[i]);
    assert_int_equal(parse_line(&s, "--json"), SHN_EXIT_USAGE);
    assert_err("shinsa: img needs FILE\n");
    assert_int_equal(parse_line(&s, "-h"), SHN_EXIT_OK);
    assert_out("usage: shinsa img [OPTIONS] FILE...\n");
    assert_out("  FILE...  ");
}

static void test_rest_stops_the_parse(void **state)
{
    bool verbose = false;
    struct shn_cli_rest rest = {0};
    const struct shn_cli_opt o[] = {
        {"--verbose", SHN_ARG_FLAG, &verbose, .alias = "-v", .help = "x"},
        {"COMMAND", SHN_ARG_REST, &rest, .help = ""},
        {0}};
    const struct shn_cli_spec s = {.usage = "shinsa", .opts = o};

    assert_int_equal(parse_line(&s, "-v screen --name x --help"), SHN_CLI_RUN);
    assert_true(verbose);
    assert_int_equal(rest.argc, 4);
    assert_string_equal(rest.argv[0], "screen");
    assert_string_equal(rest.argv[3], "--help");
    assert_int_equal(parse_line(&s, "--help screen"), SHN_EXIT_OK);
}

/* ---- groups ----------------------------------------------------------- */

static int ran_argc;
static const char *ran_verb;

static int verb_run(int argc, char **argv)
{
    ran_argc = argc;
    ran_verb = argv[0];
    return 7;
}

static const struct shn_cli_command verbs[] = {
    {"run", verb_run, "run it"}, {"list", verb_run, "list them"}, {0}};
static const struct shn_cli_spec group = {
    .usage = "shinsa grp", .about = "A group.", .commands = verbs};

static int dispatch(int argc, char **argv)
{
    struct capture c;
    int status;

    capture_begin(&c);
    status = shn_cli_dispatch(&group, argc, argv);
    capture_end(&c);
    return status;
}

static void test_dispatch_runs_the_verb(void **state)
{
    char *argv[] = {"run", "--x", NULL};

    assert_int_equal(dispatch(2, argv), 7);
    assert_int_equal(ran_argc, 2);
    assert_string_equal(ran_verb, "run");
    assert_ptr_equal(shn_cli_find_command(&group, "list"), &verbs[1]);
    assert_null(shn_cli_find_command(&group, "lis"));
}

static void test_dispatch_unknown_verb(void **state)
{
    char *argv[] = {"ack", "1", NULL};

    assert_int_equal(dispatch(2, argv), SHN_EXIT_USAGE);
    assert_err("shinsa: unknown command 'ack'\nusage: shinsa grp COMMAND [ARGS]\n");
    assert_err("  run   run it\n");
    assert_string_equal(out_text, "");
}

static void test_dispatch_help_and_nothing(void **state)
{
    char *help[] = {"--help", NULL}, *word[] = {"help", NULL};

    assert_int_equal(dispatch(1, help), SHN_EXIT_OK);
    assert_out("commands:\n  run   run it\n  list  list them\n");
    assert_out("'shinsa grp COMMAND --help' prints the options of a command.");
    assert_int_equal(dispatch(1, word), SHN_EXIT_OK);
    assert_int_equal(dispatch(0, help), SHN_EXIT_USAGE);
    assert_err("usage: shinsa grp COMMAND [ARGS]");
    assert_string_equal(out_text, "");
}

static void test_usage_error_helper(void **state)
{
    struct capture c;
    int status;

    capture_begin(&c);
    status = shn_cli_usage_error(&spec, "--amount needs --%s", "asset");
    capture_end(&c);
    assert_int_equal(status, SHN_EXIT_USAGE);
    assert_err("shinsa: --amount needs --asset\nusage: shinsa test [OPTIONS] [FILE]\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_values_are_stored, setup),
        cmocka_unit_test_setup(test_defaults_kept_when_not_given, setup),
        cmocka_unit_test_setup(test_equals_form_and_any_order, setup),
        cmocka_unit_test_setup(test_integer_refuses_fraction, setup),
        cmocka_unit_test_setup(test_integer_refuses_other_forms, setup),
        cmocka_unit_test_setup(test_number_is_finite_and_in_range, setup),
        cmocka_unit_test_setup(test_choice_names_the_words, setup),
        cmocka_unit_test_setup(test_values_follow_the_option, setup),
        cmocka_unit_test_setup(test_list_keeps_order_and_count, setup),
        cmocka_unit_test_setup(test_custom_parser_and_alias, setup),
        cmocka_unit_test_setup(test_unknown_and_missing, setup),
        cmocka_unit_test_setup(test_double_dash_ends_options, setup),
        cmocka_unit_test_setup(test_help_anywhere_wins, setup),
        cmocka_unit_test_setup(test_help_shows_every_option_ranges_and_defaults, setup),
        cmocka_unit_test(test_help_wraps_long_text),
        cmocka_unit_test(test_required_option_and_positional),
        cmocka_unit_test(test_positional_list_with_a_count),
        cmocka_unit_test(test_operands_take_every_positional),
        cmocka_unit_test(test_rest_stops_the_parse),
        cmocka_unit_test(test_dispatch_runs_the_verb),
        cmocka_unit_test(test_dispatch_unknown_verb),
        cmocka_unit_test(test_dispatch_help_and_nothing),
        cmocka_unit_test_setup(test_usage_error_helper, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
