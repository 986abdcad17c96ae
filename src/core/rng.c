/* splitmix64 and the draws built on it (rng.h says why this generator). */
#include "shinsa/core/rng.h"

#include <math.h>

struct shn_rng shn_rng_seed(uint64_t seed)
{
    struct shn_rng r = {seed};
    return r;
}

uint64_t shn_rng_next(struct shn_rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t shn_rng_mix(uint64_t a, uint64_t b)
{
    /* the odd multiplier spreads b over all bits before it meets a; two
     * steps of the output function then mix the two thoroughly */
    struct shn_rng s = {a ^ (b * 0xD6E8FEB86659FD93ull)};
    shn_rng_next(&s);
    return shn_rng_next(&s);
}

struct shn_rng shn_rng_stream(uint64_t seed, uint64_t stream)
{
    return shn_rng_seed(shn_rng_mix(seed, stream));
}

uint64_t shn_rng_below(struct shn_rng *r, uint64_t n)
{
    uint64_t x, v;

    if (n == 0)
        return 0;
    /* x - v is the start of x's block of n values; the block is whole when
     * it ends at or before 2^64 - 1, i.e. when x - v <= 2^64 - n. Keeping
     * the value x % n (rather than, say, Lemire's multiply-shift) keeps
     * the sequences the generators were first written with. */
    do {
        x = shn_rng_next(r);
        v = x % n;
    } while (x - v > 0 - n);
    return v;
}

double shn_rng_unit(struct shn_rng *r)
{
    return (double)(shn_rng_next(r) >> 11) / 9007199254740992.0; /* 2^53 */
}

double shn_rng_normal(struct shn_rng *r)
{
    double u = shn_rng_unit(r), v = shn_rng_unit(r);
    /* 1 - u is in (0, 1], so the logarithm is finite */
    return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}
