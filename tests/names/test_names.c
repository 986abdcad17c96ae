/* Name analysis: romanization of Hangul, kana, Han and other scripts, the
 * fold, honorifics and organisation suffixes, bounds and bad input. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/err.h"
#include "shinsa/names.h"

/* Removes the spaces of s into out: the keys with given names joined, as
 * the matcher joins adjacent tokens. */
static void squeeze(const char *s, char *out)
{
    while (*s) {
        if (*s != ' ')
            *out++ = *s;
        s++;
    }
    *out = '\0';
}

/* True when some variant of `name` has keys equal to `want`, either token
 * for token or with all tokens after the first joined (given names). */
static bool has_keys(const struct shn_name_forms *f, const char *want)
{
    char a[SHN_NAME_TEXT], b[SHN_NAME_TEXT];
    const char *sp = strchr(want, ' ');

    for (int i = 0; i < f->nvariants; i++) {
        const char *ks = f->v[i].keys;
        const char *ksp = strchr(ks, ' ');
        if (!strcmp(ks, want))
            return true;
        /* Compare surname exactly, given names joined. */
        if (sp && ksp && (size_t)(sp - want) == (size_t)(ksp - ks) &&
            !strncmp(ks, want, (size_t)(sp - want))) {
            squeeze(sp, a);
            squeeze(ksp, b);
            if (!strcmp(a, b))
                return true;
        }
    }
    return false;
}

static void print_forms(const char *name, const struct shn_name_forms *f)
{
    fprintf(stderr, "  %s:\n", name);
    for (int i = 0; i < f->nvariants; i++)
        fprintf(stderr, "    origin %d [%s] keys [%s]\n", f->v[i].origin, f->v[i].text,
                f->v[i].keys);
}

/* Asserts that every name in `names` shares keys with `reference`. */
static void assert_same_person(const char *reference, const char *const *names)
{
    struct shn_name_forms ref, f;

    assert_int_equal(shn_names_analyze(reference, NULL, &ref), SHN_OK);
    assert_true(ref.nvariants >= 1);
    for (size_t i = 0; names[i]; i++) {
        assert_int_equal(shn_names_analyze(names[i], NULL, &f), SHN_OK);
        if (!has_keys(&f, ref.v[0].keys)) {
            print_forms(reference, &ref);
            print_forms(names[i], &f);
            fail_msg("%s does not match %s", names[i], reference);
        }
    }
}

static void kim_yong_chol_in_four_scripts(void **state)
{
    static const char *const names[] = {
        "김영철", "Kim Yong-chol", "Gim Yeong-cheol", "キム・ヨンチョル", "KIM Yong Chol", NULL,
    };
    (void)state;
    assert_same_person("KIM, Yong Chol", names);
}

static void pak_yong_sik(void **state)
{
    static const char *const names[] = {"박영식", "Park Yong-sik", "Bak Yeong-sik", NULL};
    (void)state;
    assert_same_person("PAK, Yong Sik", names);
}

static void ri_man_gon_north_and_south(void **state)
{
    static const char *const names[] = {
        "리만건", "이만건", "リ・マンゴン", "Lee Man-geon", "Rhee Mangeon", "Yi Man Gon", NULL,
    };
    (void)state;
    assert_same_person("RI, Man Gon", names);
}

static void hangul_romanization(void **state)
{
    struct shn_name_forms f;
    (void)state;

    assert_int_equal(shn_names_analyze("김정은", NULL, &f), SHN_OK);
    assert_int_equal(f.nvariants, 1);
    assert_int_equal(f.v[0].origin, SHN_ORIGIN_HANGUL);
    assert_string_equal(f.v[0].text, "gim jeongeun");
    assert_int_equal(f.v[0].ntokens, 2);
    /* Two-syllable surname kept whole. */
    assert_int_equal(shn_names_analyze("남궁민수", NULL, &f), SHN_OK);
    assert_string_equal(f.v[0].text, "namgung minsu");
    /* Finals by representative sound; 꽃 kkot, 닭 dak. */
    assert_int_equal(shn_names_analyze("꽃 닭 읊", NULL, &f), SHN_OK);
    assert_string_equal(f.v[0].text, "kkot dak eup");
    /* Names written apart stay apart. */
    assert_int_equal(shn_names_analyze("최 룡해", NULL, &f), SHN_OK);
    assert_string_equal(f.v[0].text, "choe ryonghae");
    assert_true(has_keys(&f, "ce yonkhe"));
}

