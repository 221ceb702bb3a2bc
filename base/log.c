/*
 * Log lines to stderr with a UTC timestamp; one write per line so threads do not interleave.
 * TCA_LOG_FORMAT=json makes each line one JSON object ({"ts","level","msg"}) for log
 * collectors (Loki's promtail), including the plain errors a command prints before it logs
 * anything (log_cli_error). Never logs anything itself: callers keep secrets out.
 */
#include "base/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 2048

static int json_wanted(void)
{
    /* read at each line, not cached: no process-wide state in base/, and logging is rare */
    const char *format = getenv("TCA_LOG_FORMAT");
    return format && strcmp(format, "json") == 0;
}

/* Writes {"ts","level","msg"} as one line; 0 if msg could not be (it is not UTF-8: a Twitch
 * name cut mid-character), and the caller writes a plain line instead. */
static int write_json(const char *ts, const char *level, const char *msg)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "ts", ts, "level", level, "msg", msg);
    char *json = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!json)
        return 0;
    char out[4 * LINE_MAX_BYTES];
    int k = snprintf(out, sizeof out, "%s\n", json);
    free(json);
    if (k <= 0 || (size_t)k >= sizeof out)
        return 0;
    ssize_t w = write(STDERR_FILENO, out, (size_t)k);
    (void)w;
    return 1;
}

/* The timestamp of now, `2026-12-01T19:57:49.123Z`, into ts (at least 32 bytes). */
static void timestamp(char *ts, size_t size)
{
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(ts, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts + n, size - n, ".%03ldZ", (long)tv.tv_usec / 1000);
}

/* Formats into line (LINE_MAX_BYTES, cut to fit with room for a newline); returns its length. */
static size_t format_line(char *line, size_t at, const char *fmt, va_list ap)
{
    int m = vsnprintf(line + at, LINE_MAX_BYTES - at - 1, fmt, ap);
    size_t n = at + (m < 0 ? 0 : (size_t)m);
    if (n > LINE_MAX_BYTES - 2)
        n = LINE_MAX_BYTES - 2;
    line[n] = 0;
    return n;
}

static void write_plain(char *line, size_t n)
{
    line[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, n);
    (void)w;
}

static void vlog(const char *level, const char *fmt, va_list ap)
{
    char line[LINE_MAX_BYTES], ts[32];
    timestamp(ts, sizeof ts);
    int at = snprintf(line, sizeof line, "%s %s ", ts, level);
    size_t n = format_line(line, (size_t)at, fmt, ap);
    if (json_wanted() && write_json(ts, level, line + at))
        return;
    write_plain(line, n);
}

void log_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("info", fmt, ap);
    va_end(ap);
}

void log_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("warn", fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("error", fmt, ap);
    va_end(ap);
}

void log_cli_error(const char *fmt, ...)
{
    char line[LINE_MAX_BYTES], ts[32];
    va_list ap;
    va_start(ap, fmt);
    size_t n = format_line(line, 0, fmt, ap);
    va_end(ap);
    if (json_wanted()) {
        timestamp(ts, sizeof ts);
        if (write_json(ts, "error", line))
            return;
    }
    write_plain(line, n);
}
