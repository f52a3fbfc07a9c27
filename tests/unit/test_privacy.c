/* test_privacy.c - data map integrity and the policy rendered from it. */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "privacy/privacy.h"

static void test_every_category_has_labels_purposes_consent_and_retention(void **state)
{
    (void)state;
    assert_true(privacy_categories_count >= 20);
    for (size_t i = 0; i < privacy_categories_count; i++) {
        const privacy_category_t *c = &privacy_categories[i];
        assert_non_null(c->id);
        assert_true(strlen(c->label_zh) > 0 && strlen(c->label_en) > 0);
        assert_non_null(c->purposes[0]);
        for (size_t k = 0; k < PRIVACY_MAX_LIST && c->purposes[k]; k++)
            assert_non_null(privacy_purpose_find(c->purposes[k]));
        for (size_t k = 0; k < PRIVACY_MAX_LIST && c->recipients[k]; k++)
            assert_non_null(privacy_recipient_find(c->recipients[k]));
        assert_non_null(privacy_scope_find(c->consent));
        if (c->retention.trigger == PRIVACY_FROM_COLLECTION)
            assert_true(c->retention.days > 0);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(c->id, privacy_categories[j].id);
    }
}

static void test_sensitive_categories_need_a_separate_consent_and_encryption(void **state)
{
    (void)state;
    for (size_t i = 0; i < privacy_categories_count; i++) {
        const privacy_category_t *c = &privacy_categories[i];
        if (!c->sensitive)
            continue;
        assert_string_not_equal(c->consent, "policy");
        assert_true(privacy_scope_find(c->consent)->optional);
        assert_true(c->encrypted);
    }
}

static void test_the_categories_the_policy_names_are_declared(void **state)
{
    (void)state;
    const char *ids[] = {"phone",       "nickname",   "id_number",    "face_photo",
                         "bank_card",   "location",   "chat_content", "address",
                         "device_info", "ip_address", "orders",       "consent_records"};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        assert_non_null(privacy_category_find(ids[i]));
    assert_true(privacy_category_find("phone")->encrypted);
    assert_true(privacy_category_find("nickname")->encrypted);
    assert_int_equal(privacy_category_find("ip_address")->retention.days, 1);
}

static void test_every_recipient_receives_some_category(void **state)
{
    (void)state;
    json_t *r = privacy_recipients_json();
    size_t i;
    json_t *v;
    json_array_foreach(r, i, v) assert_true(json_array_size(json_object_get(v, "categories")) > 0);
    json_decref(r);
}

static void test_the_policy_text_is_rendered_from_the_map(void **state)
{
    (void)state;
    char *text = privacy_policy_text();
    assert_null(strstr(text, "{{"));
    for (size_t i = 0; i < privacy_categories_count; i++)
        assert_non_null(strstr(text, privacy_categories[i].label_zh));
    for (size_t i = 0; i < privacy_recipients_count; i++)
        assert_non_null(strstr(text, privacy_recipients[i].name_zh));
    const char *must[] = {"敏感个人信息", "单独同意",    "撤回",  "注销",     "未成年人",
                          "十五天",       "不会超过1天", "12377", "重大变更", "加密"};
    for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
        assert_non_null(strstr(text, must[i]));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_category_has_labels_purposes_consent_and_retention),
        cmocka_unit_test(test_sensitive_categories_need_a_separate_consent_and_encryption),
        cmocka_unit_test(test_the_categories_the_policy_names_are_declared),
        cmocka_unit_test(test_every_recipient_receives_some_category),
        cmocka_unit_test(test_the_policy_text_is_rendered_from_the_map),
    };
    return cmocka_run_group_tests_name("privacy", tests, NULL, NULL);
}
