/**
 * hostname-consistency: the software statement's redirect URIs and its user-facing URIs (client, logo, terms,
 * policy: the profile's `ssa.uriClaims`) all name one host, so a statement cannot pair a bank-looking logo with
 * someone else's redirect target (UK-DCR-39, RFC7591-26). The same URIs sent in the request itself
 * (`client_uri`, `logo_uri`, `tos_uri`, `policy_uri`) must share that host too: otherwise a request could show the
 * customer another party's terms (refused invalid_client_metadata; where the statement has the URI, the
 * statement's value is the one registered, metadata.ts). Without a statement (where it is optional, RFC7591-14)
 * the request's URIs share the host of its own redirect URIs. Hosts are compared exactly as the WHATWG parser
 * gives them, internationalised names as punycode A-labels (SEC-26), never by suffix (SEC-27).
 */
import type { BuiltInValidator } from '../context.ts'
import { readString, readStringArray, type ClaimSource } from '../claims.ts'
import { ValidationError } from '../errors.ts'
import { quoted } from '../../lib/quoted.ts'

const id = 'hostname-consistency'

/** RFC 7591 §2 user-facing URIs a request may carry as client metadata. */
export const REQUEST_URI_MEMBERS = ['client_uri', 'logo_uri', 'tos_uri', 'policy_uri'] as const

type NamedHost = { claim: string; host: string }

/** The host of each URI, or the refusal naming the claim whose value is no absolute URL. */
function hostsOf(uris: ReadonlyArray<{ claim: string; uri: string }>, error: 'invalid_software_statement' | 'invalid_client_metadata', where: string): NamedHost[] {
  return uris.map(({ claim, uri }) => {
    let url: URL
    try {
      url = new URL(uri)
    } catch {
      throw new ValidationError(error, id, `${claim} in the ${where} has ${quoted(uri)}, which is not an absolute URL`, { claim })
    }
    return { claim, host: url.hostname }
  })
}

/** The request's user-facing URIs must be on `reference`'s host (the first redirect URI of the statement, or of the request). */
function checkRequestUris(request: Readonly<Record<string, unknown>>, reference: NamedHost | undefined, referenceWhere: string): void {
  const source: ClaimSource = { validator: id, error: 'invalid_client_metadata', where: 'request' }
  const uris = REQUEST_URI_MEMBERS.flatMap((claim) => {
    const uri = readString(request, claim, source)
    return uri === undefined ? [] : [{ claim, uri }]
  })
  if (reference === undefined) return
  const other = hostsOf(uris, 'invalid_client_metadata', 'request').find(({ host }) => host !== reference.host)
  if (other !== undefined) {
    throw new ValidationError(
      'invalid_client_metadata',
      id,
      `${other.claim} in the request is on host ${other.host} but ${reference.claim} in the ${referenceWhere} is on host ${reference.host}; the request's user-facing URIs must share the host of the redirect URIs`,
      { claim: other.claim },
    )
  }
}

export const hostnameConsistency: BuiltInValidator = {
  id,
  operations: ['create', 'update'],
  requirements: ['UK-DCR-39', 'RFC7591-26', 'SEC-26', 'SEC-27'],
  summary: "The software statement's redirect, client, logo, terms and policy URIs all share one host, and so do the client, logo, terms and policy URIs of the request.",
  errors: ['invalid_client_metadata', 'invalid_software_statement'],
  check(ctx) {
    if (ctx.ssa === undefined && !ctx.config.registration.requireSoftwareStatement) {
      const redirects = readStringArray(ctx.request.claims, 'redirect_uris', { validator: id, error: 'invalid_client_metadata', where: 'request' }) ?? []
      const [first] = hostsOf(redirects.slice(0, 1).map((uri) => ({ claim: 'redirect_uris', uri })), 'invalid_client_metadata', 'request')
      checkRequestUris(ctx.request.claims, first, 'request')
      return
    }
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
    const hosts = hostsOf(uris, 'invalid_software_statement', 'software statement')
    const [first, ...rest] = hosts
    const other = first === undefined ? undefined : rest.find(({ host }) => host !== first.host)
    if (first !== undefined && other !== undefined) {
      throw new ValidationError(
        'invalid_software_statement',
        id,
        `${other.claim} in the software statement is on host ${other.host} but ${first.claim} is on host ${first.host}; all of the statement's redirect and user-facing URIs must share one host`,
        { claim: other.claim },
      )
    }
    // The statement's redirect URIs (its first URI otherwise) give the host the request's URIs must share.
    checkRequestUris(ctx.request.claims, hosts.find(({ claim }) => claim === redirectClaim) ?? first, 'software statement')
  },
}
