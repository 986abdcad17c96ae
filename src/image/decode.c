/* Format dispatch, bounds, orientation, and the file-to-hash pipeline. */
#include <string.h>

#include "image_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"

void shn__image_options_resolve(const struct shn_image_options *in, struct shn_image_options *out)
{
    struct shn_image_options o = {0};

    if (in)
        o = *in;
    if (o.max_file_bytes == 0)
        o.max_file_bytes = SHN_IMAGE_DEFAULT_MAX_FILE_BYTES;
    if (o.max_pixels == 0)
        o.max_pixels = SHN_IMAGE_DEFAULT_MAX_PIXELS;
    if (o.max_side == 0)
        o.max_side = SHN_IMAGE_DEFAULT_MAX_SIDE;
    *out = o;
}

int shn__image_check_size(uint64_t width, uint64_t height, const struct shn_image_options *opts,
                          const char *name, struct shn_diag *diag)
{
    if (width == 0 || height == 0)
        return shn_diag_set(diag, SHN_ERR_PARSE, name, 0, NULL, "image has no pixels (%llux%llu)",
                            (unsigned long long)width, (unsigned long long)height);
    if (width > opts->max_side || height > opts->max_side || width * height > opts->max_pixels)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, name, 0, NULL,
                            "image is %llux%llu; the limits are %u per side and %llu pixels",
                            (unsigned long long)width, (unsigned long long)height, opts->max_side,
                            (unsigned long long)opts->max_pixels);
    return SHN_OK;
}

void shn__image_drop_alpha(uint8_t *pixels, uint32_t width, uint32_t height, size_t stride,
                           unsigned channels)
{
    unsigned colour = channels - 1;

    /* Composite on white: a transparent area reads as background, whatever
     * colour values hide under it. Opaque pixels are unchanged. */
    for (uint32_t y = 0; y < height; y++) {
        const uint8_t *src = pixels + (size_t)y * stride;
        uint8_t *dst = pixels + (size_t)y * stride;
        for (uint32_t x = 0; x < width; x++, src += channels) {
            unsigned a = src[colour];
            for (unsigned c = 0; c < colour; c++)
                *dst++ = (uint8_t)((src[c] * a + 255u * (255u - a) + 127u) / 255u);
        }
    }
}

int shn_image_decode(const void *data, size_t len, const struct shn_image_options *opts,
                     uint32_t reduce_to, const char *name, struct shn_image *out,
                     struct shn_diag *diag)
{
    const uint8_t *p = data;
    struct shn_image_options o;

    shn__image_options_resolve(opts, &o);
    if (!data && len)
        return shn_diag_set(diag, SHN_ERR_INVALID, name, 0, NULL, "no data");
    if (len == 0)
        return shn_diag_set(diag, SHN_ERR_PARSE, name, 0, NULL, "empty file");
    if (len > o.max_file_bytes)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, name, 0, NULL,
                            "image is %zu bytes, the limit is %zu", len, o.max_file_bytes);
    if (len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return shn__image_decode_jpeg(p, len, &o, reduce_to, name, out, diag);
    if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
        return shn__image_decode_png(p, len, &o, name, out, diag);
    if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
        return shn__image_decode_webp(p, len, &o, name, out, diag);
    return shn_diag_set(diag, SHN_ERR_UNSUPPORTED, name, 0, NULL,
                        "not a JPEG, PNG or WebP image (told by content, not name)");
}

void shn_image_cleanup(struct shn_image *img)
{
    if (!img)
        return;
    shn_free(img->pixels);
    memset(img, 0, sizeof *img);
}

