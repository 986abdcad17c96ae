/* libFuzzer target: the JPEG decoder from memory (src/image), then PDQ and
 * the EXIF orientation on what it decoded. Bounds are lowered so that a
 * crafted header cannot ask for more memory than the fuzzer's RSS limit. */
#include <stddef.h>
#include <stdint.h>

#include "image_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn_image_options opts = {0};
    struct shn_image img = {0};
    struct shn_image_hash h;

    opts.max_pixels = 4u << 20;
    opts.max_side = 8192;
    shn__image_options_resolve(&opts, &opts);
    /* Odd sizes take the reduced (DCT-scaled, luma-only) path. */
    if (shn__image_decode_jpeg(data, size, &opts, size & 1 ? 256 : 0, "fuzz", &img, NULL) != SHN_OK)
        return 0;
    (void)shn_image_hash_pixels(img.pixels, img.width, img.height, img.channels, img.stride, &h);
    (void)shn_image_orient(&img);
    shn_image_cleanup(&img);
    return 0;
}
