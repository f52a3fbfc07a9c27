/* test_audit.c - the audit trail's keyed hash chain: an intact chain
 * verifies, a changed field and a removed record are found and named, and
 * the chain cannot be rebuilt without the master key. */
#include "unit.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "db/db.h"
#include "sec/sec.h"

static char path[64];
static const uint8_t master[SEC_KEY_LEN] = {4, 2};
static int64_t clock_ms = 1760000000000LL;

static int64_t fake_now(void)
{
    return clock_ms += 1000;
}

static int setup(void **state)
{
    static app_t app;
    static app_ctx_t ctx;
    if (sec_init() < 0 || unit_db_open("audit", path, &ctx.db) < 0)
        return -1;
    app.vault = sec_vault_from_key(master);
    ctx.app = &app;
    ctx.now_ms = fake_now;
    *state = &ctx;
    return 0;
}

static int teardown(void **state)
{
    app_ctx_t *c = *state;
    unit_db_remove(c->db, path);
    sec_vault_destroy(c->app->vault);
    return 0;
}

/* A fresh trail of n records about user 7. */
static void fill(app_ctx_t *c, int n)
{
    err_t e = {0};
    assert_true(db_exec(c->db, "DELETE FROM audit_log", DB_NOARGS, &e) >= 0);
    assert_true(db_exec(c->db, "DELETE FROM audit_anchor", DB_NOARGS, &e) >= 0);
    for (int i = 0; i < n; i++) {
        char reason[32];
        snprintf(reason, sizeof(reason), "ticket %d", i);
        json_t *d = json_pack("{s:i}", "n", i);
        audit_entry_t a = {.actor = "staff:ann",
                           .action = "personal_data.read",
                           .subject_id = 7,
                           .categories = "phone nickname",
                           .reason = reason,
                           .detail = d};
        assert_int_equal(audit_append(c, &a, &e), 0);
        json_decref(d);
    }
}

static int64_t verify(app_ctx_t *c, int64_t *count)
{
    err_t e = {0};
    int64_t bad = -1;
    char head[65];
    assert_int_equal(audit_verify(c, &bad, count, head, &e), 0);
    assert_int_equal(strlen(head), 64);
    return bad;
}

static void exec1(app_ctx_t *c, const char *sql)
{
    err_t e = {0};
    assert_int_equal(db_exec(c->db, sql, DB_NOARGS, &e), 1);
}

static void test_an_intact_chain_verifies(void **state)
{
    app_ctx_t *c = *state;
    int64_t count;
    fill(c, 5);
    assert_int_equal(verify(c, &count), 0);
    assert_int_equal(count, 5);
}

static void test_a_changed_field_is_found_and_named(void **state)
{
    app_ctx_t *c = *state;
    static const char *const edits[] = {
        "UPDATE audit_log SET reason = 'nothing' WHERE seq = 3",
        "UPDATE audit_log SET actor = 'staff:bob' WHERE seq = 3",
        "UPDATE audit_log SET categories = NULL WHERE seq = 3",
        "UPDATE audit_log SET subject_id = 8 WHERE seq = 3",
        "UPDATE audit_log SET at = at + 1 WHERE seq = 3",
        "UPDATE audit_log SET detail = '{\"n\":9}' WHERE seq = 3",
    };
    for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
        int64_t count;
        fill(c, 5);
        exec1(c, edits[i]);
        assert_int_equal(verify(c, &count), 3);
        assert_int_equal(count, 5);
    }
}

static void test_text_moved_from_one_field_into_the_next_is_found(void **state)
{
    app_ctx_t *c = *state;
    err_t e = {0};
    int64_t count;
    audit_entry_t a = {.actor = "staff:ann",
                       .action = "x",
                       .categories = "a",
                       .reason = "b\x1f"
                                 "1c"};
    fill(c, 0); /* an empty trail */
    assert_int_equal(audit_append(c, &a, &e), 0);
    exec1(c, "UPDATE audit_log SET categories = 'a' || char(31) || '1b', reason = 'c' "
             "WHERE seq = 1");
    assert_int_equal(verify(c, &count), 1);
}

