/**
 * The trusted directories (SSA issuers) of the configuration, with the keys that verify their SSAs and the
 * CAs that issue their transport certificates (UK-DCR-15, UK-DCR-34, UK-DCR-38, SEC-4). A directory's keys
 * are its inline JWKS when that has keys (pinned), else the cached remote key set of its `jwksUrl`. The
 * SSA `iss` selects exactly one directory by exact string match; nothing else is ever used for that SSA.
 * Built once at start-up: a bad CA file, JWKS or JWKS URL is a ConfigError naming the key.
 */
import { createLocalJWKSet, type JSONWebKeySet } from 'jose'
import { ConfigError } from '../config/fields.ts'
import type { Config, DirectoryConfig } from '../config/schema.ts'
import { readPemCertificates } from './pem-certificates.ts'
import type { Directories, KeySet, RemoteKeySets, TrustedDirectory } from './types.ts'

function keysOf(directory: DirectoryConfig, key: string, remote: RemoteKeySets): KeySet {
  const inline = (directory.jwks as { keys?: unknown }).keys
  if (Array.isArray(inline) && inline.length > 0) {
    try {
      return createLocalJWKSet(directory.jwks as unknown as JSONWebKeySet)
    } catch (error) {
      throw new ConfigError(`${key}.jwks`, `is not a usable JWKS: ${(error as Error).message}`)
    }
  }
  if (directory.jwksUrl === undefined) throw new ConfigError(key, 'needs `jwksUrl` or an inline `jwks` with keys')
  try {
    return remote.forUrl(directory.jwksUrl)
  } catch (error) {
    throw new ConfigError(`${key}.jwksUrl`, (error as Error).message)
  }
}

/** Builds the directories of `config`; CA files are read now, remote keys are fetched on first use. */
export function createDirectories(config: Config, remote: RemoteKeySets): Directories {
  const directories: TrustedDirectory[] = config.directories.map((directory, index) => {
    const key = `directories[${index}]`
    return Object.freeze({
      issuer: directory.issuer,
      config: directory,
      keys: keysOf(directory, key, remote),
      transportCas: Object.freeze(directory.transportCaFiles.flatMap((file) => readPemCertificates(file, `${key}.transportCaFiles`))),
    })
  })
  const byIssuer = new Map(directories.map((directory) => [directory.issuer, directory]))
  const all = Object.freeze([...directories])
  return {
    byIssuer: (issuer) => byIssuer.get(issuer),
    all: () => all,
  }
}
