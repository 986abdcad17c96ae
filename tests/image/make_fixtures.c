/* Writes the small image fixtures under tests/data/image/ and the fuzzing
 * seeds under fuzz/corpus/: one synthetic 96x64 picture (deterministic
 * shapes) in every format and pixel layout the decoders handle, plus broken
 * files. Run by hand when the fixtures need to change:
 *   build/tests/image/image_make_fixtures tests/data/image fuzz/corpus
 * The files are committed; tests never regenerate them. */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>
#include <webp/encode.h>
#include <zlib.h>

#define W 96
#define H 64

static uint8_t rgb[H][W][3];

static void make_picture(void)
{
    uint32_t seed = 12345;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            rgb[y][x][0] = (uint8_t)(x * 255 / W);
            rgb[y][x][1] = (uint8_t)(y * 255 / H);
            rgb[y][x][2] = 128;
        }
    for (int k = 0; k < 14; k++) {
        seed = seed * 1103515245u + 12345u;
        int x0 = (int)(seed >> 8) % W, y0 = (int)(seed >> 20) % H;
        seed = seed * 1103515245u + 12345u;
        int w = 6 + (int)(seed >> 8) % 30, h = 6 + (int)(seed >> 20) % 20;
        uint8_t c[3] = {(uint8_t)(seed >> 3), (uint8_t)(seed >> 11), (uint8_t)(seed >> 19)};
        for (int y = y0; y < y0 + h && y < H; y++)
            for (int x = x0; x < x0 + w && x < W; x++)
                memcpy(rgb[y][x], c, 3);
    }
}

static uint8_t luma(const uint8_t *p)
{
    return (uint8_t)((299 * p[0] + 587 * p[1] + 114 * p[2] + 500) / 1000);
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    return f;
}

/* ---------------------------------------------------------------- PNG */

/* kind: 0 RGB, 1 grey, 2 grey+alpha, 3 RGBA, 4 palette+tRNS, 5 16-bit RGB,
 * 6 1-bit grey, 7 interlaced RGB */
static void write_png(const char *dir, const char *name, int kind)
{
    FILE *f = open_out(dir, name);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    int colour = PNG_COLOR_TYPE_RGB, depth = 8, interlace = PNG_INTERLACE_NONE;
    static uint8_t row[W * 8];

    if (setjmp(png_jmpbuf(png)))
        exit(1);
    png_init_io(png, f);
    if (kind == 1)
        colour = PNG_COLOR_TYPE_GRAY;
    if (kind == 2)
        colour = PNG_COLOR_TYPE_GRAY_ALPHA;
    if (kind == 3)
        colour = PNG_COLOR_TYPE_RGB_ALPHA;
    if (kind == 4) {
        colour = PNG_COLOR_TYPE_PALETTE;
        depth = 4;
    }
    if (kind == 5)
        depth = 16;
    if (kind == 6) {
        colour = PNG_COLOR_TYPE_GRAY;
        depth = 1;
    }
    if (kind == 7)
        interlace = PNG_INTERLACE_ADAM7;
    png_set_IHDR(png, info, W, H, depth, colour, interlace, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (kind == 4) {
        png_color pal[16];
        png_byte trns[16];
        for (int i = 0; i < 16; i++) {
            pal[i].red = pal[i].green = pal[i].blue = (png_byte)(i * 17);
            trns[i] = i == 0 ? 0 : 255; /* index 0 transparent: white */
        }
        png_set_PLTE(png, info, pal, 16);
        png_set_tRNS(png, info, trns, 16, NULL);
    }
    png_write_info(png, info);
    if (kind == 6)
        png_set_packing(png);
    if (kind == 4)
        png_set_packing(png);
    int passes = kind == 7 ? png_set_interlace_handling(png) : 1;
    for (int pass = 0; pass < passes; pass++) {
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                const uint8_t *p = rgb[y][x];
                switch (kind) {
                case 1:
                    row[x] = luma(p);
                    break;
                case 2:
                    row[2 * x] = luma(p);
                    row[2 * x + 1] = 255;
                    break;
                case 3:
                    memcpy(row + 4 * x, p, 3);
                    row[4 * x + 3] = 255;
                    break;
                case 4:
                    row[x] = (uint8_t)(luma(p) / 17);
                    break;
                case 5:
                    for (int c = 0; c < 3; c++) {
                        row[6 * x + 2 * c] = p[c];
                        row[6 * x + 2 * c + 1] = p[c];
                    }
                    break;
                case 6:
                    row[x] = luma(p) >= 128;
                    break;
                default:
                    memcpy(row + 3 * x, p, 3);
                    break;
                }
            }
            png_write_row(png, row);
        }
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    fclose(f);
}

/* ---------------------------------------------------------------- JPEG */

/* kind: 0 RGB baseline, 1 progressive, 2 grey, 3 CMYK (Adobe), 4 with an
 * EXIF Orientation 6, stored rotated 90 degrees counter-clockwise so that
 * it displays as the picture */
