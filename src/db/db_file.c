/* db_file.c - the SQLite database as a file: an online backup while the
 * server writes (the backup API, in steps with progress) ending in a
 * SHA-256 of the file (SQLite's integrity check misses a changed byte in
 * a value or in free space: the digest does not), and a restore that
 * copies the backup beside the live file, checks the copy, and only then
 * moves it into place (the live file kept as <db>.before-restore). */
#include "db/db_int.h"
#include "sec/sec.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STEP_PAGES   1024
#define MAX_RESTARTS 3
/* the end of a backup: the SHA-256 of what comes before, then this */
#define TRAILER_MAGIC "wlk backup sha2"
#define TRAILER_LEN   (32 + sizeof(TRAILER_MAGIC))

/* The file path of a SQLite DSN ("file:<escaped path>[?...]" or a path). */
static int path_of(const char *dsn, char *out, size_t len)
{
    const char *p = strncmp(dsn, "file:", 5) == 0 ? dsn + 5 : dsn;
    size_t o = 0;
    for (; *p && *p != '?'; p++) {
        unsigned v;
        if (o + 1 >= len)
            return -1;
        if (*p == '%' && sscanf(p + 1, "%2x", &v) == 1) {
            out[o++] = (char)v;
            p += 2;
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
    return 0;
}

/* The SHA-256 of the first len bytes of the open file fd. */
static int digest_of(int fd, off_t len, uint8_t out[32])
{
    char buf[65536];
    sec_sha256_t *h = sec_sha256_begin();
    off_t at = 0;
    while (at < len) {
        size_t want = (size_t)(len - at) < sizeof(buf) ? (size_t)(len - at) : sizeof(buf);
        ssize_t n = pread(fd, buf, want, at);
        if (n <= 0) {
            sec_sha256_end(h, out);
            return -1;
        }
        sec_sha256_update(h, buf, (size_t)n);
        at += n;
    }
    sec_sha256_end(h, out);
    return 0;
}

/* Appends the trailer to the finished copy at path. */
static int seal_file(const char *path)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -1;
    off_t len = lseek(fd, 0, SEEK_END);
    uint8_t t[TRAILER_LEN];
    int rc = len < 0 || digest_of(fd, len, t) != 0 ? -1 : 0;
    memcpy(t + 32, TRAILER_MAGIC, sizeof(TRAILER_MAGIC));
    if (rc == 0 && pwrite(fd, t, sizeof(t), len) != (ssize_t)sizeof(t))
        rc = -1;
    close(fd);
    return rc;
}

/* A staged copy's trailer checked and cut off. A copy without one (made
 * before backups had it) is left to the integrity check alone. */
static int unseal_file(const char *path, const char *shown, err_t *e)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return err_internal(e, "restore: cannot open %s: %s", path, strerror(errno));
    off_t len = lseek(fd, 0, SEEK_END);
    uint8_t t[TRAILER_LEN], want[32];
    int rc = 0;
    if (len >= (off_t)TRAILER_LEN &&
        pread(fd, t, sizeof(t), len - (off_t)TRAILER_LEN) == (ssize_t)sizeof(t) &&
        memcmp(t + 32, TRAILER_MAGIC, sizeof(TRAILER_MAGIC)) == 0) {
        if (digest_of(fd, len - (off_t)TRAILER_LEN, want) != 0 || memcmp(want, t, 32) != 0)
            rc = err_set(e, ERR_VALIDATION_FAILED, NULL,
                         "%s is damaged: its contents do not match the checksum it was written "
                         "with",
                         shown);
        else if (ftruncate(fd, len - (off_t)TRAILER_LEN) != 0)
            rc = err_internal(e, "restore: cannot cut %s: %s", path, strerror(errno));
    }
    close(fd);
    return rc;
}

static int sync_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc = fd >= 0 && fsync(fd) == 0 ? 0 : -1;
    if (fd >= 0)
        close(fd);
    return rc;
}

