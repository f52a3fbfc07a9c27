/* disclosure.c - the ledger of hand-overs to third parties (五): who
 * received which categories of whose data, why and on which basis. Never
 * the data itself. Read by the user's export; kept 3 years (datamap.c). */
#include "privacy/privacy.h"
#include "core/ids.h"

#include <string.h>

static int64_t owner_of(app_ctx_t *c, const uint8_t *bidx, err_t *e)
{
    db_stmt_t *st;
    int rc = db_one(c->db, &st, "SELECT id FROM users WHERE phone_bidx = $1",
                    DB_ARGS(DB_BLOB(bidx, SEC_HASH_LEN)), e);
    if (rc != DB_ROW)
        return rc < 0 ? rc : 0;
    int64_t id = db_i64(st, 0);
    db_done(st);
    return id;
}

int privacy_disclosure_record(app_ctx_t *c, const privacy_disclosure_t *d, err_t *e)
{
    int64_t user = d->user_id;
    if (user == 0 && d->bidx && (user = owner_of(c, d->bidx, e)) < 0)
        return (int)user;
    const uint8_t *bidx = user ? NULL : d->bidx;
    int64_t rc = db_exec(c->db,
                         "INSERT INTO disclosures (id, user_id, recipient, categories, purpose, "
                         "legal_basis, at, subject_bidx) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                         DB_ARGS(DB_I64(ids_next()), DB_I64(user), DB_TEXT(d->recipient),
                                 DB_TEXT(d->categories), DB_TEXT(d->purpose), DB_TEXT(d->basis),
                                 DB_I64(c->now_ms()), bidx ? DB_BLOB(bidx, SEC_HASH_LEN) : DB_NULL),
                         e);
    return rc < 0 ? (int)rc : 0;
}

int privacy_disclosure_claim(app_ctx_t *c, int64_t user_id, const uint8_t *bidx, err_t *e)
{
    int64_t rc = db_exec(c->db,
                         "UPDATE disclosures SET user_id = $1, subject_bidx = NULL "
                         "WHERE subject_bidx = $2 AND user_id = 0",
                         DB_ARGS(DB_I64(user_id), DB_BLOB(bidx, SEC_HASH_LEN)), e);
    return rc < 0 ? (int)rc : 0;
}
