/**
 * How the commands write to a terminal: colour and progress lines only when the stream is a TTY (and
 * NO_COLOR is not set, https://no-color.org), so that piped output and `--json` stay plain text a script can
 * read. Progress goes to stderr, results to stdout.
 */
import type { WriteStream } from 'node:tty'

export type Style = {
  /** Success, a passed check. */
  ok(text: string): string
  /** Refusal, a failed check. */
  bad(text: string): string
  /** Headings and the values that matter. */
  strong(text: string): string
  /** Secondary detail. */
  dim(text: string): string
}

const plain: Style = { ok: (text) => text, bad: (text) => text, strong: (text) => text, dim: (text) => text }

const ansi = (open: number, close: number) => (text: string): string => `\u001b[${open}m${text}\u001b[${close}m`

const coloured: Style = { ok: ansi(32, 39), bad: ansi(31, 39), strong: ansi(1, 22), dim: ansi(2, 22) }

/** Whether `stream` is an interactive terminal. */
export const isInteractive = (stream: NodeJS.WriteStream | WriteStream = process.stdout): boolean => stream.isTTY === true

/** The style for `stream`: ANSI colours on a TTY without NO_COLOR, plain text otherwise. */
export function styleFor(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Style {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== ''
  return isInteractive(stream) && !noColor ? coloured : plain
}

/** A progress line on stderr (`→ POST /register …`), shown only on a TTY and never with `--json`. */
export function progress(json: boolean | undefined): (message: string) => void {
  if (json === true || !isInteractive(process.stderr)) return () => {}
  const style = styleFor(process.stderr)
  return (message) => process.stderr.write(`${style.dim(`→ ${message}`)}\n`)
}
