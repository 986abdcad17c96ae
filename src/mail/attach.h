/* Attachments: names and true types (attach.c), and the readers of the
 * formats DPRK mail carries — LNK (lnk.c), OLE compound files and HWP
 * (ole.c, hwp.c), archives, HWPX and OOXML (archive.c). Every reader is
 * bounded and fuzzed (fuzz/fuzz_mail_*.c). */
#ifndef SHN_MAIL_ATTACH_H
#define SHN_MAIL_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mail_internal.h"

#define SHN__ATTACH_DEPTH_MAX 2 /* archives inside archives inspected */

/* Checks one file — a MIME attachment or an archive member — by name and
 * content; `where` names it in the evidence ("part 2", "part 2 > a.zip >
 * b.lnk"). */
void shn__mail_inspect_file(struct shn__mail_ctx *c, const char *name, const unsigned char *data,
                            size_t len, const char *where, long long offset, int depth);

/* True for extensions that run code when opened (lnk, scr, hta, ...). */
bool shn__mail_ext_executable(const char *ext);
/* The extension of name (after the last '.', lower case) into out. */
void shn__mail_ext(const char *name, char *out, size_t size);

/* ---- LNK (MS-SHLLINK) */

struct shn__lnk {
    char target[512]; /* LinkInfo's local base path, or the relative path */
    char args[1024];  /* command-line arguments, UTF-8 */
    char workdir[256];
    char icon[256];
    size_t link_size; /* bytes the link structure takes */
};

/* Parses data as a shell link. SHN_ERR_FORMAT when it is none,
 * SHN_ERR_PARSE when it is cut or inconsistent (out untouched). */
int shn__lnk_parse(const unsigned char *data, size_t len, struct shn__lnk *out);

/* ---- OLE compound files */

#define SHN__OLE_ENTRIES_MAX 4096

struct shn__ole_entry {
    char name[96];  /* UTF-8 */
    char path[256]; /* "BinData/BIN0001.eps" */
    int type;       /* 1 storage, 2 stream, 5 root */
    uint32_t start;
    uint64_t size;
};

struct shn__ole {
    const unsigned char *data;
    size_t len;
    unsigned sector_size, mini_size;
    uint32_t *fat, *minifat;
    size_t n_fat, n_minifat;
    struct shn__ole_entry *entries;
    size_t n_entries;
    uint32_t mini_start;
    uint64_t mini_stream_size;
};

bool shn__ole_is(const unsigned char *data, size_t len);
/* Opens a compound file over data (borrowed). SHN_ERR_FORMAT, SHN_ERR_PARSE,
 * SHN_ERR_TOO_LARGE, SHN_ERR_NOMEM; release with shn__ole_close. */
int shn__ole_open(const unsigned char *data, size_t len, struct shn__ole *out);
void shn__ole_close(struct shn__ole *o);
/* The entry at `path`, or NULL. */
const struct shn__ole_entry *shn__ole_find(const struct shn__ole *o, const char *path);
/* Reads at most max bytes of stream e into a new buffer (shn_free). */
int shn__ole_read(const struct shn__ole *o, const struct shn__ole_entry *e, size_t max,
                  unsigned char **out, size_t *out_len);

/* ---- HWP (5.x, on OLE) */

struct shn__hwp_report {
    bool hwp;         /* a HWP document */
    bool encrypted;   /* password-protected (contents unreadable) */
    char eps[160];    /* the first EPS/PostScript object, "" when none */
    char ole[160];    /* the first embedded OLE object */
    char script[160]; /* a script with active content */
    char macro[160];  /* Office: a VBA project */
};

/* Inspects an OLE compound file as HWP (and Office for macros). */
void shn__hwp_inspect(const struct shn__ole *o, struct shn__hwp_report *r);

/* Raw-deflate (HWP's stream compression) of src into at most max bytes. */
int shn__inflate_raw(const unsigned char *src, size_t len, size_t max, unsigned char **out,
                     size_t *out_len);

/* ---- archives (libarchive), HWPX and OOXML */

/* Lists and inspects an archive attachment (zip, 7z, rar, iso, tar, cab,
 * HWPX, OOXML): encryption, passwords from the body, members checked with
 * shn__mail_inspect_file, external links of HWPX/OOXML documents. False
 * when libarchive does not read it as an archive. */
bool shn__mail_archive_inspect(struct shn__mail_ctx *c, const char *name, const unsigned char *data,
                               size_t len, const char *where, long long offset, int depth);

#endif
