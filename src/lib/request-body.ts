/**
 * Request bodies within bounds: a body larger than the configured maximum is refused before it is
 * read whole (by its Content-Length, or while it streams in), and JSON nested deeper than
 * MAX_JSON_DEPTH is refused before it is parsed (the schema tools, JSON.stringify and SQLite's
 * JSON functions all recurse; SQLite gives up at 1 000 levels).
 */

/**
 * Used when MAX_REQUEST_BODY_BYTES is not set: twice the 4 MB of logs a Prefect client posts at
 * most, 4× D1's 2 MB row. A request holds several times its body while it is handled (text,
 * parsed JSON, validated copy, rows): a valid 8 MB log post peaks near 50 MB of an isolate's 128 MB.
 */
export const DEFAULT_MAX_REQUEST_BODY_BYTES = 8 * 1024 * 1024;

/** The deepest JSON nesting accepted in a request body or socket message. */
export const MAX_JSON_DEPTH = 500;

/** The configured maximum (the MAX_REQUEST_BODY_BYTES binding), or the default. */
export function maxRequestBodyBytes(setting: string | undefined): number {
  const n = Number(setting);
  return setting && Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_MAX_REQUEST_BODY_BYTES;
}

/** The body's bytes, or null when it is larger than `max` (then it is not read further). */
export async function readBodyWithin(req: Request, max: number): Promise<Uint8Array | null> {
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  if (declared > max) {
    await req.body?.cancel().catch(() => undefined);
    return null;
  }
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

const QUOTE = 34;
const BACKSLASH = 92;
const [OPEN_ARRAY, OPEN_OBJECT, CLOSE_ARRAY, CLOSE_OBJECT] = [91, 123, 93, 125];

/**
 * Where JSON text first nests deeper than `max` levels (the offset of the opening bracket), or -1.
 * Brackets inside strings do not count.
 */
export function depthExceededAt(text: string, max: number = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === BACKSLASH) i++;
      else if (ch === QUOTE) inString = false;
    } else if (ch === QUOTE) inString = true;
    else if (ch === OPEN_ARRAY || ch === OPEN_OBJECT) {
      if (++depth > max) return i;
    } else if (ch === CLOSE_ARRAY || ch === CLOSE_OBJECT) depth--;
  }
  return -1;
}

/** JSON.parse, refusing text nested deeper than `max` (a SyntaxError, as for malformed text). */
export function parseJsonWithin(text: string, max: number = MAX_JSON_DEPTH): unknown {
  if (depthExceededAt(text, max) >= 0) throw new SyntaxError(`JSON nested deeper than ${max} levels`);
  return JSON.parse(text);
}
