import { plugin as PrefectDesign } from "@prefecthq/prefect-design";
import { plugin as PrefectUILibrary } from "@prefecthq/prefect-ui-library";
import { createApp } from "vue";
import { applyStoredColorMode } from "@/services/color-mode";
import { router } from "@/router";
import { reloadOnStaleBuild } from "@/services/stale-build";

import "@prefecthq/vue-charts/vue-charts.css";
import "@prefecthq/prefect-design/prefect-design.css";
import "@prefecthq/prefect-ui-library/prefect-ui-library.css";
import "@/styles.css";
// Imported after the libraries' styles: the order of imports is the order of the CSS.
import App from "@/App.vue";

applyStoredColorMode();
reloadOnStaleBuild(router);

createApp(App).use(router).use(PrefectDesign).use(PrefectUILibrary).mount("#app");
