/* sources.c - what an export reads beyond the stores exported as their
 * columns stand (privacy/stores.c): the functions of the modules that own
 * the users, conversations and media tables, and a note for each category
 * this build holds nothing of. Unit tests check that every category is
 * covered one way and every store of an account is read. */
#include "auth/auth.h"
#include "chat/chat.h"
#include "media/media.h"
#include "privacy/privacy.h"
#include "rights/rights_int.h"

#include <string.h>

#define NOT_COLLECTED "not collected by this build"

static int phone(rights_export_ctx_t *x, json_t *records, err_t *e)
{
    char digits[12];
    int rc = auth_user_phone(x->c, x->user, digits, e);
    if (rc < 0)
        return rc;
    json_object_set_new(records, "phone", json_string(digits));
    sec_wipe(digits, sizeof(digits));
    return 0;
}

static int nickname(rights_export_ctx_t *x, json_t *records, err_t *e)
{
    json_t *nick;
    int rc = auth_user_nickname(x->c, x->user, &nick, e);
    if (rc == 0)
        json_object_set_new(records, "nickname", nick);
    return rc;
}

static int avatar(rights_export_ctx_t *x, json_t *records, err_t *e)
{
    json_t *id;
    int rc = auth_user_avatar(x->c, x->user, &id, e);
    if (rc == 0)
        json_object_set_new(records, "avatar_media_id", id);
    return rc;
}

static int chat_once(rights_export_ctx_t *x, err_t *e)
{
    return x->chat ? 0 : chat_export(x->c, x->user, &x->chat, e);
}

/* Conversations (the chat module) and uploads (media); the sync stream is a
 * store of its own. */
static int chat_content(rights_export_ctx_t *x, json_t *records, err_t *e)
{
    json_t *media;
    int rc;
    if ((rc = chat_once(x, e)) < 0 || (rc = media_export(x->c, x->user, &media, e)) < 0)
        return rc;
    json_object_set(records, "conversations", x->chat);
    json_object_set_new(records, "media", media);
    return 0;
}

/* Locations are held only as location messages the user sent. */
static int location(rights_export_ctx_t *x, json_t *records, err_t *e)
{
    int rc = chat_once(x, e);
    if (rc < 0)
        return rc;
    char me[21];
    snprintf(me, sizeof(me), "%lld", (long long)x->user);
    json_t *sent = json_array();
    size_t i, j;
    json_t *conv, *m;
    json_array_foreach(x->chat, i, conv)
    {
        json_array_foreach(json_object_get(conv, "messages"), j, m)
        {
            const char *sender = json_string_value(json_object_get(m, "sender_id"));
            const char *kind = json_string_value(json_object_get(m, "kind"));
            if (sender && kind && strcmp(sender, me) == 0 && strcmp(kind, "location") == 0)
                json_array_append(sent, m);
        }
    }
    json_object_set_new(records, "location_messages", sent);
    return 0;
}

const rights_source_t rights_sources[] = {
    {"phone", phone, NULL},
    {"nickname", nickname, NULL},
    {"avatar", avatar, NULL},
    {"location", location, NULL},
    {"chat_content", chat_content, NULL},
    {"appointments", NULL, NOT_COLLECTED},
    {"address", NULL, NOT_COLLECTED},
    {"orders", NULL, NOT_COLLECTED},
    {"ip_address", NULL,
     "kept only as a keyed hash of the address of clients not signed in, for one hour "
     "(rate limits); never linked to an account"},
    {"browsing", NULL, NOT_COLLECTED},
    {"wristband", NULL, NOT_COLLECTED},
};
const size_t rights_sources_count = sizeof(rights_sources) / sizeof(rights_sources[0]);

const rights_source_t *rights_source_find(const char *category)
{
    for (size_t i = 0; i < rights_sources_count; i++)
        if (strcmp(rights_sources[i].category, category) == 0)
            return &rights_sources[i];
    return NULL;
}
