/* Test helper: reads a value of a JSON document by a path like "channels.0.participation". */
#ifndef TCA_TESTS_REPORT_JPATH_H
#define TCA_TESTS_REPORT_JPATH_H

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/** The value at path (dot-separated keys; numbers index arrays), or NULL. */
static inline json_t *jp(json_t *doc, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *v = doc;
    char *save = NULL;
    for (char *t = strtok_r(buf, ".", &save); t && v; t = strtok_r(NULL, ".", &save))
        v = json_is_array(v) ? json_array_get(v, (size_t)atoi(t)) : json_object_get(v, t);
    return v;
}

/** The integer at path (0 when absent). */
static inline long long jpi(json_t *doc, const char *path)
{
    return (long long)json_integer_value(jp(doc, path));
}

/** The number at path (integer or real). */
static inline double jpd(json_t *doc, const char *path)
{
    return json_number_value(jp(doc, path));
}

#endif
