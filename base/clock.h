/*
 * Time helpers. Code that tests must control (scheduler, rate limiter, simulator) takes a
 * `struct clock` instead of calling these directly.
 */
#ifndef TCA_CLOCK_H
#define TCA_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/** Milliseconds since the Unix epoch (wall clock). */
int64_t clock_wall_ms(void);
/** Milliseconds from a monotonic clock, for durations. */
int64_t clock_mono_ms(void);
/** Sleeps for ms milliseconds (restarting after signals). */
void clock_sleep_ms(int64_t ms);
/** Formats a wall time (ms) as RFC 3339 UTC "2024-01-02T03:04:05Z" into out (>= 21 bytes). */
void clock_format_rfc3339(int64_t ms, char *out, size_t outlen);
/** Parses RFC 3339 ("...Z" or with fraction/offset) to ms; returns 0 or -1. */
int clock_parse_rfc3339(const char *s, int64_t *ms);

/** A clock that can be replaced in tests. */
struct clock {
    int64_t (*now_ms)(void *ctx); /* wall-clock milliseconds */
    void (*sleep_ms)(void *ctx, int64_t ms);
    void *ctx;
};

/** The real clock. */
struct clock clock_real(void);

#endif
