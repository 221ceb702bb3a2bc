/* Temporary files for unit tests. */
#include "tests/support/testutil.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *test_tmpdir(void)
{
    char tmpl[] = "/tmp/tca-test-XXXXXX";
    if (!mkdtemp(tmpl))
        abort();
    return xstrdup(tmpl);
}

char *test_write_file(const char *dir, const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
    return path;
}
