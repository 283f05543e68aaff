/**
 * Lets the runtime's event loop turn: its timers run and its sockets are read before the caller
 * goes on. A loop of D1 batches never does so by itself where D1 runs in the same process as the
 * Worker (wrangler dev, Miniflare: one thread for the Worker, its Durable Objects, D1 and every
 * connection): a 6 MB log post then held every other connection for seconds, and workerd closed
 * the ones idle for 5 s — with the requests their clients had meanwhile sent on them. Between the
 * batches of a large write, this costs one timer turn.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
