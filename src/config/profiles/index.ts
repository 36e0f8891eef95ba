/** Profile presets by name: partial configurations merged over the schema defaults (config/load.ts). */
import { obuk } from './obuk.ts'

export const profilePresets: Readonly<Record<string, Record<string, unknown>>> = {
  obuk,
}
