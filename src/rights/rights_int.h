/* rights_int.h - shared between the files of rights/. */
#ifndef WLK_RIGHTS_INT_H
#define WLK_RIGHTS_INT_H

#include "rights/rights.h"
#include "privacy/privacy.h"
#include "sec/sec.h"

struct rights_export_ctx {
    app_ctx_t *c;
    int64_t user;
    sec_key_t dek; /* the user's data key, for fields sealed under it */
    bool has_dek;
    json_t *chat; /* chat_export, read once for chat_content and location */
};

/* The rows of sql ($1 = the user's id) as [{name: value}]. *out is new. */
int rights_rows(rights_export_ctx_t *x, const char *sql, const privacy_col_t *cols, json_t **out,
                err_t *e);

#endif
