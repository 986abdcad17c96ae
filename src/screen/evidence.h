/* Screening evidence weights (module-internal): what a birth date or a
 * nationality adds to or takes from a name score, in one place. The query
 * path applies them and formats the `why` lines from them (query.c), and
 * prunes candidates with the most they can add (SHN_MAX_BONUS): raising a
 * bonus here raises the bound with it, so the index cannot prune a name
 * that the evidence would lift over the threshold.
 *
 * Weights are integers in hundredths of a score point, so that the bound
 * is checked at compile time; shn__evidence() gives the score value
 * (5 / 100.0 is the same double as the literal 0.05). docs/screen.md. */
#ifndef SHN_SCREEN_EVIDENCE_H
#define SHN_SCREEN_EVIDENCE_H

enum shn_evidence_weight {
    SHN_EV_DOB_EXACT = 5,  /* birth date matches a listed date exactly */
    SHN_EV_DOB_YEAR = 3,   /* birth year within a listed year, range or circa */
    SHN_EV_DOB_NEAR = -10, /* up to SHN_EV_DOB_NEAR_YEARS years off */
    SHN_EV_DOB_FAR = -20,  /* more years off */
    SHN_EV_NAT_MATCH = 2,  /* nationality among the listed ones */
    SHN_EV_NAT_OTHER = -5, /* nationality not among them */
};

/* A listed birth date at most this many years off is "near". */
#define SHN_EV_DOB_NEAR_YEARS 5

#define SHN_EV_MAX(a, b) ((a) > (b) ? (a) : (b))

/* The most evidence can add to a name score: the largest birth-date
 * outcome plus the largest nationality outcome (a query gives at most one
 * of each). */
#define SHN_EV_MAX_BONUS                                                                           \
    (SHN_EV_MAX(SHN_EV_MAX(SHN_EV_DOB_EXACT, SHN_EV_DOB_YEAR),                                     \
                SHN_EV_MAX(SHN_EV_DOB_NEAR, SHN_EV_DOB_FAR)) +                                     \
     SHN_EV_MAX(SHN_EV_NAT_MATCH, SHN_EV_NAT_OTHER))

/* Every birth-date outcome with every nationality outcome stays within the
 * bound (a new outcome must be added here and to SHN_EV_MAX_BONUS). */
_Static_assert(SHN_EV_MAX_BONUS >= SHN_EV_DOB_EXACT + SHN_EV_NAT_MATCH &&
                   SHN_EV_MAX_BONUS >= SHN_EV_DOB_YEAR + SHN_EV_NAT_MATCH &&
                   SHN_EV_MAX_BONUS >= SHN_EV_NAT_MATCH && SHN_EV_MAX_BONUS >= SHN_EV_DOB_EXACT,
               "the pruning bound must cover the largest evidence bonus");

/* The pruning bound as a score. */
#define SHN_MAX_BONUS (SHN_EV_MAX_BONUS / 100.0)

static inline double shn__evidence(enum shn_evidence_weight w)
{
    return (int)w / 100.0;
}

#endif
