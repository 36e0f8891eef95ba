/**
 * A custom check delegated to an HTTP extension service (`customValidators.http`, docs/extension-openapi.yaml):
 * after the built-in checks pass, the registration's facts are POSTed as JSON to the configured URL, and its
 * answer decides: `{"decision":"allow"}`, `{"decision":"allow","metadata":{...}}` (metadata the bank's policy
 * then registers, see ctx.extensionMetadata) or `{"decision":"deny","error":"<RFC 7591 code>",
 * "error_description":"..."}`. The call goes through the one outbound client (trust/outbound-http.ts): one
 * timeout for the whole exchange, a response size cap, no redirects, and TLS with the system CAs plus
 * `caFiles`; http and a private address are allowed, as the configured URL is the bank's own service. A
 * timeout, a failure or an answer that is not one of the three fails closed with
 * `unapproved_software_statement`, unless the operator turned on the dangerous `failOpen` (logged at start-up). Compact tokens are never sent: only decoded, verified claims
 * (SEC-35).
 */
import type { Config } from '../../config/schema.ts'
import { certificateIssuer, certificateSubject, formatDistinguishedName } from '../../trust/distinguished-name.ts'
import { createOutboundHttp, OutboundFetchError, type OutboundHttp } from '../../trust/outbound-http.ts'
import { readPemCertificates } from '../../trust/pem-certificates.ts'
import type { ValidationContext, Validator } from '../context.ts'
import { isPrototypeKey, type Claims } from '../../lib/claims.ts'
import { ValidationError, type RegistrationErrorCode } from '../errors.ts'

const ID = 'http-extension'
const ERROR_CODES: readonly string[] = ['invalid_client_metadata', 'invalid_redirect_uri', 'invalid_software_statement', 'unapproved_software_statement']
/** Longest error_description passed on from the service (UK-DCR-43: 500). */
const MAX_DESCRIPTION = 500

/** What the extension service receives (docs/extension-openapi.yaml, ExtensionRequest). */
export type ExtensionRequest = {
  operation: 'create' | 'update'
  profile: string
  /** The request's claims (verified where the profile signs requests), without the compact software_statement. */
  request: Record<string, unknown>
  /** The software statement's claims (verified), or null when the request carries none. */
  software_statement: Record<string, unknown> | null
  /** The `iss` of the directory that signed the statement, or null. */
  directory: string | null
  /** The client being updated (operation update), else null. */
  client_id: string | null
  certificate: { subject: string; issuer: string; serial_number: string; thumbprint: string } | null
}

/** The answers the service may give (ExtensionDecision). */
export type ExtensionDecision =
  | { decision: 'allow'; metadata?: Record<string, unknown> }
  | { decision: 'deny'; error: RegistrationErrorCode; error_description: string; claim?: string }

/** Why the service's answer could not be used; failOpen decides what happens then. */
export class ExtensionCallError extends Error {
  override name = 'ExtensionCallError'
}

type HttpExtensionConfig = Config['customValidators']['http']

const withoutCompactTokens = (claims: Claims): Record<string, unknown> => {
  const copy: Record<string, unknown> = { ...claims }
  delete copy.software_statement
  return copy
}

