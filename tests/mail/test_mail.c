/* mail engine: parsing (charsets, RFC 2047/2231, offsets, bounds), mbox
 * splitting, the checks that fire on hand-written messages, the JSON and
 * text output, exit statuses, and no alarm on SpamAssassin's own
 * legitimate test messages (read from ../shared/data at test time). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "mail_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/file.h"
#include "shinsa/mail.h"

static struct shn_mail_engine *eng;

static int setup(void **state)
{
    struct shn_mail_options o = {.indicators = "", .no_ipdb = true};
    struct shn_diag d = {0};
    (void)state;
    if (shn_mail_engine_new(&o, &eng, &d) != SHN_OK) {
        fprintf(stderr, "mail engine: %s\n", d.message);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    shn_mail_engine_free(eng);
    return 0;
}

static struct shn_mail_result *check(const char *msg)
{
    struct shn_mail_result *r = NULL;
    struct shn_diag d = {0};
    int rc = shn_mail_check(eng, msg, strlen(msg), "t.eml", 0, &r, &d);
    if (rc != SHN_OK)
        fprintf(stderr, "check: %s\n", d.message);
    assert_int_equal(rc, SHN_OK);
    return r;
}

static bool fired(const struct shn_mail_result *r, const char *id)
{
    for (size_t i = 0; i < shn_mail_result_signal_count(r); i++)
        if (strcmp(shn_mail_result_signal_id(r, i), id) == 0)
            return true;
    return false;
}

static void parse_ok(const char *msg, struct shn__mail_msg *m)
{
    struct shn_diag d = {0};
    memset(m, 0, sizeof *m);
    assert_int_equal(shn__mail_parse(msg, strlen(msg), 0, m, &d), SHN_OK);
}

static const struct shn__mail_part *first_text(const struct shn__mail_msg *m)
{
    for (size_t i = 0; i < m->n_parts; i++)
        if (m->parts[i].text)
            return &m->parts[i];
    return NULL;
}

static void charsets_decode_to_utf8(void **state)
{
    static const struct {
        const char *charset, *body, *want;
    } cases[] = {
        {"euc-kr", "\xb1\xb9\xbc\xbc\xc3\xbb \xbe\xc8\xb3\xbb", "국세청 안내"},
        {"iso-2022-jp", "\x1b$BG/6b$N$*CN$i$;\x1b(B", "年金のお知らせ"},
        {"shift_jis", "\x8e\xe6\x8d\xde\x82\xcc\x82\xa8\x8a\xe8\x82\xa2", "取材のお願い"},
        {"ks_c_5601-1987", "\xb1\xb9\xbc\xbc\xc3\xbb", "국세청"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char msg[512];
        struct shn__mail_msg m;
        snprintf(msg, sizeof msg,
                 "From: a@example.com\nSubject: t\nContent-Type: text/plain; charset=%s\n\n%s\n",
                 cases[i].charset, cases[i].body);
        parse_ok(msg, &m);
        assert_non_null(first_text(&m));
        assert_non_null(strstr(first_text(&m)->utf8, cases[i].want));
        assert_false(first_text(&m)->charset_failed);
        shn__mail_msg_cleanup(&m);
    }
}

static void unlabelled_iso2022jp_is_guessed(void **state)
{
    struct shn__mail_msg m;
    (void)state;
    parse_ok("From: a@example.com\n\n\x1b$BG/6b$N$*CN$i$;\x1b(B\n", &m);
    assert_non_null(strstr(first_text(&m)->utf8, "年金のお知らせ"));
    shn__mail_msg_cleanup(&m);
}

static void rfc2047_and_rfc2231_names(void **state)
{
    struct shn__mail_msg m;
    const struct shn__mail_part *att = NULL;
    (void)state;
    parse_ok("From: =?EUC-KR?B?uvG787DovvYgua6wxw==?= <x@example.com>\n"
             "Subject: =?ISO-2022-JP?B?GyRCRy82YiROJCpDTiRpJDsbKEI=?=\n"
             "MIME-Version: 1.0\n"
             "Content-Type: multipart/mixed; boundary=b\n\n"
             "--b\nContent-Type: text/plain\n\nhello\n"
             "--b\nContent-Type: application/octet-stream\n"
             "Content-Disposition: attachment; filename*=UTF-8''%EB%B3%B4%EB%8F%84.hwp\n"
             "Content-Transfer-Encoding: base64\n\nSFdQ\n--b--\n",
             &m);
    assert_string_equal(m.from.name, "비상계엄 문건");
    assert_string_equal(m.subject, "年金のお知らせ");
    for (size_t i = 0; i < m.n_parts; i++)
        if (m.parts[i].filename)
            att = &m.parts[i];
    assert_non_null(att);
    assert_string_equal(att->filename, "보도.hwp");
    assert_string_equal(att->path, "2");
    assert_int_equal(att->len, 3);
    assert_memory_equal(att->data, "HWP", 3);
    shn__mail_msg_cleanup(&m);
}

static void header_offsets_and_lines(void **state)
{
    static const char msg[] = "From: a@example.com\nTo: b@example.com\nSubject: folded\n"
                              " line\nReply-To: c@example.org\n\nbody\n";
    struct shn__mail_msg m;
    const struct shn__mail_header *h;
    (void)state;
    parse_ok(msg, &m);
    h = shn__mail_header_find(&m, "Reply-To", 0);
    assert_non_null(h);
    assert_int_equal(h->offset, strstr(msg, "Reply-To") - msg);
    assert_int_equal(h->line, 5);
    assert_string_equal(m.reply_to[0].domain, "example.org");
    shn__mail_msg_cleanup(&m);
}

static void bounds_are_errors(void **state)
{
    struct shn_buf b;
    struct shn__mail_msg m;
    struct shn_diag d = {0};
    (void)state;
    /* nesting past SHN_MAIL_DEPTH_MAX */
    shn_buf_init(&b, 1u << 20);
    assert_int_equal(shn_buf_append_str(&b, "From: a@example.com\n"), SHN_OK);
    for (int i = 0; i < SHN_MAIL_DEPTH_MAX + 3; i++)
        assert_int_equal(
            shn_buf_appendf(&b, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i),
            SHN_OK);
    assert_int_equal(shn_buf_append_str(&b, "Content-Type: text/plain\n\nx\n"), SHN_OK);
    memset(&m, 0, sizeof m);
    assert_int_equal(shn__mail_parse(b.data, b.len, 0, &m, &d), SHN_ERR_TOO_LARGE);
    assert_non_null(strstr(d.message, "nesting"));
    shn__mail_msg_cleanup(&m);
    /* more multipart declarations than parts allowed, before GMime */
    shn_buf_reset(&b);
    for (int i = 0; i < SHN_MAIL_PARTS_MAX + 1; i++)
        assert_int_equal(shn_buf_append_str(&b, "boundary "), SHN_OK);
    memset(&m, 0, sizeof m);
    assert_int_equal(shn__mail_parse(b.data, b.len, 0, &m, &d), SHN_ERR_TOO_LARGE);
    shn__mail_msg_cleanup(&m);
    /* too many header fields */
    shn_buf_reset(&b);
    for (int i = 0; i < SHN_MAIL_HEADERS_MAX + 1; i++)
        assert_int_equal(shn_buf_appendf(&b, "X-H%d: v\n", i), SHN_OK);
    assert_int_equal(shn_buf_append_str(&b, "\nbody\n"), SHN_OK);
    memset(&m, 0, sizeof m);
    assert_int_equal(shn__mail_parse(b.data, b.len, 0, &m, &d), SHN_ERR_TOO_LARGE);
    assert_non_null(strstr(d.message, "header"));
    shn__mail_msg_cleanup(&m);
    shn_buf_cleanup(&b);
}

