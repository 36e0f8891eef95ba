/**
 * The address ranges the SSRF guard refuses (SEC-15) and public addresses it lets through.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isForbiddenAddress } from '../../src/trust/private-addresses.ts'

test('forbids loopback, private, link-local, CGNAT, multicast, unspecified, mapped and ULA addresses (SEC-15)', () => {
  for (const address of [
    '127.0.0.1',
    '127.255.255.254',
    '10.0.0.5',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.255',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '[::1]',
    '::ffff:127.0.0.1',
    '::ffff:8.8.8.8',
    '64:ff9b::a00:5',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'ff02::1',
  ]) {
    assert.equal(isForbiddenAddress(address), true, address)
  }
})

test('allows public IPv4 and IPv6 addresses, including neighbours of the forbidden ranges', () => {
  for (const address of ['8.8.8.8', '93.184.216.34', '172.15.255.255', '172.32.0.0', '100.63.255.255', '100.128.0.0', '169.253.0.1', '2606:4700::1111', '2a00:1450:4009::200e']) {
    assert.equal(isForbiddenAddress(address), false, address)
  }
})

test('treats a string that is not an IP address as forbidden', () => {
  assert.equal(isForbiddenAddress('example.com'), true)
  assert.equal(isForbiddenAddress(''), true)
})
