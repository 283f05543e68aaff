import type { Bindings } from "../env";
import type { UISettings } from "../schemas/ui-settings";

type UiSettingsEnv = Pick<
  Bindings,
  "PREFECT_API_AUTH_STRING" | "PREFECT_SERVER_UI_API_URL" | "PREFECT_UI_API_URL" | "PREFECT_API_URL"
>;

/**
 * The web UI's configuration, as Prefect's server builds it. The UI served here is one bundle
 * at the root, the Vue app Prefect calls "v1" (its React "v2" is not shipped), so it is the only
 * UI and the default. CSRF protection is off, as on a default Prefect server.
 */
export function uiSettings(env: UiSettingsEnv, requestOrigin: string): UISettings {
  return {
    api_url: env.PREFECT_SERVER_UI_API_URL ?? env.PREFECT_UI_API_URL ?? env.PREFECT_API_URL ?? `${requestOrigin}/api`,
    csrf_enabled: false,
    auth: env.PREFECT_API_AUTH_STRING ? "BASIC" : null,
    flags: [],
    default_ui: "v1",
    available_uis: ["v1"],
    v1_base_url: "/",
    v2_base_url: null,
  };
}
