/* db_int.h - what the files of db/ share: the SQLite file operations of
 * db_file.c, reached through db_sqlite_ops. */
#ifndef WLK_DB_INT_H
#define WLK_DB_INT_H

#include "db/db.h"

#include <sqlite3.h>

sqlite3 *db_sqlite_handle(db_t *db);
int db_sqlite_backup(db_t *db, const char *path, db_progress_fn progress, void *arg, err_t *e);
int db_sqlite_restore_stage(const char *dsn, const char *file, char *staged, size_t len, err_t *e);
int db_sqlite_restore_install(const char *dsn, const char *staged, err_t *e);

#endif
