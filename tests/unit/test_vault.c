/* test_vault.c - envelope encryption, tampering, wrong keys, blind index. */
#include "unit.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sec/sec.h"

static const uint8_t key_a[SEC_KEY_LEN] = {1, 2, 3};
static const uint8_t key_b[SEC_KEY_LEN] = {9, 9, 9};

static int setup(void **state)
{
    (void)state;
    return sec_init();
}

static void test_a_data_key_round_trips_through_its_wrapping(void **state)
{
    (void)state;
    sec_vault_t *v = sec_vault_from_key(key_a);
    sec_key_t dek, back;
    uint8_t wrapped[SEC_WRAPPED_LEN];
    sec_dek_create(v, 42, &dek, wrapped);
    assert_int_equal(sec_dek_unwrap(v, 42, wrapped, sizeof(wrapped), &back), 0);
    assert_memory_equal(dek.k, back.k, SEC_KEY_LEN);
    sec_vault_destroy(v);
}

static void test_a_sealed_field_opens_with_the_same_key_and_place(void **state)
{
    (void)state;
    sec_key_t k = {{7}};
    const char *phone = "13812345678";
    uint8_t ct[64], pt[64];
    size_t n = 0;
    sec_seal(&k, "users.phone:1", phone, 11, ct);
    assert_null(memmem(ct, 11 + SEC_SEAL_OVERHEAD, phone, 11));
    assert_int_equal(sec_open(&k, "users.phone:1", ct, 11 + SEC_SEAL_OVERHEAD, pt, &n), 0);
    assert_int_equal(n, 11);
    assert_memory_equal(pt, phone, 11);
}

#define NONCES           4096
#define NONCE_AT(buf, i) ((buf) + (size_t)(i)*24)

/* Seals NONCES times on the calling thread; keeps each nonce. */
static void *seal_many(void *arg)
{
    uint8_t *nonces = arg, ct[8 + SEC_SEAL_OVERHEAD];
    sec_key_t k = {{5}};
    for (int i = 0; i < NONCES; i++) {
        sec_seal(&k, "t", "same pt!", 8, ct);
        memcpy(NONCE_AT(nonces, i), ct + 1, 24);
    }
    return NULL;
}

static int cmp_nonce(const void *a, const void *b)
{
    return memcmp(a, b, 24);
}

static void test_nonces_never_repeat_within_or_across_threads(void **state)
{
    (void)state;
    uint8_t *all = malloc((size_t)NONCES * 2 * 24);
    pthread_t other;
    seal_many(all);
    assert_int_equal(pthread_create(&other, NULL, seal_many, NONCE_AT(all, NONCES)), 0);
    pthread_join(other, NULL);
    qsort(all, NONCES * 2, 24, cmp_nonce);
    for (int i = 1; i < NONCES * 2; i++)
        assert_int_not_equal(memcmp(NONCE_AT(all, i - 1), NONCE_AT(all, i), 24), 0);
    free(all);
}

static void test_tampering_with_a_sealed_field_is_detected(void **state)
{
    (void)state;
    sec_key_t k = {{7}};
    uint8_t ct[64], pt[64];
    size_t n;
    sec_seal(&k, "p:1", "secret", 6, ct);
    for (size_t i = 0; i < 6 + SEC_SEAL_OVERHEAD; i++) {
        ct[i] ^= 0x01;
        assert_int_equal(sec_open(&k, "p:1", ct, 6 + SEC_SEAL_OVERHEAD, pt, &n), -1);
        ct[i] ^= 0x01;
    }
    assert_int_equal(sec_open(&k, "p:2", ct, 6 + SEC_SEAL_OVERHEAD, pt, &n), -1);
    assert_int_equal(sec_open(&k, "p:1", ct, 5, pt, &n), -1);
}

static void test_a_sealed_row_field_opens_only_at_its_own_row(void **state)
{
    (void)state;
    sec_key_t k = {{9}};
    size_t n, m;
    uint8_t *ct = sec_seal_field(&k, "users.phone", 42, "13812345678", 11, &n);
    char *pt = sec_open_field(&k, "users.phone", 42, ct, n, &m);
    assert_non_null(pt);
    assert_int_equal(m, 11);
    assert_string_equal(pt, "13812345678");
    free(pt);
    assert_null(sec_open_field(&k, "users.phone", 43, ct, n, &m));
    assert_null(sec_open_field(&k, "users.nickname", 42, ct, n, &m));
    assert_null(sec_open_field(&k, "users.phone", 42, ct, 3, &m));
    free(ct);
}