static void hanja_korean_and_mandarin(void **state)
{
    struct shn_name_forms f, ref;
    (void)state;

    assert_int_equal(shn_names_analyze("金正恩", NULL, &f), SHN_OK);
    assert_int_equal(f.nvariants, 2);
    assert_int_equal(f.v[0].origin, SHN_ORIGIN_HANJA_KO);
    assert_string_equal(f.v[0].text, "gim jeongeun"); /* 金 as a name is 김, not 금 */
    assert_int_equal(f.v[1].origin, SHN_ORIGIN_HAN_ZH);
    assert_string_equal(f.v[1].text, "jin zhengen");
    assert_int_equal(shn_names_analyze("Kim Jong Un", NULL, &ref), SHN_OK);
    assert_true(has_keys(&f, ref.v[0].keys));
    /* 李 reads 리, keyed like Ri / Lee / Yi. */
    assert_int_equal(shn_names_analyze("李萬建", NULL, &f), SHN_OK);
    assert_int_equal(shn_names_analyze("RI, Man Gon", NULL, &ref), SHN_OK);
    assert_true(has_keys(&f, ref.v[0].keys));
    /* A Chinese compound surname. */
    assert_int_equal(shn_names_analyze("欧阳修文", NULL, &f), SHN_OK);
    assert_string_equal(f.v[1].text, "ouyang xiuwen");
}

static void japanese_reading(void **state)
{
    struct shn_name_forms f;
    (void)state;

    assert_int_equal(shn_names_analyze("田中太郎", "たなかたろう", &f), SHN_OK);
    assert_int_equal(f.nvariants, 1);
    assert_int_equal(f.v[0].origin, SHN_ORIGIN_READING);
    assert_string_equal(f.v[0].text, "tanaka tarou");
    assert_string_equal(f.v[0].keys, "tanaka talo");
    assert_true(has_keys(&f, "tanaka talo"));
    /* Same keys as the passport spelling. */
    {
        struct shn_name_forms p;
        assert_int_equal(shn_names_analyze("TANAKA Taro", NULL, &p), SHN_OK);
        assert_string_equal(p.v[0].keys, f.v[0].keys);
    }
    /* Rendaku in the alignment: 山田 yamada. */
    assert_int_equal(shn_names_analyze("山田花子", "やまだはなこ", &f), SHN_OK);
    assert_string_equal(f.v[0].text, "yamada hanako");
    /* A reading with a space is split there; katakana adds a Korean reading. */
    assert_int_equal(shn_names_analyze("金正恩", "キム ジョンウン", &f), SHN_OK);
    assert_int_equal(f.v[0].origin, SHN_ORIGIN_READING);
    assert_string_equal(f.v[0].text, "kimu jonun");
    assert_true(has_keys(&f, "kim conkon"));
}

