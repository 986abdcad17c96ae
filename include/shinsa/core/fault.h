/* I/O fault injection for tests, as shn_alloc_fail_after is for memory: the
 * file writers (shn_file_write_atomic, shn_file_out_*, shn_section_write)
 * route every write() and fsync() through one counter, so that a test can
 * fail each of them in turn and check that the old file survives and no
 * temporary is left behind. */
#ifndef SHN_CORE_FAULT_H
#define SHN_CORE_FAULT_H

/* After `n` more successful writes or fsyncs, every one fails: a write with
 * ENOSPC (a full disk), an fsync with EIO. A negative `n` turns the hook
 * off. Returns how many operations failed under the previous setting, so a
 * loop can tell when a run went through without reaching the fault.
 * Not thread-safe by design (tests only). */
long shn_io_fail_after(long n);

#endif
