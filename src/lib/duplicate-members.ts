/**
 * Finds a member name that occurs twice in one object of a JSON text. JSON.parse keeps the last of two equal
 * names, so `{"alg":"none",...,"alg":"PS256"}` would pass as PS256 to one reader and as `none` to another; the
 * JOSE specifications require header and claim names to be unique and let a parser refuse duplicates
 * (RFC 7515 §4, RFC 7519 §4, RFC 8259 §4), which open-dcr does (SEC-7). Names are compared after unescaping,
 * so `"alg"` and `"\u0061lg"` are the same name.
 *
 * The scan is one pass over the text with one set of names per open object: linear in the text's length,
 * and it reads only text that JSON.parse has already accepted (call it after a successful parse).
 */

/** The first member name that appears twice within one object of `text` (valid JSON), or undefined. */
export function findDuplicateMember(text: string): string | undefined {
  // One entry per open object or array: the names seen so far in an object, undefined for an array.
  const open: (Set<string> | undefined)[] = []
  let expectingName = false
  for (let index = 0; index < text.length; index++) {
    const char = text[index]
    if (char === '"') {
      const end = endOfString(text, index)
      const names = open.at(-1)
      if (expectingName && names !== undefined) {
        const name = JSON.parse(text.slice(index, end + 1)) as string
        if (names.has(name)) return name
        names.add(name)
      }
      expectingName = false
      index = end
    } else if (char === '{') {
      open.push(new Set())
      expectingName = true
    } else if (char === '[') {
      open.push(undefined)
      expectingName = false
    } else if (char === '}' || char === ']') {
      open.pop()
      expectingName = false
    } else if (char === ',') {
      expectingName = open.at(-1) !== undefined
    }
  }
  return undefined
}

/** The index of the quote that closes the string opening at `start` (skipping escaped characters). */
function endOfString(text: string, start: number): number {
  let index = start + 1
  while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1
  return index
}
