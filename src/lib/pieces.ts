/**
 * A list read piece by piece, so that no piece — one database result, one chunk of a response —
 * holds more than a bounded number of bytes: `first` is read; `rest`, when present, reads the
 * others as it is iterated (once).
 */
export interface Pieces<T> {
  first: T[];
  rest?: AsyncIterable<T[]>;
}

/** The same pieces, each mapped as it is read. */
export function mapPieces<T, U>(pieces: Pieces<T>, map: (items: T[]) => U[]): Pieces<U> {
  const { first, rest } = pieces;
  if (!rest) return { first: map(first) };
  return {
    first: map(first),
    rest: (async function* () {
      for await (const items of rest) yield map(items);
    })(),
  };
}

/** Every item, in one list (for callers that need the whole list: it holds them all at once). */
export async function allOf<T>(pieces: Pieces<T>): Promise<T[]> {
  if (!pieces.rest) return pieces.first;
  const out = [...pieces.first];
  for await (const items of pieces.rest) for (const item of items) out.push(item);
  return out;
}

/** Each piece in turn, the first included (the rest read as iterated). */
export async function* eachPiece<T>(pieces: Pieces<T>): AsyncGenerator<T[]> {
  yield pieces.first;
  if (pieces.rest) yield* pieces.rest;
}
