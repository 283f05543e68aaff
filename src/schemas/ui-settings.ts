import { z } from "@hono/zod-openapi";

const UiVersion = z.enum(["v1", "v2"]);

/** What `GET /ui-settings` answers: Prefect's UISettings (prefect.server.schemas.ui), read by the web UI before anything else. */
export const UISettings = z
  .object({
    api_url: z.string(),
    csrf_enabled: z.boolean(),
    auth: z.string().nullable(),
    flags: z.array(z.string()),
    default_ui: UiVersion,
    available_uis: z.array(UiVersion),
    v1_base_url: z.string().nullable(),
    v2_base_url: z.string().nullable(),
  })
  .openapi("UISettings");
export type UISettings = z.infer<typeof UISettings>;
