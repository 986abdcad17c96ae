/* shinsa-text-train: builds the natural-Japanese model from a corpus with
 * one sentence per line (scripts/text-corpus.sh writes it at build time).
 *
 *   shinsa-text-train CORPUS MODEL HELDOUT [DICDIR]
 *
 * Every tenth sentence is held back (written to HELDOUT, not counted), so
 * that the tests can measure false alarms on natural text the model has not
 * seen. An empty corpus gives a valid empty model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/file.h"
#include "shinsa/core/hash.h"
#include "shinsa/core/section.h"
#include "text_internal.h"

#define CORPUS_MAX (64u << 20)
#define TRIGRAM_MIN 2u
#define HOLD_EVERY 10

/* uint64 key -> uint32 count, open addressing. Ids are shifted by one
 * while counting so that key 0 can mark an empty slot. */
struct counts {
    uint64_t *keys;
    uint32_t *vals;
    size_t cap, used;
};

static int counts_add(struct counts *c, uint64_t key)
{
    if ((c->used + 1) * 2 > c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 1u << 16;
        uint64_t *nk = shn_calloc(ncap, sizeof *nk);
        uint32_t *nv = shn_calloc(ncap, sizeof *nv);
        if (!nk || !nv) {
            shn_free(nk);
            shn_free(nv);
            return SHN_ERR_NOMEM;
        }
        for (size_t i = 0; i < c->cap; i++) {
            if (!c->keys[i])
                continue;
            size_t h = (size_t)shn_hash64(&c->keys[i], 8, 1) & (ncap - 1);
            while (nk[h])
                h = (h + 1) & (ncap - 1);
            nk[h] = c->keys[i];
            nv[h] = c->vals[i];
        }
        shn_free(c->keys);
        shn_free(c->vals);
        c->keys = nk;
        c->vals = nv;
        c->cap = ncap;
    }
    size_t h = (size_t)shn_hash64(&key, 8, 1) & (c->cap - 1);
    while (c->keys[h] && c->keys[h] != key)
        h = (h + 1) & (c->cap - 1);
    if (!c->keys[h]) {
        c->keys[h] = key;
        c->used++;
    }
    c->vals[h]++;
    return SHN_OK;
}

struct vocab {
    char **names;
    uint32_t *uni;
    size_t n, alloc;
    uint32_t *slots; /* id + 1, 0 = empty */
    size_t slot_cap;
};

static int vocab_id(struct vocab *v, const char *s, size_t len, uint32_t *id)
{
    if ((v->n + 1) * 2 > v->slot_cap) {
        size_t ncap = v->slot_cap ? v->slot_cap * 2 : 4096;
        uint32_t *ns = shn_calloc(ncap, sizeof *ns);
        if (!ns)
            return SHN_ERR_NOMEM;
        for (size_t i = 0; i < v->n; i++) {
            size_t h = (size_t)shn_hash64(v->names[i], strlen(v->names[i]), 0) & (ncap - 1);
            while (ns[h])
                h = (h + 1) & (ncap - 1);
            ns[h] = (uint32_t)i + 1;
        }
        shn_free(v->slots);
        v->slots = ns;
        v->slot_cap = ncap;
    }
    size_t h = (size_t)shn_hash64(s, len, 0) & (v->slot_cap - 1);
    while (v->slots[h]) {
        const char *name = v->names[v->slots[h] - 1];
        if (strncmp(name, s, len) == 0 && name[len] == '\0') {
            *id = v->slots[h] - 1;
            return SHN_OK;
        }
        h = (h + 1) & (v->slot_cap - 1);
    }
    if (v->n >= (1u << 21) - 1)
        return SHN_ERR_TOO_LARGE;
    if (v->n == v->alloc) {
        size_t na = v->alloc ? v->alloc * 2 : 1024;
        char **nn = shn_realloc(v->names, na * sizeof *nn);
        if (!nn)
            return SHN_ERR_NOMEM;
        v->names = nn;
        uint32_t *nu = shn_realloc(v->uni, na * sizeof *nu);
        if (!nu)
            return SHN_ERR_NOMEM;
        v->uni = nu;
        v->alloc = na;
    }
    v->names[v->n] = shn_strndup(s, len);
    if (!v->names[v->n])
        return SHN_ERR_NOMEM;
    v->uni[v->n] = 0;
    v->slots[h] = (uint32_t)v->n + 1;
    *id = (uint32_t)v->n++;
    return SHN_OK;
}

struct sortable {
    uint64_t key;
    uint32_t val;
};

static int cmp_key(const void *a, const void *b)
{
    uint64_t x = ((const struct sortable *)a)->key, y = ((const struct sortable *)b)->key;
    return x < y ? -1 : x > y;
}

