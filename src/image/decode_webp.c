/* WebP through libwebp (still images; an animated file is refused). */
#include <string.h>

#include <webp/decode.h>

#include "image_internal.h"
#include "shinsa/core/alloc.h"

int shn__image_decode_webp(const uint8_t *data, size_t len, const struct shn_image_options *opts,
                           const char *name, struct shn_image *out, struct shn_diag *diag)
{
    WebPDecoderConfig config;
    uint8_t *pixels = NULL;
    size_t stride, size;
    unsigned channels;
    VP8StatusCode status;
    int rc = SHN_OK;

    if (!WebPInitDecoderConfig(&config))
        return shn_diag_set(diag, SHN_ERR_UNSUPPORTED, name, 0, NULL, "libwebp version mismatch");
    status = WebPGetFeatures(data, len, &config.input);
    if (status != VP8_STATUS_OK)
        return shn_diag_set(diag, SHN_ERR_PARSE, name, 0, NULL,
                            "bad WebP header (libwebp status %d)", (int)status);
    if (config.input.has_animation)
        return shn_diag_set(diag, SHN_ERR_UNSUPPORTED, name, 0, NULL, "animated WebP");
    /* The bound, before any pixel memory. */
    rc = shn__image_check_size((uint64_t)config.input.width, (uint64_t)config.input.height, opts,
                               name, diag);
    if (rc != SHN_OK)
        return rc;
    channels = config.input.has_alpha ? 4 : 3;
    if (!shn_size_mul((size_t)config.input.width, channels, &stride) ||
        !shn_size_mul(stride, (size_t)config.input.height, &size))
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, name, 0, NULL, "too large");
    pixels = shn_malloc(size);
    if (!pixels)
        return shn_diag_set(diag, SHN_ERR_NOMEM, name, 0, NULL, "out of memory");
    config.output.colorspace = channels == 4 ? MODE_RGBA : MODE_RGB;
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = pixels;
    config.output.u.RGBA.stride = (int)stride;
    config.output.u.RGBA.size = size;
    status = WebPDecode(data, len, &config);
    WebPFreeDecBuffer(&config.output);
    if (status != VP8_STATUS_OK) {
        rc =
            shn_diag_set(diag, SHN_ERR_PARSE, name, 0, NULL,
                         status == VP8_STATUS_NOT_ENOUGH_DATA ? "truncated WebP"
                                                              : "bad WebP data (libwebp status %d)",
                         (int)status);
        goto out;
    }
    if (channels == 4) {
        shn__image_drop_alpha(pixels, (uint32_t)config.input.width, (uint32_t)config.input.height,
                              stride, 4);
        channels = 3;
    }
    memset(out, 0, sizeof *out);
    out->width = out->source_width = (uint32_t)config.input.width;
    out->height = out->source_height = (uint32_t)config.input.height;
    out->channels = channels;
    out->stride = stride;
    out->pixels = pixels;
    out->orientation = 1; /* EXIF in WebP lives in the RIFF container; not read */
    out->format = "webp";
    pixels = NULL;
out:
    shn_free(pixels);
    return rc;
}
