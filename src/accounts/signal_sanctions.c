/* sanctions: not built yet — neutral until its module lands (issue 6 §3). */
#include "accounts/signals.h"

static int eval(const struct shn__score_ctx *c, const void *state, const struct shn__w_account *a,
                struct shn_accounts_signal *out)
{
    (void)c;
    (void)state;
    (void)a;
    out->score = 0;
    return SHN_OK;
}

const struct shn__signal_def shn__signal_sanctions = {
    .name = "sanctions",
    .default_weight = 4.0,
    .eval = eval,
};
