/* Tests for src/image: PDQ against the reference (pixel arrays bit for bit,
 * whole files within 10 bits, dihedral forms, EXIF), near-duplicate and
 * false-match rates on the reference set, every decoder path and broken
 * file, and the index against its brute-force oracle, the reference's
 * needle/haystack matches, persistence, removal and torn writes.
 *
 * Shared data: SHN_SHARED_DATA/pdq (tests that need it skip without it).
 * Fixtures: SHN_TEST_DATA/image (made by tests/image/make_fixtures.c). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_tests.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"

int have_pdq_data(void)
{
    struct stat st;
    return stat(PDQ_DIR "/reference_hashes.csv", &st) == 0;
}

struct shn_pdq hex_hash(const char *hex)
{
    struct shn_pdq h;
    assert_int_equal(shn_image_pdq_from_hex(hex, strlen(hex), &h), SHN_OK);
    return h;
}

int main(void)
{
    const struct CMUnitTest pdq_tests[] = {
        cmocka_unit_test(pdq_hasher_input_arrays_are_bit_exact),
        cmocka_unit_test(pdq_files_within_10_bits_of_reference),
        cmocka_unit_test(pdq_dihedral_forms_match_reference),
        cmocka_unit_test(pdq_exif_orientation_is_applied),
        cmocka_unit_test(pdq_near_duplicates_match_and_unrelated_do_not),
        cmocka_unit_test(pdq_hex_and_bit_order),
        cmocka_unit_test(pdq_tiny_images_hash_to_zero),
    };
    const struct CMUnitTest decoder_tests[] = {
        cmocka_unit_test(decoders_handle_every_pixel_layout),
        cmocka_unit_test(decoders_reject_broken_files),
        cmocka_unit_test(decoders_check_bounds_before_allocating),
        cmocka_unit_test(decoders_survive_truncation_and_corruption),
        cmocka_unit_test(decoders_fail_cleanly_without_memory),
        cmocka_unit_test(decode_and_orient_pixels),
    };
    const struct CMUnitTest index_tests[] = {
        cmocka_unit_test(index_equals_brute_force_on_random_and_planted),
        cmocka_unit_test(index_reproduces_reference_needle_haystack_matches),
        cmocka_unit_test(index_persists_and_forgets_owners),
        cmocka_unit_test(index_detects_torn_writes_and_damage),
        cmocka_unit_test(index_query_many_merges_forms),
        cmocka_unit_test(index_fails_cleanly_without_memory),
        cmocka_unit_test(recovery_completes_a_removal_cut_short),
        cmocka_unit_test(recovery_survives_a_bit_flip_anywhere),
        cmocka_unit_test(index_refuses_non_regular_files_without_blocking),
        cmocka_unit_test(index_files_are_0600_whatever_the_umask),
        cmocka_unit_test(repair_follows_links_and_cleans_dead_temps),
        cmocka_unit_test(fuzz_seeds_pass_the_header),
    };
    int failed = 0;
    failed += cmocka_run_group_tests_name("image_pdq", pdq_tests, load_reference_set, NULL);
    failed += cmocka_run_group_tests_name("image_decoders", decoder_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("image_index", index_tests, make_tmp_dir, NULL);
    if (tmp_dir[0])
        rmdir(tmp_dir);
    return failed ? 1 : 0;
}
