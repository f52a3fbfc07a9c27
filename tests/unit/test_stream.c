/* test_stream.c - the per-user event stream: gapless seqs, sync paging,
 * cursor expiry after pruning, notification only after a commit. */
#include "unit.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "chat/chat.h"
#include "db/db.h"
#include "stream/stream.h"

static char path[64];
static app_t app;
static app_ctx_t ctx;
static int64_t clock_ms = 1800000000000LL;
static int notified[8], nnotified;

static int64_t fake_now(void)
{
    return clock_ms;
}

static void on_notify(app_t *a, int64_t user)
{
    (void)a;
    notified[nnotified++ % 8] = (int)user;
}

static int setup(void **state)
{
    (void)state;
    static const uint8_t key[SEC_KEY_LEN] = {4};
    err_t e = {0};
    if (sec_init() < 0 || unit_db_open("stream", path, &ctx.db) < 0)
        return -1;
    app.vault = sec_vault_from_key(key);
    app.cfg.event_retention_days = 30;
    app.notify = on_notify;
    ctx.app = &app;
    ctx.now_ms = fake_now;
    for (int u = 1; u <= 2; u++)
        if (db_exec(ctx.db,
                    "INSERT INTO users (id, phone_bidx, phone_enc, dek_wrapped, created_at, "
                    "updated_at) VALUES ($1, $2, 'x', 'x', 0, 0)",
                    DB_ARGS(DB_I64(u), DB_I64(u)), &e) != 1)
            return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unit_db_remove(ctx.db, path);
    sec_vault_destroy(app.vault);
    return 0;
}

/* n read receipts for user, in one transaction */
static void add_events(int64_t user, int n)
{
    err_t e = {0};
    stream_notify_t sn = {0};
    json_t *data = json_pack("{s:s, s:i}", "user_id", "1", "seq", 1);
    assert_int_equal(db_begin(ctx.db, &e), 0);
    for (int i = 0; i < n; i++)
        assert_int_equal(stream_add(&ctx, &sn, user, "conversation.read", 0, 0, data, NULL, 0, &e),
                         0);
    assert_int_equal(sn.n, 1);
    assert_int_equal(stream_commit(&ctx, &sn, &e), 0);
    json_decref(data);
}

static void test_each_user_gets_a_gapless_growing_sequence(void **state)
{
    (void)state;
    int64_t head, floor;
    err_t e = {0};
    nnotified = 0;
    add_events(1, 3);
    add_events(2, 2);
    add_events(1, 2);
    assert_int_equal(stream_head(&ctx, 1, &head, &floor, &e), 0);
    assert_int_equal(head, 5);
    assert_int_equal(floor, 0);
    assert_int_equal(stream_head(&ctx, 2, &head, &floor, &e), 0);
    assert_int_equal(head, 2);
    assert_int_equal(nnotified, 3); /* once per committed transaction */
}

static void test_sync_pages_exactly_once_in_order(void **state)
{
    (void)state;
    err_t e = {0};
    int64_t cursor = 0, want = 1;
    for (int page = 0; page < 10; page++) {
        json_t *out;
        assert_int_equal(chat_sync(&ctx, 1, cursor, 2, &out, &e), 0);
        size_t i;
        json_t *ev;
        json_array_foreach(json_object_get(out, "events"), i, ev)
            assert_int_equal(json_integer_value(json_object_get(ev, "seq")), want++);
        cursor = json_integer_value(json_object_get(out, "next_cursor"));
        bool more = json_is_true(json_object_get(out, "has_more"));
        json_decref(out);
        if (!more)
            break;
    }
    assert_int_equal(want, 6);
    assert_int_equal(cursor, 5);
}

static void test_a_cursor_beyond_the_head_is_refused(void **state)
{
    (void)state;
    err_t e = {0};
    json_t *out = NULL;
    assert_int_equal(chat_sync(&ctx, 1, 6, 10, &out, &e), ERR_VALIDATION_FAILED);
    assert_string_equal(e.field, "cursor");
    err_clear(&e);
}

static void test_after_pruning_an_old_cursor_expires_instead_of_skipping(void **state)
{
    (void)state;
    err_t e = {0};
    json_t *out = NULL;
    clock_ms += 31LL * 86400000; /* everything so far is past retention */
    add_events(1, 1);            /* seq 6, fresh */
    assert_true(stream_prune(&ctx, &e) >= 0);
    assert_int_equal(chat_sync(&ctx, 1, 2, 10, &out, &e), ERR_CURSOR_EXPIRED);
    err_clear(&e);
    assert_int_equal(chat_sync(&ctx, 1, 5, 10, &out, &e), 0);
    assert_int_equal(json_array_size(json_object_get(out, "events")), 1);
    json_decref(out);
}

static void test_nothing_is_notified_for_a_rolled_back_change(void **state)
{
    (void)state;
    err_t e = {0};
    stream_notify_t sn = {0};
    nnotified = 0;
    assert_int_equal(db_begin(ctx.db, &e), 0);
    assert_int_equal(stream_add(&ctx, &sn, 2, "conversation.read", 0, 0, NULL, NULL, 0, &e), 0);
    db_rollback(ctx.db);
    int64_t head, floor;
    assert_int_equal(stream_head(&ctx, 2, &head, &floor, &e), 0);
    assert_int_equal(head, 2);
    assert_int_equal(nnotified, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_user_gets_a_gapless_growing_sequence),
        cmocka_unit_test(test_sync_pages_exactly_once_in_order),
        cmocka_unit_test(test_a_cursor_beyond_the_head_is_refused),
        cmocka_unit_test(test_after_pruning_an_old_cursor_expires_instead_of_skipping),
        cmocka_unit_test(test_nothing_is_notified_for_a_rolled_back_change),
    };
    return cmocka_run_group_tests_name("stream", tests, setup, teardown);
}
