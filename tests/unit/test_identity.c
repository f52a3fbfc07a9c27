/* test_identity.c - the ID number parser (GB 11643: region, birth date,
 * check character), ages around a birthday, the date in China Standard
 * Time, and the local verify driver's rule. */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "identity/identity.h"
#include "providers/providers.h"

#define TODAY 20261207

static void test_the_standards_example_parses(void **state)
{
    (void)state;
    identity_id_t id;
    /* the example of GB 11643-1999 */
    assert_int_equal(identity_id_parse("11010519491231002X", TODAY, &id), 0);
    assert_string_equal(id.number, "11010519491231002X");
    assert_int_equal(id.birth, 19491231);
    assert_false(id.male); /* 17th digit 2: even */
    assert_string_equal(id.masked, "11**************2X");
    /* lower-case x is the same character */
    assert_int_equal(identity_id_parse("11010519491231002x", TODAY, &id), 0);
    assert_string_equal(id.number, "11010519491231002X");
}

static void test_the_check_character_is_iso_7064_mod_11_2(void **state)
{
    (void)state;
    assert_int_equal(identity_id_check_char("11010519491231002"), 'X');
    char n[19] = "33010619900307123";
    n[17] = identity_id_check_char(n);
    identity_id_t id;
    assert_int_equal(identity_id_parse(n, TODAY, &id), 0);
    assert_true(id.male);
    /* every other last character is refused */
    const char *all = "0123456789X";
    char right = n[17];
    for (const char *c = all; *c; c++) {
        if (*c == right)
            continue;
        n[17] = *c;
        assert_int_equal(identity_id_parse(n, TODAY, &id), IDENTITY_ID_CHECKSUM);
    }
}

static void test_bad_numbers_are_refused_with_what_is_wrong(void **state)
{
    (void)state;
    identity_id_t id;
    assert_int_equal(identity_id_parse(NULL, TODAY, &id), IDENTITY_ID_LENGTH);
    assert_int_equal(identity_id_parse("", TODAY, &id), IDENTITY_ID_LENGTH);
    assert_int_equal(identity_id_parse("1101051949123100", TODAY, &id), IDENTITY_ID_LENGTH);
    assert_int_equal(identity_id_parse("110105194912310021X", TODAY, &id), IDENTITY_ID_LENGTH);
    assert_int_equal(identity_id_parse("11010519491231002Y", TODAY, &id), IDENTITY_ID_DIGITS);
    assert_int_equal(identity_id_parse("1101051949123100 X", TODAY, &id), IDENTITY_ID_DIGITS);
    assert_int_equal(identity_id_parse("11010519491231X02X", TODAY, &id), IDENTITY_ID_DIGITS);
    assert_int_equal(identity_id_parse("99010519491231002X", TODAY, &id), IDENTITY_ID_REGION);
    assert_int_equal(identity_id_parse("00010519491231002X", TODAY, &id), IDENTITY_ID_REGION);
    assert_int_equal(identity_id_parse("11010519490230002X", TODAY, &id), IDENTITY_ID_BIRTH);
    assert_int_equal(identity_id_parse("11010519491331002X", TODAY, &id), IDENTITY_ID_BIRTH);
    assert_int_equal(identity_id_parse("11010518991231002X", TODAY, &id), IDENTITY_ID_BIRTH);
    /* born tomorrow */
    assert_int_equal(identity_id_parse("11010520261208002X", TODAY, &id), IDENTITY_ID_BIRTH);
    assert_string_equal(identity_id_problem(IDENTITY_ID_CHECKSUM),
                        "the check character does not match");
}

static void test_29_february_only_in_leap_years(void **state)
{
    (void)state;
    identity_id_t id;
    char n[19] = "11010520000229123";
    n[17] = identity_id_check_char(n);
    assert_int_equal(identity_id_parse(n, TODAY, &id), 0); /* 2000: divisible by 400 */
    memcpy(n + 6, "1900", 4);
    n[17] = identity_id_check_char(n);
    assert_int_equal(identity_id_parse(n, TODAY, &id), IDENTITY_ID_BIRTH); /* 1900: not leap */
}

static void test_ages_count_full_years_up_to_the_birthday(void **state)
{
    (void)state;
    assert_int_equal(identity_age(20081207, 20261207), 18); /* 18 today */
    assert_int_equal(identity_age(20081208, 20261207), 17); /* 18 tomorrow */
    assert_int_equal(identity_age(20121206, 20261207), 14);
    assert_int_equal(identity_age(20121208, 20261207), 13);
    assert_int_equal(identity_age(20000229, 20260228), 25);
    assert_int_equal(identity_age(20000229, 20260301), 26);
}

static void test_the_date_is_china_standard_time(void **state)
{
    (void)state;
    /* 2026-12-06T16:00:00Z is already 12-07 in Beijing */
    assert_int_equal(identity_date_of(1796572800000LL), 20261207);
    assert_int_equal(identity_date_of(1796572800000LL - 1), 20261206);
}

static int passes(const char *json, const char *reason)
{
    size_t n;
    char *a = providers_verify_rule(json, strlen(json), &n);
    int ok = strstr(a, "\"passed\":true") != NULL;
    if (reason)
        assert_non_null(strstr(a, reason));
    free(a);
    return ok;
}

static void test_the_local_verify_rule(void **state)
{
    (void)state;
    assert_true(passes("{\"method\":\"face\",\"name\":\"张三\"}", NULL));
    assert_false(passes("{\"method\":\"face\",\"name\":\"张三不符\"}", "name_mismatch"));
    assert_true(passes(
        "{\"method\":\"bank_card\",\"name\":\"张三\",\"bank_card\":\"4111111111111111\"}", NULL));
    assert_false(
        passes("{\"method\":\"bank_card\",\"name\":\"张三\",\"bank_card\":\"4111111111111112\"}",
               "card_invalid"));
    assert_false(passes("not json", "name_mismatch"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_standards_example_parses),
        cmocka_unit_test(test_the_check_character_is_iso_7064_mod_11_2),
        cmocka_unit_test(test_bad_numbers_are_refused_with_what_is_wrong),
        cmocka_unit_test(test_29_february_only_in_leap_years),
        cmocka_unit_test(test_ages_count_full_years_up_to_the_birthday),
        cmocka_unit_test(test_the_date_is_china_standard_time),
        cmocka_unit_test(test_the_local_verify_rule),
    };
    return cmocka_run_group_tests_name("identity", tests, NULL, NULL);
}
