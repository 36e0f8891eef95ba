/**
 * The one place where a failure becomes an HTTP answer, read from the error table (lib/error-table.ts): the
 * status, the RFC 7591 / RFC 6749 / RFC 6750 error body (RFC7591-23/24) and the WWW-Authenticate challenge of
 * the error's code. A refused bearer token at the client configuration endpoint is answered as RFC 6750 §3
 * describes (RFC7592-4/5/6, SEC-33); every 401 of the token endpoint names the client authentication methods
 * the server accepts (RFC 6749 §5.2, RFC 9110 §15.5.2). Fastify's own refusals, and those Node's HTTP parser
 * answers before Fastify (clientError), get the same shape. Anything unexpected becomes a generic 500 whose
 * details stay in the log (no stack trace, no internal message leaves the server).
 */
import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyError } from 'fastify'
import { AnsweredError } from '../lib/answered-error.ts'
import { describeError, ERROR_CODES, errorEntry, type ErrorCode } from '../lib/error-table.ts'
import { CLIENT_AUTHENTICATION_METHODS } from '../tokens/client-authentication.ts'

/** A refusal decided at the HTTP layer: media type, body size, client certificate, unknown route. */
export class HttpError extends AnsweredError {
  constructor(code: ErrorCode, description?: string, headers?: Record<string, string>)
  /** @deprecated name the table entry: `new HttpError(code, description, headers)`. */
  constructor(status: number, error: string, description: string, headers?: Record<string, string>)
  constructor(codeOrStatus: ErrorCode | number, ...rest: [string?, Record<string, string>?] | [string, string, Record<string, string>?]) {
    if (typeof codeOrStatus === 'number') {
      const [error, description, headers] = rest as [string, string, Record<string, string>?]
      super(legacyCode(codeOrStatus, error), description, { headers: headers ?? {} })
    } else {
      const [description, headers] = rest as [string?, Record<string, string>?]
      super(codeOrStatus, description ?? describeError(codeOrStatus), { headers: headers ?? {} })
    }
    this.name = 'HttpError'
  }
}

/** The first HTTP-layer entry with this status and error, for callers still naming both. */
function legacyCode(status: number, error: string): ErrorCode {
  const match = ERROR_CODES.find((code) => !code.startsWith('registration.') && errorEntry(code).status === status && errorEntry(code).error === error)
  if (match === undefined) throw new TypeError(`no error table entry answers ${status} ${error}`)
  return match
}

export type ErrorAnswer = {
  status: number
  headers: Record<string, string>
  body: { error: string; error_description: string; validator?: string }
  /** True for server faults (an unexpected error, the store unavailable), which are logged with their details; the body never carries them. */
  internal: boolean
}

/** What an answer depends on beyond the error: the token endpoint's accepted client authentication methods. */
export type ErrorAnswerContext = {
  /** Named in the token endpoint's challenge; default: every method the token endpoint implements. */
  clientAuthenticationMethods?: readonly string[]
}

/** Responses may carry client data or secrets: never cache them (RFC7591-25). */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = { 'cache-control': 'no-store', pragma: 'no-cache' }

/** Fastify's own errors, by Fastify's code; any other Fastify 4xx is `http.unreadable_request`. */
const FASTIFY_ERRORS: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'http.body_too_large',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'http.content_length_mismatch',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'http.empty_body',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'http.invalid_content_type',
  FST_ERR_BAD_URL: 'http.bad_url',
  FST_ERR_MAX_PARAM_LENGTH: 'http.path_parameter_too_long',
}

/** UK-DCR-43 caps descriptions at 500 characters; RFC 7591 wants them ASCII-safe (non-ASCII is escaped). */
const describe = (message: string): string => {
  const ascii = message.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return ascii.length > 500 ? `${ascii.slice(0, 497)}...` : ascii
}

/** RFC 6750 §3: attribute values are quoted strings without `"` or `\`, printable ASCII only. */
const challengeAttribute = (value: string): string => `"${value.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '').slice(0, 500)}"`

/** The WWW-Authenticate value of `error`, when its table entry has a challenge. */
function challengeOf(error: AnsweredError, context: ErrorAnswerContext): string | undefined {
  const entry = errorEntry(error.code)
  switch (entry.challenge) {
    case undefined:
      return undefined
    case 'bearer':
      return `Bearer error="${entry.error}", error_description=${challengeAttribute(error.message)}`
    case 'bearer-scope':
      return `Bearer error="${entry.error}", error_description=${challengeAttribute(error.message)}, scope=${challengeAttribute(error.challengeValues.scope ?? '')}`
    case 'client-authentication': {
      const methods = context.clientAuthenticationMethods ?? CLIENT_AUTHENTICATION_METHODS
      const used = error.challengeValues.authScheme
      // RFC 6749 §5.2: the scheme the client used comes first; a Bearer header is no client authentication.
      const usedChallenge = used !== undefined && used.toLowerCase() !== 'bearer' ? [`${used} error="${entry.error}"`] : []
      return [...usedChallenge, ...methods].join(', ')
    }
  }
}

/** The answer of a table entry with `description`. */
function answerOf(code: ErrorCode, description: string, headers: Record<string, string> = {}): ErrorAnswer {
  const entry = errorEntry(code)
  return { status: entry.status, headers: { ...NO_STORE_HEADERS, ...headers }, body: { error: entry.error, error_description: describe(description) }, internal: code === 'server.internal' || code === 'server.store_unavailable' }
}

export function toErrorAnswer(error: unknown, context: ErrorAnswerContext = {}): ErrorAnswer {
  if (error instanceof AnsweredError) {
    const challenge = challengeOf(error, context)
    const answer = answerOf(error.code, error.message, { ...error.headers, ...(challenge === undefined ? {} : { 'www-authenticate': challenge }) })
    // A registration check names itself (validation/errors.ts ValidationError); the body says which one refused.
    const validator = (error as { validator?: unknown }).validator
    if (typeof validator === 'string') answer.body.validator = validator
    return answer
  }
  const fastifyError = error as Partial<FastifyError>
  const known = typeof fastifyError.code === 'string' ? FASTIFY_ERRORS[fastifyError.code] : undefined
  if (known) return answerOf(known, describeError(known))
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return answerOf('http.unreadable_request', describeError('http.unreadable_request'))
  }
  return answerOf('server.internal', describeError('server.internal'))
}

/** Node's HTTP parser refusals, by Node's error code (https://nodejs.org/api/http.html#event-clienterror). */
const clientErrorCode = (code: string | undefined): ErrorCode =>
  code === 'HPE_HEADER_OVERFLOW' ? 'http.headers_too_large' : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'http.request_timeout' : 'http.malformed_request'

/**
 * Fastify's `clientErrorHandler`: a request Node's parser refused never reaches Fastify, so its answer is
 * written to the socket here, shaped like every other error, and the connection closed.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  // A TLS failure (handshake timeout, bad ClientHello) has no channel to answer on: an HTTP answer written to a
  // socket whose handshake never finished would wait there forever and keep the connection open.
  if (/^ERR_(TLS|SSL)_/.test(error.code ?? '')) {
    socket.destroy()
    return
  }
  const answer = answerOf(clientErrorCode(error.code), describeError(clientErrorCode(error.code)))
  const body = JSON.stringify(answer.body)
  const headers = { ...answer.headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), connection: 'close' }
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n${body}`)
  } else {
    socket.destroy(error)
  }
}
