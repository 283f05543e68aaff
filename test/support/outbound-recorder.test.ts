import { describe, expect, it } from "vitest";
import { answerRequests, sentRequests } from "./outbound";

describe("the outbound recorder", () => {
  it("records the Worker's outbound fetch and answers by rule", async () => {
    const token = crypto.randomUUID();
    await answerRequests({ contains: token, status: 418, body: "teapot" });
    const res = await fetch(`https://example.com/${token}`, { method: "PUT", headers: { "x-a": "1" }, body: "hi" });
    expect([res.status, await res.text()]).toEqual([418, "teapot"]);
    expect(await sentRequests(token)).toEqual([{ url: `https://example.com/${token}`, method: "PUT", headers: expect.objectContaining({ "x-a": "1" }), body: "hi" }]);
  });
});
