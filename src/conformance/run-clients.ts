/**
 * The clients a conformance run registers, and how the run manages them (RFC 7592): each client's
 * management credential — a registration_access_token when the 201 carries one (RFC7592-1, BR-DCR-27),
 * else a client-credentials access token from the token endpoint, authenticated with a private_key_jwt
 * assertion signed by the TPP key (UK-DCR-2, CDR-DCR-2, RFC 7523) — calls at its client configuration
 * endpoint, and its deletion when the run ends. Paths come from the server's own documents (the 201's
 * `registration_client_uri`, discovery's `token_endpoint` and mTLS alias, RFC8705-9) and are sent to the
 * server under test. A client whose credential was revoked by a case (RFC7592-5, UK-DCR-6) is deleted after
 * a signed PUT sent with `Authorization: Signed-Recovery`, where the server offers that recovery
 * (docs/management.md); otherwise it is left behind.
 */
import { randomUUID } from 'node:crypto'
import { exchange, type ExchangeResult } from './exchange.ts'
import type { ConformanceMaterial, Participant } from './material.ts'

/** RFC 7523 §2.2 client assertion type. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** Life of the client assertions the run signs, in seconds. */
const ASSERTION_LIFETIME_SECONDS = 60

export type ManagementMethod = 'GET' | 'PUT' | 'DELETE'

/** A client the run registered. */
export type RunClient = {
  readonly clientId: string
  /** The 201 answer. */
  readonly information: Readonly<Record<string, unknown>>
  /** How management is authorised, read from the 201: it carries a registration_access_token or not. */
  readonly credentialKind: 'registration-access-token' | 'client-credentials'
  /** Path (and query) of its client configuration endpoint on the server under test. */
  readonly configurationPath: string
  /** The software it was registered for, whose transport certificate its calls present. */
  readonly participant: Participant
  /** Registered over TLS without a client certificate (where the profile allows it, RFC 7591): its calls present none. */
  readonly withoutCertificate: boolean
  /** The latest registration access token the server handed out (rotation, RFC7592-8). */
  registrationAccessToken: string | undefined
  /** Set once a DELETE of it was answered 204. */
  deleted: boolean
}

export type ManageCall = {
  /** Sent as `Authorization: Bearer <token>`; none when undefined. */
  token?: string | undefined
  /** A whole Authorization header instead of `token` (the explicit `Signed-Recovery` scheme). */
  authorization?: string
  /** A PUT body (signed registration request). */
  body?: string
  /** Call this path instead of the client's own (e.g. another client id). */
  path?: string
  /** Present this participant's certificate instead of the client's (the caller is another client). */
  as?: RunClient
  /** Present no client certificate. */
  withoutCertificate?: boolean
}

export type RegisterOptions = {
  /** Register over TLS without a client certificate. */
  withoutCertificate?: boolean
  /** The SSA to carry (undefined: a fresh default one; null: none). */
  ssa?: string | null
  /**
   * The case will present this client's registration access token where the server should revoke it
   * (RFC7592-5, SEC-33). Such a token is the client's only credential: with signed recovery off (every
   * preset), no one can delete the client afterwards, and where the profile allows one registration per
   * software id (BR-DCR-25) its software could never register again. So it is registered for a disposable
   * participant; where the material has none (another server than a sandbox), the case does not run rather
   * than lose the tester's software.
   */
  losesRegistrationToken?: boolean
}

export type RunClients = {
  /** Remembers the client of a 201 answer for `participant` (default the primary); undefined when the answer has no client_id. */
  remember(information: unknown, participant?: Participant, withoutCertificate?: boolean): RunClient | undefined
  /** A participant with no client of the run on the server, for one more registration (CDR-DCR-15, BR-DCR-25); the primary when there is no other. */
  freeParticipant(): Promise<Participant>
  /**
   * Registers a fresh, valid client (request claims `overrides`, SSA claims `ssaClaims`) for a free
   * participant; throws unless the answer is 201.
   */
  register(overrides?: Record<string, unknown>, ssaClaims?: Record<string, unknown>, options?: RegisterOptions): Promise<RunClient>
  /** The credential that manages `client` now: its latest registration access token, or a new access token. */
  credential(client: RunClient): Promise<string>
  /** POST to the token endpoint: client credentials grant, private_key_jwt for `client`. */
  requestToken(client: RunClient): Promise<ExchangeResult>
  /** A call at the client configuration endpoint; keeps the latest registration access token and notes a deletion. */
  manage(client: RunClient, method: ManagementMethod, call?: ManageCall): Promise<ExchangeResult>
  /** A signed update request for `client` (a fresh SSA with `ssaClaims`, `client_id` set, RFC7592-10). */
  updateRequest(client: RunClient, overrides?: Record<string, unknown>, ssaClaims?: Record<string, unknown>): Promise<string>
  /** The path of another client id's configuration endpoint, shaped like `client`'s. */
  pathFor(client: RunClient, clientId: string): string
  /** Deletes every remembered client not yet deleted; returns the ids still on the server. */
  cleanup(): Promise<string[]>
  /** Ids of the remembered clients not deleted. */
  remaining(): string[]
}