static void kana_romaji(void **state)
{
    struct shn_name_forms f;
    (void)state;

    assert_int_equal(shn_names_analyze("すずき いちろう", NULL, &f), SHN_OK);
    assert_int_equal(f.v[0].origin, SHN_ORIGIN_KANA);
    assert_string_equal(f.v[0].text, "suzuki ichirou");
    assert_int_equal(shn_names_analyze("ハットリ・シュウ", NULL, &f), SHN_OK);
    assert_string_equal(f.v[0].text, "hattori shuu");
    assert_int_equal(shn_names_analyze("ヴァイオリン ティーナ", NULL, &f), SHN_OK);
    assert_string_equal(f.v[0].text, "vaiorin tina");
    /* Korean-style readings of katakana. */
    assert_int_equal(shn_names_analyze("パク・チョル", NULL, &f), SHN_OK);
    assert_true(has_keys(&f, "pak col"));
    assert_int_equal(shn_names_analyze("チェ・リョンヘ", NULL, &f), SHN_OK);
    assert_true(has_keys(&f, "ce yonkhe"));
    assert_int_equal(shn_names_analyze("キム・ジョンウン", NULL, &f), SHN_OK);
    assert_true(has_keys(&f, "kim conkon"));
    assert_int_equal(f.v[1].origin, SHN_ORIGIN_KANA_KO);
    assert_string_equal(f.v[1].text, "kim jongun");
}

static void other_scripts(void **state)
{
    struct shn_name_forms f;
    (void)state;

    assert_int_equal(shn_names_analyze("Ким Чен Ын", NULL, &f), SHN_OK);
    assert_int_equal(f.v[0].origin, SHN_ORIGIN_OTHER);
    assert_string_equal(f.v[0].text, "kim chen yn");
    assert_int_equal(shn_names_analyze("Νίκος Παπαδόπουλος", NULL, &f), SHN_OK);
    assert_string_equal(f.v[0].text, "nikos papadopoulos");
    /* Mixed scripts: each token by its own. */
    assert_int_equal(shn_names_analyze("Kim 정은", NULL, &f), SHN_OK);
    assert_string_equal(f.v[0].text, "kim jeongeun");
}

static void latin_normalisation(void **state)
{
    struct shn_name_forms f;
    (void)state;

    assert_int_equal(shn_names_analyze("Ch'oe Ryong-hae", NULL, &f), SHN_OK);
    assert_string_equal(f.v[0].text, "choe ryonghae");
    assert_int_equal(shn_names_analyze("Kim Chŏng-ŭn", NULL, &f), SHN_OK);
    assert_string_equal(f.v[0].text, "kim chongun");
    assert_int_equal(shn_names_analyze("ＫＩＭ  Ｊｏｎｇ／Ｕｎ", NULL, &f), SHN_OK);
    assert_string_equal(f.v[0].text, "kim jong un");
    assert_int_equal(shn_names_analyze("José Müller-Lüdenscheidt", NULL, &f), SHN_OK);
    assert_string_equal(f.v[0].text, "jose mullerludenscheidt");
    assert_int_equal(shn_names_analyze("  ,;  ", NULL, &f), SHN_OK);
    assert_int_equal(f.nvariants, 0);
}

static void organisation_suffixes(void **state)
{
    struct shn_name_forms f;
    (void)state;

    assert_int_equal(shn_names_analyze("Korea Mining Development Co., Ltd.", NULL, &f), SHN_OK);
    assert_true(f.org_suffix_removed);
    assert_string_equal(f.v[0].text, "korea mining development");
    assert_int_equal(shn_names_analyze("Acme S.A.", NULL, &f), SHN_OK);
    assert_string_equal(f.v[0].text, "acme");
    assert_int_equal(shn_names_analyze("ООО Ромашка", NULL, &f), SHN_OK);
    assert_true(f.org_suffix_removed);
    assert_string_equal(f.v[0].text, "romashka");
    assert_int_equal(shn_names_analyze("朝鮮鉱業株式会社", NULL, &f), SHN_OK);
    assert_true(f.org_suffix_removed);
    assert_string_equal(f.v[1].text, "chaoxiankuangye");
    assert_int_equal(shn_names_analyze("㈱トヨタ", NULL, &f), SHN_OK);
    assert_true(f.org_suffix_removed);
    assert_string_equal(f.v[0].text, "toyota");
    assert_int_equal(shn_names_analyze("삼성전자 주식회사", NULL, &f), SHN_OK);
    assert_true(f.org_suffix_removed);
    assert_string_equal(f.v[0].text, "samseongjeonja");
    /* Short forms that are also syllables stay without a full stop. */
    assert_int_equal(shn_names_analyze("Kim Sa", NULL, &f), SHN_OK);
    assert_false(f.org_suffix_removed);
    assert_string_equal(f.v[0].text, "kim sa");
    /* Never empty: a name that is only a suffix keeps it. */
    assert_int_equal(shn_names_analyze("Limited", NULL, &f), SHN_OK);
    assert_false(f.org_suffix_removed);
    assert_string_equal(f.v[0].text, "limited");
}

