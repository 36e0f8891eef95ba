/**
 * How a client-supplied value appears in an error description: JSON-quoted so control characters are
 * escaped, and shortened, so a hostile 60 KiB claim cannot blow up the response or the logs (SEC-35,
 * UK-DCR-43: descriptions are at most 500 characters). A value that is not there reads `(absent)`, which
 * no quoted value can be mistaken for.
 */

/** Longest part of a client value echoed in a description, in characters. */
export const QUOTED_MAX_LENGTH = 120

/** How an absent value (an undefined claim or header member) reads in a description. */
export const ABSENT = '(absent)'

export function quoted(value: string | undefined, maxLength = QUOTED_MAX_LENGTH): string {
  if (value === undefined) return ABSENT
  // An ASCII ellipsis: error descriptions are ASCII (RFC 6749 §5.2), where '…' would read as the escape \u2026.
  return JSON.stringify(value.length > maxLength ? `${value.slice(0, maxLength)}...` : value)
}
