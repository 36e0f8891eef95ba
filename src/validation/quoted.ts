/**
 * How a client-supplied value appears in an error description: JSON-quoted so control characters are
 * escaped, and shortened, so a hostile 60 KiB claim cannot blow up the response or the logs (SEC-35,
 * UK-DCR-43: descriptions are at most 500 characters).
 */

/** Longest part of a client value echoed in a description, in characters. */
export const QUOTED_MAX_LENGTH = 120

export function quoted(value: string, maxLength = QUOTED_MAX_LENGTH): string {
  return JSON.stringify(value.length > maxLength ? `${value.slice(0, maxLength)}…` : value)
}