static void honorifics(void **state)
{
    struct shn_name_forms f;
    (void)state;

    assert_int_equal(shn_names_analyze("Mr. Kim Jong-un", NULL, &f), SHN_OK);
    assert_true(f.honorific_removed);
    assert_string_equal(f.v[0].text, "kim jongun");
    assert_int_equal(shn_names_analyze("Dr Haji Ahmad", NULL, &f), SHN_OK);
    assert_string_equal(f.v[0].text, "ahmad");
    assert_int_equal(shn_names_analyze("김정은씨", NULL, &f), SHN_OK);
    assert_true(f.honorific_removed);
    assert_string_equal(f.v[0].text, "gim jeongeun");
    assert_int_equal(shn_names_analyze("田中様", "たなか", &f), SHN_OK);
    assert_true(f.honorific_removed);
    assert_int_equal(shn_names_analyze("リ・マンゴン さん", NULL, &f), SHN_OK);
    assert_true(f.honorific_removed);
    assert_true(has_keys(&f, "i mankon"));
    assert_int_equal(shn_names_analyze("Mr", NULL, &f), SHN_OK);
    assert_false(f.honorific_removed);
    assert_string_equal(f.v[0].text, "mr");
}

static void bad_input(void **state)
{
    struct shn_name_forms f;
    char big[2048];
    (void)state;

    memset(&f, 0x5a, sizeof(f));
    assert_int_equal(shn_names_analyze("Kim \xff Jong", NULL, &f), SHN_ERR_ENCODING);
    assert_int_equal(f.nvariants, 0x5a5a5a5a); /* untouched */
    assert_int_equal(shn_names_analyze("Kim", "\xe3\x81", &f), SHN_ERR_ENCODING);
    assert_int_equal(shn_names_analyze("\xed\xa0\x80", NULL, &f), SHN_ERR_ENCODING);
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(shn_names_analyze(big, NULL, &f), SHN_ERR_TOO_LARGE);
    big[1024] = '\0';
    assert_int_equal(shn_names_analyze(big, NULL, &f), SHN_OK);
    assert_int_equal(shn_names_analyze(NULL, NULL, &f), SHN_ERR_INVALID);
}

static void many_tokens_truncated(void **state)
{
    struct shn_name_forms f;
    char name[1024] = "";
    size_t len = 0;
    (void)state;

    for (int i = 0; i < 100; i++)
        len += (size_t)snprintf(name + len, sizeof(name) - len, "tok%d ", i);
    assert_int_equal(shn_names_analyze(name, NULL, &f), SHN_OK);
    assert_int_equal(f.nvariants, 1);
    assert_int_equal(f.v[0].ntokens, SHN_NAME_MAX_TOKENS);
    assert_true(strlen(f.v[0].text) < SHN_NAME_TEXT);
    /* One very long word is cut, not overflowed. */
    memset(name, 'x', 1000);
    name[1000] = '\0';
    assert_int_equal(shn_names_analyze(name, NULL, &f), SHN_OK);
    assert_int_equal(f.v[0].ntokens, 1);
    assert_int_equal(strlen(f.v[0].text), SHN_FOLD_MAX - 1);
    /* Long Hangul and kana runs. */
    name[0] = '\0';
    len = 0;
    for (int i = 0; i < 100; i++)
        len += (size_t)snprintf(name + len, sizeof(name) - len, "%s", i % 2 ? "김" : "ン");
    assert_int_equal(shn_names_analyze(name, NULL, &f), SHN_OK);
    assert_true(f.nvariants >= 1);
}

