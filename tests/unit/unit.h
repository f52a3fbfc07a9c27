/* unit.h - what every cmocka test file includes. */
#ifndef WLK_UNIT_H
#define WLK_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <unistd.h>

#include "db/db.h"

/* A fresh, migrated SQLite database at /tmp/wlk-unit-<tag>-<pid>.db (its
 * path into path). 0, or -1 when it cannot be made. */
static inline int unit_db_open(const char *tag, char path[64], db_t **db)
{
    err_t e = {0};
    snprintf(path, 64, "/tmp/wlk-unit-%s-%d.db", tag, (int)getpid());
    unlink(path);
    int rc = db_open(path, db, &e) < 0 || db_migrate(*db, &e) < 0 ? -1 : 0;
    err_clear(&e);
    return rc;
}

/* Closes db and removes its files (database, log, shared memory). */
static inline void unit_db_remove(db_t *db, const char *path)
{
    char p[80];
    db_close(db);
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}

#endif
