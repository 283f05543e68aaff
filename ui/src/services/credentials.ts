/**
 * The basic-auth credentials the login page stores (base64 of `user:password`, as the
 * `Authorization: Basic` header wants them), kept in this browser's local storage.
 */
const STORAGE_KEY = "prefect-edge-credentials";

export const credentials = {
  get: (): string | null => localStorage.getItem(STORAGE_KEY),
  set: (authString: string): void => localStorage.setItem(STORAGE_KEY, btoa(authString)),
  clear: (): void => localStorage.removeItem(STORAGE_KEY),
};
