import { inject } from "@prefecthq/prefect-ui-library";
import { prefectApiKey, type PrefectApi } from "@/services/prefect-api";

/** The API client the app shell provides: the library's workspace API plus the admin API. */
export function usePrefectApi(): PrefectApi {
  return inject(prefectApiKey);
}
