/* fuzz_router.c - "METHOD PATH" against the real route table. */
#include "http/router.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static http_router_t *r;
    if (r == NULL)
        r = http_router_create(api_routes, api_routes_count);
    const char *s = (const char *)data;
    const char *sp = memchr(s, ' ', size);
    size_t mlen = sp ? (size_t)(sp - s) : 0;
    const char *path = sp ? sp + 1 : s;
    size_t plen = size - (sp ? mlen + 1 : 0);
    api_slice_t params[API_MAX_PARAMS];
    char allow[64];
    int rc = http_router_match(r, s, mlen, path, plen, params, allow, sizeof(allow));
    if (rc >= 0) {
        for (int i = 0; i < API_MAX_PARAMS; i++)
            (void)params[i];
    }
    return 0;
}
