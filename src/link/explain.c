/* Explanations: the members of a cluster and the joins that made it, with
 * personal data masked by default; and the whole graph for Gephi. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/hash.h"
#include "shinsa/core/mask.h"

void shn_link_mask(enum shn_link_kind kind, const char *v, bool unmask, char *out, size_t size)
{
    /* the core policy (docs/mask.md), kind by kind */
    static const enum shn_mask_kind as[SHN_LINK_KIND_COUNT] = {
        [SHN_LINK_WALLET] = SHN_MASK_WALLET, [SHN_LINK_PHONE] = SHN_MASK_PHONE,
        [SHN_LINK_EMAIL] = SHN_MASK_EMAIL,   [SHN_LINK_DEVICE] = SHN_MASK_ID,
        [SHN_LINK_BANK] = SHN_MASK_BANK,     [SHN_LINK_ID_NUMBER] = SHN_MASK_ID,
        [SHN_LINK_IMAGE] = SHN_MASK_DIGEST,  [SHN_LINK_IP] = SHN_MASK_IP,
        [SHN_LINK_IP24] = SHN_MASK_IP,       [SHN_LINK_NAME] = SHN_MASK_NAME,
        [SHN_LINK_HANDLE] = SHN_MASK_HANDLE,
    };
    size_t pre = 0;
    if (!size)
        return;
    if (unmask) {
        snprintf(out, size, "%s", v);
        return;
    }
    if (kind == SHN_LINK_IMAGE) /* the hash's algorithm, as in the input */
        pre = (size_t)snprintf(out, size, "pdq:");
    if (pre >= size)
        return;
    shn_mask((unsigned)kind < SHN_LINK_KIND_COUNT ? as[kind] : SHN_MASK_SHAPE, v, strlen(v),
             out + pre, size - pre);
}

struct join {
    uint32_t a, b, ident;
};

struct explain {
    uint32_t rep;
    uint32_t *members;
    size_t n_members;
    struct join *joins;
    size_t n_joins, joins_alloc;
    uint32_t *ignored;
    size_t n_ignored, ignored_alloc;
};

static const struct shn_link *sort_ctx; /* qsort has no context argument */

static int cmp_node(const void *x, const void *y)
{
    return strcmp(shn__link_node_id(sort_ctx, *(const uint32_t *)x),
                  shn__link_node_id(sort_ctx, *(const uint32_t *)y));
}

