/**
 * The syntax rules of one redirect URI (UK-DCR-23, SEC-23..26, OIDCR-2, FAPI-4): an absolute https URL,
 * parsed with the WHATWG URL parser, on a public host. Returns the reason a URI is refused, so callers can
 * name the URI and the claim in their own error. Hostnames are never resolved here (that is SEC-15, at fetch
 * time); IP literals are judged in whatever form the parser normalised them from (`2130706433`, `0x7f.1`,
 * `[::ffff:127.0.0.1]` all become a loopback literal), and a name must be a fully qualified DNS name with
 * well-formed labels that do not mix scripts (host-name.ts; issue 13 item 8), written without a trailing dot,
 * on a port other than 0.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net'
import { hostNameProblem } from './host-name.ts'

export type RedirectUriRules = {
  /** Longest accepted URI, in characters (UK-DCR-23: 256). */
  readonly maxLength: number
}

/** IP ranges no redirect URI may point to, grouped by the name used in the refusal (SEC-25, SEC-15). */
const REFUSED_RANGES: ReadonlyArray<{ kind: string; ranges: ReadonlyArray<[string, number, 'ipv4' | 'ipv6']> }> = [
  { kind: 'a loopback address', ranges: [['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']] },
  // "this network", unspecified and the deprecated IPv4-compatible IPv6 form (::127.0.0.1) reach the local host.
  { kind: 'an unspecified or local-host address', ranges: [['0.0.0.0', 8, 'ipv4'], ['::', 96, 'ipv6']] },
  { kind: 'a private address', ranges: [['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4'], ['100.64.0.0', 10, 'ipv4'], ['fc00::', 7, 'ipv6']] },
  { kind: 'a link-local address', ranges: [['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']] },
  { kind: 'a multicast or reserved address', ranges: [['224.0.0.0', 4, 'ipv4'], ['240.0.0.0', 4, 'ipv4'], ['ff00::', 8, 'ipv6']] },
]

// node:net BlockList also matches IPv4-mapped IPv6 addresses (::ffff:7f00:1) against the IPv4 ranges.
const refusedLists = REFUSED_RANGES.map(({ kind, ranges }) => {
  const list = new BlockList()
  for (const [network, prefix, family] of ranges) list.addSubnet(network, prefix, family)
  return { kind, list }
})

/** What kind of non-public address an IP literal is, or undefined for a public one. */
function refusedAddressKind(address: string): string | undefined {
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined
  if (family === undefined) return undefined
  return refusedLists.find(({ list }) => list.check(address, family))?.kind
}

/** The raw authority (between `//` and the first `/`, `?` or `#`), to see what the parser would normalise away. */
const rawAuthority = (uri: string): string => /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(uri)?.[1] ?? ''

/**
 * Why `uri` may not be registered as a redirect URI, or undefined if it may. The reason is a phrase that
 * says what to change, e.g. `the scheme must be https, not http:`.
 */
export function redirectUriProblem(uri: string, rules: RedirectUriRules): string | undefined {
  if (uri.length > rules.maxLength) return `it is ${uri.length} characters long, at most ${rules.maxLength} are accepted`
  // Checked on the raw string: the parser would silently strip or convert these (SEC-24).
  if (/[\s\p{Cc}]/u.test(uri)) return 'it contains whitespace or control characters'
  if (uri.includes('\\')) return 'it contains a backslash'
  if (uri.includes('*')) return 'it contains a wildcard (*); register each URI in full'
  if (uri.includes('#')) return 'it contains a fragment (#); fragments are not allowed in redirect URIs'
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return 'it is not an absolute URL'
  }
  if (url.protocol !== 'https:') return `the scheme must be https, not ${url.protocol}`
  // `https:host/cb` and `https:/host/cb` parse as https://host/cb; only the plain form is accepted.
  if (!/^https:\/\//i.test(uri)) return 'it must start with https:// followed by the host'
  const authority = rawAuthority(uri)
  if (authority.includes('@') || url.username !== '' || url.password !== '') return 'it contains user information (user@host); register the URI without it'
  if (authority.includes('%')) return 'its host contains percent-encoding; write the host in plain form'
  // `https:///cb` parses as https://cb/: the parser skips the empty authority and takes the path for the host.
  if (authority === '') return 'it has no host between https:// and the path'
  const host = url.hostname.replace(/\.+$/, '')
  if (host === '') return `its host ${url.hostname} is empty; use a public host name`
  if (host === 'localhost' || host.endsWith('.localhost')) return `its host ${url.hostname} is localhost; use a public host name`
  // Checked on the raw authority: the parser drops the trailing dot of an IPv4 literal (`1.2.3.4.`).
  if (url.hostname.endsWith('.') || /\.(?::\d*)?$/.test(authority)) return `its host ${url.hostname} ends with a dot; write the host without it`
  if (url.port === '0') return 'its port is 0, which no server listens on; name the port of the redirect endpoint or none'
  const isLiteral = host.startsWith('[') || isIPv4(host)
  const kind = refusedAddressKind(host.startsWith('[') ? host.slice(1, -1) : host)
  if (kind !== undefined) return `its host ${url.hostname} is ${kind}; use a public host name`
  return isLiteral ? undefined : hostNameProblem(host)
}
