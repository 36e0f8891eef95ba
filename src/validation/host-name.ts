/**
 * The syntax of a DNS host name in a URI the server registers (issue 13 item 8; SEC-25, SEC-26): a fully
 * qualified name of at least two labels, each a letter-digit-hyphen label of RFC 1123 §2.1 / RFC 5890
 * §2.3.1 (1 to 63 characters, not starting or ending with a hyphen, no `_`), at most 253 characters, an
 * `xn--` label valid punycode whose Unicode form does not mix scripts (label-scripts.ts). Takes the host
 * as the WHATWG parser leaves it (lower case, internationalised names already as A-labels); IP literals
 * are judged elsewhere (redirect-uri.ts).
 */
import { domainToUnicode } from 'node:url'
import { labelScriptProblem } from './label-scripts.ts'
import { quoted } from '../lib/quoted.ts'

/** RFC 1123 §2.1 as restated by RFC 5890 §2.3.1 (LDH label); the parser has lower-cased the host. */
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
/** RFC 1034 §3.1: 255 octets on the wire, so 253 characters written without the root's trailing dot. */
const MAX_HOST_LENGTH = 253

/**
 * Why `host` may not be the host of a registered URI, or undefined if it may. `host` has no trailing dot
 * (the caller refuses that first, with its own reason).
 */
export function hostNameProblem(host: string): string | undefined {
  if (host.length > MAX_HOST_LENGTH) return `its host is ${host.length} characters long, at most ${MAX_HOST_LENGTH} are accepted`
  const labels = host.split('.')
  // A single label is resolved through /etc/hosts and DNS search domains, often to a local or internal host.
  if (labels.length < 2) return `its host ${quoted(host)} is a single label; use a fully qualified domain name`
  for (const label of labels) {
    if (label === '') return `its host ${quoted(host)} has an empty label (two dots in a row)`
    if (!LDH_LABEL.test(label)) {
      return `its host label ${quoted(label)} is not a DNS label: 1 to 63 letters, digits and hyphens, not starting or ending with a hyphen`
    }
    if (!label.startsWith('xn--')) continue
    const unicode = domainToUnicode(label)
    // The parser accepts an A-label it cannot decode and domainToUnicode then hands it back unchanged.
    if (unicode === '' || unicode.startsWith('xn--')) return `its host label ${quoted(label)} is not valid punycode`
    const problem = labelScriptProblem(unicode)
    if (problem !== undefined) return `its host label ${quoted(unicode)} (${label}) is refused: ${problem}`
  }
  return undefined
}
