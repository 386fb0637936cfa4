import { expect, test } from "@playwright/test";
import { trpcMutation } from "../support/api";

test("the Trigger panel reveals a new token once, with a working curl example, and revokes it", async ({ page, request }) => {
  const { id } = await trpcMutation(request, "workflow", "create", { name: `Trigger panel ${Date.now()}` });
  await page.goto(`/workflows/${id}`);
  await page.getByRole("tab", { name: "Trigger", exact: true }).click();
  await expect(page.getByTestId("trigger-url")).toHaveText(new RegExp(`/api/v1/workflows/${id}/trigger$`));

  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token-value").textContent()) ?? "";
  expect(token.length).toBeGreaterThan(16);
  const curl = page.getByTestId("curl-example");
  await expect(curl).toContainText(`Authorization: Bearer ${token}`);
  await expect(curl).toContainText(`-d '{"input":{"topic":"release notes for v1.2"}}'`);

  // The token the panel showed is accepted by the trigger.
  const accepted = await request.post(`/api/v1/workflows/${id}/trigger`, {
    headers: { authorization: `Bearer ${token}` },
    data: { input: { topic: "from the panel" } },
  });
  expect(accepted.status()).toBe(202);

  // The list shows the token by its prefix only.
  const revoke = page.getByRole("button", { name: /^Revoke token / });
  await expect(revoke).toHaveCount(1);
  expect(token.startsWith((await revoke.getAttribute("aria-label"))?.replace("Revoke token ", "") ?? "-")).toBe(true);
  await revoke.click();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  const refused = await request.post(`/api/v1/workflows/${id}/trigger`, {
    headers: { authorization: `Bearer ${token}` },
    data: { input: {} },
  });
  expect(refused.status()).toBe(401);
});
