/**
 * Which IP addresses an outbound JWKS fetch must never reach (SEC-15): loopback, private, link-local (and
 * with it the cloud metadata address 169.254.169.254), CGNAT, multicast, unspecified and reserved ranges,
 * unique-local IPv6 and every IPv4-mapped/translated IPv6 form, which could smuggle any of the former.
 */
import { BlockList, isIP } from 'node:net'

const FORBIDDEN_IPV4: ReadonlyArray<readonly [string, number, string]> = [
  ['0.0.0.0', 8, 'unspecified / this network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved / broadcast'],
]

const FORBIDDEN_IPV6: ReadonlyArray<readonly [string, number, string]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 96, 'IPv4-compatible'],
  ['::ffff:0:0', 96, 'IPv4-mapped'],
  ['64:ff9b::', 96, 'IPv4/IPv6 translation'],
  ['64:ff9b:1::', 48, 'IPv4/IPv6 translation'],
  ['100::', 64, 'discard'],
  ['2002::', 16, '6to4 (embeds an IPv4 address)'],
  ['fc00::', 7, 'unique local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
]

// Two lists, because a BlockList also matches an IPv4 address against IPv6 rules in its mapped form
// (8.8.8.8 as ::ffff:8.8.8.8), which would make the IPv4-mapped rule forbid every IPv4 address.
const forbiddenIpv4 = new BlockList()
for (const [network, prefix] of FORBIDDEN_IPV4) forbiddenIpv4.addSubnet(network, prefix, 'ipv4')
const forbiddenIpv6 = new BlockList()
for (const [network, prefix] of FORBIDDEN_IPV6) forbiddenIpv6.addSubnet(network, prefix, 'ipv6')

/** Strips the brackets a URL puts around an IPv6 host (`[::1]` → `::1`). */
export const unbracketHost = (hostname: string): string => (hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname)

/**
 * True when `address` (an IPv4 or IPv6 literal) is in a range no outbound fetch may reach. A string that
 * is not an IP address at all is treated as forbidden: the caller asked about something it should not
 * connect to.
 */
export function isForbiddenAddress(address: string): boolean {
  const bare = unbracketHost(address)
  const family = isIP(bare)
  if (family === 0) return true
  return family === 4 ? forbiddenIpv4.check(bare, 'ipv4') : forbiddenIpv6.check(bare, 'ipv6')
}