struct mbox_seen {
    size_t n;
    long long offsets[4];
    char first[4][32];
};

static int on_msg(void *ctx, const char *msg, size_t len, long long offset, size_t index)
{
    struct mbox_seen *s = ctx;
    if (index < 4) {
        s->offsets[index] = offset;
        snprintf(s->first[index], sizeof s->first[0], "%.*s", (int)(len < 20 ? len : 20), msg);
    }
    s->n++;
    return 0;
}

static void mbox_splits_on_from_lines(void **state)
{
    static const char mbox[] = "From a@x Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody\n"
                               "From here on (not a separator)\n\n"
                               "From b@x Mon Jan  1 00:00:00 2024\nSubject: two\n\n>From q\n";
    struct mbox_seen s = {0};
    struct shn_diag d = {0};
    (void)state;
    assert_int_equal(shn_mail_mbox_each(mbox, strlen(mbox), on_msg, &s, &d), SHN_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.first[0], "Subject: one\n\nbody\nF");
    assert_int_equal(s.offsets[1], strstr(mbox, "Subject: two") - mbox);
    assert_int_equal(shn_mail_mbox_each("Subject: x\n", 11, on_msg, &s, &d), SHN_ERR_PARSE);
}

static void spoofed_tax_office_is_phishing(void **state)
{
    struct shn_mail_result *r;
    struct shn_buf b;
    (void)state;
    r = check("From: \"국세청\" <nts.refund@gmail.com>\nTo: kim@example.co.kr\n"
              "Subject: 종합소득세 환급금 안내\nContent-Type: text/html; charset=utf-8\n\n"
              "<p>세금 환급: <a href=\"http://nid.naver.com.login.kro.kr/nidlogin.login\">"
              "https://www.nts.go.kr</a></p>\n");
    assert_true(fired(r, "identity_display_name"));
    assert_true(fired(r, "identity_freemail_org"));
    assert_true(fired(r, "link_dyndns_kr"));
    assert_true(fired(r, "link_text_mismatch"));
    assert_true(fired(r, "link_portal_login"));
    assert_true(fired(r, "lure_theme"));
    assert_int_equal(shn_mail_result_verdict(r), SHN_MAIL_PHISHING);
    assert_true(shn_mail_result_dprk_score(r) > 0.8);
    shn_buf_init(&b, 1u << 20);
    assert_int_equal(shn_mail_result_json(r, "ja", &b), SHN_OK);
    assert_non_null(strstr(b.data, "\"verdict\":\"phishing\""));
    assert_non_null(strstr(b.data, "\"attack\":\"T1568\""));
    assert_non_null(strstr(b.data, "\"where\":\"header From\",\"offset\":0,\"line\":1"));
    assert_non_null(strstr(b.data, "韓国の無料ダイナミックDNS"));
    assert_non_null(strstr(b.data, "\"unknowns\":[{\"check\":\"origin\""));
    shn_buf_reset(&b);
    assert_int_equal(shn_mail_result_text(r, "ko", &b), SHN_OK);
    assert_non_null(strstr(b.data, "LINK_DYNDNS_KR"));
    assert_non_null(strstr(b.data, "국내 무료 동적 DNS"));
    shn_buf_cleanup(&b);
    shn_mail_result_free(r);
}

