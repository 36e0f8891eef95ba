/**
 * The building blocks of the configuration schema: each field carries its type, its default and its
 * documentation, so that one declaration drives validation at start-up, the TypeScript type of the
 * resolved configuration and docs/configuration.md.
 */
import { isPrototypeKey } from '../lib/claims.ts'

export type FieldDoc = {
  /** One or two sentences: what the key does and why an operator would change it. */
  doc: string
  /** Marks a switch that weakens security: start-up warns when it is on. */
  dangerous?: boolean
}

export type StringField = FieldDoc & { kind: 'string'; default: string; values?: readonly string[] }
export type OptionalStringField = FieldDoc & { kind: 'optional-string'; default: undefined }
export type IntegerField = FieldDoc & { kind: 'integer'; default: number; min: number; max: number; unit?: string }
export type BooleanField = FieldDoc & { kind: 'boolean'; default: boolean }
export type StringListField = FieldDoc & { kind: 'string-list'; default: readonly string[]; values?: readonly string[] }
export type StringListMapField = FieldDoc & { kind: 'string-list-map'; default: Readonly<Record<string, readonly string[]>> }
export type JsonObjectField = FieldDoc & { kind: 'json-object'; default: Readonly<Record<string, unknown>> }
export type ObjectField<S extends Shape = Shape> = FieldDoc & { kind: 'object'; fields: S }
export type ObjectListField<S extends Shape = Shape> = FieldDoc & { kind: 'object-list'; item: ObjectField<S>; default: readonly [] }

export type Field =
  | StringField
  | OptionalStringField
  | IntegerField
  | BooleanField
  | StringListField
  | StringListMapField
  | JsonObjectField
  | ObjectField
  | ObjectListField
export type Shape = { readonly [key: string]: Field }

/** The TypeScript type of the value a field resolves to. */
export type Infer<F> = F extends StringField
  ? string
  : F extends OptionalStringField
    ? string | undefined
    : F extends IntegerField
      ? number
      : F extends BooleanField
        ? boolean
        : F extends StringListField
          ? string[]
          : F extends StringListMapField
            ? Record<string, string[]>
            : F extends JsonObjectField
              ? Record<string, unknown>
              : F extends ObjectField<infer S>
                ? { [K in keyof S]: Infer<S[K]> }
                : F extends ObjectListField<infer S>
                  ? Array<{ [K in keyof S]: Infer<S[K]> }>
                  : never

export const string = (doc: string, defaultValue: string, extra: { values?: readonly string[]; dangerous?: boolean } = {}): StringField => ({ kind: 'string', doc, default: defaultValue, ...extra })
export const optionalString = (doc: string): OptionalStringField => ({ kind: 'optional-string', doc, default: undefined })
export const integer = (doc: string, defaultValue: number, range: { min: number; max: number; unit?: string }): IntegerField => ({ kind: 'integer', doc, default: defaultValue, ...range })
export const boolean = (doc: string, defaultValue: boolean, extra: { dangerous?: boolean } = {}): BooleanField => ({ kind: 'boolean', doc, default: defaultValue, ...extra })
export const stringList = (doc: string, defaultValue: readonly string[], extra: { values?: readonly string[] } = {}): StringListField => ({ kind: 'string-list', doc, default: defaultValue, ...extra })
export const stringListMap = (doc: string, defaultValue: Readonly<Record<string, readonly string[]>>): StringListMapField => ({ kind: 'string-list-map', doc, default: defaultValue })
export const jsonObject = (doc: string, defaultValue: Readonly<Record<string, unknown>>): JsonObjectField => ({ kind: 'json-object', doc, default: defaultValue })
export const object = <S extends Shape>(doc: string, fields: S): ObjectField<S> => ({ kind: 'object', doc, fields })
export const objectList = <S extends Shape>(doc: string, item: ObjectField<S>): ObjectListField<S> => ({ kind: 'object-list', doc, item, default: [] })

