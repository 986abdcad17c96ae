/* Shared by the image tests: paths, helpers and the test list. One
 * executable (test_image), one file per part of the engine. */
#ifndef SHN_TESTS_IMAGE_TESTS_H
#define SHN_TESTS_IMAGE_TESTS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "shinsa/image.h"

#define PDQ_DIR SHN_SHARED_DATA "/pdq"
#define FIX_DIR SHN_TEST_DATA "/image"

/* test_image.c */
int have_pdq_data(void);
struct shn_pdq hex_hash(const char *hex);

#define NEED_PDQ_DATA()                                                                            \
    do {                                                                                           \
        if (!have_pdq_data()) {                                                                    \
            printf("SKIP: %s not found; reference PDQ tests not run\n", PDQ_DIR);                  \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

/* test_image_pdq.c */
int load_reference_set(void **state); /* group setup */
void pdq_hasher_input_arrays_are_bit_exact(void **state);
void pdq_files_within_10_bits_of_reference(void **state);
void pdq_dihedral_forms_match_reference(void **state);
void pdq_exif_orientation_is_applied(void **state);
void pdq_near_duplicates_match_and_unrelated_do_not(void **state);
void pdq_hex_and_bit_order(void **state);
void pdq_tiny_images_hash_to_zero(void **state);

/* test_image_decode.c */
void decoders_handle_every_pixel_layout(void **state);
void decoders_reject_broken_files(void **state);
void decoders_check_bounds_before_allocating(void **state);
void decoders_survive_truncation_and_corruption(void **state);
void decoders_fail_cleanly_without_memory(void **state);
void decode_and_orient_pixels(void **state);

/* test_image_index.c */
int make_tmp_dir(void **state); /* group setup */
extern char tmp_dir[64];
void index_equals_brute_force_on_random_and_planted(void **state);
void index_reproduces_reference_needle_haystack_matches(void **state);
void index_persists_and_forgets_owners(void **state);
void index_detects_torn_writes_and_damage(void **state);
void index_query_many_merges_forms(void **state);
void index_fails_cleanly_without_memory(void **state);

/* test_image_recovery.c (uses tmp_dir) */
void recovery_completes_a_removal_cut_short(void **state);
void recovery_survives_a_bit_flip_anywhere(void **state);
void index_refuses_non_regular_files_without_blocking(void **state);
void index_files_are_0600_whatever_the_umask(void **state);
void repair_follows_links_and_cleans_dead_temps(void **state);
void fuzz_seeds_pass_the_header(void **state);

#endif