static void lookalike_domains(void **state)
{
    static const struct {
        const char *from;
        bool want;
    } cases[] = {
        {"a@naver-security.com", true}, /* the name with words around it */
        {"a@nauer.com", true},          /* one edit */
        {"a@navre.com", true},          /* a transposition */
        {"a@naver.co", true},           /* the name under another suffix */
        {"a@xn--nver-53d.com", true},   /* Cyrillic а: confusable */
        {"a@mail.naver.com", false},    /* the real one */
        {"a@example.org", false},       {"a@paper.com", false},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char msg[256];
        struct shn_mail_result *r;
        snprintf(msg, sizeof msg, "From: %s\nSubject: hi\n\nhello\n", cases[i].from);
        r = check(msg);
        if (fired(r, "identity_lookalike_domain") != cases[i].want)
            fail_msg("%s: lookalike %s", cases[i].from, cases[i].want ? "missed" : "false");
        shn_mail_result_free(r);
    }
}

static void dmarc_none_with_reply_to_elsewhere(void **state)
{
    struct shn_mail_options o = {.indicators = "", .no_ipdb = true};
    struct shn_mail_engine *e2 = NULL;
    struct shn_mail_result *r = NULL;
    struct shn_diag d = {0};
    char cfg[] = "/tmp/shn_mail_cfgXXXXXX";
    int fd = mkstemp(cfg);
    static const char json[] = "{\"trusted_relays\": [\"mx.example.jp\", \"192.0.2.0/24\"],"
                               " \"authserv_ids\": [\"mx.example.jp\"]}";
    static const char msg[] =
        "Received: from mail.thinktank.example (unknown [203.0.113.9])\n"
        "\tby mx.example.jp (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 00:00:00 +0900\n"
        "Authentication-Results: mx.example.jp; spf=fail smtp.mailfrom=kinu.or.kr;\n"
        " dkim=none; dmarc=fail (p=none dis=none) header.from=kinu.or.kr\n"
        "Authentication-Results: evil.example; dmarc=pass header.from=kinu.or.kr\n"
        "From: \"KINU\" <research@kinu.or.kr>\nReply-To: kinu.research@gmail.com\n"
        "Subject: 자문 요청\n\n안녕하십니까\n";
    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
    close(fd);
    o.config_path = cfg;
    assert_int_equal(shn_mail_engine_new(&o, &e2, &d), SHN_OK);
    assert_int_equal(shn_mail_check(e2, msg, strlen(msg), "t", 0, &r, &d), SHN_OK);
    assert_true(fired(r, "auth_dmarc_fail"));
    assert_true(fired(r, "auth_spf_fail"));
    assert_true(fired(r, "identity_dmarc_none_reply_to"));
    assert_true(shn_mail_result_verdict(r) >= SHN_MAIL_SUSPICIOUS);
    {
        struct shn_buf b;
        shn_buf_init(&b, 1u << 20);
        assert_int_equal(shn_mail_result_json(r, "en", &b), SHN_OK);
        assert_non_null(strstr(b.data, "\"ip\":\"203.0.113.9\""));
        shn_buf_cleanup(&b);
    }
    shn_mail_result_free(r);
    shn_mail_engine_free(e2);
    unlink(cfg);
}

