/* JPEG through libjpeg-turbo.
 *
 * Fast mode (reduce_to > 0) asks libjpeg-turbo for luma only (a YCbCr JPEG
 * then skips its chroma planes entirely) at the smallest DCT scale M/8 that
 * keeps both sides at least reduce_to: PDQ blurs everything down to 64x64,
 * so the detail a full-size decode would give is thrown away anyway.
 *
 * Hostile input: libjpeg reports fatal errors through error_exit, which we
 * turn into a longjmp back here; a premature end of data (a truncated file)
 * is only a warning to libjpeg, which pads with grey, and we make it an
 * error; progressive files are capped in scan count so that a crafted file
 * cannot make us spin. */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>

#include <jerror.h> /* after jpeglib.h */

#include "image_internal.h"
#include "shinsa/core/alloc.h"

#define MAX_SCANS 256
#define MAX_WARNINGS 256
#define JPEG_MEMORY_LIMIT ((long)768 << 20)

struct jpeg_ctx {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr err;
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
    int truncated;
    long warnings;
    /* inputs */
    const uint8_t *data;
    size_t len;
    const struct shn_image_options *opts;
    uint32_t reduce_to;
    const char *name;
    struct shn_diag *diag;
    /* outputs, freed by the caller of run_jpeg */
    uint8_t *pixels;
    uint8_t *cmyk_row;
    struct shn_image img;
    int rc;
};

static void on_error_exit(j_common_ptr cinfo)
{
    struct jpeg_ctx *ctx = (struct jpeg_ctx *)cinfo->client_data;
    cinfo->err->format_message(cinfo, ctx->message);
    longjmp(ctx->jump, 1);
}

static void on_emit_message(j_common_ptr cinfo, int level)
{
    struct jpeg_ctx *ctx = (struct jpeg_ctx *)cinfo->client_data;
    int code = cinfo->err->msg_code;

    if (level >= 0)
        return; /* trace messages */
    ctx->warnings++;
    if (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER) {
        if (!ctx->truncated)
            cinfo->err->format_message(cinfo, ctx->message);
        ctx->truncated = 1;
    }
    if (ctx->warnings > MAX_WARNINGS) {
        snprintf(ctx->message, sizeof ctx->message, "too many corrupt-data warnings");
        longjmp(ctx->jump, 1);
    }
}

static void on_progress(j_common_ptr cinfo)
{
    struct jpeg_ctx *ctx = (struct jpeg_ctx *)cinfo->client_data;
    if (ctx->cinfo.input_scan_number > MAX_SCANS) {
        snprintf(ctx->message, sizeof ctx->message, "more than %d scans", MAX_SCANS);
        longjmp(ctx->jump, 1);
    }
}

static void pick_scale(struct jpeg_ctx *ctx)
{
    struct jpeg_decompress_struct *ci = &ctx->cinfo;
    uint32_t w = ci->image_width, h = ci->image_height, target = ctx->reduce_to;
    uint32_t need_w = w < target ? w : target, need_h = h < target ? h : target;

    /* Smallest M (of M/8) whose output still has both sides >= the need. */
    for (unsigned m = 1; m <= 8; m++) {
        uint64_t sw = ((uint64_t)w * m + 7) / 8, sh = ((uint64_t)h * m + 7) / 8;
        if (sw >= need_w && sh >= need_h) {
            ci->scale_num = m;
            ci->scale_denom = 8;
            return;
        }
    }
}

/* Adobe CMYK JPEGs store inverted ink values; libjpeg hands them back as
 * stored. RGB = (1 - C)(1 - K) etc. in either convention. */
static void cmyk_to_rgb(const uint8_t *src, uint8_t *dst, uint32_t width, int inverted)
{
    for (uint32_t x = 0; x < width; x++, src += 4, dst += 3) {
        unsigned c = src[0], m = src[1], y = src[2], k = src[3];
        if (!inverted) {
            c = 255 - c;
            m = 255 - m;
            y = 255 - y;
            k = 255 - k;
        }
        dst[0] = (uint8_t)((c * k + 127) / 255);
        dst[1] = (uint8_t)((m * k + 127) / 255);
        dst[2] = (uint8_t)((y * k + 127) / 255);
    }
}

/* All the libjpeg work; returns through longjmp on any fatal error. Only
 * ctx fields (not locals) carry state across the jump. */
