/* test_content.c - what users publish, without a database: the
 * banned-words matcher (folding, skipped characters, allowed phrases,
 * spans in code points, the longest word at a place) and review scores
 * (means in tenths, half up). */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "moderation/moderation.h"
#include "reviews/reviews.h"

static moderation_list_t *list_of(const char *text)
{
    json_t *items = json_loads(text, 0, NULL);
    assert_non_null(items);
    const char *bad = NULL;
    moderation_list_t *l = moderation_list_new(items, &bad);
    json_decref(items);
    return l;
}

#define WORDS                                                                                      \
    "[{\"word\":\"最佳\"},{\"word\":\"第一\",\"allow\":[\"第一期\",\"第一次\"]},"        \
    "{\"word\":\"TOP\"},{\"word\":\"国家级\"},{\"word\":\"国家\"}]"

static void test_banned_words_are_found_folded_with_their_span(void **state)
{
    (void)state;
    moderation_list_t *l = list_of(WORDS);
    assert_non_null(l);
    moderation_hit_t h;
    assert_true(moderation_match(l, "本楼盘是区域最佳选择", &h));
    assert_string_equal(h.word, "最佳");
    assert_int_equal(h.start, 6);
    assert_int_equal(h.end, 8);
    /* spaces, punctuation and zero-width characters between do not hide it */
    assert_true(moderation_match(l, "最 佳", &h));
    assert_int_equal(h.start, 0);
    assert_int_equal(h.end, 3);
    assert_true(moderation_match(l, "最·佳", &h));
    assert_true(moderation_match(l, "最\xe2\x80\x8b佳", &h)); /* U+200B */
    assert_true(moderation_match(l, "a 最，佳", &h));
    assert_int_equal(h.start, 2);
    assert_int_equal(h.end, 5);
    /* full-width letters and case */
    assert_true(moderation_match(l, "城市ｔｏｐ", &h));
    assert_string_equal(h.word, "TOP");
    assert_true(moderation_match(l, "Top 10", &h));
    /* no word boundaries (Chinese has none): inside a longer word counts */
    assert_true(moderation_match(l, "stop", &h));
    assert_int_equal(h.start, 1);
    /* allowed phrases */
    assert_false(moderation_match(l, "第一期已售罄，第一次开放", &h));
    assert_true(moderation_match(l, "第一期之后是全市第一", &h));
    assert_int_equal(h.start, 8);
    /* the longest word at a place */
    assert_true(moderation_match(l, "国家级示范区", &h));
    assert_string_equal(h.word, "国家级");
    assert_int_equal(h.end, 3);
    assert_false(moderation_match(l, "", &h));
    assert_false(moderation_match(l, "安静舒适，交通便利", &h));
    /* broken UTF-8 is a character of its own, never a crash */
    assert_false(moderation_match(l, "\xe6\x9c", &h));
    moderation_list_free(l);
}

static void test_a_word_with_spaces_or_punctuation_or_too_long_is_refused(void **state)
{
    (void)state;
    assert_null(list_of("[{\"word\":\"100%\"}]"));
    assert_null(list_of("[{\"word\":\"最 佳\"}]"));
    assert_null(list_of("[{\"word\":\"\"}]"));
    assert_null(list_of("[{\"word\":\"最佳\",\"allow\":[\"\"]}]"));
    char long_word[200] = "[{\"word\":\"";
    for (int i = 0; i < 33; i++)
        strcat(long_word, "最");
    strcat(long_word, "\"}]");
    assert_null(list_of(long_word));
    moderation_list_t *l = list_of("[]");
    moderation_hit_t h;
    assert_false(moderation_match(l, "最佳", &h));
    moderation_list_free(l);
}

static void test_review_means_are_tenths_rounded_half_up(void **state)
{
    (void)state;
    assert_int_equal(reviews_mean_tenths(21, 5), 42); /* 4.2 */
    assert_int_equal(reviews_mean_tenths(7, 2), 35);  /* 3.5 */
    assert_int_equal(reviews_mean_tenths(10, 3), 33); /* 3.333 */
    assert_int_equal(reviews_mean_tenths(5, 3), 17);  /* 1.666 */
    assert_int_equal(reviews_mean_tenths(25, 5), 50);
    assert_int_equal(reviews_mean_tenths(0, 0), 0);
    /* 3 reviews of 5 dimensions: the mean of all 15 scores */
    assert_int_equal(reviews_mean_tenths(4 * 5 + 3 * 5 + 5 * 5, 15), 40);
    assert_int_equal(reviews_mean_tenths(1001, 1000), 10); /* 1.001 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_banned_words_are_found_folded_with_their_span),
        cmocka_unit_test(test_a_word_with_spaces_or_punctuation_or_too_long_is_refused),
        cmocka_unit_test(test_review_means_are_tenths_rounded_half_up),
    };
    return cmocka_run_group_tests_name("content", tests, NULL, NULL);
}
