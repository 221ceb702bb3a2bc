/*
 * The store's front door: store_open picks the back end from the URL's scheme, and the
 * helpers that do not depend on a back end live here. Never SQL, never a back end's types:
 * those stay in store/sqlite_*.c and store/mariadb_*.c.
 */
#include "store/store_driver.h"
#include "base/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_open(const char *url, struct store **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!url || !*url)
        return tca_fail(err, errlen, TCA_EINVAL, "store: empty store URL");
    if (!strncmp(url, "sqlite:", 7))
        return sqlite_store_open(url + 7, out, err, errlen);
    if (!strncmp(url, "mysql://", 8) || !strncmp(url, "mariadb://", 10))
        return mariadb_store_open(url, out, err, errlen);
    if (strstr(url, "://"))
        return tca_fail(err, errlen, TCA_EINVAL,
                        "store: unknown scheme (expected sqlite:PATH or mysql://...)");
    /* A bare path is a SQLite file: what TCA_DB has always named. */
    return sqlite_store_open(url, out, err, errlen);
}

void store_close(struct store *st)
{
    if (st)
        st->ops->close(st);
}

const char *store_backend(const struct store *st)
{
    return st->ops->name;
}

void store_url_redact(const char *url, char *out, size_t outlen)
{
    const char *scheme = strstr(url, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *colon = at ? memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) : NULL;
    if (!colon) {
        snprintf(out, outlen, "%s", url);
        return;
    }
    snprintf(out, outlen, "%.*s:***%s", (int)(colon - url), url, at);
}

void store_token_clear(struct store_token *token)
{
    free(token->access_sealed);
    free(token->refresh_sealed);
    token->access_sealed = token->refresh_sealed = NULL;
}

void store_job_clear(struct store_job *job)
{
    free(job->payload);
    free(job->last_error);
    job->payload = job->last_error = NULL;
}
