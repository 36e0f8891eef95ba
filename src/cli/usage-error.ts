/** A command line that cannot be run as written; exits 2 with the message. */
export class UsageError extends Error {
  override name = 'UsageError'
}
