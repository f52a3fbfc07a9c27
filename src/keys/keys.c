/* keys.c - the installation fingerprint and the master key's rotation. */
#include "keys/keys.h"
#include "auth/auth.h"
#include "chat/chat.h"
#include "media/media.h"
#include "sec/sec.h"

#include <sodium.h>
#include <string.h>

int keys_check_installation(app_ctx_t *c, bool check_only, err_t *e)
{
    uint8_t mine[SEC_HASH_LEN];
    sec_vault_fingerprint(c->app->vault, mine);
    db_stmt_t *st;
    int rc =
        db_one(c->db, &st, "SELECT key_fingerprint FROM installation WHERE id = 1", DB_NOARGS, e);
    if (rc < 0)
        return rc;
    if (rc == DB_ROW) {
        size_t len;
        const void *theirs = db_bytes(st, 0, &len);
        bool same = len == SEC_HASH_LEN && sodium_memcmp(theirs, mine, SEC_HASH_LEN) == 0;
        db_done(st);
        return same ? 0
                    : err_set(e, ERR_VALIDATION_FAILED, NULL,
                              "the database was made under another master key (another "
                              "installation's, or not this --master-key-file): its sealed data "
                              "cannot be read with this one");
    }
    if (check_only)
        return 0; /* made before fingerprints: nothing to compare */
    int64_t n = db_exec(c->db,
                        "INSERT INTO installation (id, key_fingerprint) VALUES (1, $1) "
                        "ON CONFLICT (id) DO NOTHING",
                        DB_ARGS(DB_BLOB(mine, SEC_HASH_LEN)), e);
    return n < 0 ? (int)n : 0;
}

int keys_rotate(app_ctx_t *c, bool retire_old, keys_rotated_t *out, err_t *e)
{
    memset(out, 0, sizeof(*out));
    int rc = sec_vault_rotate(c->app->vault, e);
    if (rc < 0 || (rc = auth_keys_rewrap(c, &out->accounts, &out->unreadable, e)) < 0 ||
        (rc = chat_keys_rewrap(c, &out->conversations, &out->unreadable, e)) < 0 ||
        (rc = media_keys_rewrap(c, &out->files, &out->unreadable, e)) < 0)
        return rc;
    if (retire_old && out->unreadable == 0 && (rc = sec_vault_retire_old(c->app->vault, e)) < 0)
        return rc;
    out->keys_kept = retire_old && out->unreadable == 0 ? 1 : sec_vault_key_count(c->app->vault);
    return 0;
}
