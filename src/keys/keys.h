/* keys.h - key custody at the database's level: the installation's key
 * fingerprint (one row, table installation), the rotation of the master
 * key (every wrapped key re-wrapped by the module that owns it), and the
 * erasures a restore must repeat. */
#ifndef WLK_KEYS_H
#define WLK_KEYS_H

#include "app/app.h"
#include "core/err.h"

#include <stdbool.h>
#include <stdio.h>

/* Records the vault's fingerprint in a database that has none; refuses
 * (VALIDATION_FAILED, with what to do) a database made under another
 * master key. With check_only nothing is written (a backup to restore). */
int keys_check_installation(app_ctx_t *c, bool check_only, err_t *e)
    __attribute__((warn_unused_result));

typedef struct keys_rotated {
    int64_t accounts, conversations, files; /* re-wrapped */
    int64_t unreadable;                     /* no key of the ring opens them */
    int keys_kept;                          /* wrapping keys left in the key file */
} keys_rotated_t;

/* A new wrapping key becomes current, then every data key is re-wrapped
 * under it while the server serves; with retire_old the older keys leave
 * the key file afterwards (only when nothing was left unreadable). */
int keys_rotate(app_ctx_t *c, bool retire_old, keys_rotated_t *out, err_t *e)
    __attribute__((warn_unused_result));

#endif
