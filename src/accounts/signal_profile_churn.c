/* profile_churn: an account that keeps changing who it is — its name, its
 * contact details (email, phone) or where its money goes (payout methods)
 * — in a short time. Operators rotate personas through one account, take
 * over bought accounts and re-point payouts; ordinary freelancers change
 * these rarely.
 *
 * The world records, per account event, which fields took a new value
 * (SHN__W_CH_*; the first value set is not a change). Counted here: name
 * (any of name, name_reading, name_latin), email, phone, payout; address and
 * document changes are reported but not counted (people move, documents
 * expire). Fires on either of:
 *   - at least `min_changes` counted field changes within any `window_days`
 *     (one event changing name and email counts two);
 *   - a name change and a payout change within `name_payout_days` of each
 *     other (the same event included): the classic sign of an account
 *     handed over to someone else.
 * No prepare: eval reads the account's change list (bounded by
 * CHANGES_MAX). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "signals.h"

#define CHANGES_MAX 4096 /* changes of one account examined (the latest) */

enum { P_MIN_CHANGES, P_WINDOW_DAYS, P_PAIR_DAYS };
static const struct shn__param params[] = {
    [P_MIN_CHANGES] = SHN__INT("min_changes", 3, 1, 1000, "changes",
                               "counted field changes within window_days that fire"),
    [P_WINDOW_DAYS] = SHN__NUM("window_days", 30, 0, 3650, "days", "the sliding window"),
    [P_PAIR_DAYS] = SHN__NUM("name_payout_days", 7, 0, 3650, "days",
                             "a name change this close to a payout change fires"),
};
#define SELF (&shn__signal_profile_churn)

static const unsigned counted =
    SHN__W_CH_NAME | SHN__W_CH_EMAIL | SHN__W_CH_PHONE | SHN__W_CH_PAYOUT;

static int bits(unsigned v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

static void iso(int64_t t, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, size, "%lld", (long long)t);
}

static int eval(const struct shn__score_ctx *c, const void *state, const struct shn__w_account *a,
                struct shn_accounts_signal *out)
{
    double min_changes = shn__param_num(c, SELF, P_MIN_CHANGES);
    double window_days = shn__param_num(c, SELF, P_WINDOW_DAYS);
    double pair_days = shn__param_num(c, SELF, P_PAIR_DAYS);
    int64_t window = (int64_t)(window_days * 86400), pair = (int64_t)(pair_days * 86400);
    size_t first = a->n_changes > CHANGES_MAX ? a->n_changes - CHANGES_MAX : 0;
    const struct shn__w_change *ch = a->n_changes ? a->changes + first : NULL;
    size_t n = a->n_changes - first, lo = 0, best_lo = 0, best_hi = 0;
    long in_window = 0, best = 0;
    long per[6] = {0};
    int64_t last_name = INT64_MIN, last_payout = INT64_MIN, pair_name = 0, pair_payout = 0;
    bool paired = false;
    char t0[32], t1[32];
    (void)state;

    for (size_t i = 0; i < n; i++) {
        for (int f = 0; f < 6; f++)
            per[f] += (ch[i].fields >> f) & 1u;
        /* Sliding window: the counted changes in (t - window, t]. */
        in_window += bits(ch[i].fields & counted);
        while (lo < i && ch[i].t - ch[lo].t >= window) {
            in_window -= bits(ch[lo].fields & counted);
            lo++;
        }
        if (in_window > best) {
            best = in_window;
            best_lo = lo;
            best_hi = i;
        }
        if (ch[i].fields & SHN__W_CH_NAME)
            last_name = ch[i].t;
        if (ch[i].fields & SHN__W_CH_PAYOUT)
            last_payout = ch[i].t;
        if (!paired && last_name != INT64_MIN && last_payout != INT64_MIN &&
            (last_name > last_payout ? last_name - last_payout : last_payout - last_name) <= pair) {
            paired = true;
            pair_name = last_name;
            pair_payout = last_payout;
        }
    }
    out->score = 0;
    if (min_changes >= 1 && (double)best >= min_changes)
        out->score = 0.4 + 0.1 * ((double)best - min_changes);
    if (out->score > 0.8)
        out->score = 0.8;
    if (paired)
        out->score = out->score > 0 ? out->score + 0.1 : 0.6;
    if (out->score > 0.9)
        out->score = 0.9;
    if (out->score > 0) {
        iso(n ? ch[best_lo].t : 0, t0, sizeof t0);
        iso(n ? ch[best_hi].t : 0, t1, sizeof t1);
        if ((double)best >= min_changes) {
            shn__signal_reason_en(out,
                                  "%ld changes of name, contact details or payout method "
                                  "within %g days (%s to %s)%s",
                                  best, window_days, t0, t1,
                                  paired ? ", including a name change next to a payout change"
                                         : "");
            shn__signal_reason_ja(out, "%g日以内に氏名・連絡先・振込先の変更が%ld回（%s〜%s）%s",
                                  window_days, best, t0, t1,
                                  paired ? "。氏名変更と振込先変更が近接" : "");
        } else {
            iso(pair_name, t0, sizeof t0);
            iso(pair_payout, t1, sizeof t1);
            shn__signal_reason_en(out,
                                  "the name changed (%s) within %g days of a payout method "
                                  "change (%s)",
                                  t0, pair_days, t1);
            shn__signal_reason_ja(out, "氏名の変更（%s）と振込先の変更（%s）が%g日以内", t0, t1,
                                  pair_days);
        }
    }
    iso(n ? ch[best_lo].t : 0, t0, sizeof t0);
    iso(n ? ch[best_hi].t : 0, t1, sizeof t1);
    {
        json_t *ev = json_pack("{s:I, s:{s:i, s:i, s:i, s:i, s:i, s:i}, s:f, s:i, s:I}", "changes",
                               (json_int_t)a->n_changes, "by_field", "name", (int)per[0], "email",
                               (int)per[1], "phone", (int)per[2], "payout", (int)per[3], "address",
                               (int)per[4], "document", (int)per[5], "window_days", window_days,
                               "min_changes", (int)min_changes, "max_in_window", (json_int_t)best);
        if (ev && best > 0) {
            json_object_set_new(ev, "window_first", json_string(t0));
            json_object_set_new(ev, "window_last", json_string(t1));
        }
        if (ev && paired) {
            iso(pair_name, t0, sizeof t0);
            iso(pair_payout, t1, sizeof t1);
            json_object_set_new(ev, "name_change", json_string(t0));
            json_object_set_new(ev, "payout_change", json_string(t1));
        }
        return shn__signal_set_evidence(out, ev);
    }
}

const struct shn__signal_def shn__signal_profile_churn = {
    .name = "profile_churn",
    .default_weight = 0.75,
    SHN__PARAMS(params),
    .eval = eval,
};
