/* vault.c - envelope encryption and blind indexes. The data keys of
 * owners are wrapped under the current key of the ring (keyring.c); the
 * blind-index and outbox keys stay the same across rotations. */
#include "sec/sec_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEAL_VERSION 1
enum { SUB_WRAP = 1, SUB_BIDX = 2, SUB_OUTBOX = 3 };

int sec_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

void sec_derive(const uint8_t master[SEC_KEY_LEN], sec_key_t *wrap, sec_key_t *bidx,
                sec_key_t *outbox)
{
    crypto_kdf_derive_from_key(wrap->k, SEC_KEY_LEN, SUB_WRAP, "wlkvault", master);
    crypto_kdf_derive_from_key(bidx->k, SEC_KEY_LEN, SUB_BIDX, "wlkvault", master);
    crypto_kdf_derive_from_key(outbox->k, SEC_KEY_LEN, SUB_OUTBOX, "wlkvault", master);
}

sec_vault_t *sec_vault_new(void)
{
    sec_vault_t *v = sodium_malloc(sizeof(*v));
    if (v == NULL)
        abort();
    memset(v, 0, sizeof(*v));
    v->file = calloc(1, sizeof(*v->file));
    v->shred = calloc(1, sizeof(*v->shred));
    if (v->file == NULL || v->shred == NULL)
        abort();
    pthread_mutex_init(&v->file->mu, NULL);
    pthread_mutex_init(&v->shred->mu, NULL);
    return v;
}

sec_vault_t *sec_vault_from_key(const uint8_t master[SEC_KEY_LEN])
{
    sec_vault_t *v = sec_vault_new();
    sec_key_t wrap;
    sec_derive(master, &wrap, &v->bidx, &v->outbox);
    sec_ring_add(v, &wrap);
    sodium_memzero(&wrap, sizeof(wrap));
    return v;
}

void sec_vault_destroy(sec_vault_t *v)
{
    if (v == NULL)
        return;
    pthread_mutex_destroy(&v->file->mu);
    pthread_mutex_destroy(&v->shred->mu);
    free(v->file);
    free(v->shred->ids);
    free(v->shred);
    sodium_free(v); /* zeroes the memory */
}

int sec_ring_add(sec_vault_t *v, const sec_key_t *key)
{
    int n = __atomic_load_n(&v->ring.nwrap, __ATOMIC_ACQUIRE);
    for (int i = 0; i < n; i++)
        if (sodium_memcmp(v->ring.wrap[i].k, key->k, SEC_KEY_LEN) == 0)
            return i;
    if (n == SEC_RING_MAX)
        return -1;
    v->ring.wrap[n] = *key;
    __atomic_store_n(&v->ring.nwrap, n + 1, __ATOMIC_RELEASE);
    return n;
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
    int cur = __atomic_load_n(&v->ring.cur, __ATOMIC_ACQUIRE);
    sec_seal(&v->ring.wrap[cur], ad, dek->k, SEC_KEY_LEN, wrapped);
}

/* The ring slot whose key opens wrapped (the current one first), or -1. */
static int open_with_ring(const sec_vault_t *v, const char *ad, const void *wrapped, size_t len,
                          sec_key_t *dek)
{
    int n = __atomic_load_n(&v->ring.nwrap, __ATOMIC_ACQUIRE);
    int cur = __atomic_load_n(&v->ring.cur, __ATOMIC_ACQUIRE);
    size_t got;
    for (int k = -1; k < n; k++) {
        int i = k < 0 ? cur : k;
        if ((k < 0 || i != cur) &&
            sec_open(&v->ring.wrap[i], ad, wrapped, len, dek->k, &got) == 0 && got == SEC_KEY_LEN)
            return i;
    }
    return -1;
}

static int unwrap_slot(const sec_vault_t *v, int64_t owner, const void *wrapped, size_t len,
                       sec_key_t *dek)
{
    char ad[32];
    if (len != SEC_WRAPPED_LEN || sec_shred_has(v, owner))
        return -1;
    owner_ad(ad, sizeof(ad), owner);
    int slot = open_with_ring(v, ad, wrapped, len, dek);
    if (slot < 0) {
        /* another node may have rotated: its key file has the new key */
        sec_keyfile_reload((sec_vault_t *)v);
        slot = open_with_ring(v, ad, wrapped, len, dek);
    }
    return slot;
}

int sec_dek_unwrap(const sec_vault_t *v, int64_t owner, const void *wrapped, size_t len,
                   sec_key_t *dek)
{
    return unwrap_slot(v, owner, wrapped, len, dek) < 0 ? -1 : 0;
}

int sec_dek_rewrap(void *vault, int64_t owner, const void *in, size_t len, uint8_t *out, size_t cap,
                   size_t *outlen)
{
    const sec_vault_t *v = vault;
    sec_key_t dek;
    int slot = unwrap_slot(v, owner, in, len, &dek);
    if (slot < 0 || cap < SEC_WRAPPED_LEN)
        return -1;
    int cur = __atomic_load_n(&v->ring.cur, __ATOMIC_ACQUIRE);
    if (slot != cur) {
        char ad[32];
        owner_ad(ad, sizeof(ad), owner);
        sec_seal(&v->ring.wrap[cur], ad, dek.k, SEC_KEY_LEN, out);
        *outlen = SEC_WRAPPED_LEN;
    }
    sodium_memzero(&dek, sizeof(dek));
    return slot != cur;
}

void sec_vault_fingerprint(const sec_vault_t *v, uint8_t out[SEC_HASH_LEN])
{
    sec_blind_index(v, "installation", "wlk", 3, out);
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
