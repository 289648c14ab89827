/*
 * Ports the harness hands to a peer that binds them itself (a client's
 * http-01 or tls-alpn-01 server). A port found by binding port 0 comes from
 * the kernel's range for outgoing connections (ip_local_port_range), so any
 * connection can take it between the moment it is chosen and the moment the
 * peer binds it; and two scenarios could be handed the same one. These
 * ports come from below (or above) that range, are checked free on
 * 127.0.0.1 for TCP and UDP, and are never handed out twice by one process.
 */
#ifndef ACMESPEC_PORTS_H
#define ACMESPEC_PORTS_H

/*
 * A free loopback port outside the outgoing range, not handed out before
 * by this process (thread-safe). The search starts at a random place, so
 * that two harness processes on one host rarely meet. -1 when none is free.
 */
int acs_port_reserve(void);

/*
 * The kernel's outgoing range (/proc/sys/net/ipv4/ip_local_port_range;
 * 32768-60999 when it cannot be read).
 */
void acs_port_ephemeral_range(int *lo, int *hi);

#endif
