/** The Prefect server release whose API we answer; the SDK refuses servers of another major. */
export const PREFECT_VERSION = "3.8.3";
/** The API version the SDK sends as X-PREFECT-API-VERSION. */
export const API_VERSION = "0.8.4";
