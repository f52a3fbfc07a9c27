/* shred.c - the shredded-key list: the owners whose data key was
 * destroyed (cancelled accounts), one decimal id per line, in a file kept
 * outside the database and so outside its backups. A backup made before
 * a cancellation still holds the account's wrapped key; once such a
 * backup is restored the vault refuses to unwrap it, and the server
 * erases the account again at start (rights_replay_cancellations). */
#include "sec/sec_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t lower_bound(const sec_shred_t *s, int64_t id)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void insert(sec_shred_t *s, int64_t id)
{
    size_t at = lower_bound(s, id);
    if (at < s->n && s->ids[at] == id)
        return;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->ids = realloc(s->ids, s->cap * sizeof(*s->ids));
        if (s->ids == NULL)
            abort();
    }
    memmove(s->ids + at + 1, s->ids + at, (s->n - at) * sizeof(*s->ids));
    s->ids[at] = id;
    s->n++;
}

bool sec_shred_has(const sec_vault_t *v, int64_t owner)
{
    sec_shred_t *s = v->shred;
    pthread_mutex_lock(&s->mu);
    size_t at = lower_bound(s, owner);
    bool yes = at < s->n && s->ids[at] == owner;
    pthread_mutex_unlock(&s->mu);
    return yes;
}

int sec_vault_shred_open(sec_vault_t *v, const char *path, err_t *e)
{
    sec_shred_t *s = v->shred;
    if (strlen(path) >= sizeof(s->path))
        return err_internal(e, "shredded-key list path too long");
    FILE *f = fopen(path, "re");
    if (f == NULL && errno != ENOENT)
        return err_internal(e, "cannot read the shredded-key list %s: %s", path, strerror(errno));
    char line[64];
    int rc = 0;
    pthread_mutex_lock(&s->mu);
    strcpy(s->path, path);
    for (long n = 1; f && rc == 0 && fgets(line, sizeof(line), f); n++) {
        char *end;
        long long id = strtoll(line, &end, 10);
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (end == line || (*end != '\n' && *end != '\0') || id <= 0)
            rc = err_internal(e, "shredded-key list %s: line %ld is not an id", path, n);
        else
            insert(s, id);
    }
    pthread_mutex_unlock(&s->mu);
    if (f)
        fclose(f);
    return rc;
}

int sec_vault_shred(sec_vault_t *v, int64_t owner, err_t *e)
{
    sec_shred_t *s = v->shred;
    pthread_mutex_lock(&s->mu);
    int rc = 0;
    if (s->path[0]) {
        char line[32];
        int n = snprintf(line, sizeof(line), "%lld\n", (long long)owner);
        int fd = open(s->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        bool ok = fd >= 0 && write(fd, line, (size_t)n) == n && fsync(fd) == 0;
        if (fd >= 0)
            close(fd);
        if (!ok)
            rc = err_internal(e, "cannot add to the shredded-key list %s: %s", s->path,
                              strerror(errno));
    }
    if (rc == 0)
        insert(s, owner);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void sec_vault_unshred(sec_vault_t *v, int64_t owner)
{
    sec_shred_t *s = v->shred;
    pthread_mutex_lock(&s->mu);
    size_t at = lower_bound(s, owner);
    if (at < s->n && s->ids[at] == owner) {
        memmove(s->ids + at, s->ids + at + 1, (s->n - at - 1) * sizeof(*s->ids));
        s->n--;
    }
    if (s->path[0]) { /* rewritten whole: the append is undone */
        char tmp[1100];
        snprintf(tmp, sizeof(tmp), "%s.new", s->path);
        FILE *f = fopen(tmp, "we");
        bool ok = f != NULL;
        for (size_t i = 0; ok && i < s->n; i++)
            ok = fprintf(f, "%lld\n", (long long)s->ids[i]) > 0;
        ok = f && fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
        if (f)
            ok = fclose(f) == 0 && ok;
        if (!ok || rename(tmp, s->path) != 0)
            (void)unlink(tmp); /* the id stays listed: refused, never readable */
    }
    pthread_mutex_unlock(&s->mu);
}

size_t sec_vault_shredded(const sec_vault_t *v, size_t from, int64_t *out, size_t cap)
{
    sec_shred_t *s = v->shred;
    pthread_mutex_lock(&s->mu);
    size_t n = 0;
    for (size_t i = from; i < s->n && n < cap; i++)
        out[n++] = s->ids[i];
    pthread_mutex_unlock(&s->mu);
    return n;
}
