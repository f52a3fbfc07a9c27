/* vault.c - master key handling, envelope encryption and blind indexes.
 * Subkeys are derived from the master key with crypto_kdf, one per use. */
#include "sec/sec.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEAL_VERSION 1
enum { SUB_WRAP = 1, SUB_BIDX = 2, SUB_OUTBOX = 3 };

struct sec_vault {
    sec_key_t wrap, bidx, outbox;
};

int sec_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

sec_vault_t *sec_vault_from_key(const uint8_t master[SEC_KEY_LEN])
{
    sec_vault_t *v = sodium_malloc(sizeof(*v));
    if (v == NULL)
        abort();
    crypto_kdf_derive_from_key(v->wrap.k, SEC_KEY_LEN, SUB_WRAP, "wlkvault", master);
    crypto_kdf_derive_from_key(v->bidx.k, SEC_KEY_LEN, SUB_BIDX, "wlkvault", master);
    crypto_kdf_derive_from_key(v->outbox.k, SEC_KEY_LEN, SUB_OUTBOX, "wlkvault", master);
    return v;
}

void sec_vault_destroy(sec_vault_t *v)
{
    if (v)
        sodium_free(v); /* zeroes the memory */
}

static int parse_hex_key(const char *hex, size_t len, uint8_t key[SEC_KEY_LEN])
{
    size_t bin_len = 0;
    while (len > 0 && (hex[len - 1] == '\n' || hex[len - 1] == '\r' || hex[len - 1] == ' '))
        len--;
    if (len != SEC_KEY_LEN * 2 ||
        sodium_hex2bin(key, SEC_KEY_LEN, hex, len, NULL, &bin_len, NULL) != 0 ||
        bin_len != SEC_KEY_LEN)
        return -1;
    return 0;
}

static int create_key_file(const char *path, uint8_t key[SEC_KEY_LEN], err_t *e)
{
    char hex[SEC_KEY_LEN * 2 + 2];
    randombytes_buf(key, SEC_KEY_LEN);
    sodium_bin2hex(hex, sizeof(hex), key, SEC_KEY_LEN);
    strcat(hex, "\n");
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_internal(e, "cannot create master key file %s: %s", path, strerror(errno));
    size_t n = strlen(hex);
    int ok = write(fd, hex, n) == (ssize_t)n && fsync(fd) == 0;
    close(fd);
    sodium_memzero(hex, sizeof(hex));
    return ok ? 0 : err_internal(e, "cannot write master key file %s", path);
}

static int read_key_file(const char *path, uint8_t key[SEC_KEY_LEN], err_t *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return create_key_file(path, key, e);
    if (fd < 0)
        return err_internal(e, "cannot open master key file %s: %s", path, strerror(errno));
    struct stat sb;
    char hex[SEC_KEY_LEN * 2 + 8];
    ssize_t n = fstat(fd, &sb) == 0 ? read(fd, hex, sizeof(hex)) : -1;
    close(fd);
    int rc = 0;
    if (sb.st_mode & 077)
        rc = err_internal(e, "master key file %s must not be readable by others (chmod 600)", path);
    else if (n <= 0 || parse_hex_key(hex, (size_t)n, key) != 0)
        rc = err_internal(e, "master key file %s does not hold 64 hex characters", path);
    sodium_memzero(hex, sizeof(hex));
    return rc;
}

int sec_vault_open(const char *key_file, sec_vault_t **out, err_t *e)
{
    uint8_t *key = sodium_malloc(SEC_KEY_LEN);
    if (key == NULL)
        abort();
    const char *env = getenv("WLK_MASTER_KEY");
    int rc = 0;
    if (env && *env) {
        if (parse_hex_key(env, strlen(env), key) != 0)
            rc = err_internal(e, "WLK_MASTER_KEY must be 64 hex characters");
    } else {
        rc = read_key_file(key_file, key, e);
    }
    if (rc == 0)
        *out = sec_vault_from_key(key);
    sodium_free(key);
    return rc;
}

