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

/**
 * An error a command prints for the person who ran it, such as a role's refusal to start on a
 * bad configuration: the line as it is, or under TCA_LOG_FORMAT=json (read from the
 * environment: the configuration may be what failed) the logger's JSON object at level error,
 * so a collector reading a role's output gets JSON only.
 */
void log_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