/** The facts sent for one registration. */
export function extensionRequestOf(ctx: ValidationContext): ExtensionRequest {
  const certificate = ctx.certificate
  return {
    operation: ctx.operation,
    profile: ctx.config.profile,
    request: withoutCompactTokens(ctx.request.claims),
    software_statement: ctx.ssa === undefined ? null : { ...ctx.ssa.claims },
    directory: ctx.directory?.issuer ?? null,
    client_id: ctx.client?.clientId ?? null,
    certificate:
      certificate === undefined
        ? null
        : {
            subject: formatDistinguishedName(certificateSubject(certificate.certificate)),
            // As node:crypto prints it, most specific first; for display and logs on the service's side.
            issuer: formatDistinguishedName(certificateIssuer(certificate.certificate)),
            serial_number: certificate.certificate.serialNumber,
            thumbprint: certificate.thumbprint,
          },
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Reads the service's JSON answer; throws ExtensionCallError for anything that is not a decision. */
export function parseDecision(body: unknown): ExtensionDecision {
  if (!isRecord(body)) throw new ExtensionCallError('the answer is not a JSON object')
  if (body.decision === 'allow') {
    if (body.metadata === undefined) return { decision: 'allow' }
    if (!isRecord(body.metadata)) throw new ExtensionCallError('"metadata" of an allow decision must be an object')
    const bad = Object.keys(body.metadata).find((key) => isPrototypeKey(key))
    if (bad !== undefined) throw new ExtensionCallError(`"metadata" has the reserved member ${bad}`)
    return { decision: 'allow', metadata: body.metadata }
  }
  if (body.decision === 'deny') {
    if (typeof body.error !== 'string' || !ERROR_CODES.includes(body.error)) throw new ExtensionCallError(`a deny decision needs "error", one of ${ERROR_CODES.join(', ')}`)
    if (typeof body.error_description !== 'string' || body.error_description.trim() === '') throw new ExtensionCallError('a deny decision needs an "error_description" that tells the client what to fix')
    // Printable ASCII only (RFC7591-23), bounded (UK-DCR-43).
    const description = body.error_description.replace(/[^\x20-\x7E]/g, ' ').trim().slice(0, MAX_DESCRIPTION)
    return { decision: 'deny', error: body.error as RegistrationErrorCode, error_description: description, ...(typeof body.claim === 'string' ? { claim: body.claim.slice(0, 100) } : {}) }
  }
  throw new ExtensionCallError('"decision" must be "allow" or "deny"')
}

/** The refusal of the outbound client, worded for the extension service. */
function callErrorOf(error: OutboundFetchError, config: HttpExtensionConfig): ExtensionCallError {
  switch (error.reason) {
    case 'timeout':
      return new ExtensionCallError(`the extension service did not answer within ${config.timeoutMs} ms`, { cause: error })
    case 'too-large':
      return new ExtensionCallError(`the extension service's answer is larger than ${config.maxResponseBytes} bytes`, { cause: error })
    case 'redirect':
      return new ExtensionCallError(`the extension service answered a redirect, which is not followed (${error.message})`, { cause: error })
    default:
      return new ExtensionCallError(`the extension service cannot be reached (${error.message})`, { cause: error })
  }
}

/** POSTs `payload` as JSON and resolves the parsed JSON answer of a 200; rejects with ExtensionCallError otherwise. */
async function postJson(client: OutboundHttp, url: URL, payload: unknown, config: HttpExtensionConfig): Promise<unknown> {
  let response
  try {
    response = await client.request({ url, method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: Buffer.from(JSON.stringify(payload)) })
  } catch (error) {
    throw error instanceof OutboundFetchError ? callErrorOf(error, config) : error
  }
  if (response.status !== 200) throw new ExtensionCallError(`the extension service answered HTTP ${response.status}`)
  try {
    return JSON.parse(response.body.toString('utf8'))
  } catch (error) {
    throw new ExtensionCallError('the extension service did not answer JSON', { cause: error })
  }
}

/**
 * The extension check for `config` (its `url` set). Reads `caFiles` now, so a bad file stops start-up
 * (ConfigError naming `customValidators.http.caFiles`).
 */
export function createHttpExtensionValidator(config: HttpExtensionConfig): Validator {
  if (config.url === undefined) throw new TypeError('createHttpExtensionValidator needs customValidators.http.url')
  const url = new URL(config.url)
  const client = createOutboundHttp({
    // The operator's own URL decides the scheme (config/load.ts accepts http and https only).
    allowHttp: url.protocol === 'http:',
    allowPrivateAddresses: true,
    allowedHosts: [],
    timeoutMs: config.timeoutMs,
    maxResponseBytes: config.maxResponseBytes,
    extraCas: config.caFiles.flatMap((file) => readPemCertificates(file, 'customValidators.http.caFiles').map((certificate) => certificate.toString())),
    settings: 'customValidators.http',
  })
  return {
    id: ID,
    operations: ['create', 'update'],
    requirements: [],
    summary: "The bank's extension service, asked over HTTP with the registration's facts, allows the registration (fails closed unless failOpen).",
    errors: ['invalid_client_metadata', 'invalid_redirect_uri', 'invalid_software_statement', 'unapproved_software_statement'],
    establishes: ['extensionMetadata'],
    async check(ctx) {
      let decision: ExtensionDecision
      try {
        decision = parseDecision(await postJson(client, url, extensionRequestOf(ctx), config))
      } catch (error) {
        if (!(error instanceof ExtensionCallError)) throw error
        if (config.failOpen) return
        throw new ValidationError('unapproved_software_statement', ID, "the registration cannot be approved now: the bank's additional registration check did not give a decision; try again later", { cause: error })
      }
      if (decision.decision === 'deny') throw new ValidationError(decision.error, ID, decision.error_description, decision.claim === undefined ? {} : { claim: decision.claim })
      if (decision.metadata !== undefined) return { extensionMetadata: { ...ctx.extensionMetadata, ...decision.metadata } }
      return undefined
    },
  }
}
