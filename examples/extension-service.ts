/**
 * An example HTTP extension service (docs/extension-openapi.yaml), configured with
 * `customValidators.http.url: http://127.0.0.1:8601/decide`. open-dcr POSTs the facts of each registration
 * that passed its own checks; this service answers with a decision:
 * - deny organisations the bank has not onboarded (`blockedOrgIds`) with `unapproved_software_statement`;
 * - allow, adding the bank's `default_max_age` policy when the client asked for none;
 * - allow otherwise.
 * Run it with `node examples/extension-service.ts [port]`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'

/** What open-dcr sends (ExtensionRequest in docs/extension-openapi.yaml); a service in another language reads the OpenAPI description. */
export type { ExtensionRequest } from '../src/validation/custom/http-extension.ts'
import type { ExtensionRequest } from '../src/validation/custom/http-extension.ts'

export type ExtensionPolicy = {
  /** SSA org_id values that are refused. */
  blockedOrgIds: readonly string[]
  /** `default_max_age` registered for clients that ask for none. */
  defaultMaxAgeSeconds: number
}

/** The decision for one registration: the service's whole business logic. */
export function decide(facts: ExtensionRequest, policy: ExtensionPolicy): Record<string, unknown> {
  const orgId = facts.software_statement?.org_id
  if (typeof orgId === 'string' && policy.blockedOrgIds.includes(orgId)) {
    return { decision: 'deny', error: 'unapproved_software_statement', error_description: `org_id ${orgId}: this organisation is not onboarded with this bank; contact the bank's partner team before registering`, claim: 'org_id' }
  }
  if (facts.request.default_max_age === undefined) return { decision: 'allow', metadata: { default_max_age: policy.defaultMaxAgeSeconds } }
  return { decision: 'allow' }
}

const MAX_BODY_BYTES = 256 * 1024

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) request.destroy(new Error('body too large'))
      else chunks.push(chunk)
    })
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      } catch (error) {
        reject(error)
      }
    })
    request.on('error', reject)
  })
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }).end(text)
}

export type ExtensionService = { readonly url: string; readonly server: Server; close(): Promise<void> }

/** Starts the service on `host:port` (port 0 picks a free one); its decision URL is `<url>/decide`. */
export async function startExtensionService(options: { host?: string; port?: number; policy: ExtensionPolicy }): Promise<ExtensionService> {
  const server = createServer((request, response) => {
    if (request.method !== 'POST' || request.url !== '/decide') return answer(response, 404, { error: 'not_found' })
    readJson(request).then(
      (facts) => answer(response, 200, decide(facts as ExtensionRequest, options.policy)),
      () => answer(response, 400, { error: 'invalid_request' }),
    )
  })
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve))
  const { address, port } = server.address() as AddressInfo
  return {
    url: `http://${address}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const service = await startExtensionService({ port: Number(process.argv[2] ?? 8601), policy: { blockedOrgIds: [], defaultMaxAgeSeconds: 300 } })
  process.stdout.write(`extension service: POST ${service.url}/decide\n`)
}
