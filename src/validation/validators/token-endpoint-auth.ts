/**
 * token-endpoint-auth: the client authentication method is one the profile accepts and comes with what it
 * needs (UK-DCR-25, UK-DCR-26, RFC8705-2, FAPI-2, BR-DCR-16, RFC7591-10):
 * - `token_endpoint_auth_method` is present (open banking requires it) and in `methods`;
 * - `private_key_jwt` names a `token_endpoint_auth_signing_alg` from `signingAlgorithms`
 *   (and any signing alg given is from that set, so `none` or HS* never get registered, OIDCR-4);
 * - `tls_client_auth` names exactly one certificate identity (subject DN or one SAN); with `matchSubjectDn`
 *   on, that identity must be the one of the certificate presented on this request, so a TPP cannot register
 *   a certificate identity it does not hold;
 * - `jwks` and `jwks_uri` are not both given; where the profile says so, `jwks` is not given at all
 *   (BR-DCR-18) and `jwks_uri` equals the software statement's JWKS URI (BR-DCR-19).
 * With `subjectDnSyntax: brazil` a `tls_client_auth` client names its certificate by subject DN only
 * (BR-DCR-16), written with OID/hex attributes (BR-DCR-14) and matched value by value against the DER
 * subject of the presented certificate by the same comparison the token endpoint uses (BR-DCR-13,
 * trust/distinguished-name.ts).
 */
import { isIP } from 'node:net'
import type { ValidationContext, BuiltInValidator } from '../context.ts'
import type { Claims } from '../../lib/claims.ts'
import { readString, type ClaimSource } from '../claims.ts'
import { ValidationError } from '../errors.ts'
import { quoted } from '../../lib/quoted.ts'
import { certificateHasSan, TLS_IDENTITY_CLAIMS } from '../../trust/certificate-identity.ts'
import { certificateSubject, distinguishedNamesMatch, DistinguishedNameError, formatDistinguishedName, parseDistinguishedName } from '../../trust/distinguished-name.ts'
import { brazilSubjectDnOf, parseBrazilSubjectDn } from '../../trust/brazil-distinguished-name.ts'

const id = 'token-endpoint-auth'
const source: ClaimSource = { validator: id, error: 'invalid_client_metadata', where: 'request' }

/** Methods whose client assertion is a JWT, signed with `token_endpoint_auth_signing_alg` (UK-DCR-25). */
const JWT_ASSERTION_METHODS: ReadonlySet<string> = new Set(['private_key_jwt'])

function fail(claim: string, description: string): never {
  throw new ValidationError('invalid_client_metadata', id, description, { claim })
}

/** BR-DCR-13/14/16: subject DN only, OID/hex form, matched against the DER subject of the presented certificate. */
function checkBrazilTlsClientAuth(ctx: ValidationContext, claims: Claims): void {
  const claim = 'tls_client_auth_subject_dn'
  const san = TLS_IDENTITY_CLAIMS.find((name) => name !== claim && claims[name] !== undefined)
  if (san !== undefined) fail(san, `${san} is not accepted: a tls_client_auth client is identified by tls_client_auth_subject_dn only; remove ${san}`)
  const value = readString(claims, claim, source)
  if (value === undefined) fail(claim, 'token_endpoint_auth_method tls_client_auth needs tls_client_auth_subject_dn, the subject DN of your transport certificate')
  const certificate = ctx.certificate?.certificate
  // The certificate's own subject in the required form is the most useful hint; the caller knows what it sent.
  const expected = certificate === undefined ? '' : `; the presented certificate's subject in that form is ${quoted(brazilSubjectDnOf(certificate), 400)}`
  let registered
  try {
    registered = parseBrazilSubjectDn(value)
  } catch (error) {
    if (!(error instanceof DistinguishedNameError)) throw error
    fail(claim, `tls_client_auth_subject_dn is not accepted: ${error.message}${expected}`)
  }
  if (!ctx.config.validators[id].matchSubjectDn) return
  if (certificate === undefined) fail(claim, `${claim} cannot be checked: no client certificate was presented with this request; register over mutual TLS with the certificate that ${claim} names`)
  if (!distinguishedNamesMatch(registered, certificateSubject(certificate))) {
    fail(claim, `tls_client_auth_subject_dn does not match the subject of the presented certificate${expected}`)
  }
}

function checkTlsClientAuth(ctx: ValidationContext, claims: Claims): void {
  if (ctx.config.validators[id].subjectDnSyntax === 'brazil') return checkBrazilTlsClientAuth(ctx, claims)
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

/** BR-DCR-19: a requested jwks_uri is the one the directory published for this software. */
function checkJwksUriMatchesSsa(ctx: ValidationContext, claims: Claims): void {
  const jwksUri = readString(claims, 'jwks_uri', source)
  if (jwksUri === undefined) return
  const ssaClaim = ctx.config.ssa.jwksUriClaim
  const expected = ctx.ssa === undefined ? undefined : readString(ctx.ssa.claims, ssaClaim, { validator: id, error: 'invalid_software_statement', where: 'software statement' })
  if (expected === undefined) {
    fail('jwks_uri', `jwks_uri cannot be checked: the software statement has no ${ssaClaim}; leave jwks_uri out or use a software statement that names the keys`)
  }
  if (jwksUri !== expected) fail('jwks_uri', `jwks_uri ${quoted(jwksUri)} must equal the software statement's ${ssaClaim} ${quoted(expected)}; register that URI or leave jwks_uri out`)
}

export const tokenEndpointAuth: BuiltInValidator = {
  id,
  operations: ['create', 'update'],
  requirements: ['UK-DCR-25', 'UK-DCR-26', 'RFC8705-2', 'RFC8705-3', 'RFC7591-10', 'FAPI-2', 'OIDCR-4', 'BR-DCR-13', 'BR-DCR-14', 'BR-DCR-16', 'BR-DCR-18', 'BR-DCR-19'],
  summary: 'The token endpoint auth method is allowed and complete: a signing alg for JWT assertions, exactly one certificate identity matching the presented certificate for tls_client_auth (Brazil: subject DN in OID/hex form); not both jwks and jwks_uri, and where the profile says so no jwks and jwks_uri equal to the software statement\'s.',
  errors: ['invalid_client_metadata'],
  check(ctx) {
    const options = ctx.config.validators[id]
    const claims = ctx.request.claims
    if (claims['jwks'] !== undefined && claims['jwks_uri'] !== undefined) {
      fail('jwks', 'the request has both jwks and jwks_uri; register the keys one way only (jwks_uri preferred)')
    }
    if (!options.allowJwksByValue && claims['jwks'] !== undefined) {
      fail('jwks', `jwks (keys by value) is not accepted; remove jwks and publish the keys at the software statement's ${ctx.config.ssa.jwksUriClaim}, registered as jwks_uri`)
    }
    if (options.jwksUriMatchesSsa) checkJwksUriMatchesSsa(ctx, claims)
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