struct thread_job {
    const char *name;
    const char *want_text;
    int rc;
    bool ok;
};

static void *thread_main(void *arg)
{
    struct thread_job *job = arg;
    struct shn_name_forms f;

    job->ok = true;
    for (int i = 0; i < 200; i++) {
        job->rc = shn_names_analyze(job->name, NULL, &f);
        if (job->rc != SHN_OK || strcmp(f.v[0].text, job->want_text)) {
            job->ok = false;
            break;
        }
    }
    return NULL;
}

/* Each thread opens its own ICU transliterators; results do not mix. */
static void threads_have_their_own_icu(void **state)
{
    struct thread_job jobs[2] = {
        {"Ким Чен Ын", "kim chen yn", 0, false},
        {"Νίκος Παπαδόπουλος", "nikos papadopoulos", 0, false},
    };
    pthread_t th[2];
    (void)state;

    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, thread_main, &jobs[i]), 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(jobs[i].rc, SHN_OK);
        assert_true(jobs[i].ok);
    }
}

static void *one_cyrillic(void *arg)
{
    struct thread_job *job = arg;
    struct shn_name_forms f;

    job->rc = shn_names_analyze(job->name, NULL, &f);
    return NULL;
}

/* A new thread whose cache cannot be allocated fails cleanly, and Latin,
 * Hangul and kana names never allocate at all. */
