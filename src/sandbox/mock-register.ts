/**
 * A mock CDR Register for the sandbox and the tests: an https server on loopback (certificate from the
 * sandbox CA) that plays the Register's public endpoints (CDR-DCR-8, CDR-DCR-29):
 * - `GET /cdr-register/v1/jwks`: the JWKS of its SSA signing key (no `x-v`);
 * - `GET /cdr-register/v1/{industry}/data-recipients/status` and
 *   `GET /cdr-register/v1/{industry}/data-recipients/brands/software-products/status`: the statuses set by
 *   the test, in the x-v 2/3 shape `{data, links, meta}`; `x-v` is required (400 without), a range the mock
 *   does not serve answers 406, and the version served is echoed in the `x-v` response header;
 * and issues CDR-shaped SSAs signed with that key (`iss` cdr-register). Statuses can be changed at any time,
 * and the status endpoints can be made to fail (503) to test a Register outage.
 */
import { createServer, type Server } from 'node:https'
import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { CertificateAuthority } from './ca.ts'
import { createSandboxDirectory, type IssueSsaOptions, type SandboxDirectory } from './directory.ts'
import { CDR_REGISTER_ISSUER } from './ssa-shapes.ts'

/** Versions of the status endpoints the mock serves (CDR-DCR-29: 3 current, 2 deprecated). */
const SERVED_VERSIONS = [2, 3] as const

export const REGISTER_JWKS_PATH = '/cdr-register/v1/jwks'

/** A request the mock received, for asserts on headers (x-v, x-min-v). */
export type RegisterRequest = { path: string; headers: IncomingHttpHeaders }

export type MockRegister = {
  /** `https://127.0.0.1:<port>`: the `registerBaseUrl` of a DCR server using this Register. */
  readonly url: string
  /** Where the SSA signing keys are published. */
  readonly jwksUrl: string
  /** The SSA issuer (`iss` cdr-register) with its PS256 key. */
  readonly directory: SandboxDirectory
  /** Every request received so far, oldest first. */
  readonly requests: readonly RegisterRequest[]
  /** A CDR-shaped SSA signed by the Register (ssa-shapes.ts defaults, then `claims`). */
  issueSsa(claims?: Record<string, unknown>, options?: Omit<IssueSsaOptions, 'shape'>): Promise<string>
  /** Sets a data recipient's (legal entity's) status, e.g. ACTIVE, SUSPENDED; `undefined` removes it from the list. */
  setDataRecipientStatus(legalEntityId: string, status: string | undefined): void
  /** Sets a software product's status, e.g. ACTIVE, INACTIVE, REMOVED; `undefined` removes it from the list. */
  setSoftwareProductStatus(softwareProductId: string, status: string | undefined): void
  /** When false, the status endpoints answer 503 (a Register outage); the JWKS is still served. */
  setAvailable(available: boolean): void
  close(): Promise<void>
}

export type MockRegisterOptions = {
  ca: CertificateAuthority
  /** `{industry}` accepted in the status paths (CDR-DCR-29: `all`). */
  industry?: string
}

const send = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers }).end(text)
}

const cdsError = (code: string, title: string, detail: string) => ({ errors: [{ code, title, detail }] })

/** The version to serve for `x-v` / `x-min-v`, or a reason to refuse (CDS versioning rules). */
function negotiate(headers: IncomingHttpHeaders): { version: number } | { status: 400 | 406; body: unknown } {
  const requested = headers['x-v']
  if (typeof requested !== 'string' || !/^[1-9]\d*$/.test(requested)) {
    return { status: 400, body: cdsError('urn:au-cds:error:cds-all:Header/Missing', 'Missing Required Header', 'x-v') }
  }
  const minimum = headers['x-min-v']
  const low = typeof minimum === 'string' && /^[1-9]\d*$/.test(minimum) ? Math.min(Number(minimum), Number(requested)) : Number(requested)
  const version = [...SERVED_VERSIONS].reverse().find((candidate) => candidate <= Number(requested) && candidate >= low)
  if (version === undefined) return { status: 406, body: cdsError('urn:au-cds:error:cds-all:Header/UnsupportedVersion', 'Unsupported Version', `x-v ${requested}`) }
  return { version }
}

export async function startMockRegister({ ca, industry = 'all' }: MockRegisterOptions): Promise<MockRegister> {
  const tls = await ca.issueServer({ commonName: 'mock CDR Register', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] })
  const dataRecipients = new Map<string, string>()
  const softwareProducts = new Map<string, string>()
  const requests: RegisterRequest[] = []
  let available = true
  let jwksBody = '{"keys":[]}'

  const statusPaths = {
    [`/cdr-register/v1/${industry}/data-recipients/status`]: () => [...dataRecipients].map(([legalEntityId, status]) => ({ legalEntityId, status })),
    [`/cdr-register/v1/${industry}/data-recipients/brands/software-products/status`]: () => [...softwareProducts].map(([softwareProductId, status]) => ({ softwareProductId, status })),
  }

  const server: Server = createServer({ key: tls.privateKeyPem, cert: tls.certificatePem, minVersion: 'TLSv1.2' }, (request, response) => {
    const url = new URL(request.url ?? '/', 'https://register.invalid')
    requests.push({ path: url.pathname, headers: request.headers })
    if (request.method !== 'GET') return send(response, 405, cdsError('urn:au-cds:error:cds-all:General/MethodNotAllowed', 'Method Not Allowed', request.method ?? ''))
    if (url.pathname === REGISTER_JWKS_PATH) {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(jwksBody)) }).end(jwksBody)
      return
    }
    const list = statusPaths[url.pathname]
    if (list === undefined) return send(response, 404, cdsError('urn:au-cds:error:cds-all:Resource/NotFound', 'Resource Not Found', url.pathname))
    if (!available) return send(response, 503, cdsError('urn:au-cds:error:cds-all:Service/Unavailable', 'Service Unavailable', 'the mock Register is switched off'))
    const negotiated = negotiate(request.headers)
    if (!('version' in negotiated)) return send(response, negotiated.status, negotiated.body)
    send(response, 200, { data: list(), links: { self: `${base}${url.pathname}` }, meta: {} }, { 'x-v': String(negotiated.version) })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
  const jwksUrl = `${base}${REGISTER_JWKS_PATH}`
  const directory = await createSandboxDirectory({ issuer: CDR_REGISTER_ISSUER, jwksUrl })
  jwksBody = JSON.stringify(directory.publicJwks)

  return {
    url: base,
    jwksUrl,
    directory,
    requests,
    issueSsa(claims = {}, options = {}) {
      return directory.issueSsa(claims, { ...options, shape: 'cdr' })
    },
    setDataRecipientStatus(legalEntityId, status) {
      if (status === undefined) dataRecipients.delete(legalEntityId)
      else dataRecipients.set(legalEntityId, status)
    },
    setSoftwareProductStatus(softwareProductId, status) {
      if (status === undefined) softwareProducts.delete(softwareProductId)
      else softwareProducts.set(softwareProductId, status)
    },
    setAvailable(value) {
      available = value
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
    },
  }
}
