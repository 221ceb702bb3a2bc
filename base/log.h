/*
 * Structured log lines on stderr: `ts level msg key=value...`. Callers must never pass
 * secrets or tokens. Stateless (no global level), so it is safe from any thread.
 */
#ifndef TCA_LOG_H
#define TCA_LOG_H

/** Logs an informational line. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Logs a warning line. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Logs an error line. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
