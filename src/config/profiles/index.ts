/** Profile presets by name: partial configurations merged over the schema defaults (config/load.ts). */
import type { ProfileName } from '../schema.ts'
import { brazil } from './brazil.ts'
import { cdr } from './cdr.ts'
import { obuk } from './obuk.ts'
import { rfc7591 } from './rfc7591.ts'

/** Every profile name has its preset (`satisfies`: a name without one fails the type check). */
export const profilePresets: Readonly<Record<string, Record<string, unknown>>> = {
  obuk,
  cdr,
  brazil,
  rfc7591,
} satisfies Record<ProfileName, Record<string, unknown>>
