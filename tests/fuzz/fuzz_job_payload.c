/* libFuzzer target: job payloads survive crashes and versions, so any bytes must be safe. */
#include "jobs/job_payload.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct job_payload p;
    char err[128];
    job_payload_decode(text, &p, err, sizeof err);
    free(text);
    return 0;
}
