import "vue-router";

declare module "vue-router" {
  interface RouteMeta {
    /** Shown without the sidebar and without a credentials check (login, not found). */
    public?: boolean;
  }
}
