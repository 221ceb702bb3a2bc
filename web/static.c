/*
 * The web UI's static files: index.html at / and the files of its static/ folder under
 * /static/, read from the folder TCA_UI_DIR (default ui/dist, assembled by ui/build.sh). Replies
 * carry a strong ETag (a hash of the bytes) and answer If-None-Match with 304, with Cache-Control
 * no-cache so a new build is seen at the next load. Paths are a strict whitelist of characters with
 * no dot segments, resolved inside the folder (no symlink leaves it); files past
 * STATIC_MAX_BYTES are refused. Never serves anything when the folder is absent.
 */
#include "web/internal.h"

#include "base/xalloc.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATIC_MAX_BYTES (8 * 1024 * 1024)
#define STATIC_PREFIX "/static/"

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
};

/* The Content-Type of a file name; NULL for a type the UI does not use (not served). */
static const char *type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return NULL;
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

int web_static_path_ok(const char *rel)
{
    size_t n = strlen(rel);
    if (n == 0 || n > 200 || rel[0] == '/' || rel[n - 1] == '/')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = rel[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '_' || c == '-' || c == '.' || c == '/'))
            return 0;
        /* every segment starts with a letter, digit or underscore: no "..", no dot files */
        if ((i == 0 || rel[i - 1] == '/') && (c == '.' || c == '/' || c == '-'))
            return 0;
    }
    return 1;
}

/* FNV-1a 64 of the bytes: the ETag. */
static uint64_t fnv(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* An If-None-Match header lists tag (or is "*"). */
static int etag_matches(const char *header, const char *tag)
{
    if (!header)
        return 0;
    if (strcmp(header, "*") == 0)
        return 1;
    size_t k = strlen(tag);
    for (const char *p = header; (p = strstr(p, tag)); p += k)
        if ((p == header || p[-1] == ' ' || p[-1] == ',' || p[-1] == '/') &&
            (p[k] == 0 || p[k] == ',' || p[k] == ' '))
            return 1;
    return 0;
}

/* Serves rel (already checked) from the UI folder; 0 when replied, -1 when there is no such
 * file (nothing replied). */
static int serve_file(struct web_req *r, const char *rel)
{
    const char *dir = r->w->o.ui_dir;
    const char *type = type_of(rel);
    if (!dir || !*dir || !type)
        return -1;
    char root[PATH_MAX], want[PATH_MAX], real[PATH_MAX];
    if (!realpath(dir, root))
        return -1;
    if (snprintf(want, sizeof want, "%s/%s", root, rel) >= (int)sizeof want ||
        !realpath(want, real))
        return -1;
    size_t rn = strlen(root);
    if (strncmp(real, root, rn) != 0 || real[rn] != '/')
        return -1; /* a symlink pointing out of the folder */
    int fd = open(real, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat sb;
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return -1;
    }
    if (sb.st_size > STATIC_MAX_BYTES) {
        close(fd);
        web_error(r, 404, "not_found", "no such file");
        return 0;
    }
    size_t size = (size_t)sb.st_size, got = 0;
    char *data = xmalloc(size ? size : 1);
    while (got < size) {
        ssize_t k = read(fd, data + got, size - got);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    if (got != size) {
        free(data);
        web_error(r, 500, "internal", "could not read a UI file");
        return 0;
    }
    snprintf(r->etag, sizeof r->etag, "\"%016llx-%zx\"", (unsigned long long)fnv(data, size), size);
    r->cache_control = "no-cache";
    free(r->resp);
    r->resp = NULL;
    r->resp_len = 0;
    r->ctype = type;
    if (etag_matches(web_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH), r->etag)) {
        free(data);
        r->status = 304;
        return 0;
    }
    r->resp = data;
    r->resp_len = size;
    r->status = 200;
    return 0;
}

int web_static_index(struct web_req *r)
{
    return serve_file(r, "index.html");
}

int web_static_file(struct web_req *r, const char *rel)
{
    return serve_file(r, rel);
}

int web_static_try(struct web_req *r)
{
    if (strncmp(r->path, STATIC_PREFIX, strlen(STATIC_PREFIX)) != 0)
        return 0;
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        snprintf(r->allow, sizeof r->allow, "GET, HEAD");
        web_error(r, 405, "method_not_allowed", "%s is not allowed here", r->method);
        return 1;
    }
    /* /static/X is the file static/X of the UI folder (next to index.html) */
    const char *rel = r->path + 1;
    if (!web_static_path_ok(r->path + strlen(STATIC_PREFIX)) || serve_file(r, rel) < 0)
        web_error(r, 404, "not_found", "no such file");
    return 1;
}

int web_ui_available(struct web *w)
{
    const char *dir = w->o.ui_dir;
    if (!dir || !*dir)
        return 0;
    char path[PATH_MAX];
    struct stat sb;
    return snprintf(path, sizeof path, "%s/index.html", dir) < (int)sizeof path &&
           stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}