static void test_a_wrong_master_key_or_owner_is_refused(void **state)
{
    (void)state;
    sec_vault_t *a = sec_vault_from_key(key_a), *b = sec_vault_from_key(key_b);
    sec_key_t dek, back;
    uint8_t wrapped[SEC_WRAPPED_LEN];
    sec_dek_create(a, 42, &dek, wrapped);
    assert_int_equal(sec_dek_unwrap(b, 42, wrapped, sizeof(wrapped), &back), -1);
    assert_int_equal(sec_dek_unwrap(a, 43, wrapped, sizeof(wrapped), &back), -1);
    sec_vault_destroy(a);
    sec_vault_destroy(b);
}

static void test_blind_indexes_are_stable_keyed_and_domain_separated(void **state)
{
    (void)state;
    sec_vault_t *a = sec_vault_from_key(key_a), *b = sec_vault_from_key(key_b);
    uint8_t h1[SEC_HASH_LEN], h2[SEC_HASH_LEN], h3[SEC_HASH_LEN], h4[SEC_HASH_LEN];
    sec_blind_index(a, "phone", "13812345678", 11, h1);
    sec_blind_index(a, "phone", "13812345678", 11, h2);
    sec_blind_index(b, "phone", "13812345678", 11, h3);
    sec_blind_index(a, "ip", "13812345678", 11, h4);
    assert_memory_equal(h1, h2, SEC_HASH_LEN);
    assert_memory_not_equal(h1, h3, SEC_HASH_LEN);
    assert_memory_not_equal(h1, h4, SEC_HASH_LEN);
    sec_vault_destroy(a);
    sec_vault_destroy(b);
}

static void test_tokens_are_long_random_and_codes_have_six_digits(void **state)
{
    (void)state;
    char t1[SEC_TOKEN_LEN + 1], t2[SEC_TOKEN_LEN + 1], code[7];
    sec_token_new(t1);
    sec_token_new(t2);
    assert_int_equal(strlen(t1), SEC_TOKEN_LEN);
    assert_string_not_equal(t1, t2);
    for (int i = 0; i < 100; i++) {
        sec_otp_new(code);
        assert_int_equal(strlen(code), 6);
        assert_int_equal(strspn(code, "0123456789"), 6);
    }
}

/* A fresh temporary directory's file path. */
static void temp_path(char *out, size_t len, const char *name)
{
    char dir[] = "/tmp/wlk-vault-XXXXXX";
    assert_non_null(mkdtemp(dir));
    snprintf(out, len, "%s/%s", dir, name);
}

static int count_wraps(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[256];
    int n = 0;
    while (f && fgets(line, sizeof(line), f))
        n += strncmp(line, "wrap ", 5) == 0;
    if (f)
        fclose(f);
    return n;
}

static void test_a_shredded_owners_key_is_refused_from_any_copy(void **state)
{
    (void)state;
    char path[256];
    temp_path(path, sizeof(path), "shredded.keys");
    sec_vault_t *v = sec_vault_from_key(key_a);
    err_t e = {0};
    assert_int_equal(sec_vault_shred_open(v, path, &e), 0); /* absent: empty */
    sec_key_t dek, back;
    uint8_t w42[SEC_WRAPPED_LEN], w43[SEC_WRAPPED_LEN];
    sec_dek_create(v, 42, &dek, w42);
    sec_dek_create(v, 43, &dek, w43);
    assert_int_equal(sec_vault_shred(v, 42, &e), 0);
    assert_int_equal(sec_dek_unwrap(v, 42, w42, sizeof(w42), &back), -1);
    assert_int_equal(sec_dek_unwrap(v, 43, w43, sizeof(w43), &back), 0);
    sec_vault_destroy(v);
    /* a later process reads the list: the old wrapped key stays refused */
    v = sec_vault_from_key(key_a);
    assert_int_equal(sec_vault_shred_open(v, path, &e), 0);
    assert_int_equal(sec_dek_unwrap(v, 42, w42, sizeof(w42), &back), -1);
    int64_t ids[4];
    assert_int_equal(sec_vault_shredded(v, 0, ids, 4), 1);
    assert_int_equal(ids[0], 42);
    /* an erasure that failed takes its entry back */
    sec_vault_unshred(v, 42);
    assert_int_equal(sec_dek_unwrap(v, 42, w42, sizeof(w42), &back), 0);
    sec_vault_destroy(v);
    v = sec_vault_from_key(key_a);
    assert_int_equal(sec_vault_shred_open(v, path, &e), 0);
    assert_int_equal(sec_vault_shredded(v, 0, ids, 4), 0);
    sec_vault_destroy(v);
}

