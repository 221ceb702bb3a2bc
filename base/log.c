/*
 * Log lines to stderr with a UTC timestamp; one write per line so threads do not interleave.
 * TCA_LOG_FORMAT=json makes each line one JSON object ({"ts","level","msg"}) for log
 * collectors (Loki's promtail). Never logs anything itself: callers keep secrets out.
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

static void vlog(const char *level, const char *fmt, va_list ap)
{
    char line[2048];
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    int n = (int)strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
    n += snprintf(line + n, sizeof line - (size_t)n, ".%03ldZ %s ", (long)tv.tv_usec / 1000, level);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    if (m < 0)
        m = 0;
    n += m;
    if ((size_t)n > sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n] = 0;
    /* read at each line, not cached: no process-wide state in base/, and logging is rare */
    const char *format = getenv("TCA_LOG_FORMAT");
    char *json = NULL;
    if (format && strcmp(format, "json") == 0) {
        char ts[32];
        const char *sp = strchr(line, ' ');
        size_t tslen = (size_t)(sp - line);
        memcpy(ts, line, tslen < sizeof ts ? tslen : sizeof ts - 1);
        ts[tslen < sizeof ts ? tslen : sizeof ts - 1] = 0;
        const char *msg = sp + 1 + strlen(level) + 1;
        /* a message that is not UTF-8 (a Twitch name cut mid-character) stays a plain line */
        json_t *o = json_pack("{s:s, s:s, s:s}", "ts", ts, "level", level, "msg", msg);
        json = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
    }
    ssize_t w;
    if (json) {
        char out[4 * sizeof line];
        int k = snprintf(out, sizeof out, "%s\n", json);
        free(json);
        if (k > 0 && (size_t)k < sizeof out) {
            w = write(STDERR_FILENO, out, (size_t)k);
            (void)w;
            return;
        }
    }
    line[n++] = '\n';
    w = write(STDERR_FILENO, line, (size_t)n);
    (void)w;
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
