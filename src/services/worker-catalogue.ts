/**
 * Our catalogue of worker types, answered as Prefect's collection registry view
 * `aggregate-worker-metadata`: `{package: {worker type: metadata}}`. The CLI reads it to list work
 * pool types, to find the package that provides a worker type, and to get a type's default base job
 * template when the worker class is not installed locally. The template variables are the fields
 * each worker's job configuration accepts; the descriptions are our own.
 */

type JsonSchema = Record<string, unknown>;

interface WorkerType {
  type: string;
  display_name: string;
  description: string;
  documentation_url: string;
  install_command: string;
  is_beta: boolean;
  logo_url: string | null;
  default_base_job_configuration: { job_configuration: Record<string, unknown>; variables: JsonSchema };
}

const str = (title: string, description: string, extra: JsonSchema = {}) => ({ title, description, type: "string", ...extra });
const strMap = (title: string, description: string) => ({ title, description, type: "object", additionalProperties: { type: "string" } });

/** Variables every worker type offers. */
const commonVariables = {
  name: str("Name", "A name for the infrastructure the worker creates for a run."),
  env: strMap("Environment Variables", "Extra environment variables for the flow run process."),
  labels: strMap("Labels", "Labels put on the infrastructure the worker creates."),
  command: str("Command", "The command that starts the flow run; leave empty to let the worker build it."),
};

/** `{{ var }}` for each variable: a job configuration that passes every variable through. */
const passThrough = (names: string[]) => Object.fromEntries(names.map((n) => [n, `{{ ${n} }}`]));

const processVariables = {
  ...commonVariables,
  stream_output: { title: "Stream Output", description: "Copy the flow run's output to the worker's own output.", type: "boolean", default: true },
  working_dir: str("Working Directory", "Directory the flow run starts in; a temporary one when empty.", { format: "path" }),
};

const dockerVariables = {
  ...commonVariables,
  image: str("Image", "The image the flow run's container starts from; the Prefect image when empty.", {
    examples: ["docker.io/prefecthq/prefect:3-latest"],
  }),
  image_pull_policy: { title: "Image Pull Policy", description: "When to pull the image.", enum: ["IfNotPresent", "Always", "Never"], type: "string" },
  networks: { title: "Networks", description: "Docker networks the container joins.", type: "array", items: { type: "string" } },
  network_mode: str("Network Mode", "The container's network mode."),
  auto_remove: { title: "Auto Remove", description: "Remove the container when the flow run ends.", type: "boolean", default: false },
  volumes: { title: "Volumes", description: "Volume mounts, as `host:container` strings.", type: "array", items: { type: "string" } },
  stream_output: { title: "Stream Output", description: "Copy the container's output to the worker's own output.", type: "boolean", default: true },
  mem_limit: str("Memory Limit", "Memory limit of the container, e.g. `2g`."),
  privileged: { title: "Privileged", description: "Run the container in privileged mode.", type: "boolean", default: false },
};

const withVariables = (variables: Record<string, JsonSchema>) => ({
  job_configuration: passThrough(Object.keys(variables)),
  variables: { type: "object", properties: variables },
});

export const WORKER_CATALOGUE: Record<string, Record<string, WorkerType>> = {
  prefect: {
    process: {
      type: "process",
      display_name: "Process",
      description: "Runs each flow run as a subprocess of the worker, on the worker's machine.",
      documentation_url: "https://docs.prefect.io/v3/deploy/infrastructure-concepts/workers",
      install_command: "pip install prefect",
      is_beta: false,
      logo_url: null,
      default_base_job_configuration: withVariables(processVariables),
    },
  },
  "prefect-docker": {
    docker: {
      type: "docker",
      display_name: "Docker",
      description: "Runs each flow run in its own Docker container.",
      documentation_url: "https://docs.prefect.io/integrations/prefect-docker",
      install_command: "pip install prefect-docker",
      is_beta: false,
      logo_url: null,
      default_base_job_configuration: withVariables(dockerVariables),
    },
  },
};
