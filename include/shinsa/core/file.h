/* Files: checked inputs, bounded reading, read-only mapping, one safe way to
 * write a file, and a single-writer lock (docs/files.md).
 *
 * Inputs are opened without blocking and refused unless they are regular
 * files, so a FIFO or a folder given by mistake fails at once instead of
 * hanging or reading as empty. Outputs are written to a fresh temporary in
 * the target's folder (O_EXCL, so a planted symbolic link cannot redirect
 * it), fsynced and renamed over the target: readers see the old file or the
 * whole new one, never a mix. */
#ifndef SHN_CORE_FILE_H
#define SHN_CORE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "shinsa/core/err.h"

/* ---- Inputs ---------------------------------------------------------------- */

/* Opens `path` for reading: a regular file, or "-" for standard input (then
 * *fd is a duplicate of it; the caller closes *fd either way). The open
 * does not block (O_NONBLOCK until the type is checked), so a FIFO with no
 * writer is refused at once, as are folders and devices. Errors fill `diag`
 * naming the path: SHN_ERR_IO (cannot open, not a regular file). */
int shn_file_open_input(const char *path, int *fd, struct shn_diag *diag);

/* shn_file_open_input() as a stdio stream (the caller fcloses it). */
int shn_file_fopen_input(const char *path, FILE **out, struct shn_diag *diag);

/* True when both paths name one existing file (same device and inode, after
 * following symbolic links). */
bool shn_file_same(const char *a, const char *b);

/* Refuses an output that is the same file as one of the inputs, which
 * writing would destroy: SHN_ERR_INVALID naming both. NULL entries and "-"
 * are skipped, as is an output that does not exist yet. */
int shn_file_check_output(const char *output, const char *const *inputs, size_t n_inputs,
                          struct shn_diag *diag);

/* Reads the whole regular file into a new NUL-terminated buffer (the caller
 * frees it with shn_free). Fails with SHN_ERR_TOO_LARGE, before reading,
 * when the file is larger than max_bytes. Errors fill `diag` (may be NULL). */
int shn_file_read(const char *path, size_t max_bytes, char **data, size_t *len,
                  struct shn_diag *diag);

/* A read-only mapping of a whole file. Caller-owned struct. */
struct shn_mapped_file {
    const unsigned char *data;
    size_t size;
};

/* Maps a regular, non-empty file (SHN_ERR_FORMAT when empty, SHN_ERR_IO
 * when it cannot be opened, is not a regular file or cannot be mapped). */
int shn_file_map(const char *path, struct shn_mapped_file *out, struct shn_diag *diag);
void shn_file_unmap(struct shn_mapped_file *m); /* safe on a zeroed struct */

/* ---- Outputs --------------------------------------------------------------- */

/* Files the writers create are 0600 whatever the umask, or 0640 when shared
 * with the group: by this call, or by default when the environment variable
 * SHINSA_SHARE_GROUP is set to anything but "" or "0". An existing file's
 * mode is not kept: a rewritten file gets this mode too. */
void shn_file_set_group_shared(bool shared);
unsigned shn_file_create_mode(void);

/* Writes data to `path` so that readers see either the old file or the whole
 * new one: a new temporary file in the target's folder (created with
 * O_EXCL, named .shinsa-tmp-PID-RANDOM-NAME), written, fsynced, renamed
 * over the target, then the folder fsynced. A `path` that is a symbolic
 * link is followed (its target is replaced, the link stays), unless the
 * link belongs to another user, which is refused (in a shared folder it
 * may have been planted). Stale temporaries of dead processes in that
 * folder are removed first. On failure the target is untouched and the
 * temporary removed. Errors fill `diag`: SHN_ERR_IO with the reason,
 * SHN_ERR_INVALID for a folder or a non-regular target. */
int shn_file_write_atomic(const char *path, const void *data, size_t len, struct shn_diag *diag);

/* The same for output written piece by piece: open, write any number of
 * times, then commit (the rename) or abort (nothing changes). Writes are
 * buffered; the first failure is kept and returned by every later call and
 * by commit, so a writer may check only the commit. */
struct shn_file_out;

/* Starts writing `path` (as shn_file_write_atomic: symbolic links, stale
 * temporaries). *out is owned by the caller until commit or abort. */
int shn_file_out_open(const char *path, struct shn_file_out **out, struct shn_diag *diag);
int shn_file_out_write(struct shn_file_out *o, const void *data, size_t len);
int shn_file_out_printf(struct shn_file_out *o, const char *fmt, ...) SHN_PRINTF(2, 3);

/* Writes out the buffer, so that the temporary holds everything written so
 * far (to check it before the commit, e.g. by opening it). On failure, now
 * or at an earlier write, returns it and fills `diag` (may be NULL) with
 * the reason, naming the target: a producer that saw a write fail calls it
 * to report why. */
int shn_file_out_flush(struct shn_file_out *o, struct shn_diag *diag);

/* The temporary's path (valid until commit or abort). */
const char *shn_file_out_temp_path(const struct shn_file_out *o);

/* Flushes, fsyncs, renames the temporary over the target and fsyncs the
 * folder; frees `o` whatever happens. On failure the target is untouched
 * and the temporary removed; `diag` says why (naming the target). */
int shn_file_out_commit(struct shn_file_out *o, struct shn_diag *diag);

/* Removes the temporary and frees `o`; safe with NULL. */
void shn_file_out_abort(struct shn_file_out *o);

/* Removes, in the folder of `path`, what dead processes of this user left
 * behind: temporaries (.shinsa-tmp-PID-*), update download folders
 * (.shinsa-update-PID-*), and the PATH.tmp.PID files of older versions.
 * A process that is still alive keeps its files. Adds the count to
 * *removed (may be NULL) and logs it at debug level (-v). The writers call
 * it; a command that leaves temporaries of its own may call it first. */
void shn_file_sweep_stale(const char *path, size_t *removed);

/* ---- Single-writer lock ----------------------------------------------------- */

/* An exclusive flock on PATH.lock (beside the file, following symbolic links
 * as the writers do). The lock file, not the store, carries the lock: the
 * store is replaced by rename, so a lock on it would be a lock on a file
 * that a later writer never opens. The lock file is left in place
 * (removing it would race with a writer about to lock it). */
struct shn_file_lock {
    bool held; /* a zeroed struct is a lock not held */
    int fd;
};

enum { SHN_FILE_LOCK_WAIT = 0, SHN_FILE_LOCK_NOWAIT = 1 };

/* Takes the lock: waits for it, or with SHN_FILE_LOCK_NOWAIT fails with
 * SHN_ERR_BUSY when another process holds it. SHN_ERR_IO when the lock file
 * cannot be created. */
int shn_file_lock(const char *path, int flags, struct shn_file_lock *lock, struct shn_diag *diag);
void shn_file_unlock(struct shn_file_lock *lock); /* safe when not held */

#endif
