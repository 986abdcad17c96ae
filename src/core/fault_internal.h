/* The writers' side of the I/O fault hook (include/shinsa/core/fault.h):
 * write() and fsync() as the file writers call them. */
#ifndef SHN_CORE_FAULT_INTERNAL_H
#define SHN_CORE_FAULT_INTERNAL_H

#include <stddef.h>
#include <sys/types.h>

/* write(2), or -1 with errno ENOSPC when the hook says so. */
ssize_t shn__io_write(int fd, const void *data, size_t len);

/* fsync(2), or -1 with errno EIO when the hook says so. */
int shn__io_fsync(int fd);

#endif
