/* str.h - a growable byte buffer for building text. */
#ifndef WLK_STR_H
#define WLK_STR_H

#include <stddef.h>

typedef struct str {
    char *buf; /* always NUL-terminated once anything was appended */
    size_t len, cap;
} str_t;

void str_append(str_t *s, const char *p, size_t n);
void str_puts(str_t *s, const char *p);
__attribute__((format(printf, 2, 3))) void str_printf(str_t *s, const char *fmt, ...);
/* Hands the buffer to the caller (free()) and resets s. Never NULL. */
char *str_take(str_t *s);
void str_free(str_t *s);

#endif
