/* fuzz_xff.c - X-Forwarded-For and address parsing (untrusted header
 * bytes): never reads past the input, and whatever client it picks is an
 * address it can take the network of, not in the trusted list, and a
 * NUL-terminated string that fits the buffer. */
#include "core/netaddr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const trusted = "127.0.0.1,10.0.0.0/8,::1,2001:db8::/32";
    char *xff = malloc(size ? size : 1), out[64], net[NETADDR_NET_LEN];
    memcpy(xff, data, size); /* not NUL-terminated: len bytes only */
    if (netaddr_forwarded_client(xff, size, trusted, out, sizeof(out))) {
        if (memchr(out, '\0', sizeof(out)) == NULL || netaddr_list_contains(trusted, out) ||
            !netaddr_network(out, net))
            abort();
    }
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    const char *bad = NULL;
    if (!netaddr_list_valid(s, &bad) && bad == NULL)
        abort();
    (void)netaddr_network(s, net);
    free(s);
    free(xff);
    return 0;
}
