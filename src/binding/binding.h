/* binding.h - consultants bound to developments (绑定楼盘, F3, R25;
 * domain.md §5.1, §8) and the buyers attributed to them (客户归属). A
 * verified account applies with its contact phone, business card and work
 * badge; a reviewer decides (audited; the photos read only by an audited
 * clear read and erased once decided). Approved consultants are listed on
 * the development; a buyer reached through one is theirs for the
 * development's protection period (first touch wins), then goes to the
 * development's pool, which its manager reassigns (audited). Owns
 * bindings and attributions. */
#ifndef WLK_BINDING_H
#define WLK_BINDING_H

#include "app/app.h"
#include "core/err.h"
#include "staff/staff.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BINDING_MAX       5 /* one 主营楼盘 and up to four more */
#define BINDING_PHOTO_MAX (512 * 1024)

typedef struct binding_apply {
    int64_t development_id;
    const char *role; /* consultant | manager */
    bool main;        /* 主营楼盘 */
    const char *contact_phone;
    const uint8_t *card, *badge; /* JPEG or PNG */
    size_t card_len, badge_len;
} binding_apply_t;

/* Applies (status pending) for user_id, who must be verified (the route
 * says so). NOT_FOUND for a development not in the catalogue; CONFLICT
 * when already applied or bound there, or for a second main one;
 * VALIDATION_FAILED (photos, phone, role), PAYLOAD_TOO_LARGE,
 * UNSUPPORTED_MEDIA_TYPE; FORBIDDEN past BINDING_MAX. *out: as listed. */
int binding_apply(app_ctx_t *c, int64_t user_id, const binding_apply_t *in, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* {"items":[{"id","development_id","development_name","role","main","status","reason",
 * "created_at","decided_at"}]} of user_id, newest first. */
int binding_mine(app_ctx_t *c, int64_t user_id, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* Ends user_id's binding id (pending or approved). NOT_FOUND. */
int binding_unbind(app_ctx_t *c, int64_t user_id, int64_t id, err_t *e)
    __attribute__((warn_unused_result));
/* The approved consultants of a development, main ones first:
 * {"items":[{"user_id","name","role","main","verified"}]}. */
int binding_consultants(app_ctx_t *c, int64_t development_id, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* A consultant's card (名片): their verified name and the developments
 * they are approved at, main first, each as catalog_card with "role" and
 * "main": {"user_id","name","verified","developments":[...]}. NOT_FOUND
 * for anyone without an approved binding (no account is revealed). */
int binding_card(app_ctx_t *c, int64_t user_id, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* Whether user_id is an approved consultant (manager: with that role) of
 * the development (0: of any development). */
int binding_is_bound(app_ctx_t *c, int64_t user_id, int64_t development_id, bool manager, bool *yes,
                     err_t *e) __attribute__((warn_unused_result));

/* Staff. The queue of a status (pending first by age), without photos and
 * with the phone masked. */
int binding_queue(app_ctx_t *c, const char *status, int limit, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* The photos of an undecided application in clear, audited
 * ("personal_data.read", id_documents, the reason) and shown to the
 * applicant in their access log. NOT_FOUND (or photos gone). */
int binding_documents(app_ctx_t *c, const staff_session_t *s, int64_t id, const char *reason,
                      json_t **out, err_t *e) __attribute__((warn_unused_result));
/* Approves or rejects (reason required, shown to the applicant), audited
 * ("binding.approve" / "binding.reject"); the photos are erased. CONFLICT
 * when decided already. */
int binding_decide(app_ctx_t *c, const staff_session_t *s, int64_t id, bool approve,
                   const char *reason, json_t **out, err_t *e) __attribute__((warn_unused_result));

/* Attribution. buyer reached development through consultant (source qr,
 * link or chat): theirs unless the buyer is someone's already (first
 * touch). FORBIDDEN when consultant is not an approved consultant of it
 * or the buyer is one (a development's own consultant is no buyer of
 * it). *out: {"consultant_id","source","stage","protected_until","new"}. Audited
 * when it is new. */
int binding_attribute(app_ctx_t *c, int64_t buyer, int64_t development_id, int64_t consultant,
                      const char *source, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* The buyers attributed to consultant and in force:
 * {"items":[{"buyer_id","phone_masked","development_id","source",
 * "created_at","stage","visited_at","deal_at","protected_until",
 * "days_left"}]} (stage new | visited | deal; the last two null after a
 * deal); never a full number. */
int binding_buyers(app_ctx_t *c, int64_t consultant, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* The development's pool (lapsed buyers), for its manager. FORBIDDEN
 * for anyone else. */
int binding_pool(app_ctx_t *c, int64_t manager, int64_t development_id, json_t **out, err_t *e)
    __attribute__((warn_unused_result));
/* The manager gives a pooled buyer to a consultant of the development,
 * audited ("attribution.assign"). */
int binding_assign(app_ctx_t *c, int64_t manager, int64_t development_id, int64_t buyer,
                   int64_t consultant, err_t *e) __attribute__((warn_unused_result));

/* The consultant records a buyer of theirs at the development as
 * visited (到访: protected for the development's deal period from now)
 * or as a deal (成交: theirs for good), audited ("attribution.visit",
 * "attribution.deal"). FORBIDDEN when the buyer is not theirs there (or
 * lapsed); CONFLICT when recorded already. *out: {"stage",
 * "protected_until"} (null after a deal). */
int binding_progress(app_ctx_t *c, int64_t consultant, int64_t development_id, int64_t buyer,
                     const char *stage, json_t **out, err_t *e) __attribute__((warn_unused_result));

/* Opens user's conversation with peer about a development, attributing
 * the buyer (chat: the buyer starts it with a consultant of the
 * development; as_consultant: the consultant with a buyer of theirs) and
 * sending the development card once. *out: the Conversation. */
int binding_chat_open(app_ctx_t *c, int64_t user, int64_t peer, int64_t development_id,
                      bool as_consultant, bool *created, json_t **out, err_t *e)
    __attribute__((warn_unused_result));

#endif
