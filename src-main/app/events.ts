/**
 * The app's event bus: typed by the contract's {@link Events}; a listener that throws never stops the others or the
 * app (the error is reported on `process` as a warning).
 */
import type { EventName, Events } from '../api/index.ts'

/** A typed publish/subscribe bus for the contract's events. */
export class EventBus {
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>()
  private closed = false

  /** Subscribes `listener` to `event`; returns the unsubscribe function. */
  on<E extends EventName> (event: E, listener: (payload: Events[E]) => void): () => void {
    let set = this.listeners.get(event)
    if (set == null) {
      set = new Set()
      this.listeners.set(event, set)
    }
    set.add(listener as (payload: never) => void)
    return () => { set.delete(listener as (payload: never) => void) }
  }

  /** Delivers `payload` to every listener of `event`, synchronously; nothing after {@link close}. */
  emit<E extends EventName> (event: E, payload: Events[E]): void {
    if (this.closed) return
    for (const listener of [...this.listeners.get(event) ?? []]) {
      try {
        (listener as (p: Events[E]) => void)(payload)
      } catch (err) {
        process.emitWarning(`A listener of the "${event}" event threw: ${(err as Error)?.message ?? String(err)}`)
      }
    }
  }

  /** Stops delivering events and drops every listener. */
  close (): void {
    this.closed = true
    this.listeners.clear()
  }
}