static void config_errors_name_the_key(void **state)
{
    struct shn_mail_options o = {.indicators = "", .no_ipdb = true};
    struct shn_mail_engine *e2 = NULL;
    struct shn_diag d = {0};
    char cfg[] = "/tmp/shn_mail_cfgXXXXXX";
    int fd = mkstemp(cfg);
    static const char json[] = "{\"weights\": {\"link_dyndnz\": 2}}";
    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
    close(fd);
    o.config_path = cfg;
    assert_int_equal(shn_mail_engine_new(&o, &e2, &d), SHN_ERR_PARSE);
    assert_null(e2);
    assert_non_null(strstr(d.message, "link_dyndnz"));
    unlink(cfg);
}

static void plain_mail_is_clean_and_exit_codes(void **state)
{
    struct shn_mail_result *r;
    (void)state;
    r = check("From: Taro <taro@example.co.jp>\nTo: b@example.co.jp\nSubject: 会議の件\n"
              "Content-Type: text/plain; charset=utf-8\n\n明日の会議は10時からです。\n"
              "資料: https://www.example.co.jp/docs/agenda.pdf\n");
    assert_int_equal(shn_mail_result_verdict(r), SHN_MAIL_CLEAN);
    assert_int_equal(shn_mail_result_signal_count(r), 0);
    shn_mail_result_free(r);
    assert_int_equal(shn_mail_exit_status(SHN_MAIL_CLEAN), 0);
    assert_int_equal(shn_mail_exit_status(SHN_MAIL_SUSPICIOUS), 3);
    assert_int_equal(shn_mail_exit_status(SHN_MAIL_PHISHING), 4);
}

