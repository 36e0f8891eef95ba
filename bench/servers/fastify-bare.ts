/**
 * Benchmark child: the floor of the HTTP stack. A bare Fastify route, POST /register, on the same HTTPS
 * server options as open-dcr in mode mtls (client certificate requested, same CA, same key), reading the
 * same `application/jwt` body as a string and answering 201 with a JSON body of the size open-dcr
 * answers, without any check. argv[2] is a JSON file: { keyFile, certFile, caFile, responseBytes }.
 */
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'
import { exitOnStop, failChild, tell } from '../processes.ts'

type Options = { keyFile: string; certFile: string; caFile: string; responseBytes: number }

try {
  const options = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as Options
  const app = Fastify({
    https: { key: readFileSync(options.keyFile), cert: readFileSync(options.certFile), ca: readFileSync(options.caFile), requestCert: true, rejectUnauthorized: false },
    logger: false,
    bodyLimit: 65536,
  })
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(['application/jwt', 'application/json'], { parseAs: 'string' }, (_request, body, done) => done(null, body))
  // A response of the same size as open-dcr's, built per request as a real handler would.
  const filler = 'x'.repeat(Math.max(0, options.responseBytes - 64))
  let counter = 0
  app.post('/register', async (request, reply) => {
    const length = typeof request.body === 'string' ? request.body.length : 0
    counter += 1
    return reply.code(201).header('cache-control', 'no-store').send({ client_id: `c${counter}`, received: length, filler })
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  exitOnStop(() => app.close())
  await tell({ type: 'ready', url: `https://127.0.0.1:${port}`, pids: [process.pid] })
} catch (error) {
  await failChild(error)
}
