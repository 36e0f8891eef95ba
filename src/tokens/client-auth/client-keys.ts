/**
 * The keys a registered client authenticates with at the token endpoint: its registered `jwks_uri`, else
 * its registered `jwks`, else the JWKS URL of its software statement (`ssa.jwksUriClaim`, flattened into
 * the registered metadata: UK `software_jwks_endpoint`, CDR `jwks_uri`). Where the profile takes keys from
 * the directory only (`validators.token-endpoint-auth.allowJwksByValue` off: obuk, cdr, brazil; BR-DCR-18,
 * FAPI-7) a registered `jwks` is never used, even one stored before the profile said so: those keys were
 * never published by the directory, so its rotation and revocation would not reach them. Remote sets come from the same
 * bounded, cached fetcher as registration (SEC-14..17); keys are only ever looked up inside the client's
 * own registered set (SEC-4, SEC-5). Used by private_key_jwt (RFC 7523) and self_signed_tls_client_auth
 * (RFC8705-4), which needs the set's members themselves, not only a verification key.
 */
import { createLocalJWKSet, type JSONWebKeySet, type JWK, type LocalJWKSet, type RemoteJWKSet } from 'jose'
import type { Config } from '../../config/schema.ts'
import type { ClientRecord } from '../../store/store.ts'
import { JwksUrlError } from '../../trust/remote-key-sets.ts'
import type { RemoteKeySets } from '../../trust/types.ts'
import { invalidClient } from '../token-errors.ts'
import { quoted } from '../../lib/quoted.ts'

/** A jose key set that also exposes its JWK Set: fetched from a URL (and reloadable) or registered by value. */
export type RegisteredKeys = (
  | { readonly source: 'remote'; readonly keySet: RemoteJWKSet }
  | { readonly source: 'local'; readonly keySet: LocalJWKSet }
) & {
  /** Where the keys come from, for descriptions: `jwks_uri "https://..."` or `the registered jwks`. */
  readonly where: string
}

function remoteKeys(url: string, claim: string, remoteKeySets: RemoteKeySets): RegisteredKeys {
  const where = `${claim} ${quoted(url, 256)}`
  try {
    return { source: 'remote', keySet: remoteKeySets.forUrl(url), where }
  } catch (cause) {
    // A JwksUrlError says which fetch rule the URL breaks; anything else stays private.
    const why = cause instanceof JwksUrlError ? `: ${cause.message}` : ''
    throw invalidClient(`the client's registered ${where} may not be fetched${why}; update the registration with a reachable https JWKS URL`, { cause })
  }
}

/** The client's registered key set, or `invalid_client` naming what is missing. */
export function registeredKeysOf(client: ClientRecord, config: Config, remoteKeySets: RemoteKeySets): RegisteredKeys {
  const { metadata } = client
  const jwksUri = metadata['jwks_uri']
  if (typeof jwksUri === 'string' && jwksUri !== '') return remoteKeys(jwksUri, 'jwks_uri', remoteKeySets)
  const jwks = metadata['jwks']
  if (jwks !== undefined && config.validators['token-endpoint-auth'].allowJwksByValue) {
    try {
      return { source: 'local', keySet: createLocalJWKSet(jwks as JSONWebKeySet), where: 'the registered jwks' }
    } catch (cause) {
      throw invalidClient('the client\'s registered jwks is not a usable JWK Set; update the registration with a jwks_uri', { cause })
    }
  }
  const claim = config.ssa.jwksUriClaim
  const fromSsa = metadata[claim]
  if (typeof fromSsa === 'string' && fromSsa !== '') return remoteKeys(fromSsa, claim, remoteKeySets)
  if (jwks !== undefined) {
    throw invalidClient(`client ${quoted(client.clientId)} registered its keys by value (jwks), which this server's profile does not accept: only keys the directory publishes (jwks_uri or ${claim}) authenticate a client`)
  }
  throw invalidClient(`client ${quoted(client.clientId)} has no registered keys (jwks_uri, jwks or ${claim}); register the JWKS that holds its signing and transport keys`)
}

/**
 * The members of a registered key set. A remote set is fetched when it has never been, or is stale; with
 * `refresh` it is fetched again unless it was fetched within the cooldown (rotation without a fetch storm,
 * SEC-17). Throws `invalid_client` when the keys cannot be obtained.
 */
export async function membersOf(keys: RegisteredKeys, refresh = false): Promise<JWK[]> {
  if (keys.source === 'local') return keys.keySet.jwks().keys
  const { keySet } = keys
  const needed = refresh ? !keySet.coolingDown : !keySet.fresh || keySet.jwks() === undefined
  if (needed) {
    try {
      await keySet.reload()
    } catch (cause) {
      throw invalidClient(`the client's keys at ${keys.where} could not be fetched, so its certificate cannot be checked; try again later`, { cause })
    }
  }
  return keySet.jwks()?.keys ?? []
}
