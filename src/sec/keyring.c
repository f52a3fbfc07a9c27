/* keyring.c - the master key file. Version 1 is one key (64 hex) from
 * which the wrapping, blind-index and outbox keys derive. The first
 * rotation writes version 2, which names the keys themselves: the
 * blind-index and outbox keys carried over unchanged (the blind indexes
 * in the database stay valid), then the wrapping keys, the current one
 * first and the older ones after it, which still open data keys wrapped
 * before (in backups, or not re-wrapped yet). */
#include "sec/sec_int.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILE_MAX 4096

static int parse_hex_key(const char *hex, size_t len, uint8_t key[SEC_KEY_LEN])
{
    size_t bin_len = 0;
    while (len > 0 && (hex[len - 1] == '\n' || hex[len - 1] == '\r' || hex[len - 1] == ' '))
        len--;
    if (len != SEC_KEY_LEN * 2 ||
        sodium_hex2bin(key, SEC_KEY_LEN, hex, len, NULL, &bin_len, NULL) != 0 ||
        bin_len != SEC_KEY_LEN)
        return -1;
    return 0;
}

int sec_keyfile_parse(const char *text, size_t len, sec_key_t *bidx, sec_key_t *outbox,
                      sec_key_t *wraps, int *nwrap)
{
    uint8_t master[SEC_KEY_LEN];
    *nwrap = 0;
    if (parse_hex_key(text, len, master) == 0) { /* version 1 */
        sec_derive(master, &wraps[0], bidx, outbox);
        sodium_memzero(master, sizeof(master));
        *nwrap = 1;
        return 0;
    }
    bool have_bidx = false, have_outbox = false;
    for (size_t at = 0; at < len;) {
        const char *line = text + at, *nl = memchr(line, '\n', len - at);
        size_t ll = nl ? (size_t)(nl - line) : len - at;
        at += ll + 1;
        if (ll == 0 || line[0] == '#')
            continue;
        const char *sp = memchr(line, ' ', ll);
        if (sp == NULL)
            return -1;
        size_t nl_name = (size_t)(sp - line);
        sec_key_t k;
        if (parse_hex_key(sp + 1, ll - nl_name - 1, k.k) != 0)
            return -1;
        if (nl_name == 4 && memcmp(line, "bidx", 4) == 0 && !have_bidx) {
            *bidx = k;
            have_bidx = true;
        } else if (nl_name == 6 && memcmp(line, "outbox", 6) == 0 && !have_outbox) {
            *outbox = k;
            have_outbox = true;
        } else if (nl_name == 4 && memcmp(line, "wrap", 4) == 0 && *nwrap < SEC_RING_MAX) {
            wraps[(*nwrap)++] = k;
        } else {
            return -1;
        }
        sodium_memzero(&k, sizeof(k));
    }
    return have_bidx && have_outbox && *nwrap > 0 ? 0 : -1;
}

static int create_key_file(const char *path, err_t *e)
{
    uint8_t key[SEC_KEY_LEN];
    char hex[SEC_KEY_LEN * 2 + 2];
    randombytes_buf(key, SEC_KEY_LEN);
    sodium_bin2hex(hex, sizeof(hex), key, SEC_KEY_LEN);
    sodium_memzero(key, sizeof(key));
    strcat(hex, "\n");
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_internal(e, "cannot create master key file %s: %s", path, strerror(errno));
    size_t n = strlen(hex);
    int ok = write(fd, hex, n) == (ssize_t)n && fsync(fd) == 0;
    close(fd);
    sodium_memzero(hex, sizeof(hex));
    return ok ? 0 : err_internal(e, "cannot write master key file %s", path);
}