static void test_rotation_keeps_old_keys_and_blind_indexes_until_retired(void **state)
{
    (void)state;
    char path[256];
    temp_path(path, sizeof(path), "master.key");
    err_t e = {0};
    sec_vault_t *v;
    unsetenv("WLK_MASTER_KEY");
    assert_int_equal(sec_vault_open(path, &v, &e), 0); /* creates a version 1 key file */
    uint8_t before[SEC_HASH_LEN], after[SEC_HASH_LEN], f1[SEC_HASH_LEN], f2[SEC_HASH_LEN];
    sec_blind_index(v, "phone", "13812345678", 11, before);
    sec_vault_fingerprint(v, f1);
    sec_key_t old, back;
    uint8_t w_old[SEC_WRAPPED_LEN], w_new[SEC_WRAPPED_LEN], re[SEC_WRAPPED_LEN];
    sec_dek_create(v, 7, &old, w_old);
    assert_int_equal(sec_vault_rotate(v, &e), 0);
    assert_int_equal(sec_vault_key_count(v), 2);
    assert_int_equal(count_wraps(path), 2);
    sec_key_t fresh;
    sec_dek_create(v, 8, &fresh, w_new);
    /* re-wrapping moves the old one under the new key; the new one stays */
    size_t n;
    assert_int_equal(sec_dek_rewrap(v, 7, w_old, sizeof(w_old), re, sizeof(re), &n), 1);
    assert_int_equal(sec_dek_rewrap(v, 8, w_new, sizeof(w_new), re + 0, sizeof(re), &n), 0);
    sec_vault_destroy(v);
    /* a new process on the rewritten file opens all of them */
    assert_int_equal(sec_vault_open(path, &v, &e), 0);
    assert_int_equal(sec_dek_unwrap(v, 7, w_old, sizeof(w_old), &back), 0);
    assert_memory_equal(back.k, old.k, SEC_KEY_LEN);
    assert_int_equal(sec_dek_unwrap(v, 8, w_new, sizeof(w_new), &back), 0);
    sec_blind_index(v, "phone", "13812345678", 11, after);
    sec_vault_fingerprint(v, f2);
    assert_memory_equal(before, after, SEC_HASH_LEN); /* phone look-ups still work */
    assert_memory_equal(f1, f2, SEC_HASH_LEN);
    /* retired: the key file has the current key only */
    assert_int_equal(sec_vault_retire_old(v, &e), 0);
    sec_vault_destroy(v);
    assert_int_equal(count_wraps(path), 1);
    assert_int_equal(sec_vault_open(path, &v, &e), 0);
    assert_int_equal(sec_dek_unwrap(v, 7, w_old, sizeof(w_old), &back), -1);
    assert_int_equal(sec_dek_unwrap(v, 8, w_new, sizeof(w_new), &back), 0);
    sec_vault_destroy(v);
}

static void test_a_key_from_the_environment_cannot_be_rotated(void **state)
{
    (void)state;
    setenv("WLK_MASTER_KEY", "0101010101010101010101010101010101010101010101010101010101010101", 1);
    sec_vault_t *v;
    err_t e = {0};
    assert_int_equal(sec_vault_open("/nonexistent/master.key", &v, &e), 0);
    assert_int_equal(sec_vault_rotate(v, &e), ERR_VALIDATION_FAILED);
    assert_non_null(strstr(e.message, "WLK_MASTER_KEY"));
    unsetenv("WLK_MASTER_KEY");
    sec_vault_destroy(v);
}

static void test_a_malformed_key_file_is_refused_with_its_name(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "nothex\n", "bidx 00\n",
                                      "wrap "
                                      "zz\n",
                                      "bidx 0101010101010101010101010101010101010101010101010101010"
                                      "101010101\nwrap 01\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char path[256];
        temp_path(path, sizeof(path), "master.key");
        FILE *f = fopen(path, "w");
        fputs(bad[i], f);
        fclose(f);
        chmod(path, 0600);
        sec_vault_t *v = NULL;
        err_t e = {0};
        assert_int_not_equal(sec_vault_open(path, &v, &e), 0);
        assert_non_null(strstr(e.cause, "master key file"));
        err_clear(&e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_data_key_round_trips_through_its_wrapping),
        cmocka_unit_test(test_a_sealed_field_opens_with_the_same_key_and_place),
        cmocka_unit_test(test_nonces_never_repeat_within_or_across_threads),
        cmocka_unit_test(test_tampering_with_a_sealed_field_is_detected),
        cmocka_unit_test(test_a_sealed_row_field_opens_only_at_its_own_row),
        cmocka_unit_test(test_a_wrong_master_key_or_owner_is_refused),
        cmocka_unit_test(test_blind_indexes_are_stable_keyed_and_domain_separated),
        cmocka_unit_test(test_tokens_are_long_random_and_codes_have_six_digits),
        cmocka_unit_test(test_a_shredded_owners_key_is_refused_from_any_copy),
        cmocka_unit_test(test_rotation_keeps_old_keys_and_blind_indexes_until_retired),
        cmocka_unit_test(test_a_key_from_the_environment_cannot_be_rotated),
        cmocka_unit_test(test_a_malformed_key_file_is_refused_with_its_name),
    };
    return cmocka_run_group_tests_name("vault", tests, setup, NULL);
}
