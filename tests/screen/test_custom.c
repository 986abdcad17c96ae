/* Tests for custom JSON Lines lists (src/screen/load_custom.c): a good file
 * loads every field; every kind of error names its line and field and
 * leaves the set unchanged; invalid UTF-8; oversize lines; allocation
 * failures. Fixtures: tests/data/screen/custom/ (fictional). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "custom_internal.h"
#include "model.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/log.h"
#include "shinsa/screen.h"

#define FIXTURES SHN_TEST_DATA "/screen/custom"

static struct shn_listset *new_set(void)
{
    struct shn_listset *set = NULL;
    assert_int_equal(shn_screen_listset_new(&set), SHN_OK);
    return set;
}

static const struct shn_ident *find_ident(const struct shn_entity *e, int kind, const char *value)
{
    for (uint32_t i = 0; i < e->n_idents; i++)
        if (e->idents[i].kind == kind && strcmp(e->idents[i].value, value) == 0)
            return &e->idents[i];
    return NULL;
}

static void good_file_loads_every_field(void **state)
{
    struct shn_listset *set = new_set();
    struct shn_diag d = {0};
    const struct shn_entity *e;
    const struct shn_ident *id;
    (void)state;

    assert_int_equal(shn_screen_load_custom(set, FIXTURES "/blocklist.jsonl", &d), SHN_OK);
    assert_int_equal(shn_screen_listset_count(set), 5);

    e = shn__model_find(set, "custom:bl-001");
    assert_non_null(e);
    assert_string_equal(e->source, "blocklist"); /* the file's base name */
    assert_int_equal(e->kind, SHN_KIND_PERSON);
    assert_int_equal(e->n_names, 4);
    assert_string_equal(e->names[0].text, "HAN Sol-mi");
    assert_int_equal(e->names[0].strength, SHN_ALIAS_PRIMARY);
    assert_string_equal(e->names[1].text, "Solmi Han");
    assert_int_equal(e->names[1].strength, SHN_ALIAS_AKA);
    assert_string_equal(e->names[3].text, "sunny");
    assert_int_equal(e->names[3].strength, SHN_ALIAS_WEAK);
    assert_int_equal(e->n_dobs, 2);
    assert_int_equal(e->dobs[0].kind, SHN_DATE_EXACT);
    assert_int_equal(e->dobs[0].year, 1984);
    assert_int_equal(e->dobs[0].month, 5);
    assert_int_equal(e->dobs[0].day, 2);
    assert_int_equal(e->dobs[1].kind, SHN_DATE_CIRCA);
    assert_int_equal(e->dobs[1].year, 1960);
    /* "KP" and "north korea" are one country */
    assert_int_equal(e->n_nationalities, 1);
    assert_string_equal(e->nationalities[0], "KP");
    assert_non_null(find_ident(e, SHN_ID_EMAIL, "solmi.han@example.invalid"));
    assert_non_null(find_ident(e, SHN_ID_PHONE, "+850 2 123 4567"));
    id = find_ident(e, SHN_ID_HANDLE, "solmi-dev"); /* '@' dropped */
    assert_non_null(id);
    assert_string_equal(id->chain, "github");
    id = find_ident(e, SHN_ID_HANDLE, "solmi_h");
    assert_non_null(id);
    assert_string_equal(id->chain, "telegram"); /* platform lower-cased */
    id = find_ident(e, SHN_ID_CRYPTO, "0x00000000000000000000000000000000000000a1");
    assert_non_null(id);
    assert_string_equal(id->chain, "ETH");
    id = find_ident(e, SHN_ID_CRYPTO, "bc1qfictional0000000000000000000000000000");
    assert_non_null(id);
    assert_string_equal(id->chain, "XBT"); /* BTC is OFAC's XBT */
    id = find_ident(e, SHN_ID_PASSPORT, "X1234567");
    assert_non_null(id);
    assert_null(id->country);
    id = find_ident(e, SHN_ID_PASSPORT, "P7654321");
    assert_non_null(id);
    assert_string_equal(id->country, "KP");
    assert_non_null(find_ident(e, SHN_ID_NATIONAL, "ID-55-0001"));
    assert_int_equal(e->n_programs, 1);
    assert_string_equal(e->programs[0], "DPRK-IT");
    assert_string_equal(e->remarks, "Fictional remote IT worker.\nSecond line.");

    e = shn__model_find(set, "custom:bl-002");
    assert_non_null(e);
    assert_string_equal(e->source, "intel"); /* its own "list" */
    assert_int_equal(e->kind, SHN_KIND_ORGANIZATION);
    assert_int_equal(e->n_dobs, 0);

    e = shn__model_find(set, "custom:bl-003");
    assert_non_null(e);
    assert_int_equal(e->kind, SHN_KIND_VESSEL);
    assert_int_equal(e->dobs[0].kind, SHN_DATE_RANGE);
    assert_int_equal(e->dobs[0].year, 1955);
    assert_int_equal(e->dobs[0].year_to, 1957);

    e = shn__model_find(set, "custom:bl-004"); /* an indicator without a name */
    assert_non_null(e);
    assert_int_equal(e->kind, SHN_KIND_UNKNOWN);
    assert_int_equal(e->n_names, 0);
    assert_int_equal(e->n_idents, 1);

    e = shn__model_find(set, "custom:bl-005");
    assert_non_null(e);
    assert_int_equal(e->kind, SHN_KIND_AIRCRAFT);
    assert_int_equal(e->dobs[0].kind, SHN_DATE_YEAR);
    assert_int_equal(e->dobs[1].kind, SHN_DATE_MONTH);
    assert_int_equal(e->dobs[1].month, 7);

    assert_int_equal(set->n_sources, 2);
    assert_string_equal(set->sources[0].name, "blocklist");
    assert_int_equal(set->sources[0].entities, 4);
    assert_string_equal(set->sources[1].name, "intel");
    assert_int_equal(set->sources[1].entities, 1);
    assert_string_equal(set->sources[0].path, FIXTURES "/blocklist.jsonl");
    assert_int_equal(strlen(set->sources[0].date), 10); /* YYYY-MM-DD from mtime */
    shn_screen_listset_free(set);
}

