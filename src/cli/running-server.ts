/**
 * server.json in the sandbox folder: how `open-dcr sandbox` tells the other commands (`tpp`, `ssa`, `keys`,
 * `conformance`) which server is running there, with which issuer and profile.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'

/** The file name, in the sandbox folder. */
export const SERVER_FILE = 'server.json'

export type RunningServer = {
  /** Base URL the server listens on. */
  url: string
  /** Its issuer: the `aud` of registration requests. */
  issuer: string
  /** The profile it runs (obuk, cdr, brazil, rfc7591); absent in files written before it was recorded. */
  profile?: string
  /** Base URL of the mock CDR Register a `cdr` sandbox runs (software-status). */
  registerUrl?: string
}

export async function writeRunningServer(dir: string, server: RunningServer): Promise<void> {
  await writeFile(join(resolve(dir), SERVER_FILE), JSON.stringify(server, null, 2) + '\n')
}

/** The running sandbox's server.json in `dir`; undefined when there is none (or it is not JSON). */
export async function readRunningServer(dir: string): Promise<RunningServer | undefined> {
  try {
    return JSON.parse(await readFile(join(resolve(dir), SERVER_FILE), 'utf8')) as RunningServer
  } catch {
    return undefined
  }
}
