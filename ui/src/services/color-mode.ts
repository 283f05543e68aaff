import { applyColorModeClass, isColorMode } from "@prefecthq/prefect-ui-library";

const STORAGE_KEY = "prefect-color-mode";

/** The color mode chosen on the settings page (stored by the library's color-mode select). */
export function applyStoredColorMode(): void {
  const stored = localStorage.getItem(STORAGE_KEY);
  let mode: unknown = stored;
  try {
    mode = stored === null ? null : JSON.parse(stored);
  } catch {
    // stored as a bare string
  }
  applyColorModeClass(isColorMode(mode) ? mode : null);
}
