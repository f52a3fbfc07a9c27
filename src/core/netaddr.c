/* netaddr.c - address networks, trusted proxy lists, X-Forwarded-For. */
#include "core/netaddr.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct addr {
    int family; /* AF_INET, AF_INET6 */
    uint8_t b[16];
} addr_t;

static bool parse(const char *s, size_t len, addr_t *a)
{
    char buf[INET6_ADDRSTRLEN];
    while (len > 0 && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0 || len >= sizeof(buf))
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (inet_pton(AF_INET, buf, a->b) == 1) {
        a->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, buf, a->b) == 1) {
        a->family = AF_INET6;
        return true;
    }
    return false;
}

/* Keeps the first bits of a, zeroing the rest. */
static void mask(addr_t *a, int bits)
{
    int n = a->family == AF_INET ? 4 : 16;
    for (int i = 0; i < n; i++) {
        int keep = bits - i * 8;
        a->b[i] &= keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
    }
}

bool netaddr_network(const char *ip, char out[NETADDR_NET_LEN])
{
    addr_t a;
    char text[INET6_ADDRSTRLEN];
    if (ip == NULL || !parse(ip, strlen(ip), &a))
        return false;
    int bits = a.family == AF_INET ? 24 : 48;
    mask(&a, bits);
    inet_ntop(a.family, a.b, text, sizeof(text));
    snprintf(out, NETADDR_NET_LEN, "%s/%d", text, bits);
    return true;
}

/* One list entry: an address or address/bits. */
static bool parse_cidr(const char *s, size_t len, addr_t *a, int *bits)
{
    const char *slash = memchr(s, '/', len);
    if (!parse(s, slash ? (size_t)(slash - s) : len, a))
        return false;
    int max = a->family == AF_INET ? 32 : 128;
    *bits = max;
    if (slash == NULL)
        return true;
    char num[8];
    size_t nl = len - (size_t)(slash - s) - 1;
    if (nl == 0 || nl >= sizeof(num))
        return false;
    memcpy(num, slash + 1, nl);
    num[nl] = '\0';
    char *end;
    long b = strtol(num, &end, 10);
    if (*end != '\0' || b < 0 || b > max)
        return false;
    *bits = (int)b;
    return true;
}

typedef bool (*entry_fn)(const char *s, size_t len, void *arg);

/* Calls fn on each comma-separated entry; stops when it returns false. */
static bool each(const char *list, entry_fn fn, void *arg)
{
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (!fn(p, n, arg))
            return false;
        p += n + (p[n] == ',');
    }
    return true;
}

static bool check_entry(const char *s, size_t len, void *arg)
{
    addr_t a;
    int bits;
    if (parse_cidr(s, len, &a, &bits))
        return true;
    *(const char **)arg = s;
    return false;
}

bool netaddr_list_valid(const char *list, const char **bad)
{
    *bad = NULL;
    return each(list, check_entry, bad);
}

typedef struct probe {
    addr_t ip;
    bool found;
} probe_t;

static bool match_entry(const char *s, size_t len, void *arg)
{
    probe_t *p = arg;
    addr_t net, ip = p->ip;
    int bits;
    if (!parse_cidr(s, len, &net, &bits) || net.family != ip.family)
        return true;
    mask(&net, bits);
    mask(&ip, bits);
    p->found = memcmp(net.b, ip.b, net.family == AF_INET ? 4 : 16) == 0;
    return !p->found;
}

static bool contains(const char *list, const addr_t *a)
{
    probe_t p = {.ip = *a};
    each(list, match_entry, &p);
    return p.found;
}

bool netaddr_list_contains(const char *list, const char *ip)
{
    addr_t a;
    return ip && parse(ip, strlen(ip), &a) && contains(list, &a);
}

bool netaddr_forwarded_client(const char *xff, size_t len, const char *trusted, char *out,
                              size_t outlen)
{
    size_t end = len;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        addr_t a;
        if (!parse(xff + start, end - start, &a))
            return false; /* garbage: trust nothing to its left */
        if (!contains(trusted, &a)) {
            inet_ntop(a.family, a.b, out, (socklen_t)outlen);
            return true;
        }
        end = start > 0 ? start - 1 : 0;
    }
    return false;
}