static void crlf_and_missing_final_newline(void **state)
{
    struct shn_listset *set = new_set();
    (void)state;
    assert_int_equal(shn_screen_load_custom(set, FIXTURES "/crlf.jsonl", NULL), SHN_OK);
    assert_int_equal(shn_screen_listset_count(set), 2);
    assert_string_equal(shn__model_find(set, "custom:crlf-2")->names[0].text, "Second Crlf");
    assert_string_equal(set->sources[0].name, "crlf");
    shn_screen_listset_free(set);
}

static void empty_list_is_allowed(void **state)
{
    struct shn_listset *set = new_set();
    (void)state;
    assert_int_equal(shn_screen_load_custom(set, FIXTURES "/empty.jsonl", NULL), SHN_OK);
    assert_int_equal(shn_screen_listset_count(set), 0);
    assert_int_equal(set->n_sources, 1); /* recorded, with 0 entities */
    assert_string_equal(set->sources[0].name, "empty");
    assert_int_equal(set->sources[0].entities, 0);
    shn_screen_listset_free(set);
}

/* Issue 12 F15: a custom list holds people's data; an error about a bad
 * value names the file, line and field, and shows the value's shape only. */
static void regression_errors_repeat_no_personal_value(void **state)
{
    static const struct {
        const char *text, *field, *shape;
    } cases[] = {
        {"{\"id\": \"a\", \"name\": \"Tanaka\", \"emails\": [\"tanaka@@example.jp\"]}", "emails[0]",
         "\"xxxxxx@@xxxxxxx.xx\""},
        {"{\"id\": \"a\", \"name\": \"Tanaka\", \"phones\": [\"090-1234-5678 山田\"]}", "phones[0]",
         "\"999-9999-9999 **\""},
        {"{\"id\": \"a\", \"name\": \"Tanaka\", \"birth_dates\": [\"1985/13/01\"]}",
         "birth_dates[0]", "\"9999/99/99\""},
        {"{\"id\": \"a\", \"name\": \"Tanaka\", \"kind\": \"山田太郎\"}", "kind", "\"****\""},
        {"{\"id\": \"a\", \"name\": \"山田\\u0000太郎\"}", "name", "'\"**\\u0000**\"'"},
        {"{\"id\": \"a\", \"name\": \"Tanaka\" \"Taro\"}", "name", "'\"xxxx\"'"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct shn_listset *set = new_set();
        struct shn_diag d = {0};
        char text[512];
        int n = snprintf(text, sizeof text, "%s\n", cases[i].text);
        assert_int_equal(
            shn__screen_load_custom_mem(set, text, (size_t)n, "t.jsonl", "t", NULL, &d),
            SHN_ERR_PARSE);
        shn_diag_format(&d, text, sizeof text);
        if (d.line != 1 || strcmp(d.file, "t.jsonl") != 0 || strcmp(d.field, cases[i].field) != 0 ||
            !strstr(d.message, cases[i].shape) || strstr(text, "tanaka") || strstr(text, "Taro") ||
            strstr(text, "山田") || strstr(text, "1234") || strstr(text, "1985"))
            fail_msg("case %zu: %s (field '%s')", i, text, d.field);
        shn_screen_listset_free(set);
    }
}

struct bad_case {
    const char *text;
    int rc;
    long line;
    const char *field;
};

/* Each input fails at `line`, naming `field`; the set stays empty because
 * every line is checked before any is added. */
static void each_error_names_line_and_field(void **state)
{
    static const char ok[] = "{\"id\": \"ok-1\", \"name\": \"Fictional Person\"}\n";
    static const struct bad_case cases[] = {
        {"{\"name\": \"No Id\"}", SHN_ERR_PARSE, 2, "id"},
        {"{\"id\": 7, \"name\": \"Number Id\"}", SHN_ERR_PARSE, 2, "id"},
        {"{\"id\": \"   \", \"name\": \"Blank Id\"}", SHN_ERR_PARSE, 2, "id"},
        {"{\"id\": \"ok-1\", \"name\": \"Again\"}", SHN_ERR_PARSE, 2, "id"},
        /* JSON errors name the key being read (docs/mask.md) */
        {"{\"id\": \"a\", \"id\": \"b\", \"name\": \"Dup Key\"}", SHN_ERR_PARSE, 2, "id"},
        {"{\"id\": \"a\", \"name\": \"Cut", SHN_ERR_PARSE, 2, "name"},
        {"[\"not\", \"an\", \"object\"]", SHN_ERR_PARSE, 2, ""},
        {"\"just a string\"", SHN_ERR_PARSE, 2, ""},
        {"{\"id\": \"a\", \"kind\": \"persn\", \"name\": \"X\"}", SHN_ERR_PARSE, 2, "kind"},
        {"{\"id\": \"a\", \"list\": \"ofac\", \"name\": \"X\"}", SHN_ERR_PARSE, 2, "list"},
        {"{\"id\": \"a\", \"list\": \"has space\", \"name\": \"X\"}", SHN_ERR_PARSE, 2, "list"},
        {"{\"id\": \"a\", \"name\": 5}", SHN_ERR_PARSE, 2, "name"},
        {"{\"id\": \"a\", \"name\": \"\"}", SHN_ERR_PARSE, 2, "name"},
        {"{\"id\": \"a\", \"kind\": \"person\"}", SHN_ERR_PARSE, 2, "name"},
        {"{\"id\": \"a\", \"name\": \"X\", \"aliases\": \"Y\"}", SHN_ERR_PARSE, 2, "aliases"},
        {"{\"id\": \"a\", \"name\": \"X\", \"aliases\": [\"Y\", 3]}", SHN_ERR_PARSE, 2,
         "aliases[1]"},
        {"{\"id\": \"a\", \"name\": \"X\", \"weak_aliases\": [\"a\\tb\"]}", SHN_ERR_PARSE, 2,
         "weak_aliases[0]"},
        {"{\"id\": \"a\", \"name\": \"X\", \"birth_dates\": [\"1984-13-01\"]}", SHN_ERR_PARSE, 2,
         "birth_dates[0]"},
        {"{\"id\": \"a\", \"name\": \"X\", \"birth_dates\": [\"1984\", \"1983-02-29\"]}",
         SHN_ERR_PARSE, 2, "birth_dates[1]"},
        {"{\"id\": \"a\", \"name\": \"X\", \"birth_dates\": [\"circa 60\"]}", SHN_ERR_PARSE, 2,
         "birth_dates[0]"},
        {"{\"id\": \"a\", \"name\": \"X\", \"birth_dates\": [\"1957 to 1955\"]}", SHN_ERR_PARSE, 2,
         "birth_dates[0]"},
        {"{\"id\": \"a\", \"name\": \"X\", \"nationalities\": [[]]}", SHN_ERR_PARSE, 2,
         "nationalities[0]"},
        {"{\"id\": \"a\", \"emails\": [\"not-an-address\"]}", SHN_ERR_PARSE, 2, "emails[0]"},
        {"{\"id\": \"a\", \"phones\": [\"call me\"]}", SHN_ERR_PARSE, 2, "phones[0]"},
        {"{\"id\": \"a\", \"handles\": [\"x\"]}", SHN_ERR_PARSE, 2, "handles"},
        {"{\"id\": \"a\", \"handles\": {\"github\": \"x\"}}", SHN_ERR_PARSE, 2, "handles.github"},
        {"{\"id\": \"a\", \"handles\": {\"github\": [\"a b\"]}}", SHN_ERR_PARSE, 2,
         "handles.github[0]"},
        {"{\"id\": \"a\", \"handles\": {\"git hub\": [\"ab\"]}}", SHN_ERR_PARSE, 2,
         "handles.git hub"},
        {"{\"id\": \"a\", \"wallets\": [\"0xabc\"]}", SHN_ERR_PARSE, 2, "wallets[0]"},
        {"{\"id\": \"a\", \"wallets\": [{\"address\": \"0xabc\"}]}", SHN_ERR_PARSE, 2,
         "wallets[0].chain"},
        {"{\"id\": \"a\", \"wallets\": [{\"chain\": \"E-TH\", \"address\": \"0xabc\"}]}",
         SHN_ERR_PARSE, 2, "wallets[0].chain"},
        {"{\"id\": \"a\", \"wallets\": [{\"chain\": \"ETH\"}]}", SHN_ERR_PARSE, 2,
         "wallets[0].address"},
        {"{\"id\": \"a\", \"passports\": [{\"country\": \"KP\"}]}", SHN_ERR_PARSE, 2,
         "passports[0].number"},
        {"{\"id\": \"a\", \"id_numbers\": [12]}", SHN_ERR_PARSE, 2, "id_numbers[0]"},
        {"{\"id\": \"a\", \"name\": \"X\", \"programs\": {}}", SHN_ERR_PARSE, 2, "programs"},
        {"{\"id\": \"a\", \"name\": \"X\", \"remarks\": [\"r\"]}", SHN_ERR_PARSE, 2, "remarks"},
        {"{\"id\": \"a\", \"name\": \"X\", \"remarks\": \"bell\\u0007\"}", SHN_ERR_PARSE, 2,
         "remarks"},
        {"{\"id\": \"a\", \"name\": \"X\\u0000Y\"}", SHN_ERR_PARSE, 2, "name"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct shn_listset *set = new_set();
        struct shn_diag d = {0};
        char text[1024];
        int n = snprintf(text, sizeof text, "%s%s\n{\"id\": \"later\", \"name\": \"Z\"}\n", ok,
                         cases[i].text);
        int rc = shn__screen_load_custom_mem(set, text, (size_t)n, "t.jsonl", "t", NULL, &d);

        if (rc != cases[i].rc || d.line != cases[i].line || strcmp(d.field, cases[i].field) != 0)
            fail_msg("case %zu (%s): rc %d line %ld field \"%s\" message \"%s\"", i, cases[i].text,
                     rc, d.line, d.field, d.message);
        assert_string_equal(d.file, "t.jsonl");
        assert_true(d.message[0] != '\0');
        assert_int_equal(shn_screen_listset_count(set), 0);
        assert_int_equal(set->n_sources, 0);
        shn_screen_listset_free(set);
    }
}

static void json_syntax_error_has_column(void **state)
{
    static const char text[] = "{\"id\": \"a\" \"name\": \"X\"}\n";
    struct shn_listset *set = new_set();
    struct shn_diag d = {0};
    (void)state;
    assert_int_equal(
        shn__screen_load_custom_mem(set, text, sizeof text - 1, "c.jsonl", "c", NULL, &d),
        SHN_ERR_PARSE);
    assert_int_equal(d.line, 1);
    assert_true(d.column > 1);
    shn_screen_listset_free(set);
}

static void invalid_utf8_is_an_encoding_error(void **state)
{
    static const char text[] = "{\"id\": \"a\", \"name\": \"Good\"}\n"
                               "{\"id\": \"b\", \"name\": \"Bad \xC3\x28\"}\n";
    static const char overlong[] = "{\"id\": \"b\", \"name\": \"\xC0\xAF\"}\n";
    struct shn_listset *set = new_set();
    struct shn_diag d = {0};
    (void)state;
    assert_int_equal(
        shn__screen_load_custom_mem(set, text, sizeof text - 1, "u.jsonl", "u", NULL, &d),
        SHN_ERR_ENCODING);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.column, 26); /* 1-based byte of the bad sequence */
    assert_int_equal(
        shn__screen_load_custom_mem(set, overlong, sizeof overlong - 1, "u.jsonl", "u", NULL, &d),
        SHN_ERR_ENCODING);
    assert_int_equal(d.line, 1);
    assert_int_equal(shn_screen_listset_count(set), 0);
    shn_screen_listset_free(set);
}

static void oversize_line_is_too_large(void **state)
{
    size_t body = SHN_CUSTOM_MAX_LINE; /* the whole line is longer than this */
    size_t len = 0;
    char *text = malloc(body + 256);
    struct shn_listset *set = new_set();
    struct shn_diag d = {0};
    (void)state;

    assert_non_null(text);
    len += (size_t)snprintf(text, 256, "# comment\n{\"id\": \"big\", \"remarks\": \"");
    memset(text + len, 'a', body);
    len += body;
    len += (size_t)snprintf(text + len, 256, "\", \"name\": \"X\"}\n");
    assert_int_equal(shn__screen_load_custom_mem(set, text, len, "big.jsonl", "big", NULL, &d),
                     SHN_ERR_TOO_LARGE);
    assert_int_equal(d.line, 2);
    assert_int_equal(shn_screen_listset_count(set), 0);
    shn_screen_listset_free(set);
    free(text);
}

static void oversize_field_is_too_large(void **state)
{
    char text[2048];
    struct shn_listset *set = new_set();
    struct shn_diag d = {0};
    int n = snprintf(text, sizeof text, "{\"id\": \"%0300d\", \"name\": \"X\"}\n", 1);
    (void)state;
    assert_int_equal(shn__screen_load_custom_mem(set, text, (size_t)n, "f.jsonl", "f", NULL, &d),
                     SHN_ERR_TOO_LARGE);
    assert_string_equal(d.field, "id");
    shn_screen_listset_free(set);
}

static void ids_are_unique_across_custom_lists(void **state)
{
    struct shn_listset *set = new_set();
    struct shn_diag d = {0};
    (void)state;
    assert_int_equal(shn_screen_load_custom(set, FIXTURES "/blocklist.jsonl", &d), SHN_OK);
    assert_int_equal(shn_screen_load_custom(set, FIXTURES "/blocklist.jsonl", &d), SHN_ERR_PARSE);
    assert_int_equal(d.line, 3); /* the first entry's line */
    assert_string_equal(d.field, "id");
    assert_string_equal(d.file, FIXTURES "/blocklist.jsonl");
    assert_int_equal(shn_screen_listset_count(set), 5);
    shn_screen_listset_free(set);
}

static void file_name_must_make_a_list_name(void **state)
{
    static const char text[] = "{\"id\": \"a\", \"name\": \"X\"}\n";
    static const char named[] = "{\"id\": \"a\", \"list\": \"mine\", \"name\": \"X\"}\n";
    struct shn_listset *set = new_set();
    struct shn_diag d = {0};
    (void)state;
    assert_int_equal(shn__screen_load_custom_mem(set, text, sizeof text - 1, "my list.jsonl",
                                                 "my list", NULL, &d),
                     SHN_ERR_PARSE);
    assert_string_equal(d.field, "list");
    /* an explicit "list" needs no usable file name */
    assert_int_equal(shn__screen_load_custom_mem(set, named, sizeof named - 1, "my list.jsonl",
                                                 "my list", NULL, &d),
                     SHN_OK);
    assert_string_equal(set->entities[0]->source, "mine");
    shn_screen_listset_free(set);
}

static void missing_file_is_io_error(void **state)
{
    struct shn_listset *set = new_set();
    struct shn_diag d = {0};
    (void)state;
    assert_int_equal(shn_screen_load_custom(set, FIXTURES "/absent.jsonl", &d), SHN_ERR_IO);
    assert_string_equal(d.file, FIXTURES "/absent.jsonl");
    shn_screen_listset_free(set);
}

/* Fail the Nth allocation for every N until the load succeeds: each failure
 * must be a clean SHN_ERR_NOMEM (the sanitizer build checks for leaks). */
static void allocation_failures_are_clean(void **state)
{
    int rc = SHN_ERR_NOMEM;
    (void)state;
    for (long n = 0; rc == SHN_ERR_NOMEM && n < 10000; n++) {
        struct shn_listset *set = NULL;
        struct shn_diag d = {0};

        shn_alloc_fail_after(n);
        rc = shn_screen_listset_new(&set);
        if (rc == SHN_OK)
            rc = shn_screen_load_custom(set, FIXTURES "/blocklist.jsonl", &d);
        shn_alloc_fail_after(-1);
        assert_true(rc == SHN_OK || rc == SHN_ERR_NOMEM);
        if (rc == SHN_OK)
            assert_int_equal(shn_screen_listset_count(set), 5);
        shn_screen_listset_free(set);
    }
    assert_int_equal(rc, SHN_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_file_loads_every_field),
        cmocka_unit_test(crlf_and_missing_final_newline),
        cmocka_unit_test(empty_list_is_allowed),
        cmocka_unit_test(each_error_names_line_and_field),
        cmocka_unit_test(regression_errors_repeat_no_personal_value),
        cmocka_unit_test(json_syntax_error_has_column),
        cmocka_unit_test(invalid_utf8_is_an_encoding_error),
        cmocka_unit_test(oversize_line_is_too_large),
        cmocka_unit_test(oversize_field_is_too_large),
        cmocka_unit_test(ids_are_unique_across_custom_lists),
        cmocka_unit_test(file_name_must_make_a_list_name),
        cmocka_unit_test(missing_file_is_io_error),
        cmocka_unit_test(allocation_failures_are_clean),
    };

    shn_log_set_level(SHN_LOG_ERROR); /* the fixtures warn on purpose */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
