/*
 * One HTTP request to the simulator and the reply built for it: query and form arguments,
 * headers, and JSON/error replies in Twitch's shapes. Handlers fill a `struct call`; sim.c
 * turns it into a libmicrohttpd response. Nothing here touches the network.
 */
#ifndef TCA_SIM_CALL_H
#define TCA_SIM_CALL_H

#include <jansson.h>
#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>

/** Form fields of a request body (x-www-form-urlencoded), decoded. */
struct call_form {
    char **keys; /* owned, as are values */
    char **values;
    size_t n;
};

struct call {
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    const char *body; /* NUL-terminated; "" when none */
    size_t body_len;
    struct call_form form; /* parsed from body on demand by call_form_get */
    int form_parsed;

    /* the reply */
    int status;
    char *reply; /* owned */
    size_t reply_len;
    char *location;    /* owned; a redirect target */
    int has_ratelimit; /* send the Ratelimit-* headers below */
    long rl_limit;
    long rl_remaining;
    int64_t rl_reset; /* Unix seconds */
};

/** The first query argument named key, or NULL. */
const char *call_arg(struct call *c, const char *key);
/** Every query argument named key, in order: writes at most max, returns how many there are. */
size_t call_args(struct call *c, const char *key, const char **out, size_t max);
/** A request header, or NULL. */
const char *call_header(struct call *c, const char *name);
/** The form field named key from the body, or NULL. */
const char *call_form_get(struct call *c, const char *key);

/** Replies status with the JSON value j (stolen: the call takes the reference). */
void call_reply_json(struct call *c, int status, json_t *j);
/** Replies Helix's error shape {"error","status","message"}. */
void call_reply_helix_error(struct call *c, int status, const char *message);
/** Replies the OAuth error shape {"status","message"}. */
void call_reply_oauth_error(struct call *c, int status, const char *message);
/** Replies a 302 to location (copied). */
void call_redirect(struct call *c, const char *location);
/** Frees what the call owns. */
void call_clear(struct call *c);

/** Percent-encodes s for a URL query (caller frees). */
char *call_urlencode(const char *s);
/** Parses a decimal Twitch id (1..2^63-1); returns 0 or -1. */
int call_parse_id(const char *s, int64_t *id);
/** Parses an integer in [min, max]; NULL or empty gives def. Returns 0 or -1. */
int call_parse_int(const char *s, long min, long max, long def, long *out);

#endif
