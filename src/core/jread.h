/* jread.h - strict readers for JSON request bodies. Every failure sets a
 * 422 validation_failed naming the field as "prefix.key" (prefix may be
 * NULL). Strings come back borrowed: valid while the object lives. */
#ifndef WLK_JREAD_H
#define WLK_JREAD_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

/* Every key of obj must be in allowed (NULL-terminated); else 422 naming
 * the first unknown key. */
int jread_keys(const json_t *obj, const char *prefix, const char *const *allowed, err_t *e)
    __attribute__((warn_unused_result));
/* A string of min..max Unicode code points with no control characters.
 * Absent and optional: *out = NULL, returns 0. null is never accepted. */
int jread_str(const json_t *obj, const char *prefix, const char *key, bool required, size_t min,
              size_t max, const char **out, err_t *e) __attribute__((warn_unused_result));
/* Like jread_str, but free text: line breaks and tabs are allowed (still
 * no NUL). */
int jread_text(const json_t *obj, const char *prefix, const char *key, bool required, size_t min,
               size_t max, const char **out, err_t *e) __attribute__((warn_unused_result));
/* A nested object (absent and optional: *out = NULL). */
int jread_obj(const json_t *obj, const char *prefix, const char *key, bool required,
              const json_t **out, err_t *e) __attribute__((warn_unused_result));
/* true or false (absent: *out = def). */
int jread_bool(const json_t *obj, const char *prefix, const char *key, bool def, bool *out,
               err_t *e) __attribute__((warn_unused_result));
/* Number of code points in valid UTF-8 s[0..len). */
size_t jread_utf8_len(const char *s, size_t len);

#endif
