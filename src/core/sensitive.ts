const REDACTED = '[REDACTED]';

/**
 * A secret value in transit. It prints as `[REDACTED]` through toString, JSON and util.inspect,
 * so a value can only leave through `reveal()`; `grep -n "reveal("` lists every place one is used.
 */
export class Sensitive<T> {
  readonly #value: T;
  constructor(value: T) {
    this.#value = value;
  }
  reveal(): T {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}