static void attachment_names(void **state)
{
    struct shn_mail_result *r;
    (void)state;
    r = check("From: a@example.com\nSubject: 자료\nMIME-Version: 1.0\n"
              "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nx\n"
              "--b\nContent-Type: application/octet-stream; name=\"=?UTF-8?B?"
              "67O064+E7J6Q66OMLmh3cC5sbms=?=\"\nContent-Disposition: attachment\n\nabc\n"
              "--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment;"
              " filename=\"invoice\xe2\x80\xae"
              "fdp.scr\"\n\nabc\n"
              "--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment;"
              " filename=\"report.pdf          .iso\"\n\nabc\n--b--\n");
    assert_true(fired(r, "attach_double_extension")); /* 보도자료.hwp.lnk */
    assert_true(fired(r, "attach_rtl_override"));
    assert_true(fired(r, "attach_padded_name"));
    assert_true(fired(r, "attach_disk_image"));
    assert_true(fired(r, "attach_executable"));
    shn_mail_result_free(r);
}

/* A message with one base64 attachment and a text body. */
static char *with_attachment(const char *body, const char *name, const unsigned char *data,
                             size_t len)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    struct shn_buf b;
    shn_buf_init(&b, 8u << 20);
    assert_int_equal(shn_buf_appendf(&b,
                                     "From: a@example.com\nSubject: files\nMIME-Version: 1.0\n"
                                     "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
                                     "Content-Type: text/plain; charset=utf-8\n\n%s\n--b\n"
                                     "Content-Type: application/octet-stream\n"
                                     "Content-Disposition: attachment; filename=\"%s\"\n"
                                     "Content-Transfer-Encoding: base64\n\n",
                                     body, name),
                     SHN_OK);
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16 | (i + 1 < len ? (uint32_t)data[i + 1] << 8 : 0) |
                     (i + 2 < len ? data[i + 2] : 0);
        char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63], i + 1 < len ? b64[v >> 6 & 63] : '=',
                     i + 2 < len ? b64[v & 63] : '='};
        assert_int_equal(shn_buf_append(&b, q, 4), SHN_OK);
        if (i % 57 == 54)
            assert_int_equal(shn_buf_append_char(&b, '\n'), SHN_OK);
    }
    assert_int_equal(shn_buf_append_str(&b, "\n--b--\n"), SHN_OK);
    return b.data;
}

static struct shn_mail_result *check_file_attachment(const char *body, const char *name,
                                                     const char *fixture)
{
    char path[1024], *data = NULL, *msg;
    size_t len = 0;
    struct shn_mail_result *r;
    snprintf(path, sizeof path, "%s/../../fuzz/corpus/%s", SHN_TEST_DATA, fixture);
    assert_int_equal(shn_file_read(path, 1u << 20, &data, &len, NULL), SHN_OK);
    msg = with_attachment(body, name, (const unsigned char *)data, len);
    r = check(msg);
    shn_free(msg);
    shn_free(data);
    return r;
}

static void hwp_and_office_objects(void **state)
{
    struct shn_mail_result *r;
    (void)state;
    r = check_file_attachment("자료 송부", "보도자료.hwp", "fuzz_mail_ole/hwp_eps.hwp");
    assert_true(fired(r, "attach_hwp_eps"));
    shn_mail_result_free(r);
    r = check_file_attachment("자료", "설문.hwp", "fuzz_mail_ole/hwp_script.hwp");
    assert_true(fired(r, "attach_hwp_script"));
    assert_false(fired(r, "attach_hwp_eps"));
    shn_mail_result_free(r);
    r = check_file_attachment("see attached", "report.doc", "fuzz_mail_ole/office_macro.doc");
    assert_true(fired(r, "attach_office_macro"));
    shn_mail_result_free(r);
    r = check_file_attachment("resume", "resume.pdf", "fuzz_mail_lnk/powershell.lnk");
    assert_true(fired(r, "attach_lnk_command"));
    assert_true(fired(r, "attach_type_mismatch")); /* a shortcut named .pdf */
    shn_mail_result_free(r);
}

/* An encrypted zip (ZipCrypto) with a shortcut inside, written with
 * libarchive. */
