/*
 * Operations endpoints: /healthz (the process answers), /readyz (the store answers and
 * Twitch's OAuth endpoint is reachable), /metrics (Prometheus text: the process's registry,
 * the Twitch rate-limit budget, process_*, and the job queue's depth and age from the store)
 * and the OpenAPI document. None of them needs a login; none reveals a user, token or configuration
 * value.
 */
#include "web/internal.h"

#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void web_healthz(struct web_req *r)
{
    web_reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

/* Twitch is reachable when its OAuth base answers anything at all over HTTP. */
static int twitch_reachable(struct web *w)
{
    CURL *h = curl_easy_init();
    if (!h)
        return 0;
    char *url = xasprintf("%s/validate", w->o.twitch.auth_base);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 2000L);
    CURLcode rc = curl_easy_perform(h);
    curl_easy_cleanup(h);
    free(url);
    return rc == CURLE_OK;
}

void web_readyz(struct web_req *r)
{
    int64_t counts[4];
    char err[256];
    int store_ok = web_store(r) && store_job_counts(r->st, counts, err, sizeof err) == 0;
    if (!store_ok)
        r->status = 0; /* web_store may have replied 503; the reply below says why */
    int twitch_ok = twitch_reachable(r->w);
    int ok = store_ok && twitch_ok;
    web_reply_json(r, ok ? 200 : 503,
                   json_pack("{s:s, s:s, s:s}", "status", ok ? "ready" : "not_ready", "store",
                             store_ok ? "ok" : "unavailable", "twitch",
                             twitch_ok ? "ok" : "unreachable"));
}

void web_metrics_route(struct web_req *r)
{
    struct buf b;
    int64_t counts[4] = {0}, age = 0, captures = 0, renames = 0;
    char err[256];
    buf_init(&b, 0);
    web_metrics_text(web_metrics_registry(r->w->metrics), r->w->o.twitch.budget, web_now_ms(r), &b);
    if (web_store(r) && store_job_counts(r->st, counts, err, sizeof err) == 0 &&
        store_job_oldest_due(r->st, web_now_ms(r), &age, err, sizeof err) == 0) {
        static const char *const names[] = {"queued", "running", "done", "failed"};
        buf_puts(&b,
                 "# HELP tca_jobs Jobs in the durable queue by state.\n# TYPE tca_jobs gauge\n");
        for (int i = 0; i < 4; i++)
            buf_printf(&b, "tca_jobs{state=\"%s\"} %lld\n", names[i], (long long)counts[i]);
        buf_printf(&b,
                   "# HELP tca_job_queue_age_seconds Age of the oldest due queued job.\n"
                   "# TYPE tca_job_queue_age_seconds gauge\ntca_job_queue_age_seconds %.3f\n",
                   (double)age / 1000.0);
    } else {
        r->status = 0;
        buf_puts(&b, "# the store did not answer: job gauges omitted\n");
    }
    if (web_store(r) && store_capture_totals(r->st, &captures, &renames, err, sizeof err) == 0)
        web_metrics_render_captures(&b, captures, renames);
    free(r->resp);
    r->resp_len = b.len;
    r->resp = buf_steal(&b);
    r->ctype = "text/plain; version=0.0.4";
    r->status = 200;
}

void web_openapi(struct web_req *r)
{
    const char *doc = web_openapi_text();
    free(r->resp);
    r->resp = xstrdup(doc);
    r->resp_len = strlen(doc);
    r->ctype = "application/json";
    r->status = 200;
}
