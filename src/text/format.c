/* The text form of a check for people (the score, the script mix, the text
 * with the findings marked, one line per finding), and the error object of
 * one line of a batch. */
#include "shinsa/core/buf.h"
#include "shinsa/core/utf8.h"
#include "text_internal.h"

/* The text with each finding's span marked: « » and the finding's number,
 * or bold red on a terminal. */
static int marked(const char *text, size_t len, const struct shn_text_result *r, bool color,
                  struct shn_buf *b)
{
    size_t ci = 0;
    int rc = SHN_OK;

    for (size_t i = 0; rc == SHN_OK && i <= len;) {
        /* closes, then opens, at character ci */
        for (size_t k = 0; rc == SHN_OK && k < r->count; k++)
            if (r->findings[k].end == ci && r->findings[k].end > r->findings[k].start)
                rc = shn_buf_appendf(b, color ? "\033[0m[%zu]" : "»[%zu]", k + 1);
        for (size_t k = 0; rc == SHN_OK && k < r->count; k++)
            if (r->findings[k].start == ci && r->findings[k].end > r->findings[k].start)
                rc = shn_buf_append_str(b, color ? "\033[1;4;31m" : "«");
        if (rc != SHN_OK || i == len)
            break;
        uint32_t cp;
        size_t used = shn_utf8_decode(text + i, len - i, &cp);
        if (used == 0) {
            rc = shn_buf_append_str(b, "\xEF\xBF\xBD");
            used = 1;
        } else {
            rc = shn_buf_append(b, text + i, used);
        }
        i += used;
        ci++;
    }
    if (rc == SHN_OK && (len == 0 || text[len - 1] != '\n'))
        rc = shn_buf_append_char(b, '\n');
    return rc;
}

int shn_text_result_text(const char *text, size_t len, const struct shn_text_result *r, long line,
                         unsigned flags, struct shn_buf *b)
{
    int rc = SHN_OK;

    if (line > 0)
        rc = shn_buf_appendf(b, "line %ld: ", line);
    if (rc == SHN_OK)
        rc = shn_buf_appendf(
            b,
            "score %.3f (%s), %zu finding%s; script mix: kana %.0f%% kanji "
            "%.0f%% hangul %.0f%% latin %.0f%% other %.0f%%\n",
            r->score, r->score < SHN_TEXT_DEFAULT_THRESHOLD ? "unnatural" : "natural",
            r->total_findings, r->total_findings == 1 ? "" : "s", r->mix.kana * 100,
            r->mix.han * 100, r->mix.hangul * 100, r->mix.latin * 100, r->mix.other * 100);
    if (rc == SHN_OK && r->count)
        rc = marked(text, len, r, flags & SHN_TEXT_FORMAT_COLOR, b);
    for (size_t k = 0; rc == SHN_OK && k < r->count; k++) {
        const struct shn_text_finding *f = &r->findings[k];
        rc = shn_buf_appendf(b, "  [%zu] %zu-%zu %s (-%.2f): %s\n       %s\n", k + 1, f->start,
                             f->end, shn_text_kind_name(f->kind), f->weight, f->en, f->ja);
    }
    return rc;
}

int shn_text_line_error_json(long line, int err, struct shn_buf *b)
{
    int rc = shn_buf_appendf(b, "{\"line\": %ld, \"error\": ", line);

    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(b, shn_strerror(err));
    if (rc == SHN_OK)
        rc = shn_buf_append_char(b, '}');
    return rc;
}
