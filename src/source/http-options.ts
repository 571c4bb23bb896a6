// HTTP client settings, kept apart from the client so that reading a profile file never loads
// undici (~50 ms and ~20 MB at start-up).

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

export interface HttpClientOptions {
  timeoutMs?: number;
  maxBytes?: number;
  /** Extra request headers (e.g. Authorization). Values are secrets: never printed. */
  headers?: Record<string, string>;
  insecure?: boolean;
  /** Path of a PEM CA bundle to trust for TLS. */
  cacert?: string;
  /** Talk HTTP over this unix socket instead of TCP. */
  unixSocket?: string;
}