/* The file's text (wipe it: FILE_MAX bytes), its length and stat. */
static int read_text(const char *path, char *buf, size_t *len, struct stat *sb, err_t *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_internal(e, "cannot open master key file %s: %s", path, strerror(errno));
    ssize_t n = fstat(fd, sb) == 0 ? read(fd, buf, FILE_MAX) : -1;
    close(fd);
    if (sb->st_mode & 077)
        return err_internal(e, "master key file %s must not be readable by others (chmod 600)",
                            path);
    if (n <= 0 || n == FILE_MAX)
        return err_internal(e, "master key file %s cannot be read", path);
    *len = (size_t)n;
    return 0;
}

static void remember_stat(sec_keyfile_t *f, const struct stat *sb)
{
    f->mtime_ns = (long long)sb->st_mtim.tv_sec * 1000000000LL + sb->st_mtim.tv_nsec;
    f->size = (long long)sb->st_size;
}

/* Loads the file's keys into v: the stable keys on the first load, the
 * wrapping keys the ring lacks, and the file's first wrap as current. */
static int load(sec_vault_t *v, bool first, err_t *e)
{
    char *buf = sodium_malloc(FILE_MAX);
    sec_key_t *wraps = sodium_malloc(sizeof(sec_key_t) * SEC_RING_MAX);
    sec_key_t bidx, outbox;
    size_t len = 0;
    int n = 0;
    struct stat sb;
    if (buf == NULL || wraps == NULL)
        abort();
    int rc = read_text(v->file->path, buf, &len, &sb, e);
    if (rc == 0 && sec_keyfile_parse(buf, len, &bidx, &outbox, wraps, &n) != 0)
        rc = err_internal(e, "master key file %s holds neither 64 hex characters nor a keyring",
                          v->file->path);
    if (rc == 0 && first) {
        v->bidx = bidx;
        v->outbox = outbox;
    }
    for (int i = n - 1; rc == 0 && i >= 0; i--) {
        int slot = sec_ring_add(v, &wraps[i]);
        if (slot < 0)
            rc = err_internal(e, "master key file %s: more than %d keys", v->file->path,
                              SEC_RING_MAX);
        else if (i == 0)
            __atomic_store_n(&v->ring.cur, slot, __ATOMIC_RELEASE);
    }
    if (rc == 0)
        remember_stat(v->file, &sb);
    sodium_memzero(&bidx, sizeof(bidx));
    sodium_memzero(&outbox, sizeof(outbox));
    sodium_free(wraps);
    sodium_free(buf);
    return rc;
}