int shn_image_orient(struct shn_image *img)
{
    unsigned o = img->orientation, ch = img->channels;
    uint32_t w = img->width, h = img->height;
    uint32_t nw = o >= 5 && o <= 8 ? h : w, nh = o >= 5 && o <= 8 ? w : h;
    size_t size, nstride = (size_t)nw * ch;
    uint8_t *dst;

    if (o <= 1 || o > 8) {
        img->orientation = 1;
        return SHN_OK;
    }
    if (!shn_size_mul(nstride, nh, &size))
        return SHN_ERR_TOO_LARGE;
    dst = shn_malloc(size);
    if (!dst)
        return SHN_ERR_NOMEM;
    for (uint32_t y = 0; y < nh; y++) {
        for (uint32_t x = 0; x < nw; x++) {
            uint32_t sx, sy; /* the stored pixel shown at (x, y) */
            switch (o) {
            case 2:
                sx = w - 1 - x;
                sy = y;
                break;
            case 3:
                sx = w - 1 - x;
                sy = h - 1 - y;
                break;
            case 4:
                sx = x;
                sy = h - 1 - y;
                break;
            case 5:
                sx = y;
                sy = x;
                break;
            case 6:
                sx = y;
                sy = h - 1 - x;
                break;
            case 7:
                sx = w - 1 - y;
                sy = h - 1 - x;
                break;
            default:
                sx = w - 1 - y;
                sy = x;
                break; /* 8 */
            }
            memcpy(dst + (size_t)y * nstride + (size_t)x * ch,
                   img->pixels + (size_t)sy * img->stride + (size_t)sx * ch, ch);
        }
    }
    shn_free(img->pixels);
    img->pixels = dst;
    img->width = nw;
    img->height = nh;
    img->stride = nstride;
    if (o >= 5) {
        uint32_t t = img->source_width;
        img->source_width = img->source_height;
        img->source_height = t;
    }
    img->orientation = 1;
    return SHN_OK;
}

/* ---------------------------------------------------------------- hashing */

static float luma_at(const uint8_t *p, unsigned channels)
{
    if (channels == 1)
        return (float)p[0];
    /* The reference's luma, in float: 0.299 R + 0.587 G + 0.114 B. */
    return 0.299f * (float)p[0] + 0.587f * (float)p[1] + 0.114f * (float)p[2];
}

/* Hashes a rows x cols grid sampled from the pixels: grid cell (y, x) takes
 * pixel (y * height / rows, x * width / cols), which is the identity when
 * the grid has the image's size and the reference's nearest-neighbour
 * squash otherwise. */
static int hash_grid(const uint8_t *pixels, uint32_t width, uint32_t height, unsigned channels,
                     size_t stride, uint32_t rows, uint32_t cols, struct shn_image_hash *out)
{
    int rc = SHN_OK;
    float *luma = NULL, dct[256];
    size_t n, total;
    struct shn_image_hash h;

    memset(&h, 0, sizeof h);
    h.width = width;
    h.height = height;
    h.orientation = 1;
    if (rows < SHN__IMAGE_MIN_SIDE || cols < SHN__IMAGE_MIN_SIDE) {
        *out = h; /* all-zero hashes, quality 0, as the reference */
        return SHN_OK;
    }
    /* luma, then the core's scratch */
    if (!shn_size_mul(rows, cols, &n) || !shn_size_add(n, n, &total) ||
        !shn_size_add(total, SHN__IMAGE_SCRATCH_EXTRA(rows, cols), &total) ||
        !shn_size_mul(total, sizeof(float), &total))
        return SHN_ERR_TOO_LARGE;
    luma = shn_malloc(total);
    /* source byte offset of each grid column (the squash), in the scratch
     * space that the core does not need yet */
    uint32_t *col_offset = (uint32_t *)(void *)(luma + n); /* < 2^32: bounded sizes */
    if (!luma) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    for (uint32_t x = 0; x < cols; x++)
        col_offset[x] = (uint32_t)((cols == width ? x : (uint64_t)x * width / cols) * channels);
    for (uint32_t y = 0; y < rows; y++) {
        uint32_t sy = rows == height ? y : (uint32_t)((uint64_t)y * height / rows);
        const uint8_t *row = pixels + (size_t)sy * stride;
        float *dst = luma + (size_t)y * cols;
        if (channels == 1) {
            for (uint32_t x = 0; x < cols; x++)
                dst[x] = (float)row[col_offset[x]];
        } else {
            for (uint32_t x = 0; x < cols; x++)
                dst[x] = luma_at(row + col_offset[x], 3);
        }
    }
    shn__image_pdq_core(luma, luma + n, rows, cols, dct, &h.quality);
    for (int f = 0; f < SHN_PDQ_DIHEDRAL_COUNT; f++)
        shn__image_pdq_bits(dct, (enum shn_pdq_dihedral)f, &h.dihedral[f]);
    h.pdq = h.dihedral[SHN_PDQ_ORIG];
    *out = h;
out:
    shn_free(luma);
    return rc;
}

