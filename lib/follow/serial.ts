// One cursor, one call at a time: a follower's async calls run in turn, and a synchronous call is
// refused while an async one runs.
/**
 * Serializes async calls on one object, and refuses a synchronous call while an async one runs
 * (both would move the same cursor).
 * @internal
 */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve()
  #pending = 0

  run<T>(fn: () => Promise<T>): Promise<T> {
    this.#pending++
    const p = this.#tail.then(fn).finally(() => this.#pending--)
    this.#tail = p.catch(() => undefined)
    return p
  }

  get busy(): boolean {
    return this.#pending > 0
  }
}
