/* Due schedules become capture jobs; never two captures of one channel at a time. */
#include "jobs/scheduler.h"
#include "base/err.h"
#include "jobs/worker.h"

#include <stdlib.h>

int scheduler_tick(struct store *st, int64_t now_ms, int *queued, int64_t *lag_ms, char *err,
                   size_t errlen)
{
    struct store_schedule *due = NULL;
    size_t n = 0;
    int count = 0;
    int64_t lag = 0;
    int rc = store_schedule_due(st, now_ms, &due, &n, err, errlen);
    for (size_t i = 0; i < n && !rc; i++) {
        const struct store_schedule *s = &due[i];
        if (now_ms - s->next_at_ms > lag)
            lag = now_ms - s->next_at_ms;
        int64_t job_id = 0;
        int e = worker_enqueue_capture(st, s->session_id, s->channel_id, s->user_id, now_ms,
                                       &job_id, err, errlen);
        if (e == 0)
            count++;
        else if (e != TCA_ECONFLICT)
            rc = e;
        if (rc)
            break;
        int64_t interval = (int64_t)s->interval_s * 1000;
        int64_t next = s->next_at_ms + interval;
        if (next <= now_ms)
            next = now_ms + interval;
        rc = store_schedule_advance(st, s->session_id, s->channel_id, next, err, errlen);
    }
    free(due);
    if (queued)
        *queued = count;
    if (lag_ms)
        *lag_ms = lag;
    return rc;
}

int scheduler_validate_tokens(struct store *st, int64_t now_ms, int64_t validated_before_ms,
                              int *queued, char *err, size_t errlen)
{
    int64_t *users = NULL;
    size_t n = 0;
    int count = 0;
    int rc = store_token_stale(st, validated_before_ms, 1000, &users, &n, err, errlen);
    for (size_t i = 0; i < n && !rc; i++) {
        rc = worker_enqueue_validate(st, users[i], now_ms, err, errlen);
        if (!rc)
            count++;
    }
    free(users);
    if (queued)
        *queued = count;
    return rc;
}
