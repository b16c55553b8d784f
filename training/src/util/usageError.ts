/** A wrong command line (exit status 2, with the usage), as opposed to a command that failed (exit status 1). */
export class UsageError extends Error {}
