// One error type for every failure a user can cause or meet: a kind for code to branch on and
// a one-line message for people (what was wrong, and what to try). Anything else that is
// thrown is a bug, and the CLI says so.

export type ErrorKind =
  | 'usage' // bad command line
  | 'not-profile' // bytes that are not a pprof protobuf (says what they look like)
  | 'malformed' // a protobuf profile with broken references or impossible values
  | 'truncated' // input cut off
  | 'incompatible' // e.g. a --base of another profile type
  | 'io' // file system
  | 'refused'
  | 'dns'
  | 'timeout'
  | 'tls'
  | 'http'
  | 'redirect'
  | 'too-large'
  | 'reset'
  | 'network'
  | 'not-local' // /proc of the target cannot be read from here
  | 'replay' // a recording does not hold what the replay asked for
  | 'not-prometheus' // --prometheus answered something other than the Prometheus API
  | 'query' // Prometheus refused a query (bad_data: the --match, usually)
  | 'no-series'; // no series match in Prometheus

export class LivepprofError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'LivepprofError';
  }
}

export function isLivepprofError(e: unknown): e is LivepprofError {
  return e instanceof LivepprofError;
}

/** A one-line description of any thrown value, for status lines and logs. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.message;
  return String(e).split('\n')[0] ?? String(e);
}
