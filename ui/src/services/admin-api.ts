import { Api } from "@prefecthq/prefect-ui-library";

/** `/api/admin/*`: the server's settings and version (the version doubles as the credentials check). */
export class AdminApi extends Api {
  protected override routePrefix = "/admin";

  public getSettings(): Promise<Record<string, unknown>> {
    return this.get<Record<string, unknown>>("/settings").then(({ data }) => data);
  }

  public getVersion(): Promise<string> {
    return this.get<string>("/version").then(({ data }) => data);
  }

  /** The HTTP status of an authenticated request: 401 means the stored credentials don't do. */
  public async credentialsStatus(): Promise<number> {
    try {
      return (await this.get("/version")).status;
    } catch (error: unknown) {
      const status = (error as { response?: { status?: number } }).response?.status;
      return status ?? 0;
    }
  }
}
