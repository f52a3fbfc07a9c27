/* netaddr.h - client addresses: the network an address belongs to (/24 for
 * IPv4, /48 for IPv6: all the security log may keep, and only hashed), and
 * lists of trusted proxies ("10.0.0.1,192.168.0.0/16,::1"). Pure functions,
 * no system calls. */
#ifndef WLK_NETADDR_H
#define WLK_NETADDR_H

#include <stdbool.h>
#include <stddef.h>

#define NETADDR_NET_LEN 64

/* The network of ip as text ("203.0.113.0/24", "2001:db8:1::/48") in
 * out[NETADDR_NET_LEN]. false if ip is not an address. */
bool netaddr_network(const char *ip, char out[NETADDR_NET_LEN]);
/* Whether list (comma-separated addresses and CIDRs) reads well; on false
 * *bad points at the first entry that does not. An empty list is valid. */
bool netaddr_list_valid(const char *list, const char **bad);
/* Whether ip is one of the list's addresses or inside one of its CIDRs. */
bool netaddr_list_contains(const char *list, const char *ip);
/* The client behind trusted proxies: the rightmost address of xff
 * (an X-Forwarded-For value, len bytes) that is not in trusted, copied to
 * out; false when there is none (then the peer is the client). */
bool netaddr_forwarded_client(const char *xff, size_t len, const char *trusted, char *out,
                              size_t outlen);

#endif
