/* PDQ, written from the published algorithm and checked bit for bit against
 * the reference C++ hasher (pdq/cpp in facebook/ThreatExchange) on the
 * pixel arrays that it hashed.
 *
 * Bit-exactness is the point of this file, so every floating-point
 * operation happens in the reference's order and precision: float
 * accumulators, the same sequence of adds per output value, divisions (not
 * multiplications by a reciprocal) in the box filter, and no fused
 * multiply-add (the library is built with -ffp-contract=off). Loops are
 * reordered only across independent output values, which changes nothing
 * in any one value but lets the compiler vectorize. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "image_internal.h"

/* ---------------------------------------------------------------- DCT matrix */

/* Row i, column j: sqrt(2/64) * cos(pi/128 * (i+1) * (2j+1)), computed as
 * the reference does (float scale, double cosine, rounded to float). */
static float dct_matrix[16][64];
static float dct_matrix_t[64][16];
static pthread_once_t dct_once = PTHREAD_ONCE_INIT;

static void dct_init(void)
{
    const double pi = 3.14159265358979323846;
    const float scale = (float)sqrt(2.0 / 64.0);

    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 64; j++) {
            double arg = (pi / 2.0 / 64.0) * (double)(i + 1) * (double)(2 * j + 1);
            dct_matrix[i][j] = (float)((double)scale * cos(arg));
            dct_matrix_t[j][i] = dct_matrix[i][j];
        }
    }
}

/* ---------------------------------------------------------------- box filter */

/* The reference's one-dimensional box filter (the "Jarosz" pass), run on
 * `lanes` independent lines at once: line l's element k is at
 * in[l * lane_step + k * elem_step]. With lane_step 1 and elem_step = cols
 * this filters all columns together (vectorizable); with lane_step = cols
 * and elem_step 1 it filters rows. `sum` holds `lanes` floats. When `want`
 * is not NULL only outputs k with want[k] are written: the running sums
 * (and so the written values) are exactly those of the full pass. */
static void box_lines(const float *in, float *out, uint32_t lanes, size_t lane_step,
                      uint32_t length, size_t elem_step, uint32_t window, float *sum,
                      const uint8_t *want)
{
    uint32_t half = (window + 2) / 2;
    uint32_t phase1 = half - 1;
    uint32_t phase2 = window - half + 1;
    uint32_t phase3 = length - window;
    uint32_t phase4 = half - 1;
    size_t ri = 0, li = 0, oi = 0;
    int current = 0;

    for (uint32_t l = 0; l < lanes; l++)
        sum[l] = 0.0f;
    for (uint32_t s = 0; s < phase1; s++, ri++) {
        for (uint32_t l = 0; l < lanes; l++)
            sum[l] += in[l * lane_step + ri * elem_step];
        current++;
    }
    for (uint32_t s = 0; s < phase2; s++, ri++, oi++) {
        current++;
        for (uint32_t l = 0; l < lanes; l++)
            sum[l] += in[l * lane_step + ri * elem_step];
        if (!want || want[oi])
            for (uint32_t l = 0; l < lanes; l++)
                out[l * lane_step + oi * elem_step] = sum[l] / (float)current;
    }
    for (uint32_t s = 0; s < phase3; s++, ri++, li++, oi++) {
        for (uint32_t l = 0; l < lanes; l++) {
            sum[l] += in[l * lane_step + ri * elem_step];
            sum[l] -= in[l * lane_step + li * elem_step];
        }
        if (!want || want[oi])
            for (uint32_t l = 0; l < lanes; l++)
                out[l * lane_step + oi * elem_step] = sum[l] / (float)current;
    }
    for (uint32_t s = 0; s < phase4; s++, li++, oi++) {
        current--;
        for (uint32_t l = 0; l < lanes; l++)
            sum[l] -= in[l * lane_step + li * elem_step];
        if (!want || want[oi])
            for (uint32_t l = 0; l < lanes; l++)
                out[l * lane_step + oi * elem_step] = sum[l] / (float)current;
    }
}

/* Rows are filtered eight at a time, through a transposed copy of the
 * eight rows ([column][row]), so that the eight running sums sit side by
 * side and the compiler can vectorize them as it does the column pass.
 * `tmp` holds 2 * ROW_LANES * cols floats. */
#define ROW_LANES 8

