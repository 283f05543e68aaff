import prefectDesignTailwindConfig from "@prefecthq/prefect-design/tailwind.config";
import type { Config } from "tailwindcss";

export default {
  content: ["./index.html", "./src/**/*.vue"],
  presets: [prefectDesignTailwindConfig],
} satisfies Config;
