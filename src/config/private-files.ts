/**
 * The files the server writes and keeps to itself: the SQLite database (`store.path`) and the token signing
 * keys (`tokens.signingKeysFile`). A missing folder is created 0700 and a missing database file 0600 before
 * anything opens them (the keys file is created 0600 by tokens/server-keys.ts), so neither the database nor a
 * private key is ever readable by other users. Whatever stands in the way (a folder that cannot be created, a
 * path that is a directory, a file this user cannot read and write) is a ConfigError naming the key and the
 * file, not SQLite's "unable to open database file" or a bare EACCES.
 */
import { accessSync, constants, mkdirSync, openSync, closeSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { ConfigError } from './fields.ts'

/** The absolute path an operator sees in logs and errors. */
export const shownPath = (path: string): string => resolve(path)

const reason = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException).code
  const words: Record<string, string> = { EACCES: 'permission denied', EPERM: 'operation not permitted', ENOTDIR: 'a part of the path is not a directory', EEXIST: 'a part of the path is a file, not a folder', EROFS: 'read-only file system' }
  return code === undefined ? String(error) : words[code] === undefined ? code : `${code}, ${words[code]}`
}

/**
 * Makes sure `path` can be a private file of the server: its folder exists (created 0700 when missing), and the
 * file either exists as a regular file this process can read and write, or is missing. With `create`, a missing
 * file is created empty with mode 0600 (an empty file is a new SQLite database).
 */
export function preparePrivateFile(path: string, key: string, options: { create: boolean }): void {
  const file = shownPath(path)
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  } catch (error) {
    throw new ConfigError(key, `cannot create the folder ${dirname(file)} for ${file}: ${reason(error)}`)
  }
  let exists = true
  try {
    if (!statSync(file).isFile()) throw new ConfigError(key, `${file} is not a file (a directory or a device): name a file`)
  } catch (error) {
    if (error instanceof ConfigError) throw error
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(key, `cannot use ${file}: ${reason(error)}`)
    exists = false
  }
  if (exists) {
    try {
      accessSync(file, constants.R_OK | constants.W_OK)
    } catch (error) {
      throw new ConfigError(key, `${file} must be readable and writable by this user: ${reason(error)}`)
    }
    return
  }
  if (!options.create) {
    try {
      accessSync(dirname(file), constants.W_OK)
    } catch (error) {
      throw new ConfigError(key, `cannot create ${file}: ${reason(error)}`)
    }
    return
  }
  try {
    closeSync(openSync(file, 'wx', 0o600))
  } catch (error) {
    throw new ConfigError(key, `cannot create ${file}: ${reason(error)}`)
  }
}
