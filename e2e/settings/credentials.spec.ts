import { expect, test } from "@playwright/test";
import { trpcQuery } from "../support/api";
import { unique } from "./helpers";

test.describe("Settings · credentials", () => {
  test("a credential is saved, only its masked preview is ever shown, and it can be rotated, re-hosted and deleted", async ({ page, request }) => {
    const id = unique();
    const name = `github_${id}`;
    const secret = `ghp_first${id}Secretwxyz`;
    const rotated = `ghp_second${id}Secret9876`;

    await page.goto("/settings/credentials");
    await page.getByLabel("Name", { exact: true }).fill(name);
    await expect(page.getByLabel("Kind")).toHaveValue("bearer");
    await expect(page.getByLabel("Token")).toHaveAttribute("type", "password");
    await page.getByLabel("Token").fill(secret);
    await page.getByLabel("Allowed hosts", { exact: true }).fill("api.github.com, *.github.com");
    await page.getByRole("button", { name: "Add credential" }).click();
    await expect(page.getByRole("status").filter({ hasText: `Saved “${name}”` })).toBeVisible();
    // The form forgets the value as soon as the server has it.
    await expect(page.getByLabel("Token")).toHaveValue("");

    const row = page.locator(`tr[data-credential-name="${name}"]`);
    await expect(row.getByTestId("credential-preview")).toHaveText("Bearer ••••wxyz");
    await expect(row).toContainText("api.github.com");
    await expect(row).toContainText("*.github.com");
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await expect(row.getByTestId("credential-preview")).toHaveText("Bearer ••••wxyz");
    expect(await page.content()).not.toContain(secret);
    expect(JSON.stringify(await trpcQuery(request, "credentials", "list", undefined))).not.toContain(secret);

    // Rotate: a new value, never the old one on screen.
    await row.getByRole("button", { name: `Rotate ${name}` }).click();
    const rotate = page.getByRole("dialog", { name: `Rotate “${name}”` });
    await expect(rotate.getByLabel("Token")).toHaveValue("");
    await rotate.getByLabel("Token").fill(rotated);
    await rotate.getByRole("button", { name: "Replace secret" }).click();
    await expect(page.getByRole("status").filter({ hasText: `Rotated “${name}”` })).toBeVisible();
    await expect(row.getByTestId("credential-preview")).toHaveText("Bearer ••••9876");
    const html = await page.content();
    expect(html).not.toContain(secret);
    expect(html).not.toContain(rotated);

    await row.getByRole("button", { name: `Edit the allowed hosts of ${name}` }).click();
    const hosts = page.getByRole("dialog", { name: `Allowed hosts of “${name}”` });
    await expect(hosts.getByLabel("Allowed hosts", { exact: true })).toHaveValue("api.github.com, *.github.com");
    await hosts.getByLabel("Allowed hosts", { exact: true }).fill("api.example.com");
    await hosts.getByRole("button", { name: "Save hosts" }).click();
    await expect(row).toContainText("api.example.com");
    await expect(row).not.toContainText("api.github.com");

    await row.getByRole("button", { name: `Delete ${name}` }).click();
    await page.getByRole("dialog", { name: `Delete “${name}”?` }).getByRole("button", { name: "Delete credential" }).click();
    await expect(row).toHaveCount(0);
  });

  test("each kind has its own fields, and bad input is refused next to the field", async ({ page }) => {
    const id = unique();
    await page.goto("/settings/credentials");

    // A short value keeps even its last characters hidden.
    await page.getByLabel("Name", { exact: true }).fill(`service_${id}`);
    await page.getByLabel("Kind").selectOption("header");
    await page.getByLabel("Header name").fill("X-Api-Key");
    await page.getByLabel("Header value").fill("short-key");
    await expect(page.getByLabel("Header value")).toHaveAttribute("type", "password");
    await page.getByRole("button", { name: "Add credential" }).click();
    await expect(page.getByRole("status").filter({ hasText: `Saved “service_${id}”` })).toBeVisible();
    const row = page.locator(`tr[data-credential-name="service_${id}"]`);
    await expect(row.getByTestId("credential-preview")).toHaveText("X-Api-Key: ••••");
    await expect(row).toContainText("Any host");
    expect(await page.content()).not.toContain("short-key");

    await page.getByLabel("Kind").selectOption("basic");
    await expect(page.getByLabel("Username")).toBeVisible();
    await expect(page.getByLabel("Password", { exact: true })).toHaveAttribute("type", "password");
    await page.getByLabel("Kind").selectOption("secret");
    await expect(page.getByLabel("Secret value")).toHaveAttribute("type", "password");

    // Checked here: a name that is not one.
    await page.getByLabel("Name", { exact: true }).fill("1 not a name");
    await page.getByLabel("Secret value").fill("whatever");
    await page.getByRole("button", { name: "Add credential" }).click();
    await expect(page.getByText("Use a letter, then letters, digits, - or _")).toBeVisible();

    // Checked by the server: a header the HTTP client owns, and a name already taken.
    await page.getByLabel("Name", { exact: true }).fill(`hosted_${id}`);
    await page.getByLabel("Kind").selectOption("header");
    await page.getByLabel("Header name").fill("Host");
    await page.getByLabel("Header value").fill("example.com");
    await page.getByRole("button", { name: "Add credential" }).click();
    await expect(page.getByText("This header is set by the HTTP client and cannot be a credential")).toBeVisible();

    await page.getByLabel("Name", { exact: true }).fill(`service_${id}`);
    await page.getByLabel("Header name").fill("X-Other");
    await page.getByRole("button", { name: "Add credential" }).click();
    await expect(page.getByText(`A credential named "service_${id}" already exists`)).toBeVisible();
  });

  test("the page says how to use a credential in a workflow", async ({ page }) => {
    await page.goto("/settings/credentials");
    const help = page.getByRole("region", { name: "Using a credential in a workflow" });
    await expect(help).toContainText("{{credentials.<name>}}");
    await expect(help).toContainText("credential picker");
    await expect(help).toContainText("http_request");
  });
});
