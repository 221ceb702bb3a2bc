/*
 * Error codes shared by every layer. Functions that can fail return 0 or one of these
 * (negative) and describe the failure in a caller-supplied `char *err, size_t errlen`.
 * Only the boundary (cmd/, web/) logs or maps them to an exit code or HTTP status.
 */
#ifndef TCA_ERR_H
#define TCA_ERR_H

#include <stddef.h>

enum tca_err {
    TCA_OK = 0,
    TCA_ERR = -1,        /* generic failure */
    TCA_ENOTFOUND = -2,  /* the thing asked for does not exist */
    TCA_EINVAL = -3,     /* bad input from outside */
    TCA_ECONFLICT = -4,  /* lost a race or a uniqueness rule; safe to retry or skip */
    TCA_ELIMIT = -5,     /* a limit was reached (saved sessions, sizes) */
    TCA_EAUTH = -6,      /* credentials rejected (Twitch 401 after refresh, bad key) */
    TCA_EFORBIDDEN = -7, /* authenticated but not allowed (Twitch 403, not a moderator) */
    TCA_ERATELIMIT = -8, /* rate limit hit and could not wait */
    TCA_ETEMP = -9,      /* temporary failure (5xx, timeout, busy): retry later */
    TCA_EPROTO = -10,    /* the peer answered something malformed */
    TCA_EDB = -11,       /* store failure */
};

/** Writes a printf-style message into err (if non-NULL) and returns code. */
int tca_fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/** A short stable name for an error code ("not_found", "invalid", ...). */
const char *tca_err_name(int code);

#endif
