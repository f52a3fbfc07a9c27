/* jread.c - field validation shared by every JSON handler. */
#include "core/jread.h"

#include <stdio.h>
#include <string.h>

static int fail(err_t *e, const char *prefix, const char *key, const char *why)
{
    char field[64];
    if (prefix)
        snprintf(field, sizeof(field), "%s.%s", prefix, key);
    else
        snprintf(field, sizeof(field), "%s", key);
    return err_set(e, ERR_VALIDATION_FAILED, field, "%s %s", field, why);
}

int jread_keys(const json_t *obj, const char *prefix, const char *const *allowed, err_t *e)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, key) == 0;
        if (!ok)
            return fail(e, prefix, key, "is not a known field");
    }
    return 0;
}

size_t jread_utf8_len(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    return n;
}

static bool has_control(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return true;
        /* C1 controls U+0080..U+009F are encoded as C2 80..C2 9F */
        if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] < 0xa0)
            return true;
    }
    return false;
}

static int read_string(const json_t *obj, const char *prefix, const char *key, bool required,
                       size_t min, size_t max, bool text, const char **out, err_t *e)
{
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return required ? fail(e, prefix, key, "is required") : 0;
    if (!json_is_string(v))
        return fail(e, prefix, key, "must be a string");
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (strlen(s) != len || (!text && has_control(s, len)))
        return fail(e, prefix, key, "must not contain control characters");
    size_t n = jread_utf8_len(s, len);
    if (n < min || n > max)
        return fail(e, prefix, key, "has a bad length");
    *out = s;
    return 0;
}

int jread_str(const json_t *obj, const char *prefix, const char *key, bool required, size_t min,
              size_t max, const char **out, err_t *e)
{
    return read_string(obj, prefix, key, required, min, max, false, out, e);
}

int jread_text(const json_t *obj, const char *prefix, const char *key, bool required, size_t min,
               size_t max, const char **out, err_t *e)
{
    return read_string(obj, prefix, key, required, min, max, true, out, e);
}

int jread_obj(const json_t *obj, const char *prefix, const char *key, bool required,
              const json_t **out, err_t *e)
{
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return required ? fail(e, prefix, key, "is required") : 0;
    if (!json_is_object(v))
        return fail(e, prefix, key, "must be an object");
    *out = v;
    return 0;
}

int jread_bool(const json_t *obj, const char *prefix, const char *key, bool def, bool *out,
               err_t *e)
{
    json_t *v = json_object_get(obj, key);
    *out = def;
    if (v == NULL)
        return 0;
    if (!json_is_boolean(v))
        return fail(e, prefix, key, "must be true or false");
    *out = json_is_true(v);
    return 0;
}
