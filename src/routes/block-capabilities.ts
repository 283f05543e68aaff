import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, jsonResponse } from "../lib/router";
import { readCapabilities } from "../db/queries/blocks/schemas";
import { withSystemBlocks } from "./block-types";

export const blockCapabilitiesRouter = createRouter();
blockCapabilitiesRouter.use("/block_capabilities", withSystemBlocks);
blockCapabilitiesRouter.use("/block_capabilities/*", withSystemBlocks);

blockCapabilitiesRouter.openapi(
  createRoute({
    method: "get",
    path: "/block_capabilities/",
    tags: ["Block capabilities"],
    summary: "Read Available Block Capabilities",
    responses: { 200: jsonResponse(z.array(z.string())) },
  }),
  async (c) => c.json(await readCapabilities(c.var.db), 200),
);