static int run_jpeg(struct jpeg_ctx *ctx)
{
    struct jpeg_decompress_struct *ci = &ctx->cinfo;
    size_t stride, size;
    unsigned channels;
    int cmyk;

    if (setjmp(ctx->jump)) {
        ctx->rc = shn_diag_set(ctx->diag, SHN_ERR_PARSE, ctx->name, 0, NULL, "bad JPEG: %s",
                               ctx->message);
        return ctx->rc;
    }
    jpeg_create_decompress(ci);
    ci->mem->max_memory_to_use = JPEG_MEMORY_LIMIT;
    ctx->progress.progress_monitor = on_progress;
    ci->progress = &ctx->progress;
    jpeg_mem_src(ci, ctx->data, (unsigned long)ctx->len);
    jpeg_save_markers(ci, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(ci, TRUE);

    /* The bound, before libjpeg allocates anything for the pixels. */
    ctx->rc =
        shn__image_check_size(ci->image_width, ci->image_height, ctx->opts, ctx->name, ctx->diag);
    if (ctx->rc != SHN_OK)
        return ctx->rc;
    ctx->img.orientation = 1;
    for (jpeg_saved_marker_ptr m = ci->marker_list; m; m = m->next) {
        if (m->marker == JPEG_APP0 + 1 && m->data_length > 6 &&
            memcmp(m->data, "Exif\0\0", 6) == 0) {
            ctx->img.orientation = shn__image_exif_orientation(m->data, m->data_length);
            break;
        }
    }

    if (ctx->reduce_to > 0)
        pick_scale(ctx);
    /* Luma only when the image is reduced anyway: JPEG's Y is the
     * reference's luma up to rounding, which the reduction averages out. At
     * full size we decode RGB as the reference does and stay bit-exact. */
    cmyk = ci->jpeg_color_space == JCS_CMYK || ci->jpeg_color_space == JCS_YCCK;
    if (cmyk)
        ci->out_color_space = JCS_CMYK;
    else if (ci->jpeg_color_space == JCS_GRAYSCALE || ci->scale_num < ci->scale_denom)
        ci->out_color_space = JCS_GRAYSCALE;
    else
        ci->out_color_space = JCS_RGB;
    jpeg_start_decompress(ci);

    channels = cmyk ? 3 : (unsigned)ci->output_components;
    if (!shn_size_mul(ci->output_width, channels, &stride) ||
        !shn_size_mul(stride, ci->output_height, &size)) {
        ctx->rc = shn_diag_set(ctx->diag, SHN_ERR_TOO_LARGE, ctx->name, 0, NULL, "too large");
        return ctx->rc;
    }
    ctx->pixels = shn_malloc(size);
    if (cmyk)
        ctx->cmyk_row = shn_malloc((size_t)ci->output_width * 4);
    if (!ctx->pixels || (cmyk && !ctx->cmyk_row)) {
        ctx->rc = shn_diag_set(ctx->diag, SHN_ERR_NOMEM, ctx->name, 0, NULL, "out of memory");
        return ctx->rc;
    }
    while (ci->output_scanline < ci->output_height) {
        uint8_t *row = ctx->pixels + (size_t)ci->output_scanline * stride;
        JSAMPROW rows[1] = {cmyk ? ctx->cmyk_row : row};
        if (jpeg_read_scanlines(ci, rows, 1) != 1)
            break;
        if (cmyk)
            cmyk_to_rgb(ctx->cmyk_row, row, ci->output_width, ci->saw_Adobe_marker);
    }
    if (ci->output_scanline < ci->output_height)
        ctx->truncated = 1;
    else
        jpeg_finish_decompress(ci);
    if (ctx->truncated) {
        ctx->rc = shn_diag_set(ctx->diag, SHN_ERR_PARSE, ctx->name, 0, NULL,
                               "truncated or corrupt JPEG: %s", ctx->message);
        return ctx->rc;
    }
    ctx->img.width = ci->output_width;
    ctx->img.height = ci->output_height;
    ctx->img.channels = channels;
    ctx->img.stride = stride;
    ctx->img.source_width = ci->image_width;
    ctx->img.source_height = ci->image_height;
    ctx->img.format = "jpeg";
    ctx->rc = SHN_OK;
    return SHN_OK;
}

int shn__image_decode_jpeg(const uint8_t *data, size_t len, const struct shn_image_options *opts,
                           uint32_t reduce_to, const char *name, struct shn_image *out,
                           struct shn_diag *diag)
{
    struct jpeg_ctx *ctx = shn_calloc(1, sizeof *ctx);
    int rc;

    if (!ctx)
        return shn_diag_set(diag, SHN_ERR_NOMEM, name, 0, NULL, "out of memory");
    ctx->data = data;
    ctx->len = len;
    ctx->opts = opts;
    ctx->reduce_to = reduce_to;
    ctx->name = name;
    ctx->diag = diag;
    ctx->cinfo.err = jpeg_std_error(&ctx->err);
    ctx->err.error_exit = on_error_exit;
    ctx->err.emit_message = on_emit_message;
    ctx->cinfo.client_data = ctx;
    rc = run_jpeg(ctx);
    jpeg_destroy_decompress(&ctx->cinfo);
    if (rc == SHN_OK) {
        ctx->img.pixels = ctx->pixels;
        ctx->pixels = NULL;
        *out = ctx->img;
    }
    shn_free(ctx->pixels);
    shn_free(ctx->cmyk_row);
    shn_free(ctx);
    return rc;
}
