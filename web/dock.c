/*
 * The OBS dock page: GET /dock/{session} answers the UI's static/dock.html, a compact page
 * for a browser dock in OBS. The page authenticates its own API calls with a read-only API
 * key that it reads from the URL fragment (#key=...), which browsers never send: the key is
 * never in a request line, so never in an access log. This handler serves the page only; it
 * must never accept a key in the query string.
 */
#include "web/internal.h"

#include <string.h>

void web_dock(struct web_req *r)
{
    int64_t id;
    /* "active" or a session id; anything else is a broken link */
    if (strcmp(r->params[0], "active") != 0 && web_param_id(r, 0, &id) < 0)
        return;
    if (web_query(r, "key")) {
        web_error(r, 400, "key_in_query",
                  "an API key never goes in a URL's query string: put it after # (#key=...)");
        return;
    }
    if (web_static_file(r, "static/dock.html") < 0)
        web_error(r, 404, "not_found", "the dashboard's files are not installed (TCA_UI_DIR)");
}
