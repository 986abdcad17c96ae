/* The project's one pseudo-random generator: splitmix64 (Steele, Lea and
 * Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014;
 * the constants of Vigna's reference splitmix64.c).
 *
 * Why this one: the sample generators need many independent streams, one
 * per account, per card or per cell, seeded from (seed, index) so that
 * their output does not depend on the order things are generated in. A
 * splitmix64 state is one 64-bit number, so a stream costs nothing to
 * make, and its output function is a good 64-bit mixer, so neighbouring
 * seeds give unrelated streams. It passes TestU01's BigCrush; it is
 * not cryptographic, and must never be used for anything secret.
 *
 * The sequences are part of what the generators reproduce (the same seed
 * gives the same sample data, byte for byte): tests/core/test_rng.c pins
 * them. Changing any function here changes every generated data set. */
#ifndef SHN_CORE_RNG_H
#define SHN_CORE_RNG_H

#include <stdint.h>

/* A generator's state; a plain value, copied freely (a copy continues the
 * same sequence). Nothing to free. */
struct shn_rng {
    uint64_t state;
};

/* The generator that starts at `seed` (any value, 0 included). */
struct shn_rng shn_rng_seed(uint64_t seed);

/* A 64-bit hash of two numbers, for deriving seeds: shn_rng_mix(seed, i)
 * for i = 0, 1, 2... are unrelated values. */
uint64_t shn_rng_mix(uint64_t a, uint64_t b);

/* Stream `stream` of `seed`: shn_rng_seed(shn_rng_mix(seed, stream)). */
struct shn_rng shn_rng_stream(uint64_t seed, uint64_t stream);

/* The next 64 random bits. */
uint64_t shn_rng_next(struct shn_rng *r);

/* A uniform integer in 0..n-1, without modulo bias: a draw from the top
 * partial block of 2^64 (fewer than n values) is thrown away and drawn
 * again, so for small n it is almost always `shn_rng_next(r) % n`.
 * Returns 0, drawing nothing, when n is 0. */
uint64_t shn_rng_below(struct shn_rng *r, uint64_t n);

/* A uniform double in [0, 1) with 53 random bits (one draw). */
double shn_rng_unit(struct shn_rng *r);

/* A standard normal deviate (Box-Muller, two draws, the cosine branch). */
double shn_rng_normal(struct shn_rng *r);

#endif
