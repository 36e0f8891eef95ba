/**
 * Fixture of test/cluster/cluster.test.ts, run as its own program: starts open-dcr with startClustered from
 * the JSON configuration file in argv[2]. Cluster workers re-run this file and serve; the primary prints
 * one JSON line (role, url, pids) and stops everything on SIGTERM.
 */
import { pino } from 'pino'
import { startClustered } from '../../src/cluster.ts'
import { loadConfig } from '../../src/config/load.ts'

const config = loadConfig({ file: process.argv[2] ?? '' })
const server = await startClustered(config, { logger: pino({ level: 'silent' }) })
if (server.role !== 'worker') {
  process.stdout.write(JSON.stringify({ role: server.role, url: server.url, pids: server.pids }) + '\n')
  process.once('SIGTERM', () => {
    server.close().finally(() => process.exit(0))
  })
}
