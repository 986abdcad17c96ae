/* Tests for core's file writers (issue 12 F1, F10, F15, F16), the I/O fault
 * hook and the input checks (F2, F13), and the single-writer lock (F6). */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/fault.h"
#include "shinsa/core/file.h"

struct dir {
    char path[64];
};

static void dir_make(struct dir *d)
{
    snprintf(d->path, sizeof d->path, "/tmp/shn-file-XXXXXX");
    assert_non_null(mkdtemp(d->path));
}

static void dir_remove(struct dir *d)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->path);
    assert_int_equal(system(cmd), 0);
}

static void join(char *out, size_t size, const struct dir *d, const char *name)
{
    assert_true((size_t)snprintf(out, size, "%s/%s", d->path, name) < size);
}

/* Entries whose names start with `prefix`. */
static int count_prefixed(const struct dir *d, const char *prefix)
{
    DIR *dd = opendir(d->path);
    struct dirent *de;
    int n = 0;
    assert_non_null(dd);
    while ((de = readdir(dd)) != NULL)
        n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
    closedir(dd);
    return n;
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void assert_content(const char *path, const char *want)
{
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(shn_file_read(path, 1 << 24, &data, &len, NULL), SHN_OK);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(data, want, len);
    shn_free(data);
}

/* A pid that is surely dead: a child that has exited and been reaped. */
static long dead_pid(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    return (long)pid;
}

/* F1: the temporary is created with O_EXCL under a random name, so links
 * planted for the next pids (the old PATH.tmp.PID names) redirect nothing. */
static void planted_links_are_not_followed(void **state)
{
    struct dir d;
    char out[128], victim[128], link[160];
    (void)state;
    dir_make(&d);
    join(out, sizeof out, &d, "index.shn");
    join(victim, sizeof victim, &d, "victim");
    put(victim, "precious");
    for (long k = 0; k < 64; k++) {
        snprintf(link, sizeof link, "%s.tmp.%ld", out, (long)getpid() + k);
        assert_int_equal(symlink(victim, link), 0);
    }
    assert_int_equal(shn_file_write_atomic(out, "new", 3, NULL), SHN_OK);
    assert_content(victim, "precious");
    assert_content(out, "new");
    assert_int_equal(count_prefixed(&d, ".shinsa-tmp-"), 0);
    dir_remove(&d);
}

/* F15: 0600 whatever the umask; 0640 when shared with the group. */
static void files_are_private_whatever_the_umask(void **state)
{
    struct dir d;
    char out[128];
    struct stat st;
    mode_t old = umask(022);
    (void)state;
    dir_make(&d);
    join(out, sizeof out, &d, "db");
    assert_int_equal(shn_file_write_atomic(out, "x", 1, NULL), SHN_OK);
    assert_int_equal(stat(out, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    umask(0277); /* would make it read-only for its owner */
    assert_int_equal(shn_file_write_atomic(out, "y", 1, NULL), SHN_OK);
    assert_int_equal(stat(out, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    shn_file_set_group_shared(true);
    assert_int_equal(shn_file_write_atomic(out, "z", 1, NULL), SHN_OK);
    assert_int_equal(stat(out, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    shn_file_set_group_shared(false);
    umask(old);
    dir_remove(&d);
}

/* F16: a symlinked target is followed: its target replaced, the link kept. */
static void symlinked_target_is_followed(void **state)
{
    struct dir d;
    char real[128], link[128], chain[128];
    struct stat st;
    (void)state;
    dir_make(&d);
    join(real, sizeof real, &d, "data");
    assert_int_equal(mkdir(real, 0700), 0);
    join(real, sizeof real, &d, "data/index.shn");
    join(link, sizeof link, &d, "current.shn");
    join(chain, sizeof chain, &d, "chain.shn");
    put(real, "old");
    assert_int_equal(symlink("data/index.shn", link), 0); /* relative */
    assert_int_equal(symlink(link, chain), 0);            /* absolute, two hops */
    assert_int_equal(shn_file_write_atomic(chain, "new", 3, NULL), SHN_OK);
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(lstat(chain, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_content(real, "new");
    /* a link to a missing file: the file is created where it points */
    unlink(real);
    assert_int_equal(shn_file_write_atomic(link, "again", 5, NULL), SHN_OK);
    assert_content(real, "again");
    dir_remove(&d);
}

/* A link owned by someone else may have been planted: refused (needs root
 * to make one). */
static void foreign_link_is_refused(void **state)
{
    struct dir d;
    char real[128], link[128];
    struct shn_diag diag = {0};
    (void)state;
    if (geteuid() != 0) {
        print_message("SKIP: needs root to own a link as another user\n");
        return;
    }
    dir_make(&d);
    join(real, sizeof real, &d, "victim");
    join(link, sizeof link, &d, "out");
    put(real, "precious");
    assert_int_equal(symlink(real, link), 0);
    assert_int_equal(lchown(link, 4242, 4242), 0);
    assert_int_equal(shn_file_write_atomic(link, "x", 1, &diag), SHN_ERR_INVALID);
    assert_non_null(strstr(diag.message, "owned by another user"));
    assert_content(real, "precious");
    dir_remove(&d);
}

static void non_regular_targets_are_refused(void **state)
{
    struct dir d;
    char fifo[128];
    struct shn_diag diag = {0};
    (void)state;
    dir_make(&d);
    assert_int_equal(shn_file_write_atomic(d.path, "x", 1, &diag), SHN_ERR_INVALID);
    assert_non_null(strstr(diag.message, "folder"));
    join(fifo, sizeof fifo, &d, "fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(shn_file_write_atomic(fifo, "x", 1, &diag), SHN_ERR_INVALID);
    assert_int_equal(shn_file_write_atomic("/nonexistent-dir/x", "x", 1, &diag), SHN_ERR_IO);
    dir_remove(&d);
}

/* F10: what dead processes left is removed at the next write; what live
 * ones are writing stays. */
static void stale_temporaries_are_swept(void **state)
{
    struct dir d;
    char out[128], p[256];
    long dead = dead_pid(), live = (long)getppid();
    size_t removed = 0;
    (void)state;
    dir_make(&d);
    join(out, sizeof out, &d, "links.db");
    snprintf(p, sizeof p, "%s/.shinsa-tmp-%ld-0000abcd-links.db", d.path, dead);
    put(p, "torn");
    snprintf(p, sizeof p, "%s/.shinsa-tmp-%ld-0000abcd-other", d.path, live);
    put(p, "being written");
    snprintf(p, sizeof p, "%s.tmp.%ld", out, dead); /* an older version's name */
    put(p, "torn");
    snprintf(p, sizeof p, "%s/.shinsa-update-%ld-Qx1Yz2", d.path, dead);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/.shinsa-update-%ld-Qx1Yz2/sdn.csv", d.path, dead);
    put(p, "download");
    snprintf(p, sizeof p, "%s/unrelated.tmp.%ld", d.path, dead); /* not ours to judge */
    put(p, "keep");
    shn_file_sweep_stale(out, &removed);
    assert_int_equal(removed, 3);
    assert_int_equal(count_prefixed(&d, ".shinsa-tmp-"), 1);
    assert_int_equal(count_prefixed(&d, ".shinsa-update-"), 0);
    assert_int_equal(count_prefixed(&d, "links.db.tmp."), 0);
    assert_int_equal(count_prefixed(&d, "unrelated"), 1);
    /* the writers sweep by themselves */
    snprintf(p, sizeof p, "%s/.shinsa-tmp-%ld-0000abce-links.db", d.path, dead);
    put(p, "torn");
    assert_int_equal(shn_file_write_atomic(out, "new", 3, NULL), SHN_OK);
    assert_int_equal(count_prefixed(&d, ".shinsa-tmp-"), 1); /* the live one */
    dir_remove(&d);
}

static void streamed_writer_commits_or_aborts(void **state)
{
    struct dir d;
    char out[128];
    struct shn_file_out *o = NULL;
    char *big = shn_malloc(300000), *data = NULL;
    size_t len = 0;
    (void)state;
    assert_non_null(big);
    for (size_t i = 0; i < 300000; i++)
        big[i] = (char)('a' + i % 26);
    dir_make(&d);
    join(out, sizeof out, &d, "graph");
    put(out, "old");
    assert_int_equal(shn_file_out_open(out, &o, NULL), SHN_OK);
    assert_int_equal(shn_file_out_write(o, "head:", 5), SHN_OK);
    assert_int_equal(shn_file_out_write(o, big, 300000), SHN_OK); /* past the buffer */
    for (int i = 0; i < 10000; i++)
        assert_int_equal(shn_file_out_printf(o, "%d,", i), SHN_OK);
    assert_content(out, "old"); /* nothing replaced before the commit */
    assert_int_equal(shn_file_out_commit(o, NULL), SHN_OK);
    assert_int_equal(shn_file_read(out, 1 << 24, &data, &len, NULL), SHN_OK);
    assert_memory_equal(data, "head:", 5);
    assert_memory_equal(data + 5, big, 300000);
    assert_memory_equal(data + len - 5, "9999,", 5);
    shn_free(data);
    /* abort: the target stays, the temporary goes */
    assert_int_equal(shn_file_out_open(out, &o, NULL), SHN_OK);
    assert_int_equal(shn_file_out_write(o, big, 100000), SHN_OK);
    assert_int_equal(shn_file_out_flush(o, NULL), SHN_OK);
    assert_int_equal(count_prefixed(&d, ".shinsa-tmp-"), 1);
    shn_file_out_abort(o);
    assert_int_equal(count_prefixed(&d, ".shinsa-tmp-"), 0);
    assert_int_equal(shn_file_read(out, 1 << 24, &data, &len, NULL), SHN_OK);
    assert_int_equal(len, 5 + 300000 + 48890);
    shn_free(data);
    shn_file_out_abort(NULL);
    shn_free(big);
    dir_remove(&d);
}

enum writer { ATOMIC, STREAMED };

static int write_new(enum writer w, const char *path, const char *piece, size_t reps,
                     struct shn_diag *diag)
{
    struct shn_file_out *o = NULL;
    int rc;

    if (w == ATOMIC) {
        return shn_file_write_atomic(path, piece, strlen(piece), diag);
    }
    rc = shn_file_out_open(path, &o, diag);
    if (rc != SHN_OK)
        return rc;
    for (size_t i = 0; i < reps; i++)
        shn_file_out_write(o, piece, strlen(piece)); /* the commit reports */
    return shn_file_out_commit(o, diag);
}

/* Issue 12 item 9: every write and fsync of both writers failed in turn;
 * each time the old file is intact and no temporary is left. */
static void every_io_failure_point_keeps_the_old_file(void **state)
{
    static char piece[40001];
    (void)state;
    memset(piece, 'n', sizeof piece - 1);
    for (int w = ATOMIC; w <= STREAMED; w++) {
        struct dir d;
        char out[128];
        long points = 0;
        size_t reps = w == STREAMED ? 5 : 1; /* 200 KB: several buffer flushes */
        dir_make(&d);
        join(out, sizeof out, &d, "store");
        for (long n = 0;; n++) {
            struct shn_diag diag = {0};
            int rc;
            long fired;
            put(out, "old contents");
            shn_io_fail_after(n);
            rc = write_new((enum writer)w, out, piece, reps, &diag);
            fired = shn_io_fail_after(-1);
            assert_int_equal(count_prefixed(&d, ".shinsa-tmp-"), 0);
            if (rc != SHN_OK) {
                assert_int_equal(rc, SHN_ERR_IO);
                assert_true(fired > 0);
                assert_string_equal(diag.file, out);
                assert_true(strstr(diag.message, "No space left") ||
                            strstr(diag.message, "Input/output error"));
                assert_content(out, "old contents");
                points++;
                continue;
            }
            /* the folder's fsync comes after the rename: only a warning */
            struct stat st;
            assert_int_equal(stat(out, &st), 0);
            assert_int_equal((size_t)st.st_size, (sizeof piece - 1) * reps);
            if (!fired)
                break;
            points++;
        }
        /* atomic: write, fsync, folder fsync; streamed: 5+ writes too */
        assert_true(points >= (w == ATOMIC ? 3 : 7));
        print_message("%s writer: %ld failure points\n", w == ATOMIC ? "atomic" : "streamed",
                      points);
        dir_remove(&d);
    }
}

/* F13: FIFOs (even with no writer), folders and devices are refused at
 * once; "-" is standard input. */
static void inputs_must_be_regular_files(void **state)
{
    struct dir d;
    char fifo[128], file[128];
    struct shn_diag diag = {0};
    struct shn_mapped_file m = {0};
    char *data = NULL;
    size_t len;
    int fd = -1;
    FILE *f = NULL;
    time_t t0 = time(NULL);
    (void)state;
    dir_make(&d);
    join(fifo, sizeof fifo, &d, "fifo");
    join(file, sizeof file, &d, "list.csv");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    put(file, "a,b\n");
    assert_int_equal(shn_file_open_input(fifo, &fd, &diag), SHN_ERR_IO);
    assert_non_null(strstr(diag.message, "a FIFO, not a regular file"));
    assert_int_equal(shn_file_read(fifo, 100, &data, &len, &diag), SHN_ERR_IO);
    assert_int_equal(shn_file_map(fifo, &m, &diag), SHN_ERR_IO);
    assert_int_equal(shn_file_fopen_input(fifo, &f, &diag), SHN_ERR_IO);
    assert_true(time(NULL) - t0 < 5); /* no open blocked */
    assert_int_equal(shn_file_open_input(d.path, &fd, &diag), SHN_ERR_IO);
    assert_non_null(strstr(diag.message, "a folder"));
    assert_int_equal(shn_file_read(d.path, 100, &data, &len, &diag), SHN_ERR_IO);
    assert_int_equal(shn_file_map(d.path, &m, &diag), SHN_ERR_IO);
    assert_int_equal(shn_file_open_input("/dev/null", &fd, &diag), SHN_ERR_IO);
    assert_non_null(strstr(diag.message, "a device"));
    assert_int_equal(shn_file_open_input(file, &fd, &diag), SHN_OK);
    assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    close(fd);
    assert_int_equal(shn_file_open_input("-", &fd, &diag), SHN_OK);
    assert_true(fd != STDIN_FILENO);
    close(fd);
    assert_int_equal(shn_file_fopen_input(file, &f, &diag), SHN_OK);
    assert_int_equal(fgetc(f), 'a');
    fclose(f);
    dir_remove(&d);
}

/* F2: an output that is one of the inputs (by any name) is refused. */
static void output_may_not_be_an_input(void **state)
{
    struct dir d;
    char in[128], hard[128], soft[128], other[128], fresh[128];
    struct shn_diag diag = {0};
    (void)state;
    dir_make(&d);
    join(in, sizeof in, &d, "events.jsonl");
    join(hard, sizeof hard, &d, "hard");
    join(soft, sizeof soft, &d, "soft");
    join(other, sizeof other, &d, "other");
    join(fresh, sizeof fresh, &d, "fresh");
    put(in, "{}\n");
    put(other, "{}\n");
    assert_int_equal(link(in, hard), 0);
    assert_int_equal(symlink(in, soft), 0);
    assert_true(shn_file_same(in, hard));
    assert_true(shn_file_same(soft, in));
    assert_false(shn_file_same(in, other));
    assert_false(shn_file_same(in, fresh));
    {
        const char *inputs[] = {NULL, "-", other, in};
        assert_int_equal(shn_file_check_output(soft, inputs, 4, &diag), SHN_ERR_INVALID);
        assert_string_equal(diag.file, soft);
        assert_non_null(strstr(diag.message, in));
        assert_int_equal(shn_file_check_output(fresh, inputs, 4, &diag), SHN_OK);
        assert_int_equal(shn_file_check_output("-", inputs, 4, &diag), SHN_OK);
    }
    dir_remove(&d);
}

/* F6: one writer at a time; another waits or is told it is busy. */
static void lock_admits_one_writer(void **state)
{
    struct dir d;
    char db[128], link[128];
    struct shn_file_lock a = {0}, b = {0};
    struct shn_diag diag = {0};
    pid_t pid;
    int status;
    (void)state;
    dir_make(&d);
    join(db, sizeof db, &d, "links.db");
    join(link, sizeof link, &d, "alias.db");
    assert_int_equal(symlink(db, link), 0);
    shn_file_unlock(&a); /* not held: nothing happens */
    assert_int_equal(shn_file_lock(db, SHN_FILE_LOCK_NOWAIT, &a, &diag), SHN_OK);
    /* through another name of the same store: the same lock */
    assert_int_equal(shn_file_lock(link, SHN_FILE_LOCK_NOWAIT, &b, &diag), SHN_ERR_BUSY);
    assert_non_null(strstr(diag.message, "another process"));
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct shn_file_lock c = {0};
        _exit(shn_file_lock(db, SHN_FILE_LOCK_NOWAIT, &c, NULL) == SHN_ERR_BUSY ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(WEXITSTATUS(status), 0);
    shn_file_unlock(&a);
    assert_int_equal(shn_file_lock(link, SHN_FILE_LOCK_WAIT, &b, &diag), SHN_OK);
    shn_file_unlock(&b);
    shn_file_unlock(&b);
    dir_remove(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(planted_links_are_not_followed),
        cmocka_unit_test(files_are_private_whatever_the_umask),
        cmocka_unit_test(symlinked_target_is_followed),
        cmocka_unit_test(foreign_link_is_refused),
        cmocka_unit_test(non_regular_targets_are_refused),
        cmocka_unit_test(stale_temporaries_are_swept),
        cmocka_unit_test(streamed_writer_commits_or_aborts),
        cmocka_unit_test(every_io_failure_point_keeps_the_old_file),
        cmocka_unit_test(inputs_must_be_regular_files),
        cmocka_unit_test(output_may_not_be_an_input),
        cmocka_unit_test(lock_admits_one_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
