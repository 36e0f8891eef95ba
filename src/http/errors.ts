/**
 * The one place where a failure becomes an HTTP answer. Client mistakes get their precise status and an
 * RFC 7591 / RFC 6749 error body (RFC7591-23/24); anything unexpected becomes a generic 500 whose details
 * stay in the log (no stack trace, no internal message leaves the server). A refused bearer token at the
 * client configuration endpoint is answered as RFC 6750 §3 describes (RFC7592-4/5/6, SEC-33): 401
 * `invalid_token` or 403 `insufficient_scope`, with a `WWW-Authenticate: Bearer` challenge naming the error.
 */
import type { FastifyError } from 'fastify'
import { InsufficientScopeError, InvalidTokenError } from '../tokens/bearer-token-errors.ts'
import { OAuthError } from '../tokens/token-errors.ts'
import { ValidationError } from '../validation/errors.ts'

/** A refusal decided at the HTTP layer: media type, body size, client certificate, unknown route. */
export class HttpError extends Error {
  readonly status: number
  readonly error: string
  readonly headers: Readonly<Record<string, string>>
  constructor(status: number, error: string, description: string, headers: Record<string, string> = {}) {
    super(description)
    this.name = 'HttpError'
    this.status = status
    this.error = error
    this.headers = headers
  }
}

export type ErrorAnswer = {
  status: number
  headers: Record<string, string>
  body: { error: string; error_description: string; validator?: string }
  /** True for server faults, which are logged with their details. */
  internal: boolean
}

/** Responses may carry client data or secrets: never cache them (RFC7591-25). */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = { 'cache-control': 'no-store', pragma: 'no-cache' }

/** Fastify's own 4xx errors, reworded for OAuth clients. */
const FASTIFY_ERRORS: Readonly<Record<string, (error: FastifyError) => Omit<ErrorAnswer, 'headers' | 'internal'>>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => ({ status: 413, body: { error: 'invalid_request', error_description: 'the request body is larger than this server accepts (server.bodyLimitBytes)' } }),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => ({ status: 400, body: { error: 'invalid_request', error_description: 'Content-Length does not match the body' } }),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => ({ status: 400, body: { error: 'invalid_request', error_description: 'the request body is empty' } }),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => ({ status: 415, body: { error: 'invalid_request', error_description: 'unsupported Content-Type' } }),
}

/** UK-DCR-43 caps descriptions at 500 characters; RFC 7591 wants them ASCII-safe (non-ASCII is escaped). */
const describe = (message: string): string => {
  const ascii = message.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return ascii.length > 500 ? `${ascii.slice(0, 497)}...` : ascii
}

/** RFC 6750 §3: attribute values are quoted strings without `"` or `\`, printable ASCII only. */
const challengeAttribute = (value: string): string => `"${value.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '').slice(0, 500)}"`

/** RFC 6750 §3: the status, a Bearer challenge with the error and its description, and the same error in the body. */
function bearerAnswer(status: number, error: string, description: string, extraAttributes = ''): ErrorAnswer {
  const challenge = `Bearer error="${error}", error_description=${challengeAttribute(description)}${extraAttributes}`
  return { status, headers: { ...NO_STORE_HEADERS, 'www-authenticate': challenge }, body: { error, error_description: describe(description) }, internal: false }
}

export function toErrorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof ValidationError) {
    return { status: 400, headers: { ...NO_STORE_HEADERS }, body: { error: error.error, error_description: describe(error.message), validator: error.validator }, internal: false }
  }
  if (error instanceof OAuthError) {
    // RFC 6749 §5.2: a client that authenticated with an HTTP scheme is answered with a challenge in that scheme.
    const challenge: Record<string, string> = error.error === 'invalid_client' && error.authScheme !== undefined ? { 'www-authenticate': `${error.authScheme} error="invalid_client"` } : {}
    return { status: error.status, headers: { ...NO_STORE_HEADERS, ...challenge }, body: { error: error.error, error_description: describe(error.message) }, internal: false }
  }
  if (error instanceof InvalidTokenError) return bearerAnswer(401, error.error, error.message)
  if (error instanceof InsufficientScopeError) return bearerAnswer(403, error.error, error.message, `, scope=${challengeAttribute(error.scope)}`)
  if (error instanceof HttpError) {
    return { status: error.status, headers: { ...NO_STORE_HEADERS, ...error.headers }, body: { error: error.error, error_description: describe(error.message) }, internal: false }
  }
  const fastifyError = error as Partial<FastifyError>
  const known = typeof fastifyError.code === 'string' ? FASTIFY_ERRORS[fastifyError.code] : undefined
  if (known) return { ...known(fastifyError as FastifyError), headers: { ...NO_STORE_HEADERS }, internal: false }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return { status: fastifyError.statusCode, headers: { ...NO_STORE_HEADERS }, body: { error: 'invalid_request', error_description: 'the request could not be read' }, internal: false }
  }
  return { status: 500, headers: { ...NO_STORE_HEADERS }, body: { error: 'server_error', error_description: 'the server could not complete the request; it has been logged' }, internal: true }
}