/* Prunes the records collected before the third one. */
static void prune_two(app_ctx_t *c)
{
    err_t e = {0};
    db_stmt_t *st;
    int64_t n;
    assert_int_equal(db_one(c->db, &st, "SELECT at FROM audit_log WHERE seq = 3", DB_NOARGS, &e),
                     DB_ROW);
    int64_t third = db_i64(st, 0);
    db_done(st);
    assert_int_equal(audit_prune(c, third, true, &n, &e), 0); /* a dry run counts */
    assert_int_equal(n, 2);
    assert_int_equal(db_begin(c->db, &e), 0);
    assert_int_equal(audit_prune(c, third, false, &n, &e), 0);
    assert_int_equal(db_commit(c->db, &e), 0);
}

static void test_a_pruned_trail_verifies_from_its_anchor_and_goes_on(void **state)
{
    app_ctx_t *c = *state;
    err_t e = {0};
    int64_t count;
    fill(c, 5);
    prune_two(c);
    assert_int_equal(verify(c, &count), 0);
    assert_int_equal(count, 3);
    audit_entry_t a = {.actor = "cli", .action = "after.prune"};
    assert_int_equal(audit_append(c, &a, &e), 0);
    assert_int_equal(verify(c, &count), 0);
    assert_int_equal(count, 4);
    /* everything pruned: the next record still chains from the anchor */
    int64_t n;
    assert_int_equal(db_begin(c->db, &e), 0);
    assert_int_equal(audit_prune(c, INT64_MAX / 2, false, &n, &e), 0);
    assert_int_equal(db_commit(c->db, &e), 0);
    assert_int_equal(n, 4);
    assert_int_equal(audit_append(c, &a, &e), 0);
    assert_int_equal(verify(c, &count), 0);
    assert_int_equal(count, 1);
    assert_true(db_exec(c->db, "DELETE FROM audit_anchor", DB_NOARGS, &e) >= 0);
}

static void test_a_changed_anchor_or_a_removal_beyond_it_is_found(void **state)
{
    app_ctx_t *c = *state;
    int64_t count;
    fill(c, 5);
    prune_two(c);
    exec1(c, "UPDATE audit_anchor SET seq = 3"); /* "pruned" one more */
    exec1(c, "DELETE FROM audit_log WHERE seq = 3");
    assert_int_equal(verify(c, &count), 4);
    fill(c, 5);
    prune_two(c);
    exec1(c, "DELETE FROM audit_log WHERE seq = 3"); /* a removal just after the anchor */
    assert_int_equal(verify(c, &count), 4);
}

static void test_a_removed_record_is_found_at_the_next_one(void **state)
{
    app_ctx_t *c = *state;
    int64_t count;
    fill(c, 5);
    exec1(c, "DELETE FROM audit_log WHERE seq = 2");
    assert_int_equal(verify(c, &count), 3);
    assert_int_equal(count, 4);
}

static void test_a_chain_made_with_another_master_key_does_not_verify(void **state)
{
    app_ctx_t *c = *state;
    int64_t count;
    fill(c, 3);
    sec_vault_t *mine = c->app->vault;
    static const uint8_t other[SEC_KEY_LEN] = {9};
    c->app->vault = sec_vault_from_key(other);
    assert_int_equal(verify(c, &count), 1);
    sec_vault_destroy(c->app->vault);
    c->app->vault = mine;
    assert_int_equal(verify(c, &count), 0);
}

static void test_the_list_of_one_subject_keeps_only_their_records(void **state)
{
    app_ctx_t *c = *state;
    err_t e = {0};
    fill(c, 2);
    audit_entry_t other = {.actor = "cli", .action = "staff.add"};
    assert_int_equal(audit_append(c, &other, &e), 0);
    json_t *out;
    assert_int_equal(audit_list(c, 7, 0, 10, &out, &e), 0);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(out, "items"), 1), "reason")),
                        "ticket 1");
    json_decref(out);
    assert_int_equal(audit_list(c, 0, 2, 10, &out, &e), 0);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
    json_decref(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_intact_chain_verifies),
        cmocka_unit_test(test_a_changed_field_is_found_and_named),
        cmocka_unit_test(test_text_moved_from_one_field_into_the_next_is_found),
        cmocka_unit_test(test_a_removed_record_is_found_at_the_next_one),
        cmocka_unit_test(test_a_pruned_trail_verifies_from_its_anchor_and_goes_on),
        cmocka_unit_test(test_a_changed_anchor_or_a_removal_beyond_it_is_found),
        cmocka_unit_test(test_a_chain_made_with_another_master_key_does_not_verify),
        cmocka_unit_test(test_the_list_of_one_subject_keeps_only_their_records),
    };
    return cmocka_run_group_tests_name("audit", tests, setup, teardown);
}