static void allocation_failure(void **state)
{
    struct thread_job job = {"Ким Чен Ын", NULL, -1, false};
    struct shn_name_forms f;
    pthread_t th;
    (void)state;

    shn_alloc_fail_after(0);
    assert_int_equal(shn_names_analyze("KIM, Yong Chol", NULL, &f), SHN_OK);
    assert_int_equal(shn_names_analyze("김영철", NULL, &f), SHN_OK);
    assert_int_equal(shn_names_analyze("キム・ヨンチョル", NULL, &f), SHN_OK);
    assert_int_equal(shn_names_analyze("金正恩", NULL, &f), SHN_OK);
    assert_int_equal(pthread_create(&th, NULL, one_cyrillic, &job), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    shn_alloc_fail_after(-1);
    assert_int_equal(job.rc, SHN_ERR_NOMEM);
    assert_int_equal(pthread_create(&th, NULL, one_cyrillic, &job), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(job.rc, SHN_OK);
}

static void fold_golden_file(void **state)
{
    FILE *fp = fopen(SHN_TEST_DATA "/names/fold_examples.tsv", "r");
    char line[256], key[SHN_FOLD_MAX];
    int checked = 0;
    (void)state;

    assert_non_null(fp);
    while (fgets(line, sizeof(line), fp)) {
        char *tab = strchr(line, '\t');
        size_t n;
        if (line[0] == '#' || !tab)
            continue;
        *tab = '\0';
        n = strcspn(tab + 1, "\r\n");
        tab[1 + n] = '\0';
        shn_names_fold_token(line, strlen(line), key);
        if (strcmp(key, tab + 1))
            fail_msg("fold(%s) = %s, golden file says %s", line, key, tab + 1);
        checked++;
    }
    fclose(fp);
    assert_true(checked >= 90);
}

static void fold_properties(void **state)
{
    static const char *const japanese[] = {
        "tanaka", "suzuki", "takahashi", "yamamoto", "nakamura", "kobayashi", "sato", "watanabe",
    };
    static const char *const korean[] = {"kim", "ri",  "pak",  "choe", "jong", "o",
                                         "yun", "sin", "kang", "han",  "jang", "hong"};
    static const char *const given[][2] = {
        {"man", "gon"}, {"yong", "chol"}, {"jong", "un"}, {"kwang", "song"}, {"myong", "hak"},
    };
    static const char *const joined[] = {"mangeon", "yeongcheol", "jeongeun", "gwangseong",
                                         "myeonghak"};
    char a[SHN_FOLD_MAX], b[SHN_FOLD_MAX], ab[SHN_FOLD_MAX * 2], k[SHN_FOLD_MAX];
    (void)state;

    /* Japanese surnames stay apart from each other and from Korean ones. */
    for (size_t i = 0; i < 8; i++) {
        shn_names_fold_token(japanese[i], strlen(japanese[i]), a);
        for (size_t j = 0; j < 8; j++) {
            if (i == j)
                continue;
            shn_names_fold_token(japanese[j], strlen(japanese[j]), b);
            assert_string_not_equal(a, b);
        }
        for (size_t j = 0; j < 12; j++) {
            shn_names_fold_token(korean[j], strlen(korean[j]), b);
            assert_string_not_equal(a, b);
        }
    }
    /* fold(a) + fold(b) == fold(ab) across spellings of given names. */
    for (size_t i = 0; i < 5; i++) {
        size_t la = shn_names_fold_token(given[i][0], strlen(given[i][0]), a);
        shn_names_fold_token(given[i][1], strlen(given[i][1]), b);
        memcpy(ab, a, la);
        memcpy(ab + la, b, strlen(b) + 1);
        shn_names_fold_token(joined[i], strlen(joined[i]), k);
        assert_string_equal(ab, k);
    }
    /* Bounded output, any bytes in. */
    {
        char junk[300];
        for (size_t i = 0; i < sizeof(junk); i++)
            junk[i] = (char)(i * 37 + 1);
        assert_true(shn_names_fold_token(junk, sizeof(junk), k) < SHN_FOLD_MAX);
        assert_int_equal(shn_names_fold_token("", 0, k), 0);
        assert_string_equal(k, "");
    }
}

static double time_per_call(const char *name, const char *reading, int iterations)
{
    struct shn_name_forms f;
    struct timespec t0, t1;

    shn_names_analyze(name, reading, &f); /* opens ICU objects */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < iterations; i++)
        shn_names_analyze(name, reading, &f);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / iterations;
}

/* Not asserted: the machine is shared. Printed for docs/names.md. */
static void speed_printout(void **state)
{
    static const struct {
        const char *label, *name, *reading;
    } cases[] = {
        {"ASCII", "KIM, Yong Chol", NULL},
        {"ASCII org", "Korea Mining Development Trading Corporation", NULL},
        {"Hangul", "김영철", NULL},
        {"kana", "キム・ヨンチョル", NULL},
        {"kanji", "金正恩", NULL},
        {"kanji+reading", "田中太郎", "たなかたろう"},
        {"Cyrillic", "Ким Чен Ын", NULL},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        fprintf(stderr, "  analyze %-14s %8.0f ns/name\n", cases[i].label,
                time_per_call(cases[i].name, cases[i].reading, 20000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kim_yong_chol_in_four_scripts),
        cmocka_unit_test(pak_yong_sik),
        cmocka_unit_test(ri_man_gon_north_and_south),
        cmocka_unit_test(hangul_romanization),
        cmocka_unit_test(hanja_korean_and_mandarin),
        cmocka_unit_test(japanese_reading),
        cmocka_unit_test(kana_romaji),
        cmocka_unit_test(other_scripts),
        cmocka_unit_test(latin_normalisation),
        cmocka_unit_test(organisation_suffixes),
        cmocka_unit_test(honorifics),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(many_tokens_truncated),
        cmocka_unit_test(threads_have_their_own_icu),
        cmocka_unit_test(allocation_failure),
        cmocka_unit_test(fold_golden_file),
        cmocka_unit_test(fold_properties),
        cmocka_unit_test(speed_printout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
