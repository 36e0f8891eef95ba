/**
 * Benchmark child: open-dcr as the CLI would run it (startClustered: one process, or `server.workers`
 * processes on one port), configured by the JSON file named in argv[2] (configuration values as for
 * loadConfig), logging off. The primary (or single process) reports the URL and the serving pids, and
 * closes everything on `stop`; cluster workers re-run this file and only serve.
 */
import { readFileSync } from 'node:fs'
import { pino } from 'pino'
import { startClustered } from '../../src/cluster.ts'
import { loadConfig } from '../../src/config/load.ts'
import { exitOnStop, failChild, tell } from '../processes.ts'

try {
  const values = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as Record<string, unknown>
  const config = loadConfig({ values })
  const server = await startClustered(config, { logger: pino({ level: 'silent' }) })
  if (server.role !== 'worker') {
    exitOnStop(() => server.close())
    await tell({ type: 'ready', url: server.url, pids: [process.pid, ...server.pids.filter((pid) => pid !== process.pid)] })
  }
} catch (error) {
  await failChild(error)
}
