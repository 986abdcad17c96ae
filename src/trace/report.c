/* The report: patterns as JSON, and one self-contained HTML page (tables of
 * exits, holders and patterns, an SVG flow chart of the main paths; no
 * script, no network). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "trace_internal.h"

#define COLS 7    /* hop columns in the chart: 0..5 and "6+" */
#define PER_COL 6 /* nodes per column */

int shn_trace_patterns_json(const struct shn_trace_graph *g, const struct shn_trace_pattern *p,
                            size_t n, struct shn_buf *out)
{
    char abuf[SHN_TRACE_ADDRESS_BUF];
    int rc = shn_buf_append_char(out, '[');
    for (size_t i = 0; rc == SHN_OK && i < n; i++) {
        rc = shn_buf_append_str(out, i ? ",\n  {\"address\": " : "\n  {\"address\": ");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(out, shn_trace_graph_address(g, p[i].address, abuf));
        if (rc == SHN_OK)
            rc = shn_buf_appendf(
                out, ", \"pattern\": \"%s\", \"evidence\": ", shn_trace_pattern_name(p[i].kind));
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(out, p[i].evidence);
        if (rc == SHN_OK)
            rc = shn_buf_append_char(out, '}');
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_char(out, ']');
    return rc;
}

static void amount(shn_u128 v, char *buf, size_t size)
{
    shn_trace_u128_format(v, buf, size);
}

static int cmp_tainted_desc(const void *pa, const void *pb)
{
    const struct shn_trace_entry *const *a = pa, *const *b = pb;
    if ((*a)->tainted != (*b)->tainted)
        return (*a)->tainted > (*b)->tainted ? -1 : 1;
    return (*a)->address < (*b)->address ? -1 : (*a)->address > (*b)->address;
}

static const char *label_of(const struct shn_trace_graph *g, uint32_t a, char *abuf)
{
    const char *name;
    int kind = shn_trace_graph_label(g, a, &name);
    return kind && name[0] ? name : shn_trace_graph_address(g, a, abuf);
}

static int chart(const struct shn_trace_graph *g, const struct shn_trace_result *res,
                 const struct shn_trace_entry **sorted, struct shn_buf *b)
{
    char abuf[SHN_TRACE_ADDRESS_BUF];
    uint32_t node[COLS][PER_COL];
    size_t cnt[COLS] = {0};
    int rc;

    for (size_t i = 0; i < res->n_entries; i++) {
        const struct shn_trace_entry *e = sorted[i];
        size_t c = e->hops < COLS - 1 ? e->hops : COLS - 1;
        bool dup = false;
        for (size_t k = 0; k < cnt[c]; k++)
            dup |= node[c][k] == e->address;
        if (!dup && cnt[c] < PER_COL)
            node[c][cnt[c]++] = e->address;
    }
    rc = shn_buf_appendf(b,
                         "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
                         "font-family='sans-serif' font-size='10'>\n",
                         COLS * 190 + 20, PER_COL * 60 + 40);
    /* edges: recorded tainted transfers between drawn nodes */
    for (size_t f = 0; rc == SHN_OK && f < res->n_flows; f++) {
        const struct shn__trace_rec *r = &g->rec[res->flows[f].transfer];
        int fc = -1, fk = -1, tc = -1, tk = -1;
        for (int c = 0; c < COLS; c++)
            for (size_t k = 0; k < cnt[c]; k++) {
                if (node[c][k] == r->from) {
                    fc = c;
                    fk = (int)k;
                }
                if (node[c][k] == r->to) {
                    tc = c;
                    tk = (int)k;
                }
            }
        if (fc >= 0 && tc >= 0 && fc != tc)
            rc = shn_buf_appendf(b,
                                 "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#c33' "
                                 "stroke-opacity='0.35'/>\n",
                                 20 + fc * 190 + 160, 40 + fk * 60 + 15, 20 + tc * 190,
                                 40 + tk * 60 + 15);
    }
    for (int c = 0; rc == SHN_OK && c < COLS; c++) {
        rc = shn_buf_appendf(b, "<text x='%d' y='20' font-weight='bold'>hop %d%s</text>\n",
                             20 + c * 190, c, c == COLS - 1 ? "+" : "");
        for (size_t k = 0; rc == SHN_OK && k < cnt[c]; k++) {
            const char *text = label_of(g, node[c][k], abuf);
            int kind = shn_trace_graph_label(g, node[c][k], NULL);
            rc = shn_buf_appendf(b,
                                 "<rect x='%d' y='%d' width='160' height='30' rx='4' "
                                 "fill='%s' stroke='#555'/>\n<text x='%d' y='%d'>",
                                 20 + c * 190, 40 + (int)k * 60,
                                 c == 0 ? "#f4c7c3"
                                 : kind ? "#c6dbef"
                                        : "#eee",
                                 24 + c * 190, 58 + (int)k * 60);
            if (rc == SHN_OK)
                rc = shn_buf_appendf(b, "%.26s", text);
            if (rc == SHN_OK)
                rc = shn_buf_append_str(b, strlen(text) > 26 ? "…</text>\n" : "</text>\n");
        }
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, "</svg>\n");
    return rc;
}

int shn_trace_report_html(const struct shn_trace_graph *g, const struct shn_trace_opts *opts,
                          const struct shn_trace_result *res, const struct shn_trace_pattern *pats,
                          size_t n_pats, struct shn_buf *b)
{
    char abuf[SHN_TRACE_ADDRESS_BUF];
    const struct shn_trace_entry **sorted = NULL;
    char a1[48], a2[48], when[32];
    size_t shown = 0;
    int rc;

    sorted = shn_calloc(res->n_entries + 1, sizeof *sorted);
    if (!sorted)
        return SHN_ERR_NOMEM;
    for (size_t i = 0; i < res->n_entries; i++)
        sorted[i] = &res->entries[i];
    qsort(sorted, res->n_entries, sizeof *sorted, cmp_tainted_desc);
    rc = shn_buf_appendf(
        b,
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>shinsa trace report</title>\n"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
        "td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}td.n{text-align:right;"
        "font-family:monospace}code{font-size:12px}</style></head><body>\n"
        "<h1>Trace report (%s)</h1>\n<p>Sources:",
        shn_trace_method_name(res->method));
    for (size_t i = 0; rc == SHN_OK && i < opts->n_sources; i++) {
        rc = shn_buf_append_str(b, " <code>");
        if (rc == SHN_OK)
            rc = shn_buf_append_xml_escaped(b, shn_trace_graph_address(g, opts->sources[i], abuf));
        if (rc == SHN_OK)
            rc = shn_buf_append_str(b, "</code>");
    }
    if (rc == SHN_OK)
        rc = shn_buf_appendf(b,
                             ". %zu tainted address-assets; %llu tainted transfers of %llu.</p>\n"
                             "<h2>Main paths</h2>\n",
                             res->n_entries, (unsigned long long)res->tainted_transfers,
                             (unsigned long long)res->transfers_scanned);
    if (rc == SHN_OK)
        rc = chart(g, res, sorted, b);
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, "<h2>Exits</h2>\n<table><tr><th>label</th><th>kind</th>"
                                   "<th>address</th><th>asset</th><th>tainted (base units)</th>"
                                   "<th>fraction of receipts</th></tr>\n");
    for (size_t i = 0; rc == SHN_OK && i < res->n_entries; i++) {
        const struct shn_trace_entry *e = sorted[i];
        const char *name;
        int kind = shn_trace_graph_label(g, e->address, &name);
        if (e->source || !shn__trace_is_exit(g, e->address, e))
            continue;
        amount(e->tainted, a1, sizeof a1);
        rc = shn_buf_append_str(b, "<tr><td>");
        if (rc == SHN_OK)
            rc = shn_buf_append_xml_escaped(b, name);
        if (rc == SHN_OK)
            rc = shn_buf_appendf(b, "</td><td>%s</td><td><code>", shn_trace_kind_name(kind));
        if (rc == SHN_OK)
            rc = shn_buf_append_xml_escaped(b, shn_trace_graph_address(g, e->address, abuf));
        if (rc == SHN_OK)
            rc = shn_buf_append_str(b, "</code></td><td>");
        if (rc == SHN_OK)
            rc = shn_buf_append_xml_escaped(b, shn_trace_graph_asset(g, e->asset));
        if (rc == SHN_OK)
            rc = shn_buf_appendf(b, "</td><td class=n>%s</td><td class=n>%.4f</td></tr>\n", a1,
                                 e->received ? (double)e->tainted / (double)e->received : 0.0);
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, "</table>\n<h2>Patterns</h2>\n<table><tr><th>address</th>"
                                   "<th>pattern</th><th>evidence</th></tr>\n");
    for (size_t i = 0; rc == SHN_OK && i < n_pats && i < 1000; i++) {
        rc = shn_buf_append_str(b, "<tr><td><code>");
        if (rc == SHN_OK)
            rc = shn_buf_append_xml_escaped(b, shn_trace_graph_address(g, pats[i].address, abuf));
        if (rc == SHN_OK)
            rc = shn_buf_appendf(b, "</code></td><td>%s</td><td>",
                                 shn_trace_pattern_name(pats[i].kind));
        if (rc == SHN_OK)
            rc = shn_buf_append_xml_escaped(b, pats[i].evidence);
        if (rc == SHN_OK)
            rc = shn_buf_append_str(b, "</td></tr>\n");
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, "</table>\n<h2>Tainted addresses (heaviest 200)</h2>\n<table>"
                                   "<tr><th>address</th><th>asset</th><th>received</th>"
                                   "<th>tainted</th><th>held</th><th>hops</th>"
                                   "<th>first tainted</th></tr>\n");
    for (size_t i = 0; rc == SHN_OK && i < res->n_entries && shown < 200; i++) {
        const struct shn_trace_entry *e = sorted[i];
        if (e->source)
            continue;
        shown++;
        amount(e->received, a1, sizeof a1);
        amount(e->tainted, a2, sizeof a2);
        shn_trace_time_format(e->first_tainted, when, sizeof when);
        rc = shn_buf_append_str(b, "<tr><td><code>");
        if (rc == SHN_OK)
            rc = shn_buf_append_xml_escaped(b, shn_trace_graph_address(g, e->address, abuf));
        if (rc == SHN_OK)
            rc = shn_buf_append_str(b, "</code></td><td>");
        if (rc == SHN_OK)
            rc = shn_buf_append_xml_escaped(b, shn_trace_graph_asset(g, e->asset));
        if (rc == SHN_OK)
            rc = shn_buf_appendf(b, "</td><td class=n>%s</td><td class=n>%s</td>", a1, a2);
        amount(e->held, a1, sizeof a1);
        if (rc == SHN_OK)
            rc = shn_buf_appendf(b, "<td class=n>%s</td><td class=n>%u</td><td>%s</td></tr>\n", a1,
                                 e->hops, when);
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, "</table>\n<p>Amounts are exact, in the asset's base units. "
                                   "Rules: docs/trace.md.</p>\n</body></html>\n");
    shn_free(sorted);
    return rc;
}

