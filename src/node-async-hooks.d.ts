// workerd's nodejs_compat provides node:async_hooks; only the part we use is declared here
// (the project does not depend on @types/node).
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    getStore(): T | undefined;
    run<R>(store: T, fn: () => R): R;
  }
}
