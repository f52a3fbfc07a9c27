/* test_worker.c - the job leases: one holder at a time, renewed by its
 * holder, free again once expired. */
#include "unit.h"

#include <string.h>

#include "worker/worker.h"

static int64_t now_value;
static int64_t fixed_now(void)
{
    return now_value;
}

static void test_a_lease_has_one_holder_until_it_expires(void **state)
{
    (void)state;
    char path[64];
    db_t *db;
    assert_int_equal(unit_db_open("worker", path, &db), 0);
    app_ctx_t c = {.db = db, .now_ms = fixed_now};
    err_t e = {0};
    now_value = 1000000;
    assert_true(worker_lease(&c, "retention", "node-a", 3000, &e));
    assert_false(worker_lease(&c, "retention", "node-b", 3000, &e));
    assert_true(worker_lease(&c, "call-expiry", "node-b", 3000, &e)); /* another job */
    now_value += 2000;
    assert_true(worker_lease(&c, "retention", "node-a", 3000, &e)); /* renewed: until +5000 */
    now_value += 2500;
    assert_false(worker_lease(&c, "retention", "node-b", 3000, &e));
    now_value += 600;
    assert_true(worker_lease(&c, "retention", "node-b", 3000, &e)); /* a's has run out */
    assert_false(worker_lease(&c, "retention", "node-a", 3000, &e));
    assert_int_equal(e.code, 0);
    unit_db_remove(db, path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_lease_has_one_holder_until_it_expires),
    };
    return cmocka_run_group_tests_name("worker", tests, NULL, NULL);
}