static void box_rows(const float *in, float *out, uint32_t rows, uint32_t cols, uint32_t window,
                     float *tmp, const uint8_t *want)
{
    float sum[ROW_LANES];
    float *t_in = tmp, *t_out = tmp + (size_t)ROW_LANES * cols;
    uint32_t r = 0;

    for (; r + ROW_LANES <= rows; r += ROW_LANES) {
        const float *src = in + (size_t)r * cols;
        float *dst = out + (size_t)r * cols;
        for (uint32_t l = 0; l < ROW_LANES; l++)
            for (uint32_t k = 0; k < cols; k++)
                t_in[(size_t)k * ROW_LANES + l] = src[(size_t)l * cols + k];
        box_lines(t_in, t_out, ROW_LANES, 1, cols, ROW_LANES, window, sum, want);
        for (uint32_t l = 0; l < ROW_LANES; l++)
            for (uint32_t k = 0; k < cols; k++)
                if (!want || want[k])
                    dst[(size_t)l * cols + k] = t_out[(size_t)k * ROW_LANES + l];
    }
    for (; r < rows; r++)
        box_lines(in + (size_t)r * cols, out + (size_t)r * cols, 1, cols, cols, 1, window, sum,
                  want);
}

static uint32_t jarosz_window(uint32_t old_side, uint32_t new_side)
{
    return (old_side + 2 * new_side - 1) / (2 * new_side);
}

/* ---------------------------------------------------------------- the core */

static int quality_of(const float a[64][64])
{
    int gradient_sum = 0;

    for (int i = 0; i < 63; i++)
        for (int j = 0; j < 64; j++) {
            int d = (int)(((a[i][j] - a[i + 1][j]) * 100.0f) / 255.0f);
            gradient_sum += abs(d);
        }
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 63; j++) {
            int d = (int)(((a[i][j] - a[i][j + 1]) * 100.0f) / 255.0f);
            gradient_sum += abs(d);
        }
    int quality = gradient_sum / 90;
    return quality > 100 ? 100 : quality;
}

/* B = D A D^T, keeping only the 16x16 low frequencies after DC. */
static void dct_64_to_16(const float a[64][64], float out[256])
{
    float t[16][64];

    pthread_once(&dct_once, dct_init);
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 64; j++)
            t[i][j] = 0.0f;
        for (int k = 0; k < 64; k++) {
            float d = dct_matrix[i][k];
            for (int j = 0; j < 64; j++)
                t[i][j] += d * a[k][j];
        }
    }
    for (int i = 0; i < 16; i++) {
        float *b = out + 16 * i;
        for (int j = 0; j < 16; j++)
            b[j] = 0.0f;
        for (int k = 0; k < 64; k++) {
            float v = t[i][k];
            for (int j = 0; j < 16; j++)
                b[j] += v * dct_matrix_t[k][j];
        }
    }
}

void shn__image_pdq_core(float *luma, float *scratch, uint32_t rows, uint32_t cols, float dct[256],
                         int *quality)
{
    float a[64][64];
    uint32_t window_along_rows = jarosz_window(cols, 64);
    uint32_t window_along_cols = jarosz_window(rows, 64);
    /* scratch: rows*cols, then the pieces below (SHN__IMAGE_SCRATCH_EXTRA) */
    float *sum = scratch + (size_t)rows * cols;                    /* cols + 64 */
    float *rowtmp = sum + cols + 64;                               /* 2 * ROW_LANES * cols */
    float *gathered = rowtmp + (size_t)2 * ROW_LANES * cols;       /* rows * 64 */
    float *filtered = gathered + (size_t)rows * 64;                /* rows * 64 */
    uint8_t *want_col = (uint8_t *)(filtered + (size_t)rows * 64); /* cols bytes */
    uint8_t *want_row = want_col + cols;                           /* rows bytes */
    uint32_t si[64], sj[64];

    /* Decimation samples the centres of the 64x64 cells. */
    memset(want_col, 0, (size_t)cols + rows);
    for (int i = 0; i < 64; i++) {
        si[i] = (uint32_t)(((i + 0.5) * rows) / 64);
        sj[i] = (uint32_t)(((i + 0.5) * cols) / 64);
        want_row[si[i]] = 1;
        want_col[sj[i]] = 1;
    }
    /* The reference's tent filter: rows then columns, twice. The second
     * round only matters at the sampled cells: the row pass still runs its
     * sums along every row but divides only at sampled columns, and the
     * column pass runs on the 64 sampled columns only. Every value that
     * reaches the output is computed exactly as in the full passes. */
    box_rows(luma, scratch, rows, cols, window_along_rows, rowtmp, NULL);
    box_lines(scratch, luma, cols, 1, rows, cols, window_along_cols, sum, NULL);
    box_rows(luma, scratch, rows, cols, window_along_rows, rowtmp, want_col);
    for (uint32_t r = 0; r < rows; r++)
        for (int j = 0; j < 64; j++)
            gathered[(size_t)r * 64 + j] = scratch[(size_t)r * cols + sj[j]];
    box_lines(gathered, filtered, 64, 1, rows, 64, window_along_cols, sum, want_row);
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 64; j++)
            a[i][j] = filtered[(size_t)si[i] * 64 + j];
    *quality = quality_of((const float(*)[64])a);
    dct_64_to_16((const float(*)[64])a, dct);
}

/* ---------------------------------------------------------------- bits */

