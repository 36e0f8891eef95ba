/**
 * What /readyz checks (issue 15 item 5): the store takes a write (the expired-JTI purge, a real write
 * transaction, cheap on its index), and every directory's signing keys are loaded — inline ones always are, a
 * remote JWKS is fetched once if it is not cached yet (bounded by the outbound limits). /healthz checks nothing
 * but that the process answers.
 */
import type { Store } from '../store/store.ts'
import type { Directories, RemoteKeySets } from '../trust/types.ts'

export type ReadinessCheck = { name: string; ok: boolean; detail?: string }

export type Readiness = { ready: boolean; checks: ReadinessCheck[] }

export type ReadinessDependencies = {
  store: Pick<Store, 'purgeExpiredJtis'>
  directories: Directories
  remoteKeySets: RemoteKeySets
  /** Epoch milliseconds. */
  clock: () => number
}

async function storeWritable(store: ReadinessDependencies['store'], now: number): Promise<ReadinessCheck> {
  try {
    await store.purgeExpiredJtis(Math.floor(now / 1000))
    return { name: 'store', ok: true }
  } catch (error) {
    return { name: 'store', ok: false, detail: `the store takes no writes: ${(error as Error).message}` }
  }
}

async function directoryKeys(deps: ReadinessDependencies): Promise<ReadinessCheck[]> {
  return Promise.all(
    deps.directories.all().map(async (directory): Promise<ReadinessCheck> => {
      const name = `directory ${directory.issuer}`
      const url = directory.config.jwksUrl
      const inline = (directory.config.jwks as { keys?: unknown }).keys
      if (Array.isArray(inline) && inline.length > 0) return { name, ok: true }
      if (url === undefined) return { name, ok: false, detail: 'no keys configured' }
      const keySet = deps.remoteKeySets.forUrl(url)
      if (keySet.jwks() !== undefined) return { name, ok: true }
      try {
        await keySet.reload()
        return { name, ok: keySet.jwks() !== undefined }
      } catch (error) {
        return { name, ok: false, detail: `its JWKS could not be fetched: ${(error as Error).message}` }
      }
    }),
  )
}

export async function readiness(deps: ReadinessDependencies): Promise<Readiness> {
  const checks = [await storeWritable(deps.store, deps.clock()), ...(await directoryKeys(deps))]
  return { ready: checks.every((check) => check.ok), checks }
}
