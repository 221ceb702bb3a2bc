/* Job payloads: the small JSON documents jobs carry. Parsed strictly, since a payload is
 * data that survived a crash and may come from another version of tca. */
#ifndef TCA_JOB_PAYLOAD_H
#define TCA_JOB_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

struct job_payload {
    int64_t session_id; /* 0 for validate jobs */
    int64_t channel_id; /* 0 for enrich and validate jobs */
    int64_t user_id;
    int64_t delivery_id; /* deliver jobs only; 0 (and absent from the JSON) otherwise */
};

/** Encodes a payload as JSON (caller frees). */
char *job_payload_encode(const struct job_payload *p);
/** Decodes a payload; TCA_EINVAL with a message when it is malformed. */
int job_payload_decode(const char *json, struct job_payload *out, char *err, size_t errlen);

#endif