int db_sqlite_backup(db_t *db, const char *path, db_progress_fn progress, void *arg, err_t *e)
{
    char part[1100];
    snprintf(part, sizeof(part), "%s.part", path);
    (void)unlink(part);
    sqlite3 *dst = NULL;
    if (sqlite3_open_v2(part, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        int rc = err_internal(e, "backup: cannot create %s: %s", part,
                              dst ? sqlite3_errmsg(dst) : "no memory");
        sqlite3_close(dst);
        return rc;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", db_sqlite_handle(db), "main");
    int rc = b ? SQLITE_OK : sqlite3_errcode(dst), restarts = 0, last_left = -1;
    while (b && (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)) {
        /* a write by another connection restarts the copy: after a few,
         * the rest is copied in one step (one read snapshot) */
        rc = sqlite3_backup_step(b, restarts < MAX_RESTARTS ? STEP_PAGES : -1);
        int left = sqlite3_backup_remaining(b), total = sqlite3_backup_pagecount(b);
        if (last_left >= 0 && left > last_left)
            restarts++;
        last_left = left;
        if (progress && rc != SQLITE_DONE)
            progress(arg, total - left, total);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            usleep(10000);
    }
    if (b)
        sqlite3_backup_finish(b);
    if (rc == SQLITE_DONE) /* a file of its own: no write-ahead log beside it */
        rc = sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        err_internal(e, "backup to %s failed: %s", path, sqlite3_errmsg(dst));
        sqlite3_close(dst);
        (void)unlink(part);
        return e->code;
    }
    sqlite3_close(dst);
    if (seal_file(part) != 0 || sync_file(part) != 0 || rename(part, path) != 0) {
        int err = errno;
        (void)unlink(part);
        return err_internal(e, "backup: cannot write %s: %s", path, strerror(err));
    }
    return 0;
}

static int copy_file(const char *from, const char *to, err_t *e)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return err_set(e, ERR_VALIDATION_FAILED, NULL, "cannot read %s: %s", from, strerror(errno));
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    char buf[65536];
    ssize_t n = 0;
    bool ok = out >= 0;
    while (ok && (n = read(in, buf, sizeof(buf))) > 0)
        ok = write(out, buf, (size_t)n) == n;
    ok = ok && n == 0 && fsync(out) == 0;
    int err = errno;
    close(in);
    if (out >= 0)
        close(out);
    return ok ? 0 : err_internal(e, "restore: cannot copy into %s: %s", to, strerror(err));
}

/* A file that starts as a SQLite database, or a clear refusal. */
static int check_file_head(const char *path, const char *shown, err_t *e)
{
    char head[16] = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, head, sizeof(head)) : -1;
    if (fd >= 0)
        close(fd);
    if (n != 16 || memcmp(head, "SQLite format 3", 16) != 0)
        return err_set(e, ERR_VALIDATION_FAILED, NULL,
                       "%s is not a wlk backup (not a SQLite database file)", shown);
    return 0;
}

/* A SQLite file whose integrity check passes, or a clear refusal. */
static int check_file(const char *path, const char *shown, err_t *e)
{
    sqlite3 *h = NULL;
    char verdict[200] = "";
    int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL);
    sqlite3_stmt *st = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(h, "PRAGMA integrity_check(1)", -1, &st, NULL);
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        snprintf(verdict, sizeof(verdict), "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(h);
    if (strcmp(verdict, "ok") != 0)
        return err_set(e, ERR_VALIDATION_FAILED, NULL, "%s is damaged: %s", shown,
                       verdict[0] ? verdict : "it cannot be read as a database");
    return 0;
}

int db_sqlite_restore_stage(const char *dsn, const char *file, char *staged, size_t len, err_t *e)
{
    char live[1024], path[1100];
    if (path_of(dsn, live, sizeof(live)) != 0)
        return err_internal(e, "restore: database path too long");
    snprintf(path, sizeof(path), "%s.restore", live);
    int rc = copy_file(file, path, e);
    if (rc == 0)
        rc = check_file_head(path, file, e);
    if (rc == 0)
        rc = unseal_file(path, file, e);
    if (rc == 0)
        rc = check_file(path, file, e);
    if (rc == 0 && (size_t)snprintf(staged, len, "%s", path) >= len)
        rc = err_internal(e, "restore: path too long");
    if (rc < 0)
        (void)unlink(path);
    return rc;
}

int db_sqlite_restore_install(const char *dsn, const char *staged, err_t *e)
{
    char live[1024], side[1100];
    if (path_of(dsn, live, sizeof(live)) != 0)
        return err_internal(e, "restore: database path too long");
    static const char *const logs[] = {"-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
        snprintf(side, sizeof(side), "%s%s", live, logs[i]);
        (void)unlink(side);
    }
    snprintf(side, sizeof(side), "%s.before-restore", live);
    if ((access(live, F_OK) == 0 && rename(live, side) != 0) || rename(staged, live) != 0)
        return err_internal(e, "restore: cannot move the backup into place: %s", strerror(errno));
    return 0;
}
