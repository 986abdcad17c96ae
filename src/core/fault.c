#include <errno.h>
#include <stdbool.h>
#include <unistd.h>

#include "fault_internal.h"
#include "shinsa/core/fault.h"

static long countdown = -1;
static long injected;

long shn_io_fail_after(long n)
{
    long before = injected;

    countdown = n;
    injected = 0;
    return before;
}

static bool should_fail(void)
{
    if (countdown < 0)
        return false;
    if (countdown == 0) {
        injected++;
        return true;
    }
    countdown--;
    return false;
}

ssize_t shn__io_write(int fd, const void *data, size_t len)
{
    if (should_fail()) {
        errno = ENOSPC;
        return -1;
    }
    return write(fd, data, len);
}

int shn__io_fsync(int fd)
{
    if (should_fail()) {
        errno = EIO;
        return -1;
    }
    return fsync(fd);
}
