/**
 * Resolves the configuration: schema defaults, then the profile preset, then the file (YAML or JSON), then
 * `OPEN_DCR_*` environment variables. Anything that does not fit the schema stops start-up with a
 * ConfigError naming the key.
 *
 * Environment variables name a key path with `__` between levels, case and `-`/`_` ignored inside a
 * level: `OPEN_DCR_SERVER__PORT=9443`, `OPEN_DCR_VALIDATORS__JTI_REPLAY__ENABLED=false`. Lists take JSON
 * (`["a","b"]`) or a comma-separated string; objects take JSON.
 */
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { isPrototypeKey } from '../lib/claims.ts'
import { ConfigError, leaves, resolve, type Field } from './fields.ts'
import { configSchema, VALIDATOR_IDS, type Config, type ValidatorId } from './schema.ts'
import { profilePresets } from './profiles/index.ts'
import { DIRECTORY_PROFILES } from './directory-profiles.ts'
import { refuseUnverifiedTrust } from './unverified-trust.ts'

type Plain = Record<string, unknown>
const isPlain = (value: unknown): value is Plain => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Deep merge where objects merge key by key and everything else (lists included) replaces. */
export function merge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base }
  for (const [key, value] of Object.entries(over)) {
    if (isPrototypeKey(key)) continue
    out[key] = isPlain(value) && isPlain(out[key]) ? merge(out[key] as Plain, value) : value
  }
  return out
}

export function readConfigFile(path: string): Plain {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError('(file)', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  let parsed: unknown
  try {
    parsed = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text)
  } catch (error) {
    throw new ConfigError('(file)', `${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`)
  }
  if (parsed === null || parsed === undefined) return {}
  if (!isPlain(parsed)) throw new ConfigError('(file)', `${path} must hold an object at the top level`)
  return parsed
}

const normalise = (name: string): string => name.toLowerCase().replace(/[-_]/g, '')

/** Turns `OPEN_DCR_*` variables into a partial configuration object, typed by the schema. */
export function environmentOverrides(env: NodeJS.ProcessEnv): Plain {
  const out: Plain = {}
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('OPEN_DCR_') || raw === undefined) continue
    const segments = name.slice('OPEN_DCR_'.length).split('__')
    let field: Field = configSchema
    const path: string[] = []
    for (const segment of segments) {
      if (field.kind !== 'object') throw new ConfigError(`${name}`, `${path.join('.')} has no sub-keys`)
      const match: string | undefined = Object.keys(field.fields).find((key) => normalise(key) === normalise(segment))
      if (match === undefined) throw new ConfigError(`${name}`, `no configuration key "${segment}" under "${path.join('.') || '(top)'}"`)
      path.push(match)
      field = field.fields[match]!
    }
    let target = out
    for (const key of path.slice(0, -1)) target = (target[key] ??= {}) as Plain
    target[path.at(-1)!] = parseEnvironmentValue(field, raw, path.join('.'))
  }
  return out
}

function parseEnvironmentValue(field: Field, raw: string, key: string): unknown {
  switch (field.kind) {
    case 'integer':
      if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(key, `must be an integer, got "${raw}"`)
      return Number(raw)
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw new ConfigError(key, `must be true or false, got "${raw}"`)
      return raw === 'true'
    case 'string-list':
      return raw.trim().startsWith('[') ? parseJson(raw, key) : raw.split(',').map((item) => item.trim()).filter(Boolean)
    case 'string':
    case 'optional-string':
      return raw
    default:
      return parseJson(raw, key)
  }
}

function parseJson(raw: string, key: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    throw new ConfigError(key, 'must be JSON')
  }
}

export type LoadOptions = {
  file?: string
  values?: Plain
  env?: NodeJS.ProcessEnv
  /** The sandbox starts this server (src/cli/sandbox.ts): an `http:` issuer is allowed there, for local experiments only. */
  sandbox?: boolean
}

function resolveProfile(given: Plain, profile: string, key: string, sandbox: boolean): Config {
  const preset = profilePresets[profile]
  if (preset === undefined) throw new ConfigError(key, `unknown profile "${profile}" (available: ${Object.keys(profilePresets).join(', ')})`)
  const config = resolve(configSchema, merge(preset, { ...given, profile }), '')
  checkConsistency(config, sandbox)
  return config
}

/** Resolves and checks the whole configuration; throws ConfigError on the first problem. */
export function loadConfig(options: LoadOptions = {}): Config {
  const fromFile = options.file ? readConfigFile(options.file) : {}
  const given = merge(merge(fromFile, options.values ?? {}), environmentOverrides(options.env ?? {}))
  const sandbox = options.sandbox === true
  const config = resolveProfile(given, typeof given.profile === 'string' ? given.profile : 'obuk', 'profile', sandbox)
  const byDirectory = new Map<string, Config>()
  config.directories.forEach((directory, index) => {
    if (directory.profile !== '' && directory.profile !== config.profile) byDirectory.set(directory.issuer, resolveProfile(given, directory.profile, `directories[${index}].profile`, sandbox))
  })
  // The process's own NODE_ENV counts as well as a given one: no caller can skip the production guard.
  refuseUnverifiedTrust(config, byDirectory, [options.env?.NODE_ENV, process.env.NODE_ENV].some(isProduction))
  return { ...config, [DIRECTORY_PROFILES]: byDirectory }
}

const isProduction = (nodeEnv: string | undefined): boolean => nodeEnv?.trim().toLowerCase() === 'production'

/** `store.url` of `kind: postgres`; the message never repeats the URL, which may hold the password. */
function checkPostgresUrl(url: string | undefined): void {
  if (url === undefined || url === '') throw new ConfigError('store.url', 'is required with store.kind postgres: postgres://user:password@host:5432/database (OPEN_DCR_STORE__URL keeps the password out of the file)')
  const protocol = URL.canParse(url) ? new URL(url).protocol : undefined
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') throw new ConfigError('store.url', 'must be a postgres:// or postgresql:// URL')
}