/* Writes keys (minus the +1 shift of every id) sorted, and their counts. */
static int put_table(struct shn_buf *keys, struct shn_buf *vals, const struct counts *c,
                     uint32_t min, int arity, uint32_t *n_out)
{
    struct sortable *s = shn_calloc(c->used ? c->used : 1, sizeof *s);
    size_t n = 0;
    int rc = SHN_OK;

    if (!s)
        return SHN_ERR_NOMEM;
    for (size_t i = 0; i < c->cap; i++) {
        if (!c->keys[i] || c->vals[i] < min)
            continue;
        uint64_t k = c->keys[i];
        uint64_t a = (k >> 42) & 0x1FFFFF, b = (k >> 21) & 0x1FFFFF, d = k & 0x1FFFFF;
        s[n].key =
            shn__text_key(arity == 3 ? (uint32_t)a - 1 : 0, (uint32_t)b - 1, (uint32_t)d - 1);
        s[n].val = c->vals[i];
        n++;
    }
    qsort(s, n, sizeof *s, cmp_key);
    for (size_t i = 0; i < n && rc == SHN_OK; i++)
        rc = shn_buf_append(keys, &s[i].key, 8);
    for (size_t i = 0; i < n && rc == SHN_OK; i++)
        rc = shn_buf_append(vals, &s[i].val, 4);
    *n_out = (uint32_t)n;
    shn_free(s);
    return rc;
}

/* The model as a section file (text_internal.h), through the safe writer. */
static int write_model(const char *path, const struct vocab *v, const struct counts *bi,
                       const struct counts *tri, uint64_t tokens, uint64_t sentences,
                       struct shn__text_model_meta *out, struct shn_diag *diag)
{
    struct shn__text_model_meta meta = {.vocab = (uint32_t)v->n,
                                        .trigram_min = TRIGRAM_MIN,
                                        .tokens = tokens,
                                        .sentences = sentences};
    struct shn_buf str_off, strings, bi_key, bi_count, tri_key, tri_count;
    uint32_t off = 0;
    int rc = SHN_OK;

