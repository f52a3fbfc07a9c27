/* str.h - a growable byte buffer for building text. */
#ifndef WLK_STR_H
#define WLK_STR_H

#include <stddef.h>
#include <stdint.h>

typedef struct str {
    char *buf; /* always NUL-terminated once anything was appended */
    size_t len, cap;
} str_t;

void str_append(str_t *s, const char *p, size_t n);
void str_puts(str_t *s, const char *p);
__attribute__((format(printf, 2, 3))) void str_printf(str_t *s, const char *fmt, ...);
/* Number formatting without printf (hot paths: ids, request ids, the
 * access log). Each writes the digits to out, NUL-terminated, and returns
 * their count. out holds at least 21 bytes (str_hex16: 17). */
size_t str_fmt_u64(char *out, uint64_t v);
size_t str_fmt_i64(char *out, int64_t v);
size_t str_hex16(char *out, uint64_t v);
/* Milliseconds with three decimals ("12.345") from nanoseconds. */
size_t str_fmt_ms3(char *out, int64_t ns);
/* Hands the buffer to the caller (free()) and resets s. Never NULL. */
char *str_take(str_t *s);
void str_free(str_t *s);

#endif
