/* staff_int.h - declarations shared by the files of staff/ only. */
#ifndef WLK_STAFF_INT_H
#define WLK_STAFF_INT_H

#include "staff/staff.h"

/* Sets key cat of obj to the clear value of that category of user_id
 * (string, or null when unset), for each of cats. NOT_FOUND when the user
 * does not exist; VALIDATION_FAILED (categories) for a category that is
 * not revealable. */
int staff_user_fields(app_ctx_t *c, int64_t user_id, const char *const *cats, int n, json_t *obj,
                      err_t *e) __attribute__((warn_unused_result));
/* FORBIDDEN unless role may reveal every one of cats. */
int staff_may_reveal(unsigned role, const char *const *cats, int n, err_t *e)
    __attribute__((warn_unused_result));
/* Appends "personal_data.read" by s about user_id (cats joined by spaces),
 * with reason and detail {"role", extra keys of more (borrowed, may be
 * NULL)}. Inside the caller's transaction. */
int staff_audit_read(app_ctx_t *c, const staff_session_t *s, int64_t user_id,
                     const char *const *cats, int n, const char *reason, const json_t *more,
                     err_t *e) __attribute__((warn_unused_result));

#endif
