/**
 * token-endpoint-auth: the client authentication method is one the profile accepts and comes with what it
 * needs (UK-DCR-25, UK-DCR-26, RFC8705-2, FAPI-2, BR-DCR-16, RFC7591-10):
 * - `token_endpoint_auth_method` is present (open banking requires it) and in `methods`;
 * - `private_key_jwt` / `client_secret_jwt` name a `token_endpoint_auth_signing_alg` from `signingAlgorithms`
 *   (and any signing alg given is from that set, so `none` or HS* never get registered, OIDCR-4);
 * - `tls_client_auth` names exactly one certificate identity (subject DN or one SAN); with `matchSubjectDn`
 *   on, that identity must be the one of the certificate presented on this request, so a TPP cannot register
 *   a certificate identity it does not hold;
 * - `jwks` and `jwks_uri` are not both given.
 */
import type { X509Certificate } from 'node:crypto'
import { isIP } from 'node:net'
import type { Claims, ValidationContext, Validator } from '../context.ts'
import { readString, type ClaimSource } from '../claims.ts'
import { ValidationError } from '../errors.ts'
import { quoted } from '../quoted.ts'
import { certificateSubject, distinguishedNamesMatch, DistinguishedNameError, formatDistinguishedName, parseDistinguishedName } from '../../trust/distinguished-name.ts'

const id = 'token-endpoint-auth'
const source: ClaimSource = { validator: id, error: 'invalid_client_metadata', where: 'request' }

/** Methods whose client assertion is a JWT, signed with `token_endpoint_auth_signing_alg` (UK-DCR-25). */
const JWT_ASSERTION_METHODS: ReadonlySet<string> = new Set(['private_key_jwt', 'client_secret_jwt'])

/** The ways a `tls_client_auth` client names its certificate; exactly one is registered (RFC8705-2). */
const TLS_IDENTITY_CLAIMS = ['tls_client_auth_subject_dn', 'tls_client_auth_san_dns', 'tls_client_auth_san_uri', 'tls_client_auth_san_ip', 'tls_client_auth_san_email'] as const
type TlsIdentityClaim = (typeof TLS_IDENTITY_CLAIMS)[number]

function fail(claim: string, description: string): never {
  throw new ValidationError('invalid_client_metadata', id, description, { claim })
}

/**
 * The URI entries of a certificate's subjectAltName. node:crypto prints the extension as `TYPE:value`
 * entries joined by ", ", JSON-quoting any value with special characters (commas inside are escaped).
 */
