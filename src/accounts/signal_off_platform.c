/* off_platform: messages (or a profile) that push the client off the
 * platform — a chat app (Telegram, WhatsApp, Skype, LINE, WeChat, Discord
 * …), a personal e-mail address or phone number, dealing "directly" around
 * the platform's fees — or that ask to be paid before the work. Operators
 * move clients to channels the platform cannot see, and prepayment is how
 * many of them are paid without delivering.
 *
 * The profile(s) and the most recent messages are scanned with a weighted
 * lexicon in Japanese, English, Korean and Chinese
 * (data/accounts/off-platform-lexicon.txt) and for contact patterns:
 * e-mail addresses, phone numbers (+country or a Japanese 0… number of 10-11
 * digits), and @handles when a lexicon term is in the same text. A text
 * scores the noisy-or of its distinct terms and kinds of contact; the
 * account the noisy-or of its three best texts.
 *
 * prepare loads the lexicon once; eval only reads it. */
#include <string.h>

#include "signals.h"
#include "textscan.h"

#define NAME "off_platform"

struct state {
    struct shn__lexicon_state base; /* first: the shared part */
};

enum { P_LEXICON, P_EMAIL, P_PHONE, P_HANDLE, P_PROFILE, P_MAX_MESSAGES };
static const struct shn__param params[] = {
    [P_LEXICON] = SHN__PATH("lexicon", "off-platform-lexicon.txt", "the weighted term list"),
    [P_EMAIL] = SHN__NUM("email_weight", 0.5, 0, 1, "", "weight of an e-mail address"),
    [P_PHONE] = SHN__NUM("phone_weight", 0.45, 0, 1, "", "weight of a phone number"),
    [P_HANDLE] =
        SHN__NUM("handle_weight", 0.3, 0, 1, "", "weight of an @handle beside a lexicon term"),
    [P_PROFILE] =
        SHN__NUM("profile_factor", 1.0, 0, 1, "", "multiplies the weights of what a profile holds"),
    [P_MAX_MESSAGES] = SHN__INT("max_messages", 500, 0, SHN__W_PER_LIST_MAX, "messages",
                                "most recent messages scanned"),
};
#define SELF (&shn__signal_off_platform)
static const char *const kinds[] = {"channel", "direct", "prepay", "freemail", NULL};

static int prepare(const struct shn__score_ctx *c, void **out, struct shn_diag *diag)
{
    struct state *s = shn__lexicon_state_new(c, SELF, P_LEXICON, sizeof(struct state));
    (void)diag;
    if (!s)
        return SHN_ERR_NOMEM;
    s->base.opts = (struct shn__scan_opts){
        .lx = s->base.lx,
        .contacts = true,
        .email_weight = shn__param_num(c, SELF, P_EMAIL),
        .phone_weight = shn__param_num(c, SELF, P_PHONE),
        .handle_weight = shn__param_num(c, SELF, P_HANDLE),
        .profile_factor = shn__param_num(c, SELF, P_PROFILE),
        .max_messages = shn__param_size(c, SELF, P_MAX_MESSAGES),
    };
    *out = s;
    return SHN_OK;
}

/* "Telegram, prepayment" / "Telegram、前払い" from the kinds seen. */
static void what_seen(unsigned k, size_t n_found, bool ja, char *out, size_t size)
{
    static const char *const en[] = {"a chat app", "dealing around the platform",
                                     "payment before the work", "a personal mail domain"};
    static const char *const jp[] = {"チャットアプリ", "プラットフォームを通さない取引", "前払い",
                                     "個人のメールアドレス"};
    size_t o = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < 4; i++)
        if (k & (1u << i) && o < size)
            o += (size_t)snprintf(out + o, size - o, "%s%s", o ? (ja ? "、" : ", ") : "",
                                  ja ? jp[i] : en[i]);
    if (n_found && o < size)
        snprintf(out + o, size - o, "%s%s", o ? (ja ? "、" : ", ") : "",
                 ja ? "連絡先" : "contact details");
}

static int eval(const struct shn__score_ctx *c, const void *state, const struct shn__w_account *a,
                struct shn_accounts_signal *out)
{
    const struct state *s = state;
    struct shn__scan_result r = {0};
    json_t *ev;
    int rc;
    (void)c;

    if (!s->base.lx) {
        out->score = 0;
        return shn__signal_set_evidence(
            out, json_pack("{s:s}", "lexicon", s->base.why[0] ? s->base.why : "unavailable"));
    }
    rc = shn__scan_account(&s->base.opts, a, kinds, &r);
    if (rc != SHN_OK)
        return rc;
    out->score = r.score;
    ev = json_pack("{s:f, s:I, s:I, s:I, s:b, s:o*, s:o*, s:o*, s:I}", "text_score", r.score,
                   "texts_scanned", (json_int_t)r.texts, "texts_matched", (json_int_t)r.hit_texts,
                   "messages_matched", (json_int_t)r.hit_messages, "profile_matched", r.profile_hit,
                   "terms", r.terms, "examples", r.examples, "contacts", r.found, "contacts_found",
                   (json_int_t)r.n_found);
    r.terms = r.examples = r.found = NULL;
    if (ev) {
        json_t *k = json_array();
        for (unsigned i = 0; k && kinds[i]; i++)
            if (r.kinds & (1u << i))
                json_array_append_new(k, json_string(kinds[i]));
        json_object_set_new(ev, "kinds", k ? k : json_null());
    }
    if (out->score > 0) {
        char seen[256];
        what_seen(r.kinds, r.n_found, false, seen, sizeof seen);
        shn__signal_reason_en(out, "%zu text(s) push the client off the platform (%s), e.g. \"%s\"",
                              r.hit_texts, seen, r.best_excerpt);
        what_seen(r.kinds, r.n_found, true, seen, sizeof seen);
        shn__signal_reason_ja(out, "%zu件の文面がプラットフォーム外へ誘導している（%s）。例:「%s」",
                              r.hit_texts, seen, r.best_excerpt);
    }
    shn__scan_result_cleanup(&r);
    return shn__signal_set_evidence(out, ev);
}

const struct shn__signal_def shn__signal_off_platform = {
    .name = NAME,
    .default_weight = 0.75,
    SHN__PARAMS(params),
    .prepare = prepare,
    .eval = eval,
    .release = shn__lexicon_state_free,
};