int shn_image_hash_pixels(const uint8_t *pixels, uint32_t width, uint32_t height, unsigned channels,
                          size_t stride, struct shn_image_hash *out)
{
    size_t row_bytes;

    if (!pixels || !out || (channels != 1 && channels != 3) || width == 0 || height == 0)
        return SHN_ERR_INVALID;
    if (!shn_size_mul(width, channels, &row_bytes) || stride < row_bytes)
        return SHN_ERR_INVALID;
    if ((uint64_t)width * height > SHN_IMAGE_DEFAULT_MAX_PIXELS)
        return SHN_ERR_TOO_LARGE;
    return hash_grid(pixels, width, height, channels, stride, height, width, out);
}

int shn__image_hash_decoded(const struct shn_image *img, struct shn_image_hash *out)
{
    struct shn_image_hash h;
    uint32_t rows = img->height, cols = img->width;
    int rc;

    /* The reference squashes anything with a side over 512 to 512x512. A
     * reduced decode is squashed (or stretched) to the same grid, so the
     * box filter sees nearly the reference's pixels. */
    if (img->source_width > SHN__IMAGE_REF_SIDE || img->source_height > SHN__IMAGE_REF_SIDE)
        rows = cols = SHN__IMAGE_REF_SIDE;
    rc =
        hash_grid(img->pixels, img->width, img->height, img->channels, img->stride, rows, cols, &h);
    if (rc != SHN_OK)
        return rc;
    h.width = img->source_width;
    h.height = img->source_height;
    h.orientation = img->orientation;
    if (img->orientation >= 5 && img->orientation <= 8) {
        h.width = img->source_height;
        h.height = img->source_width;
    }
    h.pdq = h.dihedral[shn__image_orientation_form(img->orientation)];
    *out = h;
    return SHN_OK;
}

int shn_image_hash_memory(const void *data, size_t len, const struct shn_image_options *opts,
                          const char *name, struct shn_image_hash *out, struct shn_diag *diag)
{
    struct shn_image img = {0};
    struct shn_image_options o;
    int rc;

    shn__image_options_resolve(opts, &o);
    rc = shn_image_decode(data, len, &o, o.exact ? 0 : SHN__IMAGE_FAST_SIDE, name, &img, diag);
    if (rc != SHN_OK)
        return rc;
    rc = shn__image_hash_decoded(&img, out);
    if (rc != SHN_OK)
        shn_diag_set(diag, rc, name, 0, NULL, "cannot hash: %s", shn_strerror(rc));
    shn_image_cleanup(&img);
    return rc;
}

int shn_image_hash_file(const char *path, const struct shn_image_options *opts,
                        struct shn_image_hash *out, struct shn_diag *diag)
{
    struct shn_image_options o;
    char *data = NULL;
    size_t len = 0;
    int rc;

    shn__image_options_resolve(opts, &o);
    /* Only a regular file (a FIFO is refused without blocking); the size
     * bound is checked before reading or allocating. */
    rc = shn_file_read(path, o.max_file_bytes, &data, &len, diag);
    if (rc != SHN_OK)
        return rc;
    rc = shn_image_hash_memory(data, len, &o, path, out, diag);
    shn_free(data);
    return rc;
}