const FORM = 'application/x-www-form-urlencoded'

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** The path and query of a URL, to be sent to the server under test. */
const pathOf = (url: string): string => {
  const parsed = new URL(url)
  return `${parsed.pathname}${parsed.search}`
}

/** "status error: description" of an answer, for notes. */
export function answerSummary(result: ExchangeResult): string {
  if (result.status === 0) return result.note ?? 'no HTTP answer'
  const body = isObject(result.json) ? result.json : {}
  const error = typeof body.error === 'string' ? ` ${body.error}` : ''
  const description = typeof body.error_description === 'string' ? `: ${body.error_description.slice(0, 200)}` : ''
  return `${result.status}${error}${description}`
}

type TokenEndpoint = { path: string; audience: string }

export function createRunClients(material: ConformanceMaterial): RunClients {
  const clients: RunClient[] = []
  let tokenEndpoint: Promise<TokenEndpoint> | undefined

  /** The token endpoint from discovery (its mTLS alias where given), else `/token` under the issuer. */
  async function discoverTokenEndpoint(): Promise<TokenEndpoint> {
    const fallback = `${material.audience.replace(/\/+$/, '')}/token`
    const result = await exchange(material, { method: 'GET', path: '/.well-known/openid-configuration' })
    const metadata = result.status === 200 && isObject(result.json) ? result.json : {}
    const advertised = typeof metadata.token_endpoint === 'string' ? metadata.token_endpoint : fallback
    const aliases = isObject(metadata.mtls_endpoint_aliases) ? metadata.mtls_endpoint_aliases : {}
    const alias = typeof aliases.token_endpoint === 'string' ? aliases.token_endpoint : advertised
    try {
      return { path: pathOf(alias), audience: advertised }
    } catch {
      return { path: '/token', audience: fallback }
    }
  }

  const primary: Participant = { softwareId: material.softwareId, transport: material.transport }

  function remember(information: unknown, participant: Participant = primary, withoutCertificate = false): RunClient | undefined {
    if (!isObject(information) || typeof information.client_id !== 'string' || information.client_id === '') return undefined
    const clientId = information.client_id
    const token = typeof information.registration_access_token === 'string' ? information.registration_access_token : undefined
    let configurationPath = `/register/${encodeURIComponent(clientId)}`
    if (typeof information.registration_client_uri === 'string') {
      try {
        configurationPath = pathOf(information.registration_client_uri)
      } catch {
        // not a URL: the usual path is the best guess (RFC7592-3)
      }
    }
    const client: RunClient = {
      clientId,
      information,
      credentialKind: token === undefined ? 'client-credentials' : 'registration-access-token',
      configurationPath,
      participant,
      withoutCertificate,
      registrationAccessToken: token,
      deleted: false,
    }
    clients.push(client)
    return client
  }

  async function freeParticipant(): Promise<Participant> {
    const busy = new Set(clients.filter((client) => !client.deleted).map((client) => client.participant.softwareId))
    const all = await material.participants(busy.size + 1)
    return all.find((participant) => !busy.has(participant.softwareId)) ?? primary
  }

  /** The SSA of a request for `participant`: none, the given one, or a fresh one (with `ssaClaims`, or the profile's default). */
  async function ssaFor(participant: Participant, ssaClaims: Record<string, unknown> | undefined, given: string | null | undefined): Promise<string | undefined> {
    if (given === null) return undefined
    if (given !== undefined) return given
    return ssaClaims === undefined ? material.defaultSsa(participant.softwareId) : material.issueSsa(ssaClaims, participant.softwareId)
  }

  /** Where a client's registration access token will be revoked, a participant no one else needs (RegisterOptions). */
  async function participantFor(options: RegisterOptions): Promise<Participant> {
    if (options.losesRegistrationToken !== true) return freeParticipant()
    const disposable = await material.disposableParticipant()
    if (disposable === undefined) {
      throw new Error('the case presents a registration access token where the server should revoke it for good (RFC7592-5), which would leave a registration no one can delete; it needs a software id to spare, which only a sandbox provides')
    }
    return disposable
  }

  async function register(overrides: Record<string, unknown> = {}, ssaClaims?: Record<string, unknown>, options: RegisterOptions = {}): Promise<RunClient> {
    const participant = await participantFor(options)
    const ssa = await ssaFor(participant, ssaClaims, options.ssa)
    const body = await material.encode(material.registrationClaims(ssa, overrides, participant.softwareId))
    const withoutCertificate = options.withoutCertificate === true
    const result = await exchange(material, { method: 'POST', path: '/register', body, transport: participant.transport, withoutCertificate })
    const client = result.status === 201 ? remember(result.json, participant, withoutCertificate) : undefined
    if (client === undefined) throw new Error(`registering a client for the case was not accepted (${answerSummary(result)})`)
    return client
  }

  async function requestToken(client: RunClient): Promise<ExchangeResult> {
    tokenEndpoint ??= discoverTokenEndpoint()
    const endpoint = await tokenEndpoint
    const iat = Math.floor(Date.now() / 1000)
    const assertion = await material.sign({ iss: client.clientId, sub: client.clientId, aud: endpoint.audience, iat, exp: iat + ASSERTION_LIFETIME_SECONDS, jti: randomUUID() })
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: assertion })
    return exchange(material, { method: 'POST', path: endpoint.path, body: form.toString(), contentType: FORM, transport: client.participant.transport, withoutCertificate: client.withoutCertificate })
  }

  async function credential(client: RunClient): Promise<string> {
    if (client.credentialKind === 'registration-access-token') return client.registrationAccessToken!
    const result = await requestToken(client)
    const token = isObject(result.json) ? result.json.access_token : undefined
    if (result.status !== 200 || typeof token !== 'string') throw new Error(`the token endpoint issued no access token to client ${client.clientId} (${answerSummary(result)})`)
    return token
  }

  async function manage(client: RunClient, method: ManagementMethod, call: ManageCall = {}): Promise<ExchangeResult> {
    const path = call.path ?? client.configurationPath
    const caller = call.as ?? client
    const result = await exchange(material, {
      method,
      path,
      transport: caller.participant.transport,
      withoutCertificate: call.withoutCertificate ?? caller.withoutCertificate,
      ...(call.body === undefined ? {} : { body: call.body }),
      ...(call.authorization !== undefined ? { headers: { authorization: call.authorization } } : call.token === undefined ? {} : { headers: { authorization: `Bearer ${call.token}` } }),
    })
    if (path !== client.configurationPath) return result
    const issued = isObject(result.json) ? result.json.registration_access_token : undefined
    if (result.status === 200 && typeof issued === 'string') client.registrationAccessToken = issued
    if (method === 'DELETE' && result.status === 204) client.deleted = true
    return result
  }

  async function updateRequest(client: RunClient, overrides: Record<string, unknown> = {}, ssaClaims?: Record<string, unknown>): Promise<string> {
    const ssa = await ssaFor(client.participant, ssaClaims, undefined)
    return material.encode(material.registrationClaims(ssa, { client_id: client.clientId, ...overrides }, client.participant.softwareId))
  }

  function pathFor(client: RunClient, clientId: string): string {
    const own = encodeURIComponent(client.clientId)
    const other = encodeURIComponent(clientId)
    return client.configurationPath.includes(own) ? client.configurationPath.replace(own, other) : `/register/${other}`
  }

  /** DELETE with the client's credential; false when there is none or the server refuses. */
  async function deleteWithCredential(client: RunClient): Promise<boolean> {
    let token: string
    try {
      token = await credential(client)
    } catch {
      return false
    }
    return (await manage(client, 'DELETE', { token })).status === 204
  }

  async function remove(client: RunClient): Promise<boolean> {
    if (client.deleted) return true
    if (await deleteWithCredential(client)) return true
    // The credential was revoked (or the client cannot get one): an explicit signed-recovery PUT proves control again.
    const recovered = await manage(client, 'PUT', { authorization: 'Signed-Recovery', body: await updateRequest(client) })
    return recovered.status === 200 && (await deleteWithCredential(client))
  }

  async function cleanup(): Promise<string[]> {
    for (const client of clients) await remove(client).catch(() => false)
    return remaining()
  }

  const remaining = (): string[] => clients.filter((client) => !client.deleted).map((client) => client.clientId)

  return { remember, freeParticipant, register, credential, requestToken, manage, updateRequest, pathFor, cleanup, remaining }
}