function subjectAltNameUris(certificate: X509Certificate): string[] {
  const text = certificate.subjectAltName ?? ''
  const entry = /([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/y
  const uris: string[] = []
  let match: RegExpExecArray | null
  while (entry.lastIndex < text.length && (match = entry.exec(text)) !== null) {
    const [, type, raw] = match
    if (type !== 'URI' || raw === undefined) continue
    try {
      uris.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw)
    } catch {
      // an entry node:crypto did not quote as JSON: it cannot equal a registered URI
    }
  }
  return uris
}

/** Whether the certificate carries the registered SAN; node:crypto throws on names it cannot compare (e.g. a NUL). */
function certificateHasSan(certificate: X509Certificate, claim: Exclude<TlsIdentityClaim, 'tls_client_auth_subject_dn'>, value: string): boolean {
  try {
    return sanMatches(certificate, claim, value)
  } catch {
    return false
  }
}

/** Compares the registered SAN the way its type is defined. */
function sanMatches(certificate: X509Certificate, claim: Exclude<TlsIdentityClaim, 'tls_client_auth_subject_dn'>, value: string): boolean {
  switch (claim) {
    case 'tls_client_auth_san_dns':
      // Exact name (case-insensitive, as DNS is); a wildcard in the certificate does not stand for the registered name.
      return certificate.checkHost(value, { subject: 'never', wildcards: false }) !== undefined
    case 'tls_client_auth_san_email':
      return certificate.checkEmail(value, { subject: 'never' }) !== undefined
    case 'tls_client_auth_san_ip':
      // checkIP compares addresses, not spellings (2001:db8::1 = 2001:DB8:0:0:0:0:0:1).
      return certificate.checkIP(value) !== undefined
    case 'tls_client_auth_san_uri':
      return subjectAltNameUris(certificate).includes(value)
  }
}

function checkTlsClientAuth(ctx: ValidationContext, claims: Claims): void {
  const given = TLS_IDENTITY_CLAIMS.flatMap((claim) => {
    const value = readString(claims, claim, source)
    return value === undefined ? [] : [{ claim, value }]
  })
  const [identity, second] = given
  if (identity === undefined) {
    fail('tls_client_auth_subject_dn', `token_endpoint_auth_method tls_client_auth needs the certificate identity: add tls_client_auth_subject_dn (or one of ${TLS_IDENTITY_CLAIMS.slice(1).join(', ')})`)
  }
  if (second !== undefined) {
    fail(second.claim, `tls_client_auth takes exactly one certificate identity, the request has ${given.map(({ claim }) => claim).join(', ')}; keep only one`)
  }
  const { claim, value } = identity
  let registeredDn: ReturnType<typeof parseDistinguishedName> | undefined
  if (claim === 'tls_client_auth_subject_dn') {
    try {
      registeredDn = parseDistinguishedName(value)
    } catch (error) {
      if (!(error instanceof DistinguishedNameError)) throw error
      fail(claim, `tls_client_auth_subject_dn ${quoted(value)} is ${error.message}; write it as an RFC 4514 string such as CN=<software_id>,OU=<org_id>,O=OpenBanking,C=GB`)
    }
  }
  if (claim === 'tls_client_auth_san_ip' && isIP(value) === 0) {
    fail(claim, `tls_client_auth_san_ip ${quoted(value)} is not an IP address; write an IPv4 dotted address or an IPv6 address`)
  }

  if (!ctx.config.validators[id].matchSubjectDn) return
  const certificate = ctx.certificate?.certificate
  if (certificate === undefined) {
    fail(claim, `${claim} cannot be checked: no client certificate was presented with this request; register over mutual TLS with the certificate that ${claim} names`)
  }
  if (registeredDn !== undefined) {
    const subject = certificateSubject(certificate)
    if (!distinguishedNamesMatch(registeredDn, subject)) {
      fail(claim, `tls_client_auth_subject_dn ${quoted(value)} does not match the subject of the presented certificate ${quoted(formatDistinguishedName(subject), 200)}; register the subject of the certificate you authenticate with`)
    }
  } else if (claim !== 'tls_client_auth_subject_dn' && !certificateHasSan(certificate, claim, value)) {
    fail(claim, `${claim} ${quoted(value)} is not a subjectAltName of the presented certificate; register a name the certificate carries`)
  }
}

export const tokenEndpointAuth: Validator = {
  id,
  operations: ['create', 'update'],
  requirements: ['UK-DCR-25', 'UK-DCR-26', 'RFC8705-2', 'RFC8705-3', 'RFC7591-10', 'FAPI-2', 'OIDCR-4', 'BR-DCR-16'],
  summary: 'The token endpoint auth method is allowed and complete: a signing alg for JWT assertions, exactly one certificate identity matching the presented certificate for tls_client_auth, not both jwks and jwks_uri.',
  errors: ['invalid_client_metadata'],
  check(ctx) {
    const options = ctx.config.validators[id]
    const claims = ctx.request.claims
    if (claims['jwks'] !== undefined && claims['jwks_uri'] !== undefined) {
      fail('jwks', 'the request has both jwks and jwks_uri; register the keys one way only (jwks_uri preferred)')
    }
    const method = readString(claims, 'token_endpoint_auth_method', source)
    if (method === undefined) {
      fail('token_endpoint_auth_method', `token_endpoint_auth_method is required; use one of ${options.methods.join(', ')}`)
    }
    if (!options.methods.includes(method)) {
      fail('token_endpoint_auth_method', `token_endpoint_auth_method ${quoted(method)} is not accepted; use one of ${options.methods.join(', ')}`)
    }
    const signingAlg = readString(claims, 'token_endpoint_auth_signing_alg', source)
    if (signingAlg === undefined && JWT_ASSERTION_METHODS.has(method)) {
      fail('token_endpoint_auth_signing_alg', `token_endpoint_auth_method ${method} needs token_endpoint_auth_signing_alg; add one of ${options.signingAlgorithms.join(', ')}`)
    }
    if (signingAlg !== undefined && !options.signingAlgorithms.includes(signingAlg)) {
      fail('token_endpoint_auth_signing_alg', `token_endpoint_auth_signing_alg ${quoted(signingAlg)} is not accepted; use one of ${options.signingAlgorithms.join(', ')}`)
    }
    if (method === 'tls_client_auth') checkTlsClientAuth(ctx, claims)
  },
}
