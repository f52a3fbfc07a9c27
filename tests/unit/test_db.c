/* test_db.c - the engine contract, run against every built engine:
 * $N parameters in any order, NULLs, blobs, conflicts, transactions,
 * migrations. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/db.h"

static char path[64];

static int open_db(void **state)
{
    db_t *db;
    if (unit_db_open("db", path, &db) < 0)
        return -1;
    *state = db;
    return 0;
}

static int close_db(void **state)
{
    unit_db_remove(*state, path);
    return 0;
}

static void test_parameters_bind_by_number_in_any_order(void **state)
{
    db_t *db = *state;
    err_t e = {0};
    db_stmt_t *st;
    assert_int_equal(db_one(db, &st, "SELECT $2 || '-' || $1, $3 IS NULL",
                            DB_ARGS(DB_TEXT("a"), DB_TEXT("b"), DB_NULL), &e),
                     DB_ROW);
    size_t n;
    const char *s = db_bytes(st, 0, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(s, "b-a", 3);
    assert_int_equal(db_i64(st, 1), 1);
    db_done(st);
}

static void test_sql_built_in_one_buffer_gets_its_own_statement(void **state)
{
    db_t *db = *state;
    err_t e = {0};
    db_stmt_t *st;
    char sql[64];
    for (int i = 0; i < 3; i++) {
        snprintf(sql, sizeof(sql), "SELECT %d + $1", i * 10);
        assert_int_equal(db_one(db, &st, sql, DB_ARGS(DB_I64(1)), &e), DB_ROW);
        assert_int_equal(db_i64(st, 0), i * 10 + 1);
        db_done(st);
    }
}

static void test_blobs_round_trip_with_zero_bytes(void **state)
{
    db_t *db = *state;
    err_t e = {0};
    const uint8_t blob[] = {0, 1, 0, 255};
    assert_int_equal(db_exec(db, "INSERT INTO rate_hits (bucket, at) VALUES ($1, $2)",
                             DB_ARGS(DB_BLOB(blob, 4), DB_I64(7)), &e),
                     1);
    db_stmt_t *st;
    assert_int_equal(
        db_one(db, &st, "SELECT bucket FROM rate_hits WHERE at = $1", DB_ARGS(DB_I64(7)), &e),
        DB_ROW);
    size_t n;
    const void *p = db_bytes(st, 0, &n);
    assert_int_equal(n, 4);
    assert_memory_equal(p, blob, 4);
    db_done(st);
}

static void test_a_duplicate_key_is_a_conflict(void **state)
{
    db_t *db = *state;
    err_t e = {0};
    const char *sql = "INSERT INTO policy_versions (version, published_at, material, doc) "
                      "VALUES ($1, 1, 0, '{}')";
    assert_int_equal(db_exec(db, sql, DB_ARGS(DB_TEXT("v1")), &e), 1);
    assert_int_equal(db_exec(db, sql, DB_ARGS(DB_TEXT("v1")), &e), ERR_CONFLICT);
    err_clear(&e);
}

static void test_a_rolled_back_transaction_leaves_nothing(void **state)
{
    db_t *db = *state;
    err_t e = {0};
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(
        db_exec(db, "INSERT INTO rate_hits (bucket, at) VALUES ('x', 99)", DB_NOARGS, &e), 1);
    db_rollback(db);
    db_stmt_t *st;
    assert_int_equal(db_one(db, &st, "SELECT COUNT(*) FROM rate_hits WHERE at = 99", DB_NOARGS, &e),
                     DB_ROW);
    assert_int_equal(db_i64(st, 0), 0);
    db_done(st);
}

static void test_migrations_run_once(void **state)
{
    db_t *db = *state;
    err_t e = {0};
    assert_int_equal(db_migrate(db, &e), 0);
}

static void test_bad_sql_is_an_internal_error_with_a_cause(void **state)
{
    db_t *db = *state;
    err_t e = {0};
    assert_int_equal(db_exec(db, "SELECT nope FROM nothing", DB_NOARGS, &e), ERR_INTERNAL);
    assert_true(strlen(e.cause) > 0);
    err_clear(&e);
}

static long wal_size(void)
{
    char p[80];
    struct stat sb;
    snprintf(p, sizeof(p), "%s-wal", path);
    return stat(p, &sb) == 0 ? (long)sb.st_size : 0;
}

static void write_frames(db_t *db, int txns)
{
    err_t e = {0};
    static uint8_t blob[3000];
    for (int t = 0; t < txns; t++) {
        assert_int_equal(db_begin(db, &e), 0);
        for (int i = 0; i < 60; i++)
            assert_int_equal(db_exec(db, "INSERT INTO rate_hits (bucket, at) VALUES ($1, $2)",
                                     DB_ARGS(DB_BLOB(blob, sizeof(blob)), DB_I64(i)), &e),
                             1);
        assert_int_equal(db_commit(db, &e), 0);
    }
}

static void test_checkpoints_keep_the_log_from_growing(void **state)
{
    db_t *db = *state;
    err_t e = {0};
    long sizes[3];
    for (int round = 0; round < 3; round++) {
        write_frames(db, 100); /* about 6,000 pages: past the restart threshold */
        assert_int_equal(db_checkpoint(db, &e), 0);
        sizes[round] = wal_size();
    }
    assert_true(sizes[0] > 0);
    assert_true(sizes[2] <= sizes[0] + sizes[0] / 4); /* reused, not appended to */
    assert_int_equal(db_exec(db, "DELETE FROM rate_hits", DB_NOARGS, &e) >= 0, 1);
}

static void test_a_scrub_held_up_by_a_reader_is_finished_by_the_next_checkpoint(void **state)
{
    db_t *db = *state, *reader;
    err_t e = {0};
    db_stmt_t *st;
    assert_int_equal(db_open(path, &reader, &e), 0);
    write_frames(db, 5);
    /* a read transaction open on another connection, on the current log */
    assert_int_equal(db_query(reader, &st, "SELECT at FROM rate_hits", DB_NOARGS, &e), 0);
    assert_int_equal(db_step(st, &e), DB_ROW);
    write_frames(db, 5);
    assert_int_equal(db_scrub(db, &e), 0); /* cannot empty the log yet: pending */
    assert_true(wal_size() > 0);
    db_done(st);
    assert_int_equal(db_checkpoint(db, &e), 0);
    assert_int_equal(wal_size(), 0);
    db_close(reader);
    assert_int_equal(db_exec(db, "DELETE FROM rate_hits", DB_NOARGS, &e) >= 0, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parameters_bind_by_number_in_any_order),
        cmocka_unit_test(test_sql_built_in_one_buffer_gets_its_own_statement),
        cmocka_unit_test(test_blobs_round_trip_with_zero_bytes),
        cmocka_unit_test(test_a_duplicate_key_is_a_conflict),
        cmocka_unit_test(test_a_rolled_back_transaction_leaves_nothing),
        cmocka_unit_test(test_migrations_run_once),
        cmocka_unit_test(test_bad_sql_is_an_internal_error_with_a_cause),
        cmocka_unit_test(test_checkpoints_keep_the_log_from_growing),
        cmocka_unit_test(test_a_scrub_held_up_by_a_reader_is_finished_by_the_next_checkpoint),
    };
    return cmocka_run_group_tests_name("db (sqlite)", tests, open_db, close_db);
}
