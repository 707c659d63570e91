/**
 * Abort listeners for the calls of one request, kept in a plain Set on its signal behind a single
 * `abort` listener. A dashboard's calls each listen on the request's signal while in flight (the
 * shared-call wait and the body reader: ~90 per dashboard); EventTarget's add/removeEventListener
 * cost a few microseconds each, and the listener records they allocate, where a Set's add and delete
 * cost next to nothing.
 */
const LISTENERS = Symbol('abort listeners');

type ListenedSignal = AbortSignal & { [LISTENERS]?: Set<() => void> };

/**
 * Runs `listener` once, when `signal` aborts; returns what removes it. The caller checks
 * `signal.aborted` first, as with addEventListener: a listener added after the abort never runs.
 */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  const target = signal as ListenedSignal;
  let listeners = target[LISTENERS];
  if (!listeners) {
    const created = new Set<() => void>();
    listeners = created;
    target[LISTENERS] = created;
    signal.addEventListener(
      'abort',
      () => {
        const due = [...created];
        created.clear();
        for (const run of due) run();
      },
      { once: true },
    );
  }
  const registered = listeners;
  registered.add(listener);
  return () => {
    registered.delete(listener);
  };
}
