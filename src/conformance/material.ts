/**
 * What the conformance self-test needs from the tester: where the DCR endpoint is, a TPP (transport
 * certificate, signing key) and a source of fresh SSAs. From the sandbox by default; for any other DCR
 * endpoint, from files (see open-dcr conformance --help).
 */
import type { IssuedCertificate } from '../sandbox/ca.ts'
import type { LoadedSandbox } from '../sandbox/sandbox.ts'
import type { SignRequestOptions } from '../sandbox/tpp.ts'

export type ConformanceMaterial = {
  /** Base URL of the server under test (its /register is called). */
  serverUrl: string
  /** The `aud` the server expects (its issuer). */
  audience: string
  /** PEM CA of the server's TLS certificate; undefined = the system trust store. */
  caPem: string | undefined
  /** The TPP transport certificate and key. */
  transport: Pick<IssuedCertificate, 'certificatePem' | 'privateKeyPem'>
  /** Media type of signed registration requests (UK `application/jose`, AU `application/jwt`). */
  contentType: string
  /** A fresh SSA for the TPP; `claims` override the directory's defaults. */
  issueSsa(claims?: Record<string, unknown>): Promise<string>
  /** The claims of a valid registration request for `ssa`; `overrides` with undefined remove a claim. */
  registrationClaims(ssa: string, overrides?: Record<string, unknown>): Record<string, unknown>
  /** Signs claims with the TPP signing key. */
  sign(claims: Record<string, unknown>, options?: SignRequestOptions): Promise<string>
  /** The TPP signing key id, to forge signatures under it. */
  kid: string
}

/** Material from a sandbox written by `open-dcr sandbox`. */
export function sandboxMaterial(sandbox: LoadedSandbox, server: { url: string; issuer: string }): ConformanceMaterial {
  return {
    serverUrl: server.url,
    audience: server.issuer,
    caPem: sandbox.caCertificatePem,
    transport: sandbox.tpp.transport,
    contentType: 'application/jwt',
    issueSsa: (claims) => sandbox.issueSsa(claims),
    registrationClaims: (ssa, overrides) => sandbox.tpp.registrationClaims({ ssa, aud: server.issuer, overrides: overrides ?? {} }),
    sign: (claims, options) => sandbox.tpp.signRequest(claims, options),
    kid: sandbox.tpp.kid,
  }
}
