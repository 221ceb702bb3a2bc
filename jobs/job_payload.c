/* JSON encoding of job payloads with jansson. */
#include "jobs/job_payload.h"
#include "base/err.h"

#include <jansson.h>
#include <string.h>

char *job_payload_encode(const struct job_payload *p)
{
    json_t *o = json_pack("{sIsIsI}", "session_id", (json_int_t)p->session_id, "channel_id",
                          (json_int_t)p->channel_id, "user_id", (json_int_t)p->user_id);
    if (p->delivery_id > 0)
        json_object_set_new(o, "delivery_id", json_integer(p->delivery_id));
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return s;
}

int job_payload_decode(const char *text, struct job_payload *out, char *err, size_t errlen)
{
    json_error_t je;
    json_int_t session = 0, channel = 0, user = 0, delivery = 0;
    memset(out, 0, sizeof *out);
    json_t *o = json_loads(text ? text : "", JSON_REJECT_DUPLICATES, &je);
    if (!o)
        return tca_fail(err, errlen, TCA_EINVAL, "job payload: %s", je.text);
    int rc = json_unpack_ex(o, &je, 0, "{s?I,s?I,s:I,s?I}", "session_id", &session, "channel_id",
                            &channel, "user_id", &user, "delivery_id", &delivery);
    json_decref(o);
    if (rc < 0)
        return tca_fail(err, errlen, TCA_EINVAL, "job payload: %s", je.text);
    if (session < 0 || channel < 0 || user <= 0 || delivery < 0)
        return tca_fail(err, errlen, TCA_EINVAL, "job payload: ids out of range");
    out->session_id = session;
    out->channel_id = channel;
    out->user_id = user;
    out->delivery_id = delivery;
    return 0;
}
