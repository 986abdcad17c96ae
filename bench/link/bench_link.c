/* bench_link: a generated platform with planted operator clusters.
 *
 * Every account gets about ten identifier occurrences: its own email,
 * phone, device, payout wallet and bank account, a name from a pool (so
 * strangers share names), and two logins from residential addresses (each
 * also adds its /24). Some logins come from a few busy public addresses and
 * some payouts go to an exchange deposit wallet shared by thousands — both
 * past max_share, so they must not merge strangers. 5% of the accounts
 * belong to planted clusters of 2..20 personas, each persona joined to the
 * previous one by a strong identifier (wallet, phone, ID number, bank) or
 * by device + same login address (medium + weak evidence).
 *
 * Prints build time (identifiers added and normalised, then clustered),
 * the time of an incremental update of 10k events, LINKDB save/open, peak
 * memory and pairwise precision/recall against the planted clusters.
 *
 * usage: bench_link [--accounts N] [--big] [--db PATH] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "shinsa/core/alloc.h"
#include "shinsa/link.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)((rng >> 11) % n);
}

static void must(int rc, const char *what)
{
    if (rc != SHN_OK) {
        fprintf(stderr, "bench_link: %s: %s\n", what, shn_strerror(rc));
        exit(1);
    }
}

static void add(struct shn_link *l, const char *acct, enum shn_link_kind k, const char *v)
{
    must(shn_link_add(l, acct, k, v, strlen(v)), "add");
}

/* truth[i]: planted cluster number + 1 of account i, or 0 */
static uint32_t *truth;

static void account_name(uint32_t i, char *buf, size_t size)
{
    snprintf(buf, size, "acct%07u", i);
}

/* The ordinary identifiers of one account; `salt` makes update events new. */
static void ordinary(struct shn_link *l, uint32_t i, uint32_t salt)
{
    char a[32], v[96];
    account_name(i, a, sizeof a);
    snprintf(v, sizeof v, "user%u.%u+site@example.com", i, salt);
    add(l, a, SHN_LINK_EMAIL, v);
    snprintf(v, sizeof v, "+81 80 %04u %04u", (i + salt * 7919) / 10000 % 10000,
             (i + salt * 7919) % 10000);
    if (salt == 0)
        snprintf(v, sizeof v, "080-%04u-%04u", i / 10000 % 10000, i % 10000);
    add(l, a, SHN_LINK_PHONE, v);
    snprintf(v, sizeof v, "dev-%08x-%u", i * 2654435761u, salt);
    add(l, a, SHN_LINK_DEVICE, v);
    snprintf(v, sizeof v, "0x%08x%032x", i, salt);
    add(l, a, SHN_LINK_WALLET, v);
    snprintf(v, sizeof v, "BANK-%u-%u", i, salt);
    add(l, a, SHN_LINK_BANK, v);
    snprintf(v, sizeof v, "Name%u Family%u", rnd(40000), rnd(5000));
    add(l, a, SHN_LINK_NAME, v);
    for (int k = 0; k < 2; k++) {
        uint32_t r = rnd(1000);
        if (r < 3) /* a busy public address */
            snprintf(v, sizeof v, "192.0.2.%u", rnd(4));
        else
            snprintf(v, sizeof v, "%u.%u.%u.%u", 11 + rnd(200), rnd(256), rnd(256), 1 + rnd(254));
        add(l, a, SHN_LINK_IP, v);
    }
    if (rnd(100) == 0)
        add(l, a, SHN_LINK_WALLET, "0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"); /* exchange */
    if (i % 500 == 1 && salt == 0) {
        /* a family: two honest accounts on one home computer and router;
         * the engine cannot tell them from an operator (a false join) */
        char b[32];
        account_name(i - 1, b, sizeof b);
        snprintf(v, sizeof v, "family-pc-%u", i);
        add(l, a, SHN_LINK_DEVICE, v);
        add(l, b, SHN_LINK_DEVICE, v);
        snprintf(v, sizeof v, "172.16.%u.%u", i / 250 % 250, 1 + i % 250);
        add(l, a, SHN_LINK_IP, v);
        add(l, b, SHN_LINK_IP, v);
    }
}