/** A configuration value that does not fit its schema; `key` is the dotted path, e.g. `server.port`. */
export class ConfigError extends Error {
  readonly key: string
  constructor(key: string, message: string) {
    super(`configuration key "${key}": ${message}`)
    this.name = 'ConfigError'
    this.key = key
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)


/**
 * Checks `input` against `field` and fills defaults. Unknown keys and wrong types throw a ConfigError
 * that names the key, so that a typo stops start-up instead of silently keeping a default.
 */
export function resolve<F extends Field>(field: F, input: unknown, key: string): Infer<F> {
  return resolveField(field, input, key) as Infer<F>
}

function resolveField(field: Field, input: unknown, key: string): unknown {
  switch (field.kind) {
    case 'object': {
      if (input === undefined) input = {}
      if (!isPlainObject(input)) throw new ConfigError(key, 'must be an object')
      for (const name of Object.keys(input)) {
        if (isPrototypeKey(name) || !Object.hasOwn(field.fields, name)) {
          throw new ConfigError(join(key, name), `unknown key (known keys: ${Object.keys(field.fields).join(', ')})`)
        }
      }
      const out: Record<string, unknown> = {}
      for (const [name, child] of Object.entries(field.fields)) out[name] = resolveField(child, input[name], join(key, name))
      return out
    }
    case 'object-list': {
      if (input === undefined) return []
      if (!Array.isArray(input)) throw new ConfigError(key, 'must be a list')
      return input.map((item, index) => resolveField(field.item, item, `${key}[${index}]`))
    }
    case 'string':
      if (input === undefined) return field.default
      if (typeof input !== 'string') throw new ConfigError(key, `must be a string, got ${describe(input)}`)
      if (field.values && !field.values.includes(input)) throw new ConfigError(key, `must be one of ${field.values.join(', ')}, got "${input}"`)
      return input
    case 'optional-string':
      if (input === undefined || input === null) return undefined
      if (typeof input !== 'string') throw new ConfigError(key, `must be a string, got ${describe(input)}`)
      return input
    case 'integer':
      if (input === undefined) return field.default
      if (typeof input !== 'number' || !Number.isInteger(input)) throw new ConfigError(key, `must be an integer, got ${describe(input)}`)
      if (input < field.min || input > field.max) throw new ConfigError(key, `must be between ${field.min} and ${field.max}, got ${input}`)
      return input
    case 'boolean':
      if (input === undefined) return field.default
      if (typeof input !== 'boolean') throw new ConfigError(key, `must be true or false, got ${describe(input)}`)
      return input
    case 'string-list': {
      if (input === undefined) return [...field.default]
      if (!Array.isArray(input) || !input.every((item) => typeof item === 'string')) throw new ConfigError(key, `must be a list of strings, got ${describe(input)}`)
      const unknown = field.values ? input.filter((item) => !field.values!.includes(item)) : []
      if (unknown.length > 0) throw new ConfigError(key, `unsupported value(s) ${unknown.join(', ')} (supported: ${field.values!.join(', ')})`)
      return [...input]
    }
    case 'string-list-map': {
      if (input === undefined) return Object.fromEntries(Object.entries(field.default).map(([k, v]) => [k, [...v]]))
      if (!isPlainObject(input)) throw new ConfigError(key, 'must be an object of string lists')
      const out: Record<string, string[]> = {}
      for (const [name, value] of Object.entries(input)) {
        if (isPrototypeKey(name)) throw new ConfigError(join(key, name), 'reserved name')
        if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new ConfigError(join(key, name), 'must be a list of strings')
        out[name] = [...value]
      }
      return out
    }
    case 'json-object': {
      if (input === undefined) return structuredClone(field.default)
      if (!isPlainObject(input)) throw new ConfigError(key, 'must be an object')
      for (const name of Object.keys(input)) if (isPrototypeKey(name)) throw new ConfigError(join(key, name), 'reserved name')
      return structuredClone(input)
    }
  }
}

const join = (key: string, name: string): string => (key === '' ? name : `${key}.${name}`)

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  if (value === null) return 'null'
  return typeof value === 'string' ? `"${value}"` : typeof value
}

/** Every leaf of a schema with its dotted key, for documentation and dangerous-switch warnings. */
export function* leaves(field: Field, key = ''): Generator<{ key: string; field: Field }> {
  if (field.kind === 'object') {
    for (const [name, child] of Object.entries(field.fields)) yield* leaves(child, join(key, name))
    return
  }
  yield { key, field }
  if (field.kind === 'object-list') yield* leaves(field.item, `${key}[]`)
}
