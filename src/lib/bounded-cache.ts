/**
 * A per-isolate cache that cannot grow without bound: past `maxEntries` the least recently set
 * entry is forgotten, and a key longer than `maxKeyChars` (a value a client chose, e.g. a 1 MB
 * pattern) is never kept. Forgetting only costs recomputing.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(
    readonly maxEntries: number,
    readonly maxKeyChars = Number.POSITIVE_INFINITY,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    if (key.length > this.maxKeyChars) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** The cached value for `key`, made by `make` (and kept, if it may be) when missing. */
  getOrSet(key: string, make: () => V): V {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value = make();
    this.set(key, value);
    return value;
  }
}
