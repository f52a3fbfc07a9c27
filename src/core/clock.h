/* clock.h - wall clock in epoch milliseconds and a monotonic clock. */
#ifndef WLK_CLOCK_H
#define WLK_CLOCK_H

#include <stdint.h>

/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t clock_now_ms(void);
/* Monotonic nanoseconds, for durations. */
int64_t clock_mono_ns(void);

#endif
