import { APP_ID } from "./outbound";

/** Apprise's notify types (Prefect's `notify_type` field). */
export type NotifyType = "info" | "success" | "warning" | "failure";

export interface Message {
  subject: string;
  body: string;
  notifyType: NotifyType;
}

export const notifyTypeOf = (data: Record<string, any>): NotifyType =>
  (["info", "success", "warning", "failure"] as const).find((t) => t === data.notify_type) ?? "info";

/** Apprise's default theme colours per notify type. */
export const COLORS: Record<NotifyType, string> = { info: "#3AA3E3", success: "#3AA337", failure: "#A32037", warning: "#CACF29" };

/** Apprise's status image for a notify type, at one of its sizes (e.g. "72x72"). */
export const imageUrl = (type: NotifyType, size: string) =>
  `https://github.com/caronc/apprise/raw/master/apprise/assets/themes/default/apprise-${type}-${size}.png`;

/** Services without a title field get the title as the body's first line (Apprise's amalgamation). */
export const titleInBody = (m: Message) => (m.subject ? `${m.subject}\r\n${m.body}` : m.body);

export const jsonHeaders = { "User-Agent": APP_ID, "Content-Type": "application/json" };

export const basicAuth = (user: string, password: string) => `Basic ${btoa(unescape(encodeURIComponent(`${user}:${password}`)))}`;
