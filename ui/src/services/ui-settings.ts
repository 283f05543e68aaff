/** What the Worker's `GET /ui-settings` answers (as Prefect's server), read once per page load. */
export type UiSettings = {
  apiUrl: string;
  csrfEnabled: boolean;
  auth: "BASIC" | null;
  flags: string[];
};

type UiSettingsResponse = {
  api_url: string;
  csrf_enabled: boolean;
  auth: "BASIC" | null;
  flags?: string[];
};

let pending: Promise<UiSettings> | null = null;

export function loadUiSettings(): Promise<UiSettings> {
  pending ??= fetch("/ui-settings", { headers: { accept: "application/json" } })
    .then(async (response) => {
      if (!response.ok) throw new Error(`GET /ui-settings answered ${response.status}`);
      const body = (await response.json()) as UiSettingsResponse;
      return { apiUrl: body.api_url, csrfEnabled: body.csrf_enabled, auth: body.auth, flags: body.flags ?? [] };
    })
    .catch((error: unknown) => {
      pending = null;
      throw error;
    });
  return pending;
}
