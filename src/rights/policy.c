/* policy.c - withdrawing the consent to the whole policy (七.三.4): after
 * the identity check, a withdrawal in the ledger puts the account in the
 * withdrawn state (every business endpoint answers policy_withdrawn; the
 * rights stay open) until the current version is granted again. */
#include "audit/audit.h"
#include "auth/auth.h"
#include "privacy/privacy.h"
#include "rights/rights_int.h"

#include <stdio.h>

int rights_policy_withdraw(app_ctx_t *c, int64_t user_id, int64_t device_id, const char *code,
                           err_t *e)
{
    char version[17], actor[32];
    bool already = false;
    int rc = auth_step_up_verify(c, user_id, code, e);
    if (rc < 0 || (rc = privacy_policy_current(c, version, e)) < 0 || (rc = db_begin(c->db, e)) < 0)
        return rc;
    snprintf(actor, sizeof(actor), "user:%lld", (long long)user_id);
    if ((rc = auth_user_policy_withdrawn(c, user_id, &already, e)) < 0 ||
        (!already &&
         ((rc = privacy_consent_record(c, user_id, "policy", version, false, device_id, e)) < 0 ||
          (rc = audit_append(c,
                             &(audit_entry_t){.actor = actor,
                                              .action = "consent.withdraw",
                                              .subject_id = user_id,
                                              .reason = "policy"},
                             e)) < 0))) {
        db_rollback(c->db);
        return rc;
    }
    return db_commit(c->db, e);
}
