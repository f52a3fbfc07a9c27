/* sec_int.h - the vault's layout, shared by the files of sec/ only. */
#ifndef WLK_SEC_INT_H
#define WLK_SEC_INT_H

#include "sec/sec.h"

#include <pthread.h>
#include <stdbool.h>

#define SEC_RING_MAX 16

/* The keys that wrap data keys: slots are written once and then published
 * (nwrap, release); cur is the one that wraps new keys. Readers never
 * lock. Rotation and reloads write under mu. */
typedef struct sec_ring {
    sec_key_t wrap[SEC_RING_MAX];
    int nwrap, cur; /* atomic */
} sec_ring_t;

typedef struct sec_keyfile {
    pthread_mutex_t mu;
    char path[1024]; /* "" when the key came from WLK_MASTER_KEY */
    long long mtime_ns, size;
    long long checked_ms; /* the last look for a newer file (atomic) */
} sec_keyfile_t;

typedef struct sec_shred {
    pthread_mutex_t mu;
    char path[1024]; /* "" when not kept (tests, tools) */
    int64_t *ids;    /* sorted */
    size_t n, cap;
} sec_shred_t;

struct sec_vault {
    sec_key_t bidx, outbox; /* stable: they outlive rotations */
    sec_ring_t ring;
    sec_keyfile_t *file;
    sec_shred_t *shred;
};

/* An empty vault (no keys). */
sec_vault_t *sec_vault_new(void);
/* Adds key to the ring (not current); its index, or -1 when full. */
int sec_ring_add(sec_vault_t *v, const sec_key_t *key);
/* Parses a key file: v1 is one master key (64 hex), from which the three
 * subkeys derive; v2 is lines "bidx|outbox|wrap <64 hex>" (the first wrap
 * is the current one). 0, or -1 when malformed. */
int sec_keyfile_parse(const char *text, size_t len, sec_key_t *bidx, sec_key_t *outbox,
                      sec_key_t *wraps, int *nwrap);
/* Derives the subkeys of a v1 master key. */
void sec_derive(const uint8_t master[SEC_KEY_LEN], sec_key_t *wrap, sec_key_t *bidx,
                sec_key_t *outbox);
/* Looks for a newer key file (at most once a second) and adds the wrap
 * keys it has that the ring has not (another node rotated). */
void sec_keyfile_reload(sec_vault_t *v);
bool sec_shred_has(const sec_vault_t *v, int64_t owner);

#endif
