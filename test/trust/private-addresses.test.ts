/**
 * The address ranges the SSRF guard refuses (SEC-15): every row of the IANA IPv4 and IPv6
 * Special-Purpose Address Registries, each tried at its first and last address and just outside, every
 * IPv6 form that embeds an IPv4 address, and public addresses it lets through.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FORBIDDEN_IPV4_RANGES, FORBIDDEN_IPV6_RANGES, isForbiddenAddress, type ForbiddenRange } from '../../src/trust/private-addresses.ts'

/** The registries' rows as published by IANA (iana-ipv4-special-registry, iana-ipv6-special-registry). */
const IANA_IPV4 = ['0.0.0.0/8', '0.0.0.0/32', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24', '192.0.0.0/29', '192.0.0.8/32', '192.0.0.9/32', '192.0.0.10/32', '192.0.0.170/32', '192.0.0.171/32', '192.0.2.0/24', '192.31.196.0/24', '192.52.193.0/24', '192.88.99.0/24', '192.88.99.2/32', '192.168.0.0/16', '192.175.48.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '240.0.0.0/4', '255.255.255.255/32']
const IANA_IPV6 = ['::1/128', '::/128', '::ffff:0:0/96', '64:ff9b::/96', '64:ff9b:1::/48', '100::/64', '100:0:0:1::/64', '2001::/23', '2001::/32', '2001:1::1/128', '2001:1::2/128', '2001:1::3/128', '2001:2::/48', '2001:3::/32', '2001:4:112::/48', '2001:10::/28', '2001:20::/28', '2001:30::/28', '2001:db8::/32', '2002::/16', '2620:4f:8000::/48', '3fff::/20', '5f00::/16', 'fc00::/7', 'fe80::/10']

type Family = { bits: number; ranges: readonly ForbiddenRange[]; parse: (text: string) => bigint; format: (value: bigint) => string }

const ipv4: Family = {
  bits: 32,
  ranges: FORBIDDEN_IPV4_RANGES,
  parse: (text) => text.split('.').reduce((value, octet) => (value << 8n) | BigInt(octet), 0n),
  format: (value) => [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.'),
}

const ipv6: Family = {
  bits: 128,
  ranges: FORBIDDEN_IPV6_RANGES,
  parse: (text) => {
    const [head = '', tail] = text.split('::')
    const groups = (part: string): string[] => (part === '' ? [] : part.split(':'))
    const all = tail === undefined ? groups(head) : [...groups(head), ...Array<string>(8 - groups(head).length - groups(tail).length).fill('0'), ...groups(tail)]
    return all.reduce((value, group) => (value << 16n) | BigInt(`0x${group}`), 0n)
  },
  format: (value) => Array.from({ length: 8 }, (_, index) => ((value >> BigInt(112 - 16 * index)) & 0xffffn).toString(16)).join(':'),
}

/** First and last address of a CIDR, as numbers. */
function bounds(family: Family, cidr: string): { first: bigint; last: bigint } {
  const [network, prefix] = cidr.split('/')
  const size = 1n << BigInt(family.bits - Number(prefix))
  const first = family.parse(network!)
  assert.equal(first % size, 0n, `${cidr} is not aligned on its prefix`)
  return { first, last: first + size - 1n }
}

const inAnyRange = (family: Family, value: bigint): boolean =>
  family.ranges.some(({ cidr }) => {
    const { first, last } = bounds(family, cidr)
    return value >= first && value <= last
  })

test('the table holds every row of the IANA IPv4 and IPv6 special-purpose registries (SEC-15)', () => {
  const declared4 = FORBIDDEN_IPV4_RANGES.map(({ cidr }) => cidr)
  const declared6 = FORBIDDEN_IPV6_RANGES.map(({ cidr }) => cidr)
  assert.deepEqual(IANA_IPV4.filter((cidr) => !declared4.includes(cidr)), [])
  assert.deepEqual(IANA_IPV6.filter((cidr) => !declared6.includes(cidr)), [])
  for (const range of [...FORBIDDEN_IPV4_RANGES, ...FORBIDDEN_IPV6_RANGES]) assert.ok(range.name !== '' && range.source !== '', range.cidr)
})

for (const family of [ipv4, ipv6]) {
  for (const { cidr, name } of family.ranges) {
    test(`refuses ${cidr} (${name}) from its first to its last address, and allows its neighbours outside every range (SEC-15)`, () => {
      const { first, last } = bounds(family, cidr)
      for (const inside of [first, last, first + (last - first) / 2n]) assert.equal(isForbiddenAddress(family.format(inside)), true, `${family.format(inside)} is in ${cidr}`)
      const top = (1n << BigInt(family.bits)) - 1n
      for (const outside of [first - 1n, last + 1n]) {
        if (outside < 0n || outside > top || inAnyRange(family, outside)) continue
        assert.equal(isForbiddenAddress(family.format(outside)), false, `${family.format(outside)} is just outside ${cidr}`)
      }
    })
  }
}

test('refuses every IPv4 special-purpose address in each IPv6 form that embeds it: mapped, compatible, translated, NAT64, 6to4, Teredo (SEC-15)', () => {
  for (const { cidr } of FORBIDDEN_IPV4_RANGES) {
    const inside = ipv4.format(bounds(ipv4, cidr).first)
    const [a, b, c, d] = inside.split('.').map(Number) as [number, number, number, number]
    const hex = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
    for (const form of [`::ffff:${inside}`, `::${inside}`, `::ffff:0:${inside}`, `64:ff9b::${inside}`, `64:ff9b:1::${hex}`, `2002:${hex}::1`, `2001:0:${hex}::1`]) {
      assert.equal(isForbiddenAddress(form), true, `${form} embeds ${inside} (${cidr})`)
    }
  }
})

test('refuses the addresses of the attack run: documentation, Teredo, NAT64, CGNAT and benchmarking (SEC-15)', () => {
  for (const address of ['2001:db8::1', '2001::1', '64:ff9b::8.8.8.8', '100.64.0.1', '198.18.0.1', '198.19.255.255', '192.0.2.1', '203.0.113.7', '3fff::1', '5f00::1', '[::1]']) {
    assert.equal(isForbiddenAddress(address), true, address)
  }
})

test('allows public IPv4 and IPv6 addresses, including neighbours of the forbidden ranges', () => {
  for (const address of ['8.8.8.8', '93.184.216.34', '172.15.255.255', '172.32.0.0', '100.63.255.255', '100.128.0.0', '169.253.0.1', '198.17.255.255', '198.20.0.0', '2606:4700::1111', '2a00:1450:4009::200e', '2001:200::1', '2001:db7:ffff::1', '2001:db9::1', '2003::1']) {
    assert.equal(isForbiddenAddress(address), false, address)
  }
})

test('treats a string that is not an IP address as forbidden', () => {
  assert.equal(isForbiddenAddress('example.com'), true)
  assert.equal(isForbiddenAddress(''), true)
})