static int cmp_join(const void *x, const void *y)
{
    const struct join *a = x, *b = y;
    double wa = shn__link_weight(sort_ctx, a->ident), wb = shn__link_weight(sort_ctx, b->ident);
    int c;
    if (wa != wb)
        return wa > wb ? -1 : 1; /* strongest evidence first */
    if (a->ident != b->ident)
        return a->ident < b->ident ? -1 : 1;
    c = strcmp(shn__link_node_id(sort_ctx, a->a), shn__link_node_id(sort_ctx, b->a));
    if (c)
        return c;
    return strcmp(shn__link_node_id(sort_ctx, a->b), shn__link_node_id(sort_ctx, b->b));
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

static int add_join(struct explain *e, uint32_t a, uint32_t b, uint32_t ident)
{
    if (e->n_joins == e->joins_alloc) {
        size_t cap = e->joins_alloc ? e->joins_alloc * 2 : 16;
        struct join *p = shn_realloc(e->joins, cap * sizeof *p);
        if (!p)
            return SHN_ERR_NOMEM;
        e->joins = p;
        e->joins_alloc = cap;
    }
    e->joins[e->n_joins++] = (struct join){a, b, ident};
    return SHN_OK;
}

static void explain_cleanup(struct explain *e)
{
    shn_free(e->joins);
    shn_free(e->ignored);
    memset(e, 0, sizeof *e);
}

/* Members (sorted ids) given; finds the joins: every identifier that
 * carries evidence and is shared by two or more members links its smallest
 * member to each other member holding it. That lists both what joined the
 * cluster at once (strong identifiers) and what added up (the pairs joined
 * by summed medium and weak evidence share these identifiers). */
static int explain_cluster(const struct shn_link *l, struct explain *e)
{
    int rc = SHN_OK;
    for (size_t k = 0; k < e->n_members; k++) {
        uint32_t a = e->members[k];
        const struct shn__link_node *nd = &l->nodes[a];
        for (uint32_t q = 0; q < nd->idents.n; q++) {
            uint32_t i = shn__vec(&nd->idents)[q];
            const struct shn__link_ident *id = &l->idents[i];
            if (id->nodes.n < 2)
                continue;
            if (shn__link_ignored(l, i)) {
                if (e->n_ignored == e->ignored_alloc) {
                    size_t cap = e->ignored_alloc ? e->ignored_alloc * 2 : 8;
                    uint32_t *p = shn_realloc(e->ignored, cap * sizeof *p);
                    if (!p) {
                        rc = SHN_ERR_NOMEM;
                        goto out;
                    }
                    e->ignored = p;
                    e->ignored_alloc = cap;
                }
                e->ignored[e->n_ignored++] = i;
                continue;
            }
            if (shn__link_weight(l, i) <= 0)
                continue;
            uint32_t first = a;
            for (uint32_t r = 0; r < id->nodes.n; r++) {
                uint32_t x = shn__vec(&id->nodes)[r];
                if (l->nodes[x].cluster == e->rep &&
                    strcmp(shn__link_node_id(l, x), shn__link_node_id(l, first)) < 0)
                    first = x;
            }
            if (first != a) {
                rc = add_join(e, first, a, i);
                if (rc != SHN_OK)
                    goto out;
            }
        }
    }
    sort_ctx = l;
    if (e->n_joins > 1)
        qsort(e->joins, e->n_joins, sizeof *e->joins, cmp_join);
    if (e->n_ignored > 1)
        qsort(e->ignored, e->n_ignored, sizeof *e->ignored, cmp_u32);
    {
        size_t w = 0;
        for (size_t k = 0; k < e->n_ignored; k++)
            if (w == 0 || e->ignored[w - 1] != e->ignored[k])
                e->ignored[w++] = e->ignored[k];
        e->n_ignored = w;
    }
out:
    return rc;
}

/* Finds the cluster of `what` (an account id, else a cluster id) and
 * explains it. *account is the node asked for, or NONE for a cluster id. */
static int explain_find(const struct shn_link *l, const char *what, struct explain *e,
                        uint32_t *account)
{
    uint32_t n, rep = SHN__LINK_NONE;
    int rc = SHN_OK;
    memset(e, 0, sizeof *e);
    n = shn__link_node_find(l, what, strlen(what));
    if (n != SHN__LINK_NONE) {
        rep = l->nodes[n].cluster;
    } else {
        char name[20];
        for (size_t k = 0; k < l->n_nodes && rep == SHN__LINK_NONE; k++) {
            if (l->nodes[k].cluster != k)
                continue;
            shn__link_cluster_name(l, (uint32_t)k, name);
            if (strcmp(name, what) == 0)
                rep = (uint32_t)k;
        }
        if (rep == SHN__LINK_NONE)
            return SHN_ERR_NOT_FOUND;
    }
    *account = n;
    e->rep = rep;
    for (size_t k = 0; k < l->n_nodes; k++)
        if (l->nodes[k].cluster == rep)
            e->n_members++;
    e->members = shn_malloc(e->n_members * sizeof *e->members);
    if (!e->members) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    e->n_members = 0;
    for (size_t k = 0; k < l->n_nodes; k++)
        if (l->nodes[k].cluster == rep)
            e->members[e->n_members++] = (uint32_t)k;
    sort_ctx = l;
    if (e->n_members > 1)
        qsort(e->members, e->n_members, sizeof *e->members, cmp_node);
    rc = explain_cluster(l, e);
out:
    if (rc != SHN_OK) {
        shn_free(e->members);
        explain_cleanup(e);
    }
    return rc;
}

static int json_join(const struct shn_link *l, const struct join *j, bool unmask,
                     struct shn_buf *out)
{
    char value[SHN_LINK_VALUE_MAX + 32];
    const struct shn__link_ident *id = &l->idents[j->ident];
    int rc;
    shn_link_mask((enum shn_link_kind)id->kind, shn__link_ident_value(l, j->ident), unmask, value,
                  sizeof value);
    rc = shn_buf_append_str(out, "{\"a\": ");
    rc = rc ? rc : shn_buf_append_json_string(out, shn__link_node_id(l, j->a));
    rc = rc ? rc : shn_buf_append_str(out, ", \"b\": ");
    rc = rc ? rc : shn_buf_append_json_string(out, shn__link_node_id(l, j->b));
    rc = rc ? rc
            : shn_buf_appendf(out, ", \"kind\": \"%s\", \"value\": ",
                              shn_link_kind_name((enum shn_link_kind)id->kind));
    rc = rc ? rc : shn_buf_append_json_string(out, value);
    rc = rc ? rc
            : shn_buf_appendf(out, ", \"weight\": %.3g, \"shared_by\": %u}",
                              shn__link_weight(l, j->ident), id->nodes.n);
    return rc;
}

int shn_link_show_json(const struct shn_link *l, const char *what, bool unmask, struct shn_buf *out)
{
    struct explain e;
    uint32_t account;
    char name[20], value[SHN_LINK_VALUE_MAX + 32];
    int rc;
    if (!l || !what || !out)
        return SHN_ERR_INVALID;
    rc = explain_find(l, what, &e, &account);
    if (rc != SHN_OK)
        return rc;
    shn__link_cluster_name(l, e.rep, name);
    rc = shn_buf_append_str(out, "{\"account\": ");
    if (account == SHN__LINK_NONE)
        rc = rc ? rc : shn_buf_append_str(out, "null");
    else
        rc = rc ? rc : shn_buf_append_json_string(out, shn__link_node_id(l, account));
    rc = rc ? rc : shn_buf_appendf(out, ", \"cluster\": \"%s\", \"members\": [", name);
    for (size_t k = 0; rc == SHN_OK && k < e.n_members; k++) {
        rc = k ? shn_buf_append_str(out, ", ") : SHN_OK;
        rc = rc ? rc : shn_buf_append_json_string(out, shn__link_node_id(l, e.members[k]));
    }
    rc = rc ? rc : shn_buf_append_str(out, "], \"joins\": [");
    for (size_t k = 0; rc == SHN_OK && k < e.n_joins; k++) {
        rc = k ? shn_buf_append_str(out, ", ") : SHN_OK;
        rc = rc ? rc : json_join(l, &e.joins[k], unmask, out);
    }
    rc = rc ? rc : shn_buf_append_str(out, "], \"ignored\": [");
    for (size_t k = 0; rc == SHN_OK && k < e.n_ignored; k++) {
        const struct shn__link_ident *id = &l->idents[e.ignored[k]];
        shn_link_mask((enum shn_link_kind)id->kind, shn__link_ident_value(l, e.ignored[k]), unmask,
                      value, sizeof value);
        rc = k ? shn_buf_append_str(out, ", ") : SHN_OK;
        rc = rc ? rc
                : shn_buf_appendf(out, "{\"kind\": \"%s\", \"value\": ",
                                  shn_link_kind_name((enum shn_link_kind)id->kind));
        rc = rc ? rc : shn_buf_append_json_string(out, value);
        rc = rc ? rc : shn_buf_appendf(out, ", \"shared_by\": %u}", id->nodes.n);
    }
    rc = rc ? rc : shn_buf_append_str(out, "]}\n");
    shn_free(e.members);
    explain_cleanup(&e);
    return rc;
}

int shn_link_show_text(const struct shn_link *l, const char *what, bool unmask, struct shn_buf *out)
{
    struct explain e;
    uint32_t account;
    char name[20], value[SHN_LINK_VALUE_MAX + 32];
    int rc;
    if (!l || !what || !out)
        return SHN_ERR_INVALID;
    rc = explain_find(l, what, &e, &account);
    if (rc != SHN_OK)
        return rc;
    shn__link_cluster_name(l, e.rep, name);
    rc = shn_buf_appendf(out, "cluster %s: %zu member%s\n", name, e.n_members,
                         e.n_members == 1 ? "" : "s");
    for (size_t k = 0; rc == SHN_OK && k < e.n_members; k++)
        rc = shn_buf_appendf(out, "  %s%s%s\n", shn__link_node_id(l, e.members[k]),
                             l->nodes[e.members[k]].persona ? " (persona)" : "",
                             e.members[k] == account ? "  <- asked" : "");
    if (rc == SHN_OK && e.n_joins)
        rc = shn_buf_append_str(out, "joined by:\n");
    for (size_t k = 0; rc == SHN_OK && k < e.n_joins; k++) {
        const struct join *j = &e.joins[k];
        const struct shn__link_ident *id = &l->idents[j->ident];
        shn_link_mask((enum shn_link_kind)id->kind, shn__link_ident_value(l, j->ident), unmask,
                      value, sizeof value);
        rc = shn_buf_appendf(out, "  %s -- %s  %s %s  weight %.3g, shared by %u\n",
                             shn__link_node_id(l, j->a), shn__link_node_id(l, j->b),
                             shn_link_kind_name((enum shn_link_kind)id->kind), value,
                             shn__link_weight(l, j->ident), id->nodes.n);
    }
    for (size_t k = 0; rc == SHN_OK && k < e.n_ignored; k++) {
        const struct shn__link_ident *id = &l->idents[e.ignored[k]];
        shn_link_mask((enum shn_link_kind)id->kind, shn__link_ident_value(l, e.ignored[k]), unmask,
                      value, sizeof value);
        rc = shn_buf_appendf(out, "  ignored: %s %s shared by %u accounts (more than %u)\n",
                             shn_link_kind_name((enum shn_link_kind)id->kind), value, id->nodes.n,
                             l->opt.max_share);
    }
    shn_free(e.members);
    explain_cleanup(&e);
    return rc;
}

/* ---------------------------------------------------------------- export */

static const struct shn_link *rep_ctx;
static int cmp_member(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    uint32_t ra = rep_ctx->nodes[a].cluster, rb = rep_ctx->nodes[b].cluster;
    int c = ra == rb ? 0 : strcmp(shn__link_node_id(rep_ctx, ra), shn__link_node_id(rep_ctx, rb));
    return c ? c : strcmp(shn__link_node_id(rep_ctx, a), shn__link_node_id(rep_ctx, b));
}

static int export_head(struct shn_buf *o, enum shn_link_format fmt)
{
    if (fmt == SHN_LINK_GRAPHML)
        return shn_buf_append_str(
            o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
               "  <key id=\"cluster\" for=\"node\" attr.name=\"cluster\" attr.type=\"string\"/>\n"
               "  <key id=\"persona\" for=\"node\" attr.name=\"persona\" attr.type=\"boolean\"/>\n"
               "  <key id=\"kind\" for=\"edge\" attr.name=\"kind\" attr.type=\"string\"/>\n"
               "  <key id=\"value\" for=\"edge\" attr.name=\"value\" attr.type=\"string\"/>\n"
               "  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n"
               "  <key id=\"shared_by\" for=\"edge\" attr.name=\"shared_by\" attr.type=\"int\"/>\n"
               "  <graph id=\"shinsa-link\" edgedefault=\"undirected\">\n");
    if (fmt == SHN_LINK_GEXF)
        return shn_buf_append_str(
            o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<gexf xmlns=\"http://gexf.net/1.3\" version=\"1.3\">\n"
               "  <graph defaultedgetype=\"undirected\">\n"
               "    <attributes class=\"node\">\n"
               "      <attribute id=\"0\" title=\"cluster\" type=\"string\"/>\n"
               "      <attribute id=\"1\" title=\"persona\" type=\"boolean\"/>\n"
               "    </attributes>\n"
               "    <attributes class=\"edge\">\n"
               "      <attribute id=\"0\" title=\"kind\" type=\"string\"/>\n"
               "      <attribute id=\"1\" title=\"value\" type=\"string\"/>\n"
               "      <attribute id=\"2\" title=\"shared_by\" type=\"integer\"/>\n"
               "    </attributes>\n"
               "    <nodes>\n");
    return shn_buf_append_str(o, "{\"nodes\": [");
}

static int export_node(const struct shn_link *l, struct shn_buf *o, enum shn_link_format fmt,
                       uint32_t n, bool first)
{
    char name[20];
    const char *id = shn__link_node_id(l, n);
    const char *persona = l->nodes[n].persona ? "true" : "false";
    int rc;
    shn__link_cluster_name(l, l->nodes[n].cluster, name);
    if (fmt == SHN_LINK_JSON) {
        rc = shn_buf_append_str(o, first ? "\n  {\"id\": " : ",\n  {\"id\": ");
        rc = rc ? rc : shn_buf_append_json_string(o, id);
        return rc ? rc
                  : shn_buf_appendf(o, ", \"cluster\": \"%s\", \"persona\": %s}", name, persona);
    }
    rc = shn_buf_append_str(o, fmt == SHN_LINK_GRAPHML ? "    <node id=\"" : "      <node id=\"");
    rc = rc ? rc : shn_buf_append_xml_escaped(o, id);
    if (fmt == SHN_LINK_GRAPHML)
        return rc ? rc
                  : shn_buf_appendf(o,
                                    "\"><data key=\"cluster\">%s</data>"
                                    "<data key=\"persona\">%s</data></node>\n",
                                    name, persona);
    rc = rc ? rc : shn_buf_append_str(o, "\" label=\"");
    rc = rc ? rc : shn_buf_append_xml_escaped(o, id);
    return rc ? rc
              : shn_buf_appendf(o,
                                "\"><attvalues><attvalue for=\"0\" value=\"%s\"/>"
                                "<attvalue for=\"1\" value=\"%s\"/></attvalues></node>\n",
                                name, persona);
}

static int export_edge(const struct shn_link *l, struct shn_buf *o, enum shn_link_format fmt,
                       const struct join *j, size_t num, bool unmask)
{
    char value[SHN_LINK_VALUE_MAX + 32];
    const struct shn__link_ident *id = &l->idents[j->ident];
    const char *kind = shn_link_kind_name((enum shn_link_kind)id->kind);
    double w = shn__link_weight(l, j->ident);
    int rc;
    if (fmt == SHN_LINK_JSON) {
        rc = shn_buf_append_str(o, num ? ",\n  " : "\n  ");
        return rc ? rc : json_join(l, j, unmask, o);
    }
    shn_link_mask((enum shn_link_kind)id->kind, shn__link_ident_value(l, j->ident), unmask, value,
                  sizeof value);
    rc = shn_buf_appendf(o, "%s<edge id=\"e%zu\" source=\"",
                         fmt == SHN_LINK_GRAPHML ? "    " : "      ", num);
    rc = rc ? rc : shn_buf_append_xml_escaped(o, shn__link_node_id(l, j->a));
    rc = rc ? rc : shn_buf_append_str(o, "\" target=\"");
    rc = rc ? rc : shn_buf_append_xml_escaped(o, shn__link_node_id(l, j->b));
    if (fmt == SHN_LINK_GRAPHML) {
        rc = rc ? rc
                : shn_buf_appendf(o, "\"><data key=\"kind\">%s</data><data key=\"value\">", kind);
        rc = rc ? rc : shn_buf_append_xml_escaped(o, value);
        rc = rc ? rc
                : shn_buf_appendf(o,
                                  "</data><data key=\"weight\">%.3g</data>"
                                  "<data key=\"shared_by\">%u</data></edge>\n",
                                  w, id->nodes.n);
        return rc;
    }
    rc = rc ? rc
            : shn_buf_appendf(o,
                              "\" weight=\"%.3g\"><attvalues><attvalue for=\"0\" value=\"%s\"/>"
                              "<attvalue for=\"1\" value=\"",
                              w, kind);
    rc = rc ? rc : shn_buf_append_xml_escaped(o, value);
    rc = rc ? rc
            : shn_buf_appendf(o, "\"/><attvalue for=\"2\" value=\"%u\"/></attvalues></edge>\n",
                              id->nodes.n);
    return rc;
}

int shn_link_export(const struct shn_link *l, enum shn_link_format fmt, bool unmask,
                    struct shn_buf *out)
{
    uint32_t *size = NULL, *members = NULL;
    struct explain e;
    size_t nm = 0, edges = 0;
    int rc = SHN_OK;
    if (!l || !out || (unsigned)fmt > SHN_LINK_JSON)
        return SHN_ERR_INVALID;
    memset(&e, 0, sizeof e);
    size = shn_calloc(l->n_nodes ? l->n_nodes : 1, sizeof *size);
    members = shn_malloc((l->n_nodes ? l->n_nodes : 1) * sizeof *members);
    if (!size || !members) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    for (size_t k = 0; k < l->n_nodes; k++)
        size[l->nodes[k].cluster]++;
    for (size_t k = 0; k < l->n_nodes; k++)
        if (size[l->nodes[k].cluster] >= 2)
            members[nm++] = (uint32_t)k;
    rep_ctx = l;
    if (nm > 1)
        qsort(members, nm, sizeof *members, cmp_member);
    rc = export_head(out, fmt);
    for (size_t k = 0; rc == SHN_OK && k < nm; k++)
        rc = export_node(l, out, fmt, members[k], k == 0);
    if (rc == SHN_OK) {
        if (fmt == SHN_LINK_GEXF)
            rc = shn_buf_append_str(out, "    </nodes>\n    <edges>\n");
        else if (fmt == SHN_LINK_JSON)
            rc = shn_buf_append_str(out, "\n], \"edges\": [");
    }
    for (size_t k = 0; rc == SHN_OK && k < nm;) {
        size_t end = k;
        uint32_t rep = l->nodes[members[k]].cluster;
        while (end < nm && l->nodes[members[end]].cluster == rep)
            end++;
        memset(&e, 0, sizeof e);
        e.rep = rep;
        e.members = members + k;
        e.n_members = end - k;
        rc = explain_cluster(l, &e);
        for (size_t j = 0; rc == SHN_OK && j < e.n_joins; j++)
            rc = export_edge(l, out, fmt, &e.joins[j], edges++, unmask);
        explain_cleanup(&e);
        k = end;
    }
    if (rc == SHN_OK) {
        if (fmt == SHN_LINK_GRAPHML)
            rc = shn_buf_append_str(out, "  </graph>\n</graphml>\n");
        else if (fmt == SHN_LINK_GEXF)
            rc = shn_buf_append_str(out, "    </edges>\n  </graph>\n</gexf>\n");
        else
            rc = shn_buf_append_str(out, "\n]}\n");
    }
out:
    explain_cleanup(&e);
    shn_free(size);
    shn_free(members);
    return rc;
}
