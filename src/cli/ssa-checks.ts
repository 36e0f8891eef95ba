/**
 * What a bank with a given profile would say about a software statement, check by check, for
 * `open-dcr ssa inspect`. A ValidationContext (validation/context.ts) is built with the statement, a
 * synthetic registration request that is valid for it (its software id as `iss`, its first redirect URI,
 * its JWKS URI, the profile's mandatory metadata), and the profile's configuration trusting the given
 * directory keys. Then every SSA-relevant built-in validator of that profile runs on its own, in pipeline
 * order, and each one's pass or failure is recorded instead of stopping at the first (the registration
 * pipeline stops at the first, validation/pipeline.ts). Request-only checks (request signature, audience,
 * algorithms, grant and response types, application type) and the transport certificate are not run: they
 * say nothing about the statement. software-status (CDR-DCR-25) runs when a CDR Register URL is given.
 */
import { randomUUID } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader, type JSONWebKeySet, type JWSHeaderParameters } from 'jose'
import { loadConfig } from '../config/load.ts'
import type { Config, ValidatorId } from '../config/schema.ts'
import { toClaims } from '../lib/claims.ts'
import { createBoundedFetch } from '../trust/outbound-http.ts'
import { createDirectories } from '../trust/directories.ts'
import { createRegisterStatusClient } from '../trust/register-status.ts'
import { createRemoteKeySets } from '../trust/remote-key-sets.ts'
import type { BuiltInValidator, ValidationContext } from '../validation/context.ts'
import type { Claims } from '../lib/claims.ts'
import { ValidationError } from '../validation/errors.ts'
import { redirectUriProblem } from '../validation/redirect-uri.ts'
import { builtInValidators } from '../validation/pipeline.ts'
import type { SandboxProfile } from '../sandbox/profile-sandbox.ts'

/** The issuer of the imagined bank: the `aud` of the synthetic request. */
export const INSPECTION_BANK = 'https://bank.example'

/** The built-in checks that look at the software statement, by id. */
export const SSA_CHECK_IDS: readonly ValidatorId[] = [
  'ssa-issuer',
  'ssa-signature',
  'software-status',
  'request-issuer',
  'freshness',
  'jti-replay',
  'required-attributes',
  'redirect-uri-format',
  'redirect-uri-subset',
  'hostname-consistency',
  'token-endpoint-auth',
  'roles-and-scopes',
]

export type SsaCheckOutcome =
  | { readonly id: string; readonly status: 'pass' }
  | { readonly id: string; readonly status: 'fail'; readonly error: string; readonly claim: string | undefined; readonly description: string }
  /** Switched off in the profile, or not runnable here (no keys, no Register): `reason` says which. */
  | { readonly id: string; readonly status: 'skipped'; readonly reason: string }

export type SsaCheckInput = {
  /** The compact SSA. */
  ssa: string
  profile: SandboxProfile
  /** Keys of the directory that should have signed it; undefined: the signature is not checked. */
  keys: JSONWebKeySet | undefined
  /** The SSA issuers the bank trusts (each with `keys`). */
  directoryIssuers: readonly string[]
  /** Base URL of the CDR Register for software-status; undefined: not checked. */
  registerUrl?: string | undefined
  /** Extra PEM CA files for the Register's https (the sandbox CA). */
  caFiles?: readonly string[]
  /** Epoch seconds (default now). */
  now?: number
}

/** Placeholder for a value the statement should have supplied: the check that needs it says what is missing. */
const PLACEHOLDER_URI = 'https://client.invalid/callback'

const stringOf = (claims: Claims, name: string): string | undefined => (typeof claims[name] === 'string' && claims[name] !== '' ? (claims[name] as string) : undefined)

/**
 * The redirect URIs the synthetic request asks for, so that a bad URI is reported against the statement and
 * not against the request: the statement's first acceptable URI; none when it lists only unacceptable ones
 * and the profile lets the request leave them out (redirect-uri-format then names the statement's); the
 * placeholder when the statement lists none (redirect-uri-subset then says so) or the request must carry one.
 */
function requestedRedirectUris(claims: Claims, config: Config): string[] | undefined {
  const listed = claims[config.ssa.redirectUrisClaim]
  const uris = Array.isArray(listed) ? listed.filter((uri): uri is string => typeof uri === 'string') : []
  const acceptable = uris.find((uri) => redirectUriProblem(uri, { maxLength: config.validators['redirect-uri-format'].maxLength }) === undefined)
  if (acceptable !== undefined) return [acceptable]
  const required = config.validators['required-attributes'].request.includes('redirect_uris')
  return uris.length > 0 && !required ? undefined : [PLACEHOLDER_URI]
}

