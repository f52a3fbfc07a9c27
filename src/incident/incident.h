/* incident.h - personal-information security incidents (六.二.6): the
 * record of what happened and a notice to every affected user, in the app
 * (an "incident.notice" event in their stream) and by push to offline
 * devices. Never names anyone's data, only categories. */
#ifndef WLK_INCIDENT_H
#define WLK_INCIDENT_H

#include "app/app.h"
#include "core/err.h"

#include <stdint.h>

#define INCIDENT_TEXT_MAX 2000 /* characters of each text field */

typedef struct incident {
    const char *const *categories; /* data-map ids */
    int ncategories;
    const char *cause, *harm, *remedies, *actions, *contact;
    const int64_t *users; /* the affected accounts; NULL: every account */
    int nusers;
} incident_t;

/* Records the incident and notifies the affected users in one
 * transaction, audited as actor. VALIDATION_FAILED (with the field) for an
 * unknown category or an empty or too long text, NOT_FOUND for an unknown
 * user. *id: the incident; *notified: how many users got the notice. */
int incident_notify(app_ctx_t *c, const incident_t *in, const char *actor, int64_t *id,
                    int64_t *notified, err_t *e) __attribute__((warn_unused_result));

#endif
