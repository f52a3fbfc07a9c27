/* test_retention.c - address networks kept in the security log, trusted
 * proxies, and the rules the sweeper relies on in the data map. */
#include "unit.h"

#include <string.h>

#include "core/netaddr.h"
#include "privacy/privacy.h"
#include "retention/retention.h"

static void test_ipv4_is_cut_to_its_slash_24(void **state)
{
    (void)state;
    char net[NETADDR_NET_LEN];
    assert_true(netaddr_network("203.0.113.77", net));
    assert_string_equal(net, "203.0.113.0/24");
    assert_true(netaddr_network("10.1.2.255", net));
    assert_string_equal(net, "10.1.2.0/24");
}

static void test_ipv6_is_cut_to_its_slash_48(void **state)
{
    (void)state;
    char net[NETADDR_NET_LEN];
    assert_true(netaddr_network("2001:db8:abcd:1234:5678::1", net));
    assert_string_equal(net, "2001:db8:abcd::/48");
    assert_true(netaddr_network("::1", net));
    assert_string_equal(net, "::/48");
}

static void test_what_is_not_an_address_has_no_network(void **state)
{
    (void)state;
    char net[NETADDR_NET_LEN];
    assert_false(netaddr_network("unknown", net));
    assert_false(netaddr_network("", net));
    assert_false(netaddr_network(NULL, net));
    assert_false(netaddr_network("300.1.1.1", net));
}

static void test_trusted_proxy_lists_are_checked(void **state)
{
    (void)state;
    const char *bad;
    assert_true(netaddr_list_valid("", &bad));
    assert_true(netaddr_list_valid("127.0.0.1,10.0.0.0/8,::1,fd00::/8", &bad));
    assert_false(netaddr_list_valid("127.0.0.1,nope", &bad));
    assert_string_equal(bad, "nope");
    assert_false(netaddr_list_valid("10.0.0.0/33", &bad));
    assert_true(netaddr_list_contains("10.0.0.0/8", "10.200.3.4"));
    assert_false(netaddr_list_contains("10.0.0.0/8", "11.0.0.1"));
    assert_true(netaddr_list_contains("127.0.0.1", "127.0.0.1"));
    assert_false(netaddr_list_contains("127.0.0.1", "::1"));
}

static void test_the_client_is_the_rightmost_untrusted_forwarded_address(void **state)
{
    (void)state;
    char out[64];
    const char *xff = "1.2.3.4, 198.51.100.9, 10.0.0.2";
    assert_true(netaddr_forwarded_client(xff, strlen(xff), "10.0.0.0/8", out, sizeof(out)));
    assert_string_equal(out, "198.51.100.9"); /* 1.2.3.4 may be forged by the client */
    const char *all = "10.0.0.3,10.0.0.2";
    assert_false(netaddr_forwarded_client(all, strlen(all), "10.0.0.0/8", out, sizeof(out)));
    const char *junk = "198.51.100.9, garbage";
    assert_false(netaddr_forwarded_client(junk, strlen(junk), "10.0.0.0/8", out, sizeof(out)));
}

/* The sweeper deletes or anonymises at the end of a period; restricting
 * a stored table at the end of one is not implemented, so the map must
 * not ask for it where something is stored. */
static void test_every_swept_period_ends_in_an_action_the_sweeper_performs(void **state)
{
    (void)state;
    for (size_t i = 0; i < privacy_stores_count; i++) {
        const privacy_category_t *c = privacy_category_find(privacy_stores[i].category);
        assert_non_null(c);
        if (c->retention.trigger == PRIVACY_FROM_COLLECTION)
            assert_int_not_equal(c->retention.action, PRIVACY_RESTRICT);
        if (c->retention.action == PRIVACY_ANONYMISE)
            assert_non_null(privacy_stores[i].owner);
    }
}

static void test_the_account_and_legal_records_cannot_be_erased_alone(void **state)
{
    (void)state;
    assert_false(retention_erasable("phone"));
    assert_false(retention_erasable("consent_records"));
    assert_false(retention_erasable("disclosure_records"));
    assert_false(retention_erasable("no_such_category"));
    assert_true(retention_erasable("location"));
    assert_true(retention_erasable("chat_content"));
}

static void test_category_lists_are_split_and_bounded(void **state)
{
    (void)state;
    char buf[64] = "location, chat_content,,";
    const char *out[2];
    assert_int_equal(retention_categories_parse(buf, out, 2), 2);
    assert_string_equal(out[0], "location");
    assert_string_equal(out[1], "chat_content");
    char many[] = "a,b,c";
    assert_int_equal(retention_categories_parse(many, out, 2), -1);
    char none[] = ",,";
    assert_int_equal(retention_categories_parse(none, out, 2), -1);
}

static void test_the_fingerprint_is_stable(void **state)
{
    (void)state;
    char a[17], b[17];
    privacy_policy_fingerprint(a);
    privacy_policy_fingerprint(b);
    assert_int_equal(strlen(a), 16);
    assert_string_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_is_cut_to_its_slash_24),
        cmocka_unit_test(test_ipv6_is_cut_to_its_slash_48),
        cmocka_unit_test(test_what_is_not_an_address_has_no_network),
        cmocka_unit_test(test_trusted_proxy_lists_are_checked),
        cmocka_unit_test(test_the_client_is_the_rightmost_untrusted_forwarded_address),
        cmocka_unit_test(test_every_swept_period_ends_in_an_action_the_sweeper_performs),
        cmocka_unit_test(test_the_account_and_legal_records_cannot_be_erased_alone),
        cmocka_unit_test(test_category_lists_are_split_and_bounded),
        cmocka_unit_test(test_the_fingerprint_is_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