static unsigned char *encrypted_zip(const char *password, size_t *len)
{
    static unsigned char buf[1u << 16];
    static const char member[] = "L\0\0\0 not really a link, but named like one";
    struct archive *a = archive_write_new();
    struct archive_entry *e = archive_entry_new();
    size_t used = 0;
    assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
    assert_int_equal(archive_write_set_options(a, "zip:encryption=zipcrypt"), ARCHIVE_OK);
    assert_int_equal(archive_write_set_passphrase(a, password), ARCHIVE_OK);
    assert_int_equal(archive_write_open_memory(a, buf, sizeof buf, &used), ARCHIVE_OK);
    archive_entry_set_pathname(e, "계약서.pdf.lnk");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, sizeof member - 1);
    assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
    assert_int_equal(archive_write_data(a, member, sizeof member - 1),
                     (la_ssize_t)sizeof member - 1);
    archive_entry_free(e);
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    *len = used;
    return buf;
}

static void encrypted_archive_opened_with_body_password(void **state)
{
    size_t len = 0;
    unsigned char *zip = encrypted_zip("kinu2024!", &len);
    char *msg;
    struct shn_mail_result *r;
    (void)state;
    msg = with_attachment("첨부 파일의 비밀번호는 kinu2024! 입니다.", "자료.zip", zip, len);
    r = check(msg);
    assert_true(fired(r, "attach_archive_encrypted"));
    assert_true(fired(r, "attach_archive_password_in_body"));
    assert_true(fired(r, "attach_double_extension")); /* the member's name */
    shn_mail_result_free(r);
    shn_free(msg);
    msg = with_attachment("no password here", "data.zip", zip, len);
    r = check(msg);
    assert_true(fired(r, "attach_archive_encrypted"));
    assert_false(fired(r, "attach_archive_password_in_body"));
    shn_mail_result_free(r);
    shn_free(msg);
}

/* SpamAssassin's legitimate test messages: none may be flagged. */
static void spamassassin_nice_is_clean(void **state)
{
    char dir[1024];
    DIR *d;
    struct dirent *de;
    size_t n = 0, flagged = 0;
    (void)state;
    snprintf(dir, sizeof dir, "%s/mail/spamassassin/nice", SHN_SHARED_DATA);
    if (!(d = opendir(dir))) {
        printf("SKIP: %s not found\n", dir);
        return;
    }
    while ((de = readdir(d))) {
        char path[1400], *data = NULL;
        size_t len = 0;
        struct shn_mail_result *r = NULL;
        struct shn_diag diag = {0};
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (shn_file_read(path, SHN_MAIL_MESSAGE_MAX, &data, &len, NULL) != SHN_OK)
            continue; /* a folder (nice/cjk) */
        if (shn_mail_check(eng, data, len, de->d_name, 0, &r, &diag) == SHN_OK) {
            n++;
            if (shn_mail_result_verdict(r) != SHN_MAIL_CLEAN) {
                struct shn_buf b;
                flagged++;
                shn_buf_init(&b, 1u << 20);
                shn_mail_result_text(r, "en", &b);
                printf("flagged: %s", b.data);
                shn_buf_cleanup(&b);
            }
            shn_mail_result_free(r);
        }
        shn_free(data);
    }
    closedir(d);
    printf("spamassassin nice: %zu messages, %zu flagged\n", n, flagged);
    assert_true(n >= 40);
    assert_int_equal(flagged, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(charsets_decode_to_utf8),
        cmocka_unit_test(unlabelled_iso2022jp_is_guessed),
        cmocka_unit_test(rfc2047_and_rfc2231_names),
        cmocka_unit_test(header_offsets_and_lines),
        cmocka_unit_test(bounds_are_errors),
        cmocka_unit_test(mbox_splits_on_from_lines),
        cmocka_unit_test(spoofed_tax_office_is_phishing),
        cmocka_unit_test(lookalike_domains),
        cmocka_unit_test(dmarc_none_with_reply_to_elsewhere),
        cmocka_unit_test(config_errors_name_the_key),
        cmocka_unit_test(plain_mail_is_clean_and_exit_codes),
        cmocka_unit_test(attachment_names),
        cmocka_unit_test(hwp_and_office_objects),
        cmocka_unit_test(encrypted_archive_opened_with_body_password),
        cmocka_unit_test(spamassassin_nice_is_clean),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
