// Which failures may be retried and fall back (`retry_on`). The default follows Envoy/nginx practice: failures where
// the upstream surely did no work, plus overload statuses; `all_non_2xx` restores Pixiu's "anything but 2xx".

export interface RetryOn {
  status(code: number): boolean;
  readonly connectError: boolean;
  /** A reset or close before a complete response head (or before the first body byte was accepted). */
  readonly reset: boolean;
  /** first_byte_timeout or idle_timeout before anything reached the client. */
  readonly timeout: boolean;
  /** A 2xx event stream that ended without a byte. */
  readonly emptyStream: boolean;
  /** A 2xx event stream whose first event is an error (Anthropic "overloaded" with a 200; property 19). */
  readonly streamError: boolean;
}

const TOKENS = ['connect_error', 'reset', 'network_error', 'timeout', 'empty_stream', 'stream_error', '4xx', '5xx', 'all_non_2xx'];

/** Throws Error naming the bad entry and the accepted ones. */
export function parseRetryOn(list: ReadonlyArray<string | number>): RetryOn {
  const codes = new Set<number>();
  const flags = new Set<string>();
  for (const item of list) {
    const s = String(item).trim().toLowerCase();
    if (/^\d{3}$/.test(s) && Number(s) >= 100 && Number(s) <= 599) {
      codes.add(Number(s));
    } else if (TOKENS.includes(s)) {
      flags.add(s === 'network_error' ? 'reset' : s);
    } else {
      throw new Error(`retry_on: ${JSON.stringify(item)} is not a retry condition; use a status (e.g. 429) or one of ${TOKENS.join(', ')}`);
    }
  }
  const all = flags.has('all_non_2xx');
  return {
    status: (code) =>
      (code < 200 || code > 299) &&
      (all || codes.has(code) || (flags.has('4xx') && code >= 400 && code < 500) || (flags.has('5xx') && code >= 500 && code < 600)),
    connectError: all || flags.has('connect_error'),
    reset: all || flags.has('reset'),
    timeout: all || flags.has('timeout'),
    emptyStream: all || flags.has('empty_stream'),
    streamError: all || flags.has('stream_error'),
  };
}
