/*
 * Picks a kv back end from a URL (lib-sql's sql_init(driver, connect_string)). Parses the
 * address only; it must never hold a connection or know a back end's insides.
 */
#include "kv/kv.h"
#include "base/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE "expected redis://HOST:PORT or unix:///path/redis.sock"

static int parse_redis(const char *hostport, struct kv **out, char *err, size_t errlen)
{
    char host[256];
    const char *colon = strrchr(hostport, ':');
    size_t n = colon ? (size_t)(colon - hostport) : strlen(hostport);
    const char *end = hostport + strlen(hostport);
    if (end > hostport && end[-1] == '/')
        end--; /* redis://host:port/ */
    if (n == 0 || n >= sizeof host)
        return tca_fail(err, errlen, TCA_EINVAL, "%s", USAGE);
    memcpy(host, hostport, n);
    host[n] = '\0';
    long port = 6379;
    if (colon) {
        char *stop;
        errno = 0;
        port = strtol(colon + 1, &stop, 10);
        if (errno || stop != end || port < 1 || port > 65535)
            return tca_fail(err, errlen, TCA_EINVAL, "the port of redis://%s must be 1-65535",
                            host);
    }
    return kv_redis_open(host, (int)port, out, err, errlen);
}

int kv_open(const char *url, struct kv **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!url || !*url) {
        *out = kv_memory_new();
        return 0;
    }
    if (strncmp(url, "redis://", 8) == 0)
        return parse_redis(url + 8, out, err, errlen);
    if (strncmp(url, "unix://", 7) == 0 && url[7] == '/')
        return kv_redis_open(url + 7, 0, out, err, errlen);
    return tca_fail(err, errlen, TCA_EINVAL, "%s", USAGE);
}

void kv_close(struct kv *kv)
{
    if (kv)
        kv->ops->close(kv);
}

const char *kv_name(const struct kv *kv)
{
    return kv->ops->name;
}