/* XChaCha20 nonces: a random 16-byte prefix per thread, then a counter.
 * Unique like random ones (the prefix is drawn anew for every thread),
 * without a getrandom system call per seal. */
static void next_nonce(uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES])
{
    static __thread uint8_t prefix[16];
    static __thread uint64_t count;
    if (count == 0)
        randombytes_buf(prefix, sizeof(prefix));
    count++;
    memcpy(nonce, prefix, sizeof(prefix));
    memcpy(nonce + sizeof(prefix), &count, sizeof(count));
}

void sec_seal(const sec_key_t *k, const char *ad, const void *pt, size_t len, uint8_t *out)
{
    out[0] = SEAL_VERSION;
    uint8_t *nonce = out + 1;
    next_nonce(nonce);
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + 25, NULL, pt, len, (const uint8_t *)ad,
                                               strlen(ad), NULL, nonce, k->k);
}

int sec_open(const sec_key_t *k, const char *ad, const void *ct, size_t len, uint8_t *out,
             size_t *outlen)
{
    const uint8_t *c = ct;
    unsigned long long n = 0;
    if (len < SEC_SEAL_OVERHEAD || c[0] != SEAL_VERSION)
        return -1;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            out, &n, NULL, c + 25, len - 25, (const uint8_t *)ad, strlen(ad), c + 1, k->k) != 0)
        return -1;
    *outlen = (size_t)n;
    return 0;
}

static void owner_ad(char *ad, size_t n, int64_t owner)
{
    snprintf(ad, n, "dek:%lld", (long long)owner);
}

void sec_dek_create(const sec_vault_t *v, int64_t owner, sec_key_t *dek,
                    uint8_t wrapped[SEC_WRAPPED_LEN])
{
    char ad[32];
    owner_ad(ad, sizeof(ad), owner);
    randombytes_buf(dek->k, SEC_KEY_LEN);
    sec_seal(&v->wrap, ad, dek->k, SEC_KEY_LEN, wrapped);
}

int sec_dek_unwrap(const sec_vault_t *v, int64_t owner, const void *wrapped, size_t len,
                   sec_key_t *dek)
{
    char ad[32];
    size_t n;
    owner_ad(ad, sizeof(ad), owner);
    if (len != SEC_WRAPPED_LEN || sec_open(&v->wrap, ad, wrapped, len, dek->k, &n) != 0 ||
        n != SEC_KEY_LEN)
        return -1;
    return 0;
}

void sec_blind_index(const sec_vault_t *v, const char *domain, const void *in, size_t len,
                     uint8_t out[SEC_HASH_LEN])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, v->bidx.k, SEC_KEY_LEN, SEC_HASH_LEN);
    crypto_generichash_update(&st, (const uint8_t *)domain, strlen(domain) + 1);
    crypto_generichash_update(&st, in, len);
    crypto_generichash_final(&st, out, SEC_HASH_LEN);
}

const sec_key_t *sec_vault_outbox_key(const sec_vault_t *v)
{
    return &v->outbox;
}

uint8_t *sec_seal_field(const sec_key_t *k, const char *place, int64_t row, const void *pt,
                        size_t len, size_t *out_len)
{
    char ad[80];
    uint8_t *out = malloc(len + SEC_SEAL_OVERHEAD);
    if (out == NULL)
        abort();
    snprintf(ad, sizeof(ad), "%s:%lld", place, (long long)row);
    sec_seal(k, ad, pt, len, out);
    *out_len = len + SEC_SEAL_OVERHEAD;
    return out;
}

char *sec_open_field(const sec_key_t *k, const char *place, int64_t row, const void *ct, size_t len,
                     size_t *out_len)
{
    char ad[80];
    size_t n;
    if (ct == NULL || len < SEC_SEAL_OVERHEAD)
        return NULL;
    char *out = malloc(len - SEC_SEAL_OVERHEAD + 1);
    if (out == NULL)
        abort();
    snprintf(ad, sizeof(ad), "%s:%lld", place, (long long)row);
    if (sec_open(k, ad, ct, len, (uint8_t *)out, &n) != 0) {
        free(out);
        return NULL;
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}
