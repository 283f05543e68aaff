import { createApi, type PrefectConfig } from "@prefecthq/prefect-ui-library";
import { createActions } from "@prefecthq/vue-compositions";
import type { AxiosInstance } from "axios";
import type { InjectionKey } from "vue";
import { AdminApi } from "@/services/admin-api";
import { AutomationsApi } from "@/services/automations-api";
import { credentials } from "@/services/credentials";

/** Every request carries the stored credentials, read when it is sent (login can change them). */
function sendCredentials(instance: AxiosInstance): void {
  instance.interceptors.request.use((request) => {
    const stored = credentials.get();
    if (stored) request.headers.set("Authorization", `Basic ${stored}`);
    return request;
  });
}

export function createPrefectApi(config: PrefectConfig) {
  return {
    ...createApi(config, sendCredentials),
    admin: createActions(new AdminApi(config, sendCredentials)),
    // Replaces the library's client (its components use it too): automations with trigger and actions.
    automations: createActions(new AutomationsApi(config, sendCredentials)),
  };
}

export type PrefectApi = ReturnType<typeof createPrefectApi>;

export const prefectApiKey: InjectionKey<PrefectApi> = Symbol("PrefectApi");
