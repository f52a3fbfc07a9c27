/* test_hub.c - the hub: online state and delivery to exactly the threads
 * holding a user's connections. */
#include "unit.h"

#include <pthread.h>
#include <string.h>

#include "hub/hub.h"

typedef struct calls {
    int n;
    int thread[16];
    int64_t user[16];
    hub_kind_t kind[16];
} calls_t;

static void record(void *arg, int thread, int64_t user, hub_kind_t kind)
{
    calls_t *c = arg;
    c->kind[c->n] = kind;
    c->thread[c->n] = thread;
    c->user[c->n++] = user;
}

static void test_a_user_is_online_while_any_connection_is_open(void **state)
{
    (void)state;
    calls_t c = {0};
    hub_t *h = hub_create(4, record, NULL, &c);
    assert_false(hub_online(h, 7));
    hub_join(h, 1, 7);
    hub_join(h, 3, 7);
    assert_true(hub_online(h, 7));
    hub_leave(h, 1, 7);
    assert_true(hub_online(h, 7));
    hub_leave(h, 3, 7);
    assert_false(hub_online(h, 7));
    assert_int_equal(hub_connections(h), 0);
    hub_destroy(h);
}

static void test_publish_reaches_each_thread_holding_the_user_once(void **state)
{
    (void)state;
    calls_t c = {0};
    hub_t *h = hub_create(4, record, NULL, &c);
    hub_join(h, 2, 7);
    hub_join(h, 2, 7); /* two devices on one thread: one delivery */
    hub_join(h, 0, 7);
    hub_join(h, 1, 8);
    hub_publish(h, 7);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.thread[0], 0);
    assert_int_equal(c.thread[1], 2);
    assert_true(c.user[0] == 7 && c.user[1] == 7);
    hub_publish(h, 9); /* nobody connected: nothing */
    assert_int_equal(c.n, 2);
    assert_true(c.kind[0] == HUB_EVENTS && c.kind[1] == HUB_EVENTS);
    hub_destroy(h);
}

static void test_a_recheck_reaches_the_same_threads_as_events(void **state)
{
    (void)state;
    calls_t c = {0};
    hub_t *h = hub_create(4, record, NULL, &c);
    hub_join(h, 3, 7);
    hub_join(h, 1, 7);
    hub_recheck(h, 7);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.thread[0], 1);
    assert_int_equal(c.thread[1], 3);
    assert_true(c.kind[0] == HUB_RECHECK && c.kind[1] == HUB_RECHECK);
    hub_destroy(h);
}

static void test_leaving_more_than_joined_is_harmless(void **state)
{
    (void)state;
    calls_t c = {0};
    hub_t *h = hub_create(2, record, NULL, &c);
    hub_leave(h, 0, 5);
    hub_join(h, 0, 5);
    hub_leave(h, 1, 5); /* wrong thread */
    assert_true(hub_online(h, 5));
    assert_int_equal(hub_connections(h), 1);
    hub_destroy(h);
}

static void noop(void *arg, int thread, int64_t user, hub_kind_t kind)
{
    (void)arg, (void)thread, (void)user, (void)kind;
}

static void *churn(void *arg)
{
    hub_t *h = arg;
    for (int i = 0; i < 20000; i++) {
        hub_join(h, i % 2, i % 97);
        hub_publish(h, i % 97);
        hub_leave(h, i % 2, i % 97);
    }
    return NULL;
}

static void test_concurrent_joins_and_leaves_balance_out(void **state)
{
    (void)state;
    hub_t *h = hub_create(2, noop, NULL, NULL);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, churn, h);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(hub_connections(h), 0);
    for (int u = 0; u < 97; u++)
        assert_false(hub_online(h, u));
    hub_destroy(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_user_is_online_while_any_connection_is_open),
        cmocka_unit_test(test_publish_reaches_each_thread_holding_the_user_once),
        cmocka_unit_test(test_a_recheck_reaches_the_same_threads_as_events),
        cmocka_unit_test(test_leaving_more_than_joined_is_harmless),
        cmocka_unit_test(test_concurrent_joins_and_leaves_balance_out),
    };
    return cmocka_run_group_tests_name("hub", tests, NULL, NULL);
}
