/**
 * Renders docs/configuration.md from the configuration schema, so every key, its type, its default and its
 * profile values are documented from the one source the server validates against.
 */
import { leaves, type Field } from '../config/fields.ts'
import { profilePresets } from '../config/profiles/index.ts'
import { configSchema } from '../config/schema.ts'

function typeOf(field: Field): string {
  switch (field.kind) {
    case 'string':
      return field.values ? field.values.map((value) => `\`${value}\``).join(' \\| ') : 'string'
    case 'optional-string':
      return 'string (optional)'
    case 'integer':
      return `integer ${field.min}–${field.max}${field.unit ? ` (${field.unit})` : ''}`
    case 'boolean':
      return 'boolean'
    case 'string-list':
      return field.values ? `list of ${field.values.map((value) => `\`${value}\``).join(', ')}` : 'list of strings'
    case 'string-list-map':
      return 'map of string lists'
    case 'json-object':
      return 'object'
    case 'object-list':
      return 'list of objects'
    case 'object':
      return 'object'
  }
}

const code = (value: unknown): string => (value === undefined ? '—' : `\`${JSON.stringify(value).replace(/\|/g, '\\|')}\``)

function presetValue(preset: Record<string, unknown>, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], preset)
}

export function renderConfigurationDoc(): string {
  const profiles = Object.keys(profilePresets)
  const lines = [
    '# Configuration',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs`; a test fails when this file is out of date. -->',
    '',
    'open-dcr reads one configuration, resolved in this order: schema defaults, the `profile` preset, the file given',
    'with `--config` (YAML or JSON), then `OPEN_DCR_*` environment variables. An unknown key or a wrong type stops',
    'start-up with a message naming the key.',
    '',
    'Environment variables name a key path with `__` between levels; case, `-` and `_` are ignored inside a level:',
    '`OPEN_DCR_SERVER__PORT=9443`, `OPEN_DCR_VALIDATORS__JTI_REPLAY__ENABLED=false`. Lists take JSON or a',
    'comma-separated string; objects take JSON.',
    '',
    'Keys marked ⚠ weaken security and are logged as warnings at start-up when on; so is every validator that is off.',
    '',
    `| key | type | default | ${profiles.map((profile) => `\`${profile}\``).join(' | ')} | description |`,
    `| --- | --- | --- | ${profiles.map(() => '---').join(' | ')} | --- |`,
  ]
  for (const { key, field } of leaves(configSchema)) {
    const defaultValue = 'default' in field ? field.default : undefined
    const presetCells = profiles.map((profile) => {
      const value = key.includes('[]') ? undefined : presetValue(profilePresets[profile]!, key)
      return value === undefined ? '' : code(value)
    })
    const danger = 'dangerous' in field && field.dangerous ? '⚠ ' : ''
    lines.push(`| \`${key}\` | ${typeOf(field)} | ${code(defaultValue)} | ${presetCells.join(' | ')} | ${danger}${field.doc.replace(/\|/g, '\\|')} |`)
  }
  lines.push('', 'A profile column is empty where the profile keeps the default.', '')
  return lines.join('\n')
}
