/* Error helpers: one place that formats failure messages and names codes. */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>

int tca_fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

const char *tca_err_name(int code)
{
    switch (code) {
    case TCA_OK:
        return "ok";
    case TCA_ENOTFOUND:
        return "not_found";
    case TCA_EINVAL:
        return "invalid";
    case TCA_ECONFLICT:
        return "conflict";
    case TCA_ELIMIT:
        return "limit";
    case TCA_EAUTH:
        return "unauthorized";
    case TCA_EFORBIDDEN:
        return "forbidden";
    case TCA_ERATELIMIT:
        return "rate_limited";
    case TCA_ETEMP:
        return "temporary";
    case TCA_EPROTO:
        return "protocol";
    case TCA_EDB:
        return "store";
    default:
        return "error";
    }
}