static void write_jpeg(const char *dir, const char *name, int kind)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    FILE *f = open_out(dir, name);
    static uint8_t row[W * 4];
    int w = kind == 4 ? H : W, h = kind == 4 ? W : H;

    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    jpeg_stdio_dest(&c, f);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = kind == 2 ? 1 : kind == 3 ? 4 : 3;
    c.in_color_space = kind == 2 ? JCS_GRAYSCALE : kind == 3 ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 95, TRUE);
    if (kind == 1)
        jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    if (kind == 4) {
        /* "Exif\0\0", little-endian TIFF, IFD0 with one entry:
         * Orientation (0x0112), SHORT, count 1, value 6. */
        static const uint8_t exif[] = {'E', 'x', 'i', 'f', 0, 0,    'I',  'I', 42, 0, 8,
                                       0,   0,   0,   1,   0, 0x12, 0x01, 3,   0,  1, 0,
                                       0,   0,   6,   0,   0, 0,    0,    0,   0,  0};
        jpeg_write_marker(&c, JPEG_APP0 + 1, exif, sizeof exif);
    }
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            /* orientation 6 displays stored (x, y) at (H-1-y, x): store the
             * picture's pixel (px, py) = (h-1-y... ) accordingly */
            const uint8_t *p = kind == 4 ? rgb[x][h - 1 - y] : rgb[y][x];
            if (kind == 2)
                row[x] = luma(p);
            else if (kind == 3)
                for (int k = 0; k < 4; k++) /* Adobe: inverted CMYK, K = 0 ink */
                    row[4 * x + k] = k < 3 ? p[k] : 255;
            else
                memcpy(row + 3 * x, p, 3);
        }
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    fclose(f);
}

/* ---------------------------------------------------------------- WebP */

static void write_webp(const char *dir, const char *name, int lossless)
{
    uint8_t *out = NULL;
    size_t n = lossless ? WebPEncodeLosslessRGB(&rgb[0][0][0], W, H, W * 3, &out)
                        : WebPEncodeRGB(&rgb[0][0][0], W, H, W * 3, 90, &out);
    FILE *f = open_out(dir, name);
    fwrite(out, 1, n, f);
    fclose(f);
    WebPFree(out);
}

/* ---------------------------------------------------------------- broken */

static void copy_prefix(const char *dir, const char *from, const char *to, long keep_permille)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, from);
    FILE *f = fopen(path, "rb");
    static uint8_t buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    f = open_out(dir, to);
    fwrite(buf, 1, (size_t)((long)n * keep_permille / 1000), f);
    fclose(f);
}

static void write_bytes(const char *dir, const char *name, const void *data, size_t n)
{
    FILE *f = open_out(dir, name);
    fwrite(data, 1, n, f);
    fclose(f);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tests/data/image";
    make_picture();
    write_png(dir, "rgb.png", 0);
    write_png(dir, "grey.png", 1);
    write_png(dir, "grey-alpha.png", 2);
    write_png(dir, "rgba.png", 3);
    write_png(dir, "palette-trns.png", 4);
    write_png(dir, "rgb16.png", 5);
    write_png(dir, "bilevel.png", 6);
    write_png(dir, "interlaced.png", 7);
    write_jpeg(dir, "rgb.jpg", 0);
    write_jpeg(dir, "progressive.jpg", 1);
    write_jpeg(dir, "grey.jpg", 2);
    write_jpeg(dir, "cmyk.jpg", 3);
    write_jpeg(dir, "exif-orientation-6.jpg", 4);
    write_webp(dir, "lossy.webp", 0);
    write_webp(dir, "lossless.webp", 1);
    copy_prefix(dir, "rgb.jpg", "truncated.jpg", 500);
    copy_prefix(dir, "rgb.png", "truncated.png", 500);
    copy_prefix(dir, "lossy.webp", "truncated.webp", 500);
    copy_prefix(dir, "rgb.png", "png-named.jpg", 1000);
    write_bytes(dir, "empty.jpg", "", 0);
    write_bytes(dir, "text-named.jpg", "name,dob\nKIM,1990-01-01\n", 25);
    /* rgb.png and rgb.jpg with headers patched to claim 100000 x 100000 and
     * 60000 x 60000 pixels: everything else is valid, so only the bound
     * stops them. */
    {
        static uint8_t buf[1 << 16];
        char path[1024];
        snprintf(path, sizeof path, "%s/rgb.png", dir);
        FILE *f = fopen(path, "rb");
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        static const uint8_t dims[8] = {0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0};
        memcpy(buf + 16, dims, 8);
        uint32_t crc = (uint32_t)crc32(0, buf + 12, 17);
        for (int i = 0; i < 4; i++)
            buf[29 + i] = (uint8_t)(crc >> (24 - 8 * i));
        write_bytes(dir, "huge-dimensions.png", buf, n);

        snprintf(path, sizeof path, "%s/rgb.jpg", dir);
        f = fopen(path, "rb");
        n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        for (size_t i = 2; i + 9 < n; i++) {
            if (buf[i] == 0xFF && buf[i + 1] == 0xC0) { /* SOF0: len(2) P(1) Y(2) X(2) */
                buf[i + 5] = 0xEA;
                buf[i + 6] = 0x60;
                buf[i + 7] = 0xEA;
                buf[i + 8] = 0x60;
                break;
            }
        }
        write_bytes(dir, "huge-dimensions.jpg", buf, n);
    }
    return 0;
}