function checkConsistency(config: Config, sandbox: boolean): void {
  if (config.issuer === '') throw new ConfigError('issuer', 'is required: the https URL that registration requests name in `aud`')
  if (!URL.canParse(config.issuer)) throw new ConfigError('issuer', `must be a URL, got "${config.issuer}"`)
  // RFC 8414 §2 / OIDC Discovery §3: an issuer is an https URL; TPPs put it in aud and fetch discovery from it.
  if (new URL(config.issuer).protocol !== 'https:' && !sandbox) throw new ConfigError('issuer', `must be an https URL, got "${config.issuer}" (plain http is accepted only when the sandbox starts the server)`)
  // RFC 7592 §3: every 200 of GET and PUT carries a registration_access_token, and only its hash is stored.
  if (config.management.tokenKind === 'registration-access-token' && config.management.rotation !== 'on-use') {
    throw new ConfigError('management.rotation', `must be on-use with tokenKind registration-access-token (got "${config.management.rotation}"): every GET and PUT answer carries a new registration_access_token (RFC 7592 section 3)`)
  }
  if (config.store.kind === 'postgres') checkPostgresUrl(config.store.url)
  if (config.server.headersTimeoutMs > config.server.requestTimeoutMs) {
    throw new ConfigError('server.headersTimeoutMs', `must be at most server.requestTimeoutMs (${config.server.requestTimeoutMs} ms), got ${config.server.headersTimeoutMs} ms: the headers are part of the request`)
  }
  if (config.directories.length === 0) throw new ConfigError('directories', 'at least one trusted directory is required')
  const seen = new Set<string>()
  config.directories.forEach((directory, index) => {
    const key = `directories[${index}]`
    if (directory.issuer === '') throw new ConfigError(`${key}.issuer`, 'is required')
    if (seen.has(directory.issuer)) throw new ConfigError(`${key}.issuer`, `"${directory.issuer}" is configured twice`)
    seen.add(directory.issuer)
    const inlineKeys = (directory.jwks as { keys?: unknown }).keys
    if (inlineKeys !== undefined && !Array.isArray(inlineKeys)) throw new ConfigError(`${key}.jwks`, 'must be a JWKS: {"keys": [...]}')
    const hasInline = Array.isArray(inlineKeys) && inlineKeys.length > 0
    if (!hasInline && directory.jwksUrl === undefined) throw new ConfigError(key, 'needs `jwksUrl` or an inline `jwks` with keys')
    if (directory.jwksUrl !== undefined && !URL.canParse(directory.jwksUrl)) throw new ConfigError(`${key}.jwksUrl`, 'must be a URL')
    if (directory.algorithms.length === 0) throw new ConfigError(`${key}.algorithms`, 'must name at least one algorithm')
  })
  if (config.server.mode === 'mtls') {
    if (config.server.tls.keyFile === '') throw new ConfigError('server.tls.keyFile', 'is required in mode mtls')
    if (config.server.tls.certFile === '') throw new ConfigError('server.tls.certFile', 'is required in mode mtls')
  }
  if (config.server.mode === 'proxy' && config.server.proxy.trustedAddresses.length === 0) {
    throw new ConfigError('server.proxy.trustedAddresses', 'is required in mode proxy: the certificate header is accepted only from these peers')
  }
  for (const [name, claim] of Object.entries(config.metadataPolicy.fromSsa)) {
    if (typeof claim !== 'string' || claim === '') throw new ConfigError(`metadataPolicy.fromSsa.${name}`, 'must name an SSA claim (a string)')
  }
  for (const [name, template] of Object.entries(config.errors.descriptions)) {
    if (typeof template !== 'string' || template === '') throw new ConfigError(`errors.descriptions.${name}`, 'must be a description template (a string)')
  }
  const status = config.validators['software-status']
  if (status.enabled && !/^https:\/\/[^/]/.test(status.registerBaseUrl)) {
    throw new ConfigError('validators.software-status.registerBaseUrl', 'is required when software-status is on: the https base URL of the CDR Register')
  }
  const extension = config.customValidators.http.url
  if (extension !== undefined && !/^https?:\/\/[^/]/.test(extension)) throw new ConfigError('customValidators.http.url', `must be an http(s) URL, got "${extension}"`)
}

/** Human-readable warnings for switches that weaken security, printed once at start-up. */
export function securityWarnings(config: Config): string[] {
  const warnings: string[] = []
  for (const { key, field } of leaves(configSchema)) {
    if (!('dangerous' in field) || !field.dangerous) continue
    const value = key.split('.').reduce<unknown>((node, part) => (node as Plain | undefined)?.[part], config)
    if (value === true) warnings.push(`${key} is on: ${field.doc}`)
  }
  for (const id of VALIDATOR_IDS) {
    // A check the profile itself leaves off (e.g. request-signature for plain-JSON Brazil) is no weakening.
    if (!config.validators[id].enabled && enabledByProfile(config.profile, id)) warnings.push(`validator ${id} is off (validators.${id}.enabled = false)`)
  }
  return warnings
}

/** Whether a validator is on in the profile preset, or by the schema default where the preset is silent. */
function enabledByProfile(profile: string, id: ValidatorId): boolean {
  const presetValidators = profilePresets[profile]?.validators as Record<string, { enabled?: unknown } | undefined> | undefined
  const preset = presetValidators?.[id]?.enabled
  if (typeof preset === 'boolean') return preset
  const field = configSchema.fields.validators.fields[id].fields as { enabled?: Field }
  return field.enabled?.kind === 'boolean' ? field.enabled.default : true
}