int sec_vault_open(const char *key_file, sec_vault_t **out, err_t *e)
{
    const char *env = getenv("WLK_MASTER_KEY");
    if (env && *env) {
        uint8_t *key = sodium_malloc(SEC_KEY_LEN);
        if (key == NULL)
            abort();
        int rc = parse_hex_key(env, strlen(env), key) != 0
                     ? err_internal(e, "WLK_MASTER_KEY must be 64 hex characters")
                     : 0;
        if (rc == 0)
            *out = sec_vault_from_key(key);
        sodium_free(key);
        return rc;
    }
    if (strlen(key_file) >= sizeof(((sec_keyfile_t *)0)->path))
        return err_internal(e, "master key file path too long");
    if (access(key_file, F_OK) != 0 && errno == ENOENT) {
        int rc = create_key_file(key_file, e);
        if (rc < 0)
            return rc;
    }
    sec_vault_t *v = sec_vault_new();
    strcpy(v->file->path, key_file);
    int rc = load(v, true, e);
    if (rc < 0) {
        sec_vault_destroy(v);
        return rc;
    }
    *out = v;
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sec_keyfile_reload(sec_vault_t *v)
{
    sec_keyfile_t *f = v->file;
    long long now = now_ms(), last = __atomic_load_n(&f->checked_ms, __ATOMIC_RELAXED);
    if (f->path[0] == '\0' || now - last < 1000)
        return;
    __atomic_store_n(&f->checked_ms, now, __ATOMIC_RELAXED);
    struct stat sb;
    pthread_mutex_lock(&f->mu);
    if (stat(f->path, &sb) == 0 &&
        ((long long)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec != f->mtime_ns ||
         (long long)sb.st_size != f->size)) {
        err_t e = {0};
        (void)load(v, false, &e);
        err_clear(&e);
    }
    pthread_mutex_unlock(&f->mu);
}

static void put_key(FILE *f, const char *name, const sec_key_t *k)
{
    char hex[SEC_KEY_LEN * 2 + 1];
    sodium_bin2hex(hex, sizeof(hex), k->k, SEC_KEY_LEN);
    fprintf(f, "%s %s\n", name, hex);
    sodium_memzero(hex, sizeof(hex));
}

/* Writes the keyring (the current wrap first; the older ones unless
 * only_current) to a new file, then moves it over the old one. */
static int write_ring(sec_vault_t *v, bool only_current, err_t *e)
{
    char tmp[1100];
    snprintf(tmp, sizeof(tmp), "%s.new", v->file->path);
    (void)unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        if (fd >= 0)
            close(fd);
        return err_internal(e, "cannot write %s: %s", tmp, strerror(errno));
    }
    setvbuf(f, NULL, _IONBF, 0); /* no copy of a key in a stdio buffer */
    int n = __atomic_load_n(&v->ring.nwrap, __ATOMIC_ACQUIRE);
    int cur = __atomic_load_n(&v->ring.cur, __ATOMIC_ACQUIRE);
    fprintf(f, "# wlk keyring v2 - keep secret (mode 0600) and keep a copy apart from backups.\n"
               "# wrap: the first wraps new data keys; the others open keys wrapped before.\n");
    put_key(f, "bidx", &v->bidx);
    put_key(f, "outbox", &v->outbox);
    put_key(f, "wrap", &v->ring.wrap[cur]);
    for (int i = n - 1; !only_current && i >= 0; i--)
        if (i != cur)
            put_key(f, "wrap", &v->ring.wrap[i]);
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, v->file->path) != 0) {
        int err = errno;
        (void)unlink(tmp);
        return err_internal(e, "cannot replace %s: %s", v->file->path, strerror(err));
    }
    struct stat sb;
    if (stat(v->file->path, &sb) == 0)
        remember_stat(v->file, &sb);
    return 0;
}

static int need_file(const sec_vault_t *v, err_t *e)
{
    if (v->file->path[0] == '\0')
        return err_set(e, ERR_VALIDATION_FAILED, NULL,
                       "the master key comes from WLK_MASTER_KEY: rotate it with a key file "
                       "(--master-key-file), which wlk can rewrite");
    return 0;
}

int sec_vault_rotate(sec_vault_t *v, err_t *e)
{
    int rc = need_file(v, e);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&v->file->mu);
    sec_key_t k;
    randombytes_buf(k.k, SEC_KEY_LEN);
    int slot = sec_ring_add(v, &k);
    sodium_memzero(&k, sizeof(k));
    int old = __atomic_load_n(&v->ring.cur, __ATOMIC_ACQUIRE);
    if (slot < 0) {
        rc = err_set(e, ERR_VALIDATION_FAILED, NULL,
                     "the keyring is full (%d keys): rotate with --retire-old", SEC_RING_MAX);
    } else {
        __atomic_store_n(&v->ring.cur, slot, __ATOMIC_RELEASE);
        if ((rc = write_ring(v, false, e)) < 0) /* the old key stays current */
            __atomic_store_n(&v->ring.cur, old, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&v->file->mu);
    return rc;
}

int sec_vault_retire_old(sec_vault_t *v, err_t *e)
{
    int rc = need_file(v, e);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&v->file->mu);
    rc = write_ring(v, true, e);
    pthread_mutex_unlock(&v->file->mu);
    return rc;
}

int sec_vault_key_count(const sec_vault_t *v)
{
    return __atomic_load_n(&v->ring.nwrap, __ATOMIC_ACQUIRE);
}
