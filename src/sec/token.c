/* token.c - random bearer tokens, their hashes, sign-in codes, base64. */
#include "sec/sec.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void sec_token_new(char out[SEC_TOKEN_LEN + 1])
{
    uint8_t raw[32];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, SEC_TOKEN_LEN + 1, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

void sec_token_hash(const char *token, size_t len, uint8_t out[SEC_HASH_LEN])
{
    crypto_generichash(out, SEC_HASH_LEN, (const uint8_t *)token, len, NULL, 0);
}

void sec_otp_new(char out[7])
{
    uint32_t n = randombytes_uniform(1000000);
    for (int i = 5; i >= 0; i--) {
        out[i] = (char)('0' + n % 10);
        n /= 10;
    }
    out[6] = '\0';
}

void sec_wipe(void *p, size_t len)
{
    sodium_memzero(p, len);
}

void sec_sha256(const void *in, size_t len, uint8_t out[32])
{
    crypto_hash_sha256(out, in, len);
}

struct sec_sha256 {
    crypto_hash_sha256_state st;
};

sec_sha256_t *sec_sha256_begin(void)
{
    sec_sha256_t *h = malloc(sizeof(*h));
    if (h == NULL)
        abort();
    crypto_hash_sha256_init(&h->st);
    return h;
}

void sec_sha256_update(sec_sha256_t *h, const void *in, size_t len)
{
    crypto_hash_sha256_update(&h->st, in, len);
}

void sec_sha256_end(sec_sha256_t *h, uint8_t out[32])
{
    crypto_hash_sha256_final(&h->st, out);
    free(h);
}

void sec_digest16(const void *in, size_t len, char out[17])
{
    uint8_t h[32];
    crypto_hash_sha256(h, in, len);
    sodium_bin2hex(out, 17, h, 8);
}

void sec_hmac_hex(const char *key, const void *msg, size_t len, char out[65])
{
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const uint8_t *)key, strlen(key));
    crypto_auth_hmacsha256_update(&st, msg, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, 65, mac, sizeof(mac));
}

char *sec_base64(const void *p, size_t n, size_t *len)
{
    size_t cap = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *out = malloc(cap);
    if (!out)
        abort();
    *len = cap;
    return sodium_bin2base64(out, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
}