static int float_cmp(const void *pa, const void *pb)
{
    float a = *(const float *)pa, b = *(const float *)pb;
    return (a > b) - (a < b);
}

/* Coefficient (i, j) of the dihedral form `f`, from the original's output.
 * Reflecting a DCT basis function of index u multiplies it by (-1)^u; our
 * indices start at u = 1, hence the odd/even rules below (the same as the
 * reference's dct16OriginalTo* functions). */
static float dihedral_coeff(const float *a, enum shn_pdq_dihedral f, int i, int j)
{
    switch (f) {
    case SHN_PDQ_ROT90: /* B[j][i] = (j odd ? 1 : -1) A[i][j] */
        return (i & 1) ? a[16 * j + i] : -a[16 * j + i];
    case SHN_PDQ_ROT180:
        return ((i + j) & 1) ? -a[16 * i + j] : a[16 * i + j];
    case SHN_PDQ_ROT270: /* B[j][i] = (i odd ? 1 : -1) A[i][j] */
        return (j & 1) ? a[16 * j + i] : -a[16 * j + i];
    case SHN_PDQ_FLIPX:
        return (i & 1) ? a[16 * i + j] : -a[16 * i + j];
    case SHN_PDQ_FLIPY:
        return (j & 1) ? a[16 * i + j] : -a[16 * i + j];
    case SHN_PDQ_FLIPP:
        return a[16 * j + i];
    case SHN_PDQ_FLIPM:
        return ((i + j) & 1) ? -a[16 * j + i] : a[16 * j + i];
    default:
        return a[16 * i + j];
    }
}

void shn__image_pdq_bits(const float dct[256], enum shn_pdq_dihedral form, struct shn_pdq *out)
{
    float b[256], sorted[256];

    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++)
            b[16 * i + j] = dihedral_coeff(dct, form, i, j);
    /* The reference takes Torben's median of 256 values, which is the 128th
     * smallest; sorting a copy gives the same value. */
    memcpy(sorted, b, sizeof b);
    qsort(sorted, 256, sizeof sorted[0], float_cmp);
    float median = sorted[127];

    memset(out->bytes, 0, sizeof out->bytes);
    for (int k = 0; k < 256; k++)
        if (b[k] > median)
            out->bytes[31 - k / 8] |= (uint8_t)(1u << (k & 7));
}

enum shn_pdq_dihedral shn__image_orientation_form(unsigned orientation)
{
    /* EXIF says how to turn the stored pixels to display them. */
    switch (orientation) {
    case 2:
        return SHN_PDQ_FLIPY; /* mirror left-right */
    case 3:
        return SHN_PDQ_ROT180;
    case 4:
        return SHN_PDQ_FLIPX; /* mirror top-bottom */
    case 5:
        return SHN_PDQ_FLIPP; /* transpose */
    case 6:
        return SHN_PDQ_ROT270; /* rotate 90 clockwise */
    case 7:
        return SHN_PDQ_FLIPM; /* transverse */
    case 8:
        return SHN_PDQ_ROT90; /* rotate 90 counter-clockwise */
    default:
        return SHN_PDQ_ORIG;
    }
}

const char *shn_image_dihedral_name(enum shn_pdq_dihedral d)
{
    static const char *const names[SHN_PDQ_DIHEDRAL_COUNT] = {"orig",  "rot90", "rot180", "rot270",
                                                              "flipx", "flipy", "flipp",  "flipm"};
    return (unsigned)d < SHN_PDQ_DIHEDRAL_COUNT ? names[d] : "?";
}

/* ---------------------------------------------------------------- hex, distance */

int shn_image_pdq_distance(const struct shn_pdq *a, const struct shn_pdq *b)
{
    int d = 0;
    for (int i = 0; i < SHN_PDQ_BYTES; i += 8) {
        uint64_t x, y;
        memcpy(&x, a->bytes + i, 8);
        memcpy(&y, b->bytes + i, 8);
        d += __builtin_popcountll(x ^ y);
    }
    return d;
}

void shn_image_pdq_to_hex(const struct shn_pdq *h, char out[SHN_PDQ_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < SHN_PDQ_BYTES; i++) {
        out[2 * i] = digits[h->bytes[i] >> 4];
        out[2 * i + 1] = digits[h->bytes[i] & 15];
    }
    out[SHN_PDQ_HEX_LEN] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int shn_image_pdq_from_hex(const char *hex, size_t len, struct shn_pdq *out)
{
    struct shn_pdq h;

    if (!hex || len != SHN_PDQ_HEX_LEN)
        return SHN_ERR_PARSE;
    for (int i = 0; i < SHN_PDQ_BYTES; i++) {
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return SHN_ERR_PARSE;
        h.bytes[i] = (uint8_t)(hi << 4 | lo);
    }
    *out = h;
    return SHN_OK;
}
