/* What the two files of `shinsa image` share (cmd_image.c: hash, match and
 * the group; cmd_image_index.c: add, remove, stats, check). */
#ifndef SHN_CLI_CMD_IMAGE_H
#define SHN_CLI_CMD_IMAGE_H

#include <stdbool.h>

#include "shinsa/core/buf.h"
#include "shinsa/image.h"

#define SHN_CLI_IMAGE_OUT_CAP ((size_t)16 << 20) /* bytes of one result line */
#define SHN_CLI_IMAGE_EXACT_HELP                                                                   \
    "decode JPEGs at full size as the reference tool does (slower; hashes bit-exact with it)"

/* Hashes one file (`d` is cleared first). */
int shn__cli_image_hash(const char *file, bool exact, struct shn_image_hash *h, struct shn_diag *d);

/* Writes what `out` holds to stdout and empties it. */
void shn__cli_image_flush(struct shn_buf *out);

/* A file that failed: its error line in a JSON stream (flushed), and the
 * message on stderr. */
void shn__cli_image_failed(struct shn_buf *out, bool json, const char *file, int rc,
                           const struct shn_diag *d);

/* Opens the index, reporting an error; warns of skipped damage. Returns an
 * exit status. */
int shn__cli_image_open(const char *path, enum shn_image_index_mode mode,
                        struct shn_image_index **idx);

int shn__cli_image_add(int argc, char **argv);
int shn__cli_image_remove(int argc, char **argv);
int shn__cli_image_stats(int argc, char **argv);
int shn__cli_image_check(int argc, char **argv);

#endif