/** A registration request a TPP would send with this statement, valid in every respect the statement does not decide. */
export function syntheticRequest(profile: SandboxProfile, ssa: string, claims: Claims, config: Config, now: number): Claims {
  const { softwareIdClaim, jwksUriClaim } = config.ssa
  const jwksUri = stringOf(claims, jwksUriClaim)
  const redirectUris = requestedRedirectUris(claims, config)
  const common: Record<string, unknown> = {
    ...(redirectUris === undefined ? {} : { redirect_uris: redirectUris }),
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'PS256',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    application_type: 'web',
    id_token_signed_response_alg: 'PS256',
    request_object_signing_alg: 'PS256',
    scope: 'openid',
    software_statement: ssa,
  }
  const envelope = { iss: stringOf(claims, softwareIdClaim) ?? '(no software id in the statement)', aud: INSPECTION_BANK, iat: now, exp: now + 300, jti: randomUUID() }
  switch (profile) {
    case 'obuk':
      return toClaims({ ...envelope, ...common, response_types: ['code id_token'] })
    case 'cdr':
      return toClaims({
        ...envelope,
        ...common,
        response_types: ['code'],
        authorization_signed_response_alg: 'PS256',
        authorization_encrypted_response_alg: 'RSA-OAEP',
        authorization_encrypted_response_enc: 'A128CBC-HS256',
      })
    case 'brazil':
    case 'rfc7591':
      return toClaims({ ...common, response_types: ['code'], ...(jwksUri === undefined ? {} : { jwks_uri: jwksUri }) })
  }
}

/** The profile's configuration for a bank that trusts `directoryIssuers` with `keys`. */
export function inspectionConfig(input: SsaCheckInput): Config {
  const registerHost = input.registerUrl === undefined ? undefined : new URL(input.registerUrl).hostname
  const loopback = registerHost === '127.0.0.1' || registerHost === '[::1]' || registerHost === 'localhost'
  return loadConfig({
    values: {
      profile: input.profile,
      issuer: INSPECTION_BANK,
      directories: input.directoryIssuers.map((issuer) => (input.keys === undefined ? { issuer, jwksUrl: 'https://keys.invalid/jwks' } : { issuer, jwks: input.keys })),
      server: { mode: 'proxy', proxy: { trustedAddresses: ['127.0.0.1'] } },
      outbound: { caFiles: [...(input.caFiles ?? [])], allowPrivateAddresses: loopback },
      validators: { 'software-status': input.registerUrl === undefined ? { enabled: false } : { registerBaseUrl: input.registerUrl } },
    },
  })
}

/** Why a check is not run here, or undefined when it runs. */
function skipReason(validator: BuiltInValidator, config: Config, input: SsaCheckInput): string | undefined {
  const options = config.validators[validator.id]
  if (validator.id === 'software-status' && input.registerUrl === undefined) {
    return config.profile === 'cdr' ? 'needs the CDR Register: pass --register URL' : `not part of the ${config.profile} profile`
  }
  if (!options.enabled) return `off in the ${config.profile} profile`
  if (validator.id === 'ssa-signature' && input.keys === undefined) return 'no directory keys: pass --jwks URL|FILE'
  return undefined
}

/** Runs every SSA-relevant check of the profile on the statement; throws only on an undecodable statement. */
export async function checkSoftwareStatement(input: SsaCheckInput): Promise<SsaCheckOutcome[]> {
  const config = inspectionConfig(input)
  const now = input.now ?? Math.floor(Date.now() / 1000)
  const ssaClaims = toClaims(decodeJwt(input.ssa))
  const remoteKeySets = createRemoteKeySets(config.outbound)
  let ctx: ValidationContext = {
    operation: 'create',
    config,
    now,
    request: { compact: undefined, header: undefined, claims: syntheticRequest(input.profile, input.ssa, ssaClaims, config, now), verified: false },
    ssa: { compact: input.ssa, header: decodeProtectedHeader(input.ssa) as JWSHeaderParameters, claims: ssaClaims, verified: false },
    directory: undefined,
    certificate: undefined,
    directories: createDirectories(config, remoteKeySets),
    remoteKeySets,
    // The bank's replay store is not ours to see: a jti is checked for presence and form only.
    isJtiUsed: async () => false,
    client: undefined,
    registerStatus: input.registerUrl === undefined ? undefined : createRegisterStatusClient({ config: config.validators['software-status'], fetch: createBoundedFetch(config.outbound) }),
  }
  const outcomes: SsaCheckOutcome[] = []
  for (const validator of builtInValidators) {
    if (!SSA_CHECK_IDS.includes(validator.id)) continue
    const reason = skipReason(validator, config, input)
    if (reason !== undefined) {
      outcomes.push({ id: validator.id, status: 'skipped', reason })
      continue
    }
    try {
      // What a check establishes (the directory, the verified statement) is what the next one reads, as in the pipeline.
      const established = await validator.check(ctx)
      if (established !== undefined) ctx = { ...ctx, ...established }
      outcomes.push({ id: validator.id, status: 'pass' })
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      outcomes.push({ id: validator.id, status: 'fail', error: error.error, claim: error.claim, description: error.message })
    }
  }
  return outcomes
}
