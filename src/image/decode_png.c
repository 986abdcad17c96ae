/* PNG through libpng: every bit depth and colour type comes out as 8-bit
 * grey or RGB (palette expanded, 1/2/4-bit grey widened, 16-bit scaled with
 * rounding, alpha and tRNS composited on white). Interlaced files are
 * de-interlaced by libpng. The eXIf chunk gives the orientation. */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <png.h>

#include "image_internal.h"
#include "shinsa/core/alloc.h"

#define PNG_CHUNK_LIMIT ((png_alloc_size_t)8 << 20)

struct png_ctx {
    png_structp png;
    png_infop info;
    char message[200];
    const uint8_t *data;
    size_t len, pos;
    const struct shn_image_options *opts;
    const char *name;
    struct shn_diag *diag;
    uint8_t *pixels;
    png_bytep *rows;
    struct shn_image img;
    int rc;
};

static void on_error(png_structp png, png_const_charp msg)
{
    struct png_ctx *ctx = png_get_error_ptr(png);
    snprintf(ctx->message, sizeof ctx->message, "%s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg; /* benign (bad gamma, unknown chunks): the pixels are still read */
}

static void on_read(png_structp png, png_bytep out, png_size_t n)
{
    struct png_ctx *ctx = png_get_io_ptr(png);
    if (n > ctx->len - ctx->pos)
        png_error(png, "unexpected end of file (truncated PNG)");
    memcpy(out, ctx->data + ctx->pos, n);
    ctx->pos += n;
}

static unsigned exif_orientation(struct png_ctx *ctx)
{
#ifdef PNG_eXIf_SUPPORTED
    png_bytep exif = NULL;
    png_uint_32 n = 0;
    uint8_t *buf;
    unsigned o;

    if (!png_get_eXIf_1(ctx->png, ctx->info, &n, &exif) || !exif || n == 0 || n > 65536)
        return 1;
    /* libexif wants the APP1 form: "Exif\0\0" then the TIFF structure. */
    buf = shn_malloc((size_t)n + 6);
    if (!buf)
        return 1;
    memcpy(buf, "Exif\0\0", 6);
    memcpy(buf + 6, exif, n);
    o = shn__image_exif_orientation(buf, (size_t)n + 6);
    shn_free(buf);
    return o;
#else
    (void)ctx;
    return 1;
#endif
}

static int run_png(struct png_ctx *ctx)
{
    png_uint_32 width, height;
    int depth, colour, interlace;
    size_t rowbytes, size;
    unsigned channels;

    if (setjmp(png_jmpbuf(ctx->png))) {
        ctx->rc =
            shn_diag_set(ctx->diag, SHN_ERR_PARSE, ctx->name, 0, NULL, "bad PNG: %s", ctx->message);
        return ctx->rc;
    }
    png_set_read_fn(ctx->png, ctx, on_read);
    /* Our own bound is checked right after the header, before any pixel
     * memory; libpng's limit only has to stay out of its way. */
    png_set_user_limits(ctx->png, 0x7fffffffu, 0x7fffffffu);
    png_set_chunk_malloc_max(ctx->png, PNG_CHUNK_LIMIT);
    png_set_chunk_cache_max(ctx->png, 1000);
    png_read_info(ctx->png, ctx->info);
    png_get_IHDR(ctx->png, ctx->info, &width, &height, &depth, &colour, &interlace, NULL, NULL);
    ctx->rc = shn__image_check_size(width, height, ctx->opts, ctx->name, ctx->diag);
    if (ctx->rc != SHN_OK)
        return ctx->rc;

    if (colour == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(ctx->png);
    if (colour == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(ctx->png);
    if (png_get_valid(ctx->png, ctx->info, PNG_INFO_tRNS))
        png_set_tRNS_to_alpha(ctx->png);
    if (depth == 16)
        png_set_scale_16(ctx->png);
    if (interlace != PNG_INTERLACE_NONE)
        png_set_interlace_handling(ctx->png);
    png_read_update_info(ctx->png, ctx->info);

    channels = png_get_channels(ctx->png, ctx->info);
    rowbytes = png_get_rowbytes(ctx->png, ctx->info);
    if (channels < 1 || channels > 4 || png_get_bit_depth(ctx->png, ctx->info) != 8 ||
        rowbytes != (size_t)width * channels) {
        ctx->rc = shn_diag_set(ctx->diag, SHN_ERR_UNSUPPORTED, ctx->name, 0, NULL,
                               "unsupported PNG pixel layout");
        return ctx->rc;
    }
    if (!shn_size_mul(rowbytes, height, &size)) {
        ctx->rc = shn_diag_set(ctx->diag, SHN_ERR_TOO_LARGE, ctx->name, 0, NULL, "too large");
        return ctx->rc;
    }
    ctx->pixels = shn_malloc(size);
    ctx->rows = shn_calloc(height, sizeof *ctx->rows);
    if (!ctx->pixels || !ctx->rows) {
        ctx->rc = shn_diag_set(ctx->diag, SHN_ERR_NOMEM, ctx->name, 0, NULL, "out of memory");
        return ctx->rc;
    }
    for (png_uint_32 y = 0; y < height; y++)
        ctx->rows[y] = ctx->pixels + (size_t)y * rowbytes;
    png_read_image(ctx->png, ctx->rows);
    png_read_end(ctx->png, ctx->info); /* also picks up an eXIf after the pixels */

    ctx->img.orientation = exif_orientation(ctx);
    if (channels == 2 || channels == 4) {
        shn__image_drop_alpha(ctx->pixels, width, height, rowbytes, channels);
        channels--;
    }
    ctx->img.width = ctx->img.source_width = width;
    ctx->img.height = ctx->img.source_height = height;
    ctx->img.channels = channels;
    ctx->img.stride = rowbytes; /* rows keep their stride; only the front is used */
    ctx->img.format = "png";
    ctx->rc = SHN_OK;
    return SHN_OK;
}

int shn__image_decode_png(const uint8_t *data, size_t len, const struct shn_image_options *opts,
                          const char *name, struct shn_image *out, struct shn_diag *diag)
{
    struct png_ctx *ctx = shn_calloc(1, sizeof *ctx);
    int rc;

    if (!ctx)
        return shn_diag_set(diag, SHN_ERR_NOMEM, name, 0, NULL, "out of memory");
    ctx->data = data;
    ctx->len = len;
    ctx->opts = opts;
    ctx->name = name;
    ctx->diag = diag;
    ctx->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, ctx, on_error, on_warning);
    if (ctx->png)
        ctx->info = png_create_info_struct(ctx->png);
    if (!ctx->png || !ctx->info) {
        rc = shn_diag_set(diag, SHN_ERR_NOMEM, name, 0, NULL, "out of memory");
        goto out;
    }
    rc = run_png(ctx);
    if (rc == SHN_OK) {
        ctx->img.pixels = ctx->pixels;
        ctx->pixels = NULL;
        *out = ctx->img;
    }
out:
    png_destroy_read_struct(ctx->png ? &ctx->png : NULL, ctx->info ? &ctx->info : NULL, NULL);
    shn_free(ctx->pixels);
    shn_free(ctx->rows);
    shn_free(ctx);
    return rc;
}
