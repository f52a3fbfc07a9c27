/* sec.h - every use of cryptography, on libsodium: the vault (master key,
 * per-owner data keys, sealed fields, blind indexes) and random tokens.
 * Keys live in sodium_malloc'ed memory; nothing here logs a secret. */
#ifndef WLK_SEC_H
#define WLK_SEC_H

#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

#define SEC_KEY_LEN 32
/* version(1) | nonce(24) | XChaCha20-Poly1305 ciphertext | tag(16) */
#define SEC_SEAL_OVERHEAD (1 + 24 + 16)
#define SEC_WRAPPED_LEN   (SEC_KEY_LEN + SEC_SEAL_OVERHEAD)
#define SEC_HASH_LEN      32
#define SEC_TOKEN_LEN     43 /* base64url of 32 random bytes, no padding */

typedef struct sec_vault sec_vault_t;
typedef struct sec_key {
    uint8_t k[SEC_KEY_LEN];
} sec_key_t;

/* Initialises libsodium; call once before anything else here. */
int sec_init(void) __attribute__((warn_unused_result));

/* Opens the vault with the master key from WLK_MASTER_KEY (64 hex chars)
 * or key_file (a master key, or the keyring a rotation wrote), creating
 * the file with mode 0600 and a fresh random key on first start. Returns
 * new (destroy with sec_vault_destroy). */
int sec_vault_open(const char *key_file, sec_vault_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* A vault from a given master key (tests, tools). Returns new. */
sec_vault_t *sec_vault_from_key(const uint8_t master[SEC_KEY_LEN]);
void sec_vault_destroy(sec_vault_t *v);

/* Rotation: a fresh wrapping key becomes current; the key file (rewritten
 * atomically, mode 0600) keeps the older ones, which still open data keys
 * wrapped before (re-wrap them with sec_dek_rewrap). Other processes on
 * the same key file pick the new key up when they meet a data key their
 * ring cannot open. VALIDATION_FAILED when the key came from
 * WLK_MASTER_KEY (nothing to rewrite) or the ring is full. */
int sec_vault_rotate(sec_vault_t *v, err_t *e) __attribute__((warn_unused_result));
/* Rewrites the key file with the current wrapping key only: backups made
 * before the rotation can no longer be read. */
int sec_vault_retire_old(sec_vault_t *v, err_t *e) __attribute__((warn_unused_result));
/* How many wrapping keys the vault holds (1 until a rotation). */
int sec_vault_key_count(const sec_vault_t *v);
/* A keyed hash naming the installation's keys: the same across rotations,
 * different under another master key (a foreign database or backup). */
void sec_vault_fingerprint(const sec_vault_t *v, uint8_t out[SEC_HASH_LEN]);

/* The shredded-key list (shred.c): loads path (absent: empty) and keeps
 * it up to date from then on. */
int sec_vault_shred_open(sec_vault_t *v, const char *path, err_t *e)
    __attribute__((warn_unused_result));
/* Lists owner (durably: appended and synced) and refuses its data key
 * from now on, whatever copy of the database it comes from. */
int sec_vault_shred(sec_vault_t *v, int64_t owner, err_t *e) __attribute__((warn_unused_result));
/* Takes owner off the list again (the erasure it announced failed). */
void sec_vault_unshred(sec_vault_t *v, int64_t owner);
/* Copies up to cap listed owners, from the from-th on (ascending). */
size_t sec_vault_shredded(const sec_vault_t *v, size_t from, int64_t *out, size_t cap);

/* Makes a fresh data key for owner and its wrapped form (sealed under the
 * vault's wrapping key, bound to owner). Wipe *dek after use. */
void sec_dek_create(const sec_vault_t *v, int64_t owner, sec_key_t *dek,
                    uint8_t wrapped[SEC_WRAPPED_LEN]);
/* Unwraps owner's data key; -1 if tampered, wrong owner, wrong master
 * key, or owner is on the shredded-key list. */
int sec_dek_unwrap(const sec_vault_t *v, int64_t owner, const void *wrapped, size_t len,
                   sec_key_t *dek) __attribute__((warn_unused_result));
/* Re-wraps owner's wrapped data key in[0..len) under the current key into
 * out (cap >= SEC_WRAPPED_LEN, *outlen set): 1 when it did, 0 when it is
 * wrapped under the current key already, -1 when no key opens it. The
 * signature of a db_rewrite_blobs callback (vault as arg). */
int sec_dek_rewrap(void *vault, int64_t owner, const void *in, size_t len, uint8_t *out, size_t cap,
                   size_t *outlen);

/* Seals pt[0..len) into out[0..len+SEC_SEAL_OVERHEAD) under k; ad names the
 * place (e.g. "users.phone:<id>") so a sealed value cannot be moved. */
void sec_seal(const sec_key_t *k, const char *ad, const void *pt, size_t len, uint8_t *out);
/* Opens a sealed value into out (room for len - SEC_SEAL_OVERHEAD bytes);
 * -1 if it was tampered with or the key or place is wrong. */
int sec_open(const sec_key_t *k, const char *ad, const void *ct, size_t len, uint8_t *out,
             size_t *outlen) __attribute__((warn_unused_result));

/* The same for a field stored in a row: the associated data is
 * "<place>:<row>". sec_seal_field returns new (len + SEC_SEAL_OVERHEAD bytes
 * in *out_len); sec_open_field returns a new NUL-terminated plaintext
 * (length in *out_len), or NULL when it cannot be opened. free() both. */
uint8_t *sec_seal_field(const sec_key_t *k, const char *place, int64_t row, const void *pt,
                        size_t len, size_t *out_len);
char *sec_open_field(const sec_key_t *k, const char *place, int64_t row, const void *ct, size_t len,
                     size_t *out_len);

/* Keyed hash for look-ups of personal data (phone -> user) without storing
 * it in clear; domain separates uses ("phone", "ip", "otp", ...). */
void sec_blind_index(const sec_vault_t *v, const char *domain, const void *in, size_t len,
                     uint8_t out[SEC_HASH_LEN]);
/* Key that seals outbox payloads (messages waiting for a provider). */
const sec_key_t *sec_vault_outbox_key(const sec_vault_t *v);

/* A random bearer token (NUL-terminated base64url) and its stored hash. */
void sec_token_new(char out[SEC_TOKEN_LEN + 1]);
void sec_token_hash(const char *token, size_t len, uint8_t out[SEC_HASH_LEN]);
/* A uniformly random 6-digit code, NUL-terminated. */
void sec_otp_new(char out[7]);
void sec_wipe(void *p, size_t len);
/* Standard base64 of p[0..n), NUL-terminated, new (aborts when out of
 * memory); *len its size with the NUL, for sec_wipe before free. */
char *sec_base64(const void *p, size_t n, size_t *len);
/* SHA-256 of in[0..len), and its first 8 bytes as 16 hex chars. */
void sec_sha256(const void *in, size_t len, uint8_t out[32]);
void sec_digest16(const void *in, size_t len, char out[17]);
/* SHA-256 of data that comes in pieces: begin returns new, end writes the
 * digest and frees it. */
typedef struct sec_sha256 sec_sha256_t;
sec_sha256_t *sec_sha256_begin(void);
void sec_sha256_update(sec_sha256_t *h, const void *in, size_t len);
void sec_sha256_end(sec_sha256_t *h, uint8_t out[32]);
/* HMAC-SHA256 of msg under key, as 64 lowercase hex chars. */
void sec_hmac_hex(const char *key, const void *msg, size_t len, char out[65]);

#endif
