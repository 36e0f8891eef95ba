/**
 * Certificate-bound access tokens at the client configuration endpoint (RFC8705-7, CDR-DCR-2, SEC-32): a
 * token with `cnf.x5t#S256` is accepted only over a connection whose client certificate has that SHA-256
 * thumbprint; a mismatch, or no certificate, is `invalid_token`. Where binding is required (FAPI-3,
 * `tokens.certificateBound`), a token without `cnf` is refused too.
 */
import { timingSafeEqual } from 'node:crypto'
import type { ClientCertificate } from '../trust/types.ts'
import type { AccessTokenClaims } from './issue.ts'
import { InvalidTokenError } from './bearer-token-errors.ts'

export type BindingOptions = {
  /** Refuse a token that carries no `cnf.x5t#S256` (FAPI-3). */
  requireBinding: boolean
}

/** Equal thumbprints, compared without an early exit on the first differing byte. */
export function sameThumbprint(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8')
  const right = Buffer.from(b, 'utf8')
  return left.length === right.length && timingSafeEqual(left, right)
}

/** Throws InvalidTokenError('certificate-mismatch') unless the token fits the presented certificate. */
export function assertCertificateBinding(claims: Pick<AccessTokenClaims, 'cnf'>, certificate: ClientCertificate | undefined, options: BindingOptions): void {
  const bound = claims.cnf?.['x5t#S256']
  if (bound === undefined) {
    if (options.requireBinding) {
      throw new InvalidTokenError('certificate-mismatch', 'the access token is not bound to a client certificate (cnf x5t#S256): obtain one from the token endpoint over mutual TLS')
    }
    return
  }
  if (certificate === undefined) {
    throw new InvalidTokenError('certificate-mismatch', 'the access token is bound to a client certificate (cnf x5t#S256): present that certificate over mutual TLS')
  }
  if (!sameThumbprint(bound, certificate.thumbprint)) {
    throw new InvalidTokenError('certificate-mismatch', 'the access token is bound to another client certificate (cnf x5t#S256): call with the certificate the token was issued to, or obtain a new token with this one')
  }
}
