/* rights.h - the user's rights over their personal data (七): export of
 * everything held about them, withdrawal of the whole policy, and account
 * cancellation. Each walks the data map (privacy_categories and
 * privacy_stores), so a new category cannot be forgotten. The identity
 * check (auth_step_up_verify) comes first; plain C, no HTTP. */
#ifndef WLK_RIGHTS_H
#define WLK_RIGHTS_H

#include "app/app.h"
#include "core/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* How export.c covers a data-map category: fn fills its records, or fn is
 * NULL and `note` says why nothing is held ("not collected by this
 * build"). Every category has exactly one entry (a unit test checks). */
typedef struct rights_export_ctx rights_export_ctx_t;
typedef struct rights_source {
    const char *category;
    int (*fn)(rights_export_ctx_t *x, json_t *records, err_t *e);
    const char *note;
} rights_source_t;

extern const rights_source_t rights_sources[];
extern const size_t rights_sources_count;
const rights_source_t *rights_source_find(const char *category);

/* Checks the code, then builds the export of user_id: {"user_id",
 * "exported_at","policy_version","account","categories":{<id>:{labels,
 * purposes, recipients, retention, "collected", "records"|"note"}},
 * "staff_accesses"}. Audited as "data.export". *out is new.
 * VERIFICATION_REQUIRED before anything is read. */
int rights_export(app_ctx_t *c, int64_t user_id, const char *code, json_t **out, err_t *e)
    __attribute__((warn_unused_result));

/* Checks the code and withdraws the consent to the whole policy: every
 * business endpoint answers POLICY_WITHDRAWN until the current version is
 * granted again (PUT /v1/me/consents/policy). Audited. */
int rights_policy_withdraw(app_ctx_t *c, int64_t user_id, int64_t device_id, const char *code,
                           err_t *e) __attribute__((warn_unused_result));

/* Checks the code, then cancels the account in one transaction: sessions,
 * devices, push tokens, events, security events, requests and the users
 * row with its data key (crypto-shredding every field sealed under it)
 * are deleted; sent messages lose their sender; files only the user held
 * are deleted (after the commit); consent and disclosure records are kept
 * (restricted). *report (new): {"user_id","cancelled_at","stores":[{
 * "category","table","deleted","anonymised","kept","why"}]}. */
int rights_cancel(app_ctx_t *c, int64_t user_id, const char *code, json_t **report, err_t *e)
    __attribute__((warn_unused_result));

/* 八: a child's guardian withdraws consent with the code their phone got
 * (identity_guardian_ask with no phone): the withdrawal is recorded and
 * the child's data is deleted as by rights_cancel. */
int rights_guardian_withdraw(app_ctx_t *c, int64_t user_id, const char *code, json_t **report,
                             err_t *e) __attribute__((warn_unused_result));

/* Erases again every account on the vault's shredded-key list that the
 * database holds (a backup made before its cancellation was restored).
 * *replayed: how many. Called at start. */
int rights_replay_cancellations(app_ctx_t *c, int64_t *replayed, err_t *e)
    __attribute__((warn_unused_result));

#endif
