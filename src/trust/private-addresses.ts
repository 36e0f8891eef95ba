/**
 * Which IP addresses no outbound request may reach (SEC-15): every range of the IANA IPv4 and IPv6
 * Special-Purpose Address Registries (RFC 6890 and the RFCs each row names), taken whole whatever the
 * registry's "globally reachable" column says, plus multicast, the deprecated site-local and
 * IPv4-compatible ranges and the IPv4-translated form, so that no address embedding an IPv4 address
 * (mapped, compatible, translated, NAT64, 6to4, Teredo) can smuggle one of the IPv4 ranges through.
 *
 * The table below is the one place these ranges are declared; test/trust/private-addresses.test.ts
 * tries the first and last address of each and its neighbours outside.
 */
import { BlockList, isIP } from 'node:net'

/** One forbidden range: CIDR, what the registry calls it, where it is defined. */
export type ForbiddenRange = { readonly cidr: string; readonly name: string; readonly source: string }

/** IANA IPv4 Special-Purpose Address Registry, every row, and IPv4 multicast. */
export const FORBIDDEN_IPV4_RANGES: readonly ForbiddenRange[] = [
  { cidr: '0.0.0.0/8', name: '"This network"', source: 'RFC 791 §3.2' },
  { cidr: '0.0.0.0/32', name: '"This host on this network"', source: 'RFC 1122 §3.2.1.3' },
  { cidr: '10.0.0.0/8', name: 'Private-Use', source: 'RFC 1918' },
  { cidr: '100.64.0.0/10', name: 'Shared Address Space (carrier-grade NAT)', source: 'RFC 6598' },
  { cidr: '127.0.0.0/8', name: 'Loopback', source: 'RFC 1122 §3.2.1.3' },
  { cidr: '169.254.0.0/16', name: 'Link Local (cloud metadata 169.254.169.254)', source: 'RFC 3927' },
  { cidr: '172.16.0.0/12', name: 'Private-Use', source: 'RFC 1918' },
  { cidr: '192.0.0.0/24', name: 'IETF Protocol Assignments', source: 'RFC 6890 §2.1' },
  { cidr: '192.0.0.0/29', name: 'IPv4 Service Continuity Prefix', source: 'RFC 7335' },
  { cidr: '192.0.0.8/32', name: 'IPv4 dummy address', source: 'RFC 7600' },
  { cidr: '192.0.0.9/32', name: 'Port Control Protocol Anycast', source: 'RFC 7723' },
  { cidr: '192.0.0.10/32', name: 'Traversal Using Relays around NAT Anycast', source: 'RFC 8155' },
  { cidr: '192.0.0.170/32', name: 'NAT64/DNS64 Discovery', source: 'RFC 8880, RFC 7050 §2.2' },
  { cidr: '192.0.0.171/32', name: 'NAT64/DNS64 Discovery', source: 'RFC 8880, RFC 7050 §2.2' },
  { cidr: '192.0.2.0/24', name: 'Documentation (TEST-NET-1)', source: 'RFC 5737' },
  { cidr: '192.31.196.0/24', name: 'AS112-v4', source: 'RFC 7535' },
  { cidr: '192.52.193.0/24', name: 'AMT', source: 'RFC 7450' },
  { cidr: '192.88.99.0/24', name: 'Deprecated (6to4 Relay Anycast)', source: 'RFC 7526' },
  { cidr: '192.88.99.2/32', name: '6a44-relay anycast address', source: 'RFC 6751' },
  { cidr: '192.168.0.0/16', name: 'Private-Use', source: 'RFC 1918' },
  { cidr: '192.175.48.0/24', name: 'Direct Delegation AS112 Service', source: 'RFC 7534' },
  { cidr: '198.18.0.0/15', name: 'Benchmarking', source: 'RFC 2544' },
  { cidr: '198.51.100.0/24', name: 'Documentation (TEST-NET-2)', source: 'RFC 5737' },
  { cidr: '203.0.113.0/24', name: 'Documentation (TEST-NET-3)', source: 'RFC 5737' },
  { cidr: '224.0.0.0/4', name: 'Multicast (not in the special-purpose registry)', source: 'RFC 5771' },
  { cidr: '240.0.0.0/4', name: 'Reserved', source: 'RFC 1112 §4' },
  { cidr: '255.255.255.255/32', name: 'Limited Broadcast', source: 'RFC 8190, RFC 919 §7' },
]