    shn_buf_init(&str_off, SHN__TEXT_MODEL_MAX_BYTES);
    shn_buf_init(&strings, SHN__TEXT_MODEL_MAX_BYTES);
    shn_buf_init(&bi_key, SHN__TEXT_MODEL_MAX_BYTES);
    shn_buf_init(&bi_count, SHN__TEXT_MODEL_MAX_BYTES);
    shn_buf_init(&tri_key, SHN__TEXT_MODEL_MAX_BYTES);
    shn_buf_init(&tri_count, SHN__TEXT_MODEL_MAX_BYTES);
    for (size_t i = 0; i < v->n && rc == SHN_OK; i++) {
        size_t len = strlen(v->names[i]) + 1;
        rc = shn_buf_append(&str_off, &off, 4);
        if (rc == SHN_OK)
            rc = shn_buf_append(&strings, v->names[i], len);
        off += (uint32_t)len;
    }
    if (rc == SHN_OK)
        rc = put_table(&bi_key, &bi_count, bi, 1, 2, &meta.n_bi);
    if (rc == SHN_OK)
        rc = put_table(&tri_key, &tri_count, tri, TRIGRAM_MIN, 3, &meta.n_tri);
    if (rc != SHN_OK) {
        rc = shn_diag_set(diag, rc, path, 0, NULL, "model too large: %s", shn_strerror(rc));
    } else {
        const struct shn_section secs[SHN__TEXT_SEC__COUNT] = {
            {SHN__TEXT_SEC_META, &meta, sizeof meta},
            {SHN__TEXT_SEC_UNI, v->uni, (uint64_t)v->n * 4},
            {SHN__TEXT_SEC_STR_OFF, str_off.data, str_off.len},
            {SHN__TEXT_SEC_STRINGS, strings.data, strings.len},
            {SHN__TEXT_SEC_BI_KEY, bi_key.data, bi_key.len},
            {SHN__TEXT_SEC_BI_COUNT, bi_count.data, bi_count.len},
            {SHN__TEXT_SEC_TRI_KEY, tri_key.data, tri_key.len},
            {SHN__TEXT_SEC_TRI_COUNT, tri_count.data, tri_count.len},
        };
        rc = shn_section_write(path, &shn__text_model_format, secs, SHN__TEXT_SEC__COUNT, diag);
    }
    *out = meta;
    shn_buf_cleanup(&str_off);
    shn_buf_cleanup(&strings);
    shn_buf_cleanup(&bi_key);
    shn_buf_cleanup(&bi_count);
    shn_buf_cleanup(&tri_key);
    shn_buf_cleanup(&tri_count);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = SHN_OK;
    struct shn_diag diag = {0};
    char *corpus = NULL;
    size_t corpus_len = 0;
    mecab_t *mecab = NULL;
    struct shn_file_out *held = NULL;
    struct shn__text_model_meta meta;
    struct vocab v = {0};
    struct counts bi = {0}, tri = {0};
    uint64_t tokens = 0, sentences = 0, held_n = 0;
    uint32_t *seq = NULL;
    size_t seq_alloc = 0;
    char cls[SHN__TEXT_CLASS_MAX];
    clock_t t0 = clock();
    char arg[512];

    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: shinsa-text-train CORPUS MODEL HELDOUT [DICDIR]\n");
        return 2;
    }
    rc = shn_file_read(argv[1], CORPUS_MAX, &corpus, &corpus_len, &diag);
    if (rc != SHN_OK)
        goto out;
    snprintf(arg, sizeof arg, "-d %s", argc == 5 ? argv[4] : SHN__TEXT_DEFAULT_DICDIR);
    mecab = mecab_new2(arg);
    if (!mecab) {
        rc = shn_diag_set(&diag, SHN_ERR_NOT_FOUND, NULL, 0, NULL, "MeCab: %s",
                          mecab_strerror(NULL));
        goto out;
    }
    rc = shn_file_out_open(argv[3], &held, &diag);
    if (rc != SHN_OK)
        goto out;
    uint32_t bos, eos;
    rc = vocab_id(&v, SHN__TEXT_BOS, 1, &bos);
    if (rc == SHN_OK)
        rc = vocab_id(&v, SHN__TEXT_EOS, 1, &eos);
    if (rc != SHN_OK)
        goto out;

    size_t line_no = 0;
    for (char *p = corpus; p < corpus + corpus_len;) {
        char *nl = memchr(p, '\n', (size_t)(corpus + corpus_len - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(corpus + corpus_len - p);
        char *line = p;
        p = nl ? nl + 1 : corpus + corpus_len;
        if (len == 0)
            continue;
        if (line_no++ % HOLD_EVERY == HOLD_EVERY - 1) {
            if (shn_file_out_write(held, line, len) != SHN_OK ||
                shn_file_out_write(held, "\n", 1) != SHN_OK) {
                rc = shn_file_out_flush(held, &diag); /* says why */
                goto out;
            }
            held_n++;
            continue;
        }
        const mecab_node_t *node = mecab_sparse_tonode2(mecab, line, len);
        if (!node)
            continue;
        size_t n = 0;
        for (const mecab_node_t *x = node; x; x = x->next) {
            uint32_t id;
            if (n + 2 >= seq_alloc) {
                size_t na = seq_alloc ? seq_alloc * 2 : 256;
                uint32_t *ns = shn_realloc(seq, na * sizeof *ns);
                if (!ns) {
                    rc = SHN_ERR_NOMEM;
                    goto out;
                }
                seq = ns;
                seq_alloc = na;
            }
            if (x->stat == MECAB_BOS_NODE) {
                id = bos;
            } else if (x->stat == MECAB_EOS_NODE) {
                id = eos;
            } else {
                size_t cl = shn__text_class(x->feature, x->surface, x->length, cls);
                rc = vocab_id(&v, cls, cl, &id);
                if (rc != SHN_OK)
                    goto out;
            }
            seq[n++] = id;
        }
        sentences++;
        for (size_t i = 0; i < n; i++) {
            v.uni[seq[i]]++;
            tokens++;
            if (i >= 1)
                rc = counts_add(&bi, shn__text_key(0, seq[i - 1] + 1, seq[i] + 1));
            if (rc == SHN_OK && i >= 2)
                rc = counts_add(&tri, shn__text_key(seq[i - 2] + 1, seq[i - 1] + 1, seq[i] + 1));
            if (rc != SHN_OK)
                goto out;
        }
    }

    /* the file */
    rc = write_model(argv[2], &v, &bi, &tri, tokens, sentences, &meta, &diag);
    if (rc != SHN_OK)
        goto out;
    rc = shn_file_out_commit(held, &diag);
    held = NULL;
    if (rc != SHN_OK)
        goto out;
    fprintf(stderr,
            "shinsa-text-train: %llu sentences (%llu held back), %llu tokens, %zu classes, "
            "%u pairs, %u triples in %.1f s\n",
            (unsigned long long)sentences, (unsigned long long)held_n, (unsigned long long)tokens,
            v.n, meta.n_bi, meta.n_tri, (double)(clock() - t0) / CLOCKS_PER_SEC);
out:
    if (rc != SHN_OK) {
        char msg[512];
        if (diag.message[0])
            shn_diag_format(&diag, msg, sizeof msg);
        else
            snprintf(msg, sizeof msg, "%s", shn_strerror(rc));
        fprintf(stderr, "shinsa-text-train: %s\n", msg);
    }
    shn_file_out_abort(held);
    if (mecab)
        mecab_destroy(mecab);
    for (size_t i = 0; i < v.n; i++)
        shn_free(v.names[i]);
    shn_free(v.names);
    shn_free(v.uni);
    shn_free(v.slots);
    shn_free(bi.keys);
    shn_free(bi.vals);
    shn_free(tri.keys);
    shn_free(tri.vals);
    shn_free(seq);
    shn_free(corpus);
    return rc == SHN_OK ? 0 : 1;
}