/* Joins account b to account a of the same planted cluster c. */
static void plant_link(struct shn_link *l, uint32_t a, uint32_t b, uint32_t c)
{
    char x[32], y[32], v[96];
    account_name(a, x, sizeof x);
    account_name(b, y, sizeof y);
    uint32_t k = rnd(20);
    /* one link in 20 is the weak kind (case 4); the rest spread over 0-3, 5 */
    switch (k == 0 ? 4u : k % 5 == 4 ? 5u : k % 5) {
    case 0:
        snprintf(v, sizeof v, "0xC1A5%036x", c * 31 + a);
        add(l, x, SHN_LINK_WALLET, v);
        add(l, y, SHN_LINK_WALLET, v);
        break;
    case 1:
        snprintf(v, sizeof v, "070-%04u-%04u", (c * 13 + a) / 10000 % 10000, (c * 13 + a) % 10000);
        add(l, x, SHN_LINK_PHONE, v);
        snprintf(v, sizeof v, "+81 70 %04u %04u", (c * 13 + a) / 10000 % 10000,
                 (c * 13 + a) % 10000);
        add(l, y, SHN_LINK_PHONE, v);
        break;
    case 2:
        snprintf(v, sizeof v, "DL-%u-%u", c, a);
        add(l, x, SHN_LINK_ID_NUMBER, v);
        add(l, y, SHN_LINK_ID_NUMBER, v);
        break;
    case 3:
        snprintf(v, sizeof v, "JPB %u %u", c, a);
        add(l, x, SHN_LINK_BANK, v);
        add(l, y, SHN_LINK_BANK, v);
        break;
    case 4: /* the same laptop, logins from neighbouring addresses: 0.7, not
             * enough alone; these links are meant to be missed */
        snprintf(v, sizeof v, "laptop-%u-%u", c, a);
        add(l, x, SHN_LINK_DEVICE, v);
        add(l, y, SHN_LINK_DEVICE, v);
        snprintf(v, sizeof v, "100.%u.%u.%u", 64 + c % 64, c / 64 % 256, 1 + a % 250);
        add(l, x, SHN_LINK_IP, v);
        snprintf(v, sizeof v, "100.%u.%u.%u", 64 + c % 64, c / 64 % 256, 2 + a % 250);
        add(l, y, SHN_LINK_IP, v);
        break;
    default: /* the same laptop and the same flat */
        snprintf(v, sizeof v, "laptop-%u-%u", c, a);
        add(l, x, SHN_LINK_DEVICE, v);
        add(l, y, SHN_LINK_DEVICE, v);
        snprintf(v, sizeof v, "100.%u.%u.%u", 64 + c % 64, c / 64 % 256, 1 + a % 250);
        add(l, x, SHN_LINK_IP, v);
        add(l, y, SHN_LINK_IP, v);
        break;
    }
}

static uint32_t *pred;
static int cmp_pred_truth(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    if (pred[a] != pred[b])
        return pred[a] < pred[b] ? -1 : 1;
    return truth[a] < truth[b] ? -1 : truth[a] > truth[b];
}

