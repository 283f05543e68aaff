/** Values as Python holds the JSON it reads. */

/** A JSON number written as a float (`1.0`, `1e5`): Python keeps it a float. */
export class PyFloat {
  constructor(readonly value: number) {}
  toJSON(): number {
    return this.value;
  }
}

/** A JSON integer too large for a double: Python keeps every digit. */
export class PyBigInt {
  constructor(readonly digits: string) {}
  toJSON(): number {
    return Number(this.digits);
  }
}

export type PyValue = null | boolean | number | string | PyFloat | PyBigInt | PyValue[] | { [key: string]: PyValue };

/** A JSON object (Python dict): a plain object, not an array nor a class instance (PyFloat, placeholders). */
export const isDict = (v: unknown): v is Record<string, any> => {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};
