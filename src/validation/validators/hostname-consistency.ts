/**
 * hostname-consistency: the software statement's redirect URIs and its user-facing URIs (client, logo, terms,
 * policy: the profile's `ssa.uriClaims`) all name one host, so a statement cannot pair a bank-looking logo with
 * someone else's redirect target (UK-DCR-39, RFC7591-26). Hosts are compared exactly as the WHATWG parser
 * gives them, internationalised names as punycode A-labels (SEC-26), never by suffix (SEC-27).
 * Absent URI claims are skipped: each is optional in the statement. A request without a statement passes
 * where the profile makes the statement optional (RFC7591-14).
 */
import type { BuiltInValidator } from '../context.ts'
import { readString, readStringArray, type ClaimSource } from '../claims.ts'
import { ValidationError } from '../errors.ts'
import { quoted } from '../../lib/quoted.ts'

const id = 'hostname-consistency'

type NamedHost = { claim: string; host: string }

export const hostnameConsistency: BuiltInValidator = {
  id,
  operations: ['create', 'update'],
  requirements: ['UK-DCR-39', 'RFC7591-26', 'SEC-26', 'SEC-27'],
  summary: "The software statement's redirect, client, logo, terms and policy URIs all share one host.",
  errors: ['invalid_client_metadata', 'invalid_software_statement'],
  check(ctx) {
    if (ctx.ssa === undefined && !ctx.config.registration.requireSoftwareStatement) return
    if (ctx.ssa === undefined) {
      throw new ValidationError('invalid_client_metadata', id, 'the request carries no software statement, so the host of its URIs cannot be checked; send a software_statement', { claim: 'software_statement' })
    }
    const claims = ctx.ssa.claims
    const source: ClaimSource = { validator: id, error: 'invalid_software_statement', where: 'software statement' }
    const redirectClaim = ctx.config.ssa.redirectUrisClaim
    const uris: Array<{ claim: string; uri: string }> = [
      ...(readStringArray(claims, redirectClaim, source) ?? []).map((uri) => ({ claim: redirectClaim, uri })),
      ...ctx.config.ssa.uriClaims.flatMap((claim) => {
        const uri = readString(claims, claim, source)
        return uri === undefined ? [] : [{ claim, uri }]
      }),
    ]
    const hosts: NamedHost[] = uris.map(({ claim, uri }) => {
      let url: URL
      try {
        url = new URL(uri)
      } catch {
        throw new ValidationError('invalid_software_statement', id, `${claim} in the software statement has ${quoted(uri)}, which is not an absolute URL`, { claim })
      }
      return { claim, host: url.hostname }
    })
    const [first, ...rest] = hosts
    if (first === undefined) return
    const other = rest.find(({ host }) => host !== first.host)
    if (other !== undefined) {
      throw new ValidationError(
        'invalid_software_statement',
        id,
        `${other.claim} in the software statement is on host ${other.host} but ${first.claim} is on host ${first.host}; all of the statement's redirect and user-facing URIs must share one host`,
        { claim: other.claim },
      )
    }
  },
}