int main(int argc, char **argv)
{
    uint32_t n = 100000, updates = 10000;
    const char *db = "/tmp/bench_link.linkdb";
    struct shn_link *l = NULL, *r = NULL;
    struct shn_link_stats st;
    struct shn_diag diag = {0};
    double t0, t_build, t_cluster, t_update, t_save, t_open;
    for (int k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--big") == 0)
            n = 1000000;
        else if (strcmp(argv[k], "--accounts") == 0 && k + 1 < argc)
            n = (uint32_t)strtoul(argv[++k], NULL, 10);
        else if (strcmp(argv[k], "--db") == 0 && k + 1 < argc)
            db = argv[++k];
        else {
            fprintf(stderr, "usage: bench_link [--accounts N] [--big] [--db PATH]\n");
            return 2;
        }
    }
    if (n < 1000)
        n = 1000;
    truth = calloc(n + updates, sizeof *truth);
    pred = calloc(n + updates, sizeof *pred);
    must(shn_link_new(NULL, &l), "new");

    /* planted clusters over the first 5% of the accounts */
    uint32_t planted_end = n / 20, c = 0, true_clusters = 0;
    t0 = now();
    for (uint32_t i = 0; i < n; i++)
        ordinary(l, i, 0);
    for (uint32_t i = 0; i < planted_end;) {
        uint32_t size = 2 + rnd(19);
        if (i + size > planted_end)
            size = planted_end - i;
        if (size < 2)
            break;
        c++;
        true_clusters++;
        for (uint32_t k = 0; k < size; k++) {
            truth[i + k] = c;
            if (k > 0)
                plant_link(l, i + k - 1 - rnd(k), i + k, c);
        }
        i += size;
    }
    t_build = now() - t0;
    t0 = now();
    must(shn_link_update(l), "cluster");
    t_cluster = now() - t0;
    shn_link_stats(l, &st);
    printf("build: %u accounts, %zu identifier occurrences, %zu distinct identifiers\n", n,
           st.occurrences, st.identifiers);
    printf("build: add+normalise %.2f s, cluster %.2f s, total %.2f s (target < 20 s)\n", t_build,
           t_cluster, t_build + t_cluster);
    printf("build: %zu clusters of 2+ (largest %zu), %zu identifiers ignored (shared by > 100), "
           "%zu pairs joined by summed evidence\n",
           st.clusters, st.largest, st.ignored, st.evidence_pairs);

    /* precision and recall over pairs of accounts */
    {
        uint32_t *ord = malloc((size_t)n * sizeof *ord);
        char cid[20], a[32];
        unsigned long long tp = 0, pred_pairs = 0, true_pairs = 0;
        for (uint32_t i = 0; i < n; i++) {
            account_name(i, a, sizeof a);
            must(shn_link_cluster_of(l, a, cid), "cluster_of");
            pred[i] = (uint32_t)strtoull(cid + 1 + 8, NULL, 16); /* low 32 bits of the id */
            ord[i] = i;
        }
        qsort(ord, n, sizeof *ord, cmp_pred_truth);
        for (uint32_t s = 0; s < n;) {
            uint32_t e = s;
            while (e < n && pred[ord[e]] == pred[ord[s]])
                e++;
            pred_pairs += (unsigned long long)(e - s) * (e - s - 1) / 2;
            for (uint32_t u = s; u < e;) {
                uint32_t v = u;
                while (v < e && truth[ord[v]] == truth[ord[u]])
                    v++;
                if (truth[ord[u]])
                    tp += (unsigned long long)(v - u) * (v - u - 1) / 2;
                u = v;
            }
            s = e;
        }
        for (uint32_t s = 0; s < planted_end;) {
            uint32_t e = s;
            while (e < planted_end && truth[e] == truth[s])
                e++;
            true_pairs += (unsigned long long)(e - s) * (e - s - 1) / 2;
            s = e;
        }
        printf("quality: %u planted clusters; pairwise precision %.4f, recall %.4f\n",
               true_clusters, pred_pairs ? (double)tp / (double)pred_pairs : 1.0,
               true_pairs ? (double)tp / (double)true_pairs : 1.0);
        free(ord);
    }

    /* 10k new events: half new sign-ups (some joining a planted cluster by
     * a shared wallet), half logins and payout changes of existing users. */
    t0 = now();
    for (uint32_t k = 0; k < updates / 2; k++) {
        char a[32], v[96];
        uint32_t i = n + k;
        account_name(i, a, sizeof a);
        snprintf(v, sizeof v, "new%u@example.org", i);
        add(l, a, SHN_LINK_EMAIL, v);
        if (k % 10 == 0 && planted_end) {
            char b[32];
            account_name(rnd(planted_end), b, sizeof b);
            snprintf(v, sizeof v, "0xAB%038x", k);
            add(l, a, SHN_LINK_WALLET, v);
            add(l, b, SHN_LINK_WALLET, v);
        }
        account_name(rnd(n), a, sizeof a);
        snprintf(v, sizeof v, "%u.%u.%u.%u", 11 + rnd(200), rnd(256), rnd(256), 1 + rnd(254));
        add(l, a, SHN_LINK_IP, v);
    }
    must(shn_link_update(l), "update");
    t_update = now() - t0;
    printf("update: %u events (adds + reclustering of the touched clusters) %.1f ms (target < 200 "
           "ms)\n",
           updates, t_update * 1000);

    t0 = now();
    must(shn_link_save(l, db, &diag), "save");
    t_save = now() - t0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("memory: peak RSS %.0f MiB after build, update and save (target < 2048 MiB)\n",
           (double)ru.ru_maxrss / 1024.0);
    shn_link_free(l);
    t0 = now();
    must(shn_link_open(db, &r, &diag), "open");
    t_open = now() - t0;
    printf("linkdb: save %.2f s, open %.2f s\n", t_save, t_open);
    shn_link_free(r);
    unlink(db);
    free(truth);
    free(pred);
    return 0;
}
