/** POST /token over real mutual TLS: a client credentials form, presenting `certificate`, as a TPP sends it. */
import { randomUUID } from 'node:crypto'
import type { IssuedCertificate } from '../../src/sandbox/ca.ts'
import { mtlsRequest, type MtlsResponse } from '../../src/sandbox/mtls-client.ts'
import type { Sandbox } from '../../src/sandbox/sandbox.ts'
import { JWT_BEARER_ASSERTION_TYPE } from '../../src/tokens/client-auth/private-key-jwt.ts'
import { ISSUER, type TestServer } from './dcr-server.ts'

/** The claims of a fresh client assertion for `clientId` (RFC 7523 §3), to this test issuer's token endpoint. */
export function freshAssertionClaims(clientId: string): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000)
  return { iss: clientId, sub: clientId, aud: `${ISSUER}/token`, iat, exp: iat + 60, jti: randomUUID() }
}

/** The form of a private_key_jwt client credentials request carrying `assertion`. */
export const privateKeyJwtForm = (assertion: string): Record<string, string> => ({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: assertion })

export function postToken(s: TestServer, sandbox: Sandbox, form: Record<string, string>, certificate: IssuedCertificate = sandbox.tpp.transport): Promise<MtlsResponse> {
  return mtlsRequest({
    url: `${s.server.url}/token`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
    cert: certificate.certificatePem,
    key: certificate.privateKeyPem,
    ca: sandbox.caCertificatePem,
  })
}
