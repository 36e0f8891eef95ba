/**
 * How the commands write to a terminal: colour (node:util styleText) and progress lines only when the stream
 * is a TTY and NO_COLOR is not set (https://no-color.org: present and not empty), so that piped output, `--json`
 * and NO_COLOR terminals get plain text a script or a screen reader can read. Progress goes to stderr, results
 * to stdout.
 */
import type { WriteStream } from 'node:tty'
import { styleText } from 'node:util'

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

/** The decision to colour is made here (decorates), so styleText is told not to second-guess the stream. */
const styled = (format: Parameters<typeof styleText>[0]) => (text: string): string => styleText(format, text, { validateStream: false })

const coloured: Style = { ok: styled('green'), bad: styled('red'), strong: styled('bold'), dim: styled('dim') }

/** Whether `stream` is an interactive terminal. */
export const isInteractive = (stream: NodeJS.WriteStream | WriteStream = process.stdout): boolean => stream.isTTY === true

/** Whether output to `stream` gets decoration (colour, progress lines): a TTY, and NO_COLOR unset or empty. */
export function decorates(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== ''
  return isInteractive(stream) && !noColor
}

/** The style for `stream`: colours where it decorates, plain text otherwise. */
export function styleFor(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Style {
  return decorates(stream, env) ? coloured : plain
}

/** A progress line on stderr (`→ POST /register …`), shown only where stderr decorates and never with `--json`. */
export function progress(json: boolean | undefined): (message: string) => void {
  if (json === true || !decorates(process.stderr)) return () => {}
  const style = styleFor(process.stderr)
  return (message) => process.stderr.write(`${style.dim(`→ ${message}`)}\n`)
}
