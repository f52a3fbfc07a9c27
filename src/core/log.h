/* log.h - structured logging: one JSON object per line on stderr.
 * Never pass personal data in clear: mask phones with log_mask_phone(). */
#ifndef WLK_LOG_H
#define WLK_LOG_H

#include <stddef.h>
#include <jansson.h>

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level_t;

void log_set_level(log_level_t level);
log_level_t log_get_level(void);
/* Parses "debug|info|warn|error"; returns 0 or -1. */
int log_level_parse(const char *s, log_level_t *out);
/* Writes {"ts","level","msg",...fields}; takes ownership of fields (may be NULL). */
void log_json(log_level_t level, const char *msg, json_t *fields);
/* Convenience: {"msg":msg,"detail":<formatted>}. */
__attribute__((format(printf, 3, 4))) void log_msg(log_level_t level, const char *msg,
                                                   const char *fmt, ...);
/* Writes an already formatted line (must end with '\n'): at once, or into
 * the calling thread's buffer once it called log_thread_buffer(). */
void log_line(const char *line, size_t len);
/* Buffers this thread's lines until log_flush() (event-loop threads flush
 * at least every 50 ms). log_thread_release() flushes and stops. */
void log_thread_buffer(void);
void log_flush(void);
/* Flushes when the buffer is half full or its oldest line is 50 ms old. */
void log_flush_due(void);
void log_thread_release(void);
/* Copies the masked form of an 11-digit phone ("138****5678") into out[12]. */
void log_mask_phone(const char *digits11, char out[12]);
/* Appends s to buf as a JSON string body (escaped, no quotes); returns bytes
 * written, truncating at cap. */
size_t log_escape(char *buf, size_t cap, const char *s, size_t len);

#endif