/* PREFIX + suffix into path; SHN_ERR_TOO_LARGE when it does not fit. */
static int report_path(char *path, size_t size, const char *prefix, const char *suffix,
                       struct shn_diag *diag)
{
    int n = snprintf(path, size, "%s%s", prefix, suffix);

    if (n < 0 || (size_t)n >= size)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, prefix, 0, "", "report path too long");
    return SHN_OK;
}

int shn_trace_report_write(const struct shn_trace_graph *g, const struct shn_trace_opts *opts,
                           const struct shn_trace_result *res, const char *prefix,
                           struct shn_buf *summary, struct shn_diag *diag)
{
    struct shn_trace_pattern *pats = NULL;
    struct shn_buf json, html;
    char path[4096];
    size_t n_pats = 0;
    int rc;

    shn_buf_init(&json, (size_t)1 << 32);
    shn_buf_init(&html, (size_t)1 << 30);
    rc = shn_trace_result_json(g, opts, res, &json);
    if (rc == SHN_OK)
        rc = shn_trace_patterns(g, res, &pats, &n_pats);
    if (rc == SHN_OK && json.len >= 2) { /* reopen the object: drop "}\n" */
        json.len -= 2;
        json.data[json.len] = '\0';
        rc = shn_buf_append_str(&json, ",\n \"patterns\": ");
        if (rc == SHN_OK)
            rc = shn_trace_patterns_json(g, pats, n_pats, &json);
        if (rc == SHN_OK)
            rc = shn_buf_append_str(&json, "}\n");
    }
    if (rc == SHN_OK)
        rc = shn_trace_report_html(g, opts, res, pats, n_pats, &html);
    if (rc == SHN_OK)
        rc = report_path(path, sizeof path, prefix, ".json", diag);
    if (rc == SHN_OK)
        rc = shn_file_write_atomic(path, json.data, json.len, diag);
    if (rc == SHN_OK)
        rc = report_path(path, sizeof path, prefix, ".html", diag);
    if (rc == SHN_OK)
        rc = shn_file_write_atomic(path, html.data, html.len, diag);
    if (rc == SHN_OK && summary)
        rc =
            shn_buf_appendf(summary, "%s.json, %s.html: %zu tainted address-assets, %zu patterns\n",
                            prefix, prefix, res->n_entries, n_pats);
    shn_free(pats);
    shn_buf_cleanup(&json);
    shn_buf_cleanup(&html);
    return rc;
}