/** IANA IPv6 Special-Purpose Address Registry, every row, and the forms that embed an IPv4 address. */
export const FORBIDDEN_IPV6_RANGES: readonly ForbiddenRange[] = [
  { cidr: '::1/128', name: 'Loopback Address', source: 'RFC 4291 §2.5.3' },
  { cidr: '::/128', name: 'Unspecified Address', source: 'RFC 4291 §2.5.2' },
  { cidr: '::/96', name: 'IPv4-compatible (deprecated; not in the registry)', source: 'RFC 4291 §2.5.5.1' },
  { cidr: '::ffff:0:0/96', name: 'IPv4-mapped Address', source: 'RFC 4291 §2.5.5.2' },
  { cidr: '::ffff:0:0:0/96', name: 'IPv4-translated (not in the registry)', source: 'RFC 2765 §2.1' },
  { cidr: '64:ff9b::/96', name: 'IPv4-IPv6 Translat.', source: 'RFC 6052' },
  { cidr: '64:ff9b:1::/48', name: 'IPv4-IPv6 Translat.', source: 'RFC 8215' },
  { cidr: '100::/64', name: 'Discard-Only Address Block', source: 'RFC 6666' },
  { cidr: '100:0:0:1::/64', name: 'Dummy IPv6 Prefix', source: 'RFC 9780' },
  { cidr: '2001::/23', name: 'IETF Protocol Assignments', source: 'RFC 2928' },
  { cidr: '2001::/32', name: 'TEREDO', source: 'RFC 4380, RFC 8190' },
  { cidr: '2001:1::1/128', name: 'Port Control Protocol Anycast', source: 'RFC 7723' },
  { cidr: '2001:1::2/128', name: 'Traversal Using Relays around NAT Anycast', source: 'RFC 8155' },
  { cidr: '2001:1::3/128', name: 'DNS-SD Service Registration Protocol Anycast', source: 'RFC 9665' },
  { cidr: '2001:2::/48', name: 'Benchmarking', source: 'RFC 5180, RFC Errata 1752' },
  { cidr: '2001:3::/32', name: 'AMT', source: 'RFC 7450' },
  { cidr: '2001:4:112::/48', name: 'AS112-v6', source: 'RFC 7535' },
  { cidr: '2001:10::/28', name: 'Deprecated (previously ORCHID)', source: 'RFC 4843' },
  { cidr: '2001:20::/28', name: 'ORCHIDv2', source: 'RFC 7343' },
  { cidr: '2001:30::/28', name: 'Drone Remote ID Protocol Entity Tags (DETs) Prefix', source: 'RFC 9374' },
  { cidr: '2001:db8::/32', name: 'Documentation', source: 'RFC 3849' },
  { cidr: '2002::/16', name: '6to4', source: 'RFC 3056' },
  { cidr: '2620:4f:8000::/48', name: 'Direct Delegation AS112 Service', source: 'RFC 7534' },
  { cidr: '3fff::/20', name: 'Documentation', source: 'RFC 9637' },
  { cidr: '5f00::/16', name: 'Segment Routing (SRv6) SIDs', source: 'RFC 9602' },
  { cidr: 'fc00::/7', name: 'Unique-Local', source: 'RFC 4193, RFC 8190' },
  { cidr: 'fe80::/10', name: 'Link-Local Unicast', source: 'RFC 4291 §2.5.6' },
  { cidr: 'fec0::/10', name: 'Site-Local (deprecated; not in the registry)', source: 'RFC 3879' },
  { cidr: 'ff00::/8', name: 'Multicast (not in the special-purpose registry)', source: 'RFC 4291 §2.7' },
]

function blockListOf(ranges: readonly ForbiddenRange[], family: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList()
  for (const { cidr } of ranges) {
    const [network, prefix] = cidr.split('/')
    list.addSubnet(network!, Number(prefix), family)
  }
  return list
}

// Two lists, because a BlockList also matches an IPv4 address against IPv6 rules in its mapped form
// (8.8.8.8 as ::ffff:8.8.8.8), which would make the IPv4-mapped rule forbid every IPv4 address.
const forbiddenIpv4 = blockListOf(FORBIDDEN_IPV4_RANGES, 'ipv4')
const forbiddenIpv6 = blockListOf(FORBIDDEN_IPV6_RANGES, 'ipv6')

/** Strips the brackets a URL puts around an IPv6 host (`[::1]` → `::1`). */
export const unbracketHost = (hostname: string): string => (hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname)

/**
 * True when `address` (an IPv4 or IPv6 literal) is in a range no outbound request may reach. A string
 * that is not an IP address at all is treated as forbidden: the caller asked about something it should
 * not connect to.
 */
export function isForbiddenAddress(address: string): boolean {
  const bare = unbracketHost(address)
  const family = isIP(bare)
  if (family === 0) return true
  return family === 4 ? forbiddenIpv4.check(bare, 'ipv4') : forbiddenIpv6.check(bare, 'ipv6')
}
