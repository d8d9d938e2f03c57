import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { del, get, grant, makeProvider, makeUser, patch, post, put, roundTrips, unique } from "./helpers.ts";

const LIST = "/api/v3/core/applications/";
const PROVIDERS = "/api/v3/providers/rac/";
const MODEL = "authentik_core.application";
const RAC_LAUNCH_URL = "goauthentik.io://providers/rac/launch";
const FORBIDDEN = { detail: "You do not have permission to perform this action." };
const NOT_FOUND = { detail: "Not found." };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const appCount = () => env.DB.prepare("SELECT count(*) AS n FROM applications").first<number>("n");

async function makeApplication(body: Record<string, unknown> = {}) {
  const slug = unique("app");
  const reply = await post(LIST, { name: slug, slug, ...body });
  if (reply.status !== 201) throw new Error(`application: ${reply.status} ${reply.text}`);
  return reply.body as { pk: string; slug: string; name: string; [key: string]: unknown };
}

/** The base Provider authentik nests in `provider_obj`: the RAC provider without its own fields. */
async function baseProvider(pk: number) {
  const { settings, outpost_set, connection_expiry, delete_token_on_disconnect, ...base } = (
    await get(`${PROVIDERS}${pk}/`)
  ).body;
  return base;
}

describe("create", () => {
  it("creates without a provider with authentik's Application shape", async () => {
    const reply = await post(LIST, { name: "Remote desktops", slug: "remote-desktops" });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      pk: expect.stringMatching(UUID),
      name: "Remote desktops",
      slug: "remote-desktops",
      provider: null,
      provider_obj: null,
      backchannel_providers: [],
      backchannel_providers_obj: [],
      launch_url: null,
      open_in_new_tab: false,
      meta_launch_url: "",
      meta_icon: null,
      meta_description: "",
      meta_publisher: "",
      policy_engine_mode: "any",
      group: "",
    });
    expect(await get(`${LIST}remote-desktops/`)).toMatchObject({ status: 200, body: reply.body });
  });

  it("links a provider: provider_obj is the base Provider and launch_url the RAC launch URL", async () => {
    const provider = await makeProvider();
    const slug = unique("linked");
    const reply = await post(LIST, {
      name: "Linked",
      slug,
      provider: provider.pk,
      open_in_new_tab: true,
      meta_description: "Desktops",
      meta_publisher: "IT",
      policy_engine_mode: "all",
      group: "Ops",
    });
    expect(reply.status).toBe(201);
    const providerObj = await baseProvider(provider.pk);
    expect(providerObj).toMatchObject({
      pk: provider.pk,
      assigned_application_slug: slug,
      assigned_application_name: "Linked",
    });
    expect(Object.keys(providerObj).sort()).toEqual(
      [
        "pk",
        "name",
        "authentication_flow",
        "authorization_flow",
        "property_mappings",
        "component",
        "assigned_application_slug",
        "assigned_application_name",
        "assigned_backchannel_application_slug",
        "assigned_backchannel_application_name",
        "verbose_name",
        "verbose_name_plural",
        "meta_model_name",
      ].sort(),
    );
    expect(reply.body).toEqual({
      pk: expect.stringMatching(UUID),
      name: "Linked",
      slug,
      provider: provider.pk,
      provider_obj: providerObj,
      backchannel_providers: [],
      backchannel_providers_obj: [],
      launch_url: RAC_LAUNCH_URL,
      open_in_new_tab: true,
      meta_launch_url: "",
      meta_icon: null,
      meta_description: "Desktops",
      meta_publisher: "IT",
      policy_engine_mode: "all",
      group: "Ops",
    });
  });

  it("meta_launch_url, when set, is the launch_url", async () => {
    const provider = await makeProvider();
    const app = await makeApplication({
      provider: String(provider.pk),
      meta_launch_url: "https://%(username)s.desk.example/",
    });
    expect(app).toMatchObject({
      provider: provider.pk,
      meta_launch_url: "https://%(username)s.desk.example/",
      launch_url: "https://%(username)s.desk.example/",
    });
    const bare = await makeApplication({ meta_launch_url: "blank://blank" });
    expect(bare.launch_url).toBe("blank://blank");
  });

  it.each([
    [{ slug: "NEW" }, { name: ["This field is required."] }],
    [{ name: null, slug: "NEW" }, { name: ["This field may not be null."] }],
    [{ name: " ", slug: "NEW" }, { name: ["This field may not be blank."] }],
    [{ name: false, slug: "NEW" }, { name: ["Not a valid string."] }],
    [{ name: "n" }, { slug: ["This field is required."] }],
    [{ name: "n", slug: null }, { slug: ["This field may not be null."] }],
    [{ name: "n", slug: "" }, { slug: ["This field may not be blank."] }],
    [
      { name: "n", slug: "not a slug" },
      { slug: ["Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."] },
    ],
    [{ name: "n", slug: "s".repeat(51) }, { slug: ["Ensure this field has no more than 50 characters."] }],
    [{ name: "n", slug: "remote-desktops" }, { slug: ["Application with this slug already exists."] }],
    [{ name: "n", slug: "NEW", provider: "abc" }, { provider: ["Incorrect type. Expected pk value, received str."] }],
    [{ name: "n", slug: "NEW", provider: 1.5 }, { provider: ["Incorrect type. Expected pk value, received float."] }],
    [{ name: "n", slug: "NEW", provider: [1] }, { provider: ["Incorrect type. Expected pk value, received list."] }],
    [{ name: "n", slug: "NEW", provider: 999999 }, { provider: ['Invalid pk "999999" - object does not exist.'] }],
    [{ name: "n", slug: "NEW", open_in_new_tab: "often" }, { open_in_new_tab: ["Must be a valid boolean."] }],
    [{ name: "n", slug: "NEW", open_in_new_tab: null }, { open_in_new_tab: ["This field may not be null."] }],
    [{ name: "n", slug: "NEW", meta_launch_url: "not a url" }, { meta_launch_url: ["Enter a valid URL."] }],
    [{ name: "n", slug: "NEW", meta_launch_url: "javascript:alert(1)" }, { meta_launch_url: ["Enter a valid URL."] }],
    [{ name: "n", slug: "NEW", meta_launch_url: null }, { meta_launch_url: ["This field may not be null."] }],
    [{ name: "n", slug: "NEW", meta_launch_url: true }, { meta_launch_url: ["Not a valid string."] }],
    [{ name: "n", slug: "NEW", meta_description: null }, { meta_description: ["This field may not be null."] }],
    [{ name: "n", slug: "NEW", meta_description: {} }, { meta_description: ["Not a valid string."] }],
    [{ name: "n", slug: "NEW", meta_publisher: null }, { meta_publisher: ["This field may not be null."] }],
    [{ name: "n", slug: "NEW", meta_publisher: [] }, { meta_publisher: ["Not a valid string."] }],
    [{ name: "n", slug: "NEW", policy_engine_mode: "some" }, { policy_engine_mode: ['"some" is not a valid choice.'] }],
    [{ name: "n", slug: "NEW", policy_engine_mode: null }, { policy_engine_mode: ["This field may not be null."] }],
    [{ name: "n", slug: "NEW", group: null }, { group: ["This field may not be null."] }],
    [{ name: "n", slug: "NEW", group: true }, { group: ["Not a valid string."] }],
  ])("%j -> 400 %j, nothing written", async (input, expected) => {
    const body = JSON.parse(JSON.stringify(input).replaceAll('"NEW"', JSON.stringify(unique("new"))));
    const before = await appCount();
    const reply = await post(LIST, body);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(expected);
    expect(await appCount()).toBe(before);
  });

  it("one application per provider", async () => {
    const provider = await makeProvider();
    await makeApplication({ provider: provider.pk });
    const before = await appCount();
    const reply = await post(LIST, { name: "second", slug: unique("second"), provider: provider.pk });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ provider: ["Application with this provider already exists."] });
    expect(await appCount()).toBe(before);
  });
});

describe("retrieve, PUT, PATCH, DELETE", () => {
  it("unknown slugs are 404", async () => {
    expect(await get(`${LIST}no-such-app/`)).toMatchObject({ status: 404, body: NOT_FOUND });
    expect(await put(`${LIST}no-such-app/`, { name: "x", slug: "x" })).toMatchObject({ status: 404, body: NOT_FOUND });
    expect(await del(`${LIST}no-such-app/`)).toMatchObject({ status: 404, body: NOT_FOUND });
  });

  it("PATCH changes only the given fields; a new slug moves the path", async () => {
    const app = await makeApplication({ meta_publisher: "keep" });
    const slug = unique("moved");
    const reply = await patch(`${LIST}${app.slug}/`, { slug, name: "Moved", open_in_new_tab: 1 });
    expect(reply.status).toBe(200);
    const expected = { ...app, slug, name: "Moved", open_in_new_tab: true };
    expect(reply.body).toEqual(expected);
    expect((await get(`${LIST}${slug}/`)).body).toEqual(expected);
    expect((await get(`${LIST}${app.slug}/`)).status).toBe(404);
  });

  it("PUT needs name and slug and keeps omitted optional fields", async () => {
    const provider = await makeProvider();
    const app = await makeApplication({ provider: provider.pk, group: "g" });
    expect(await put(`${LIST}${app.slug}/`, { group: "x" })).toMatchObject({
      status: 400,
      body: { name: ["This field is required."], slug: ["This field is required."] },
    });
    const reply = await put(`${LIST}${app.slug}/`, { name: "Renamed", slug: app.slug });
    expect(reply.status).toBe(200);
    const providerObj = await baseProvider(provider.pk);
    expect(providerObj.assigned_application_name).toBe("Renamed");
    expect(reply.body).toEqual({ ...app, name: "Renamed", provider_obj: providerObj });
  });

  it("linking, moving and unlinking a provider shows on the providers", async () => {
    const first = await makeProvider();
    const second = await makeProvider();
    const app = await makeApplication();
    const assigned = async (pk: number) => {
      const body = (await get(`${PROVIDERS}${pk}/`)).body;
      return [body.assigned_application_slug, body.assigned_application_name];
    };
    const linked = async () =>
      (await get(`${PROVIDERS}?application__isnull=false&page_size=1000`)).body.results
        .map((p: { pk: number }) => p.pk)
        .filter((pk: number) => pk === first.pk || pk === second.pk);
    const unlinked = async () =>
      (await get(`${PROVIDERS}?application__isnull=true&page_size=1000`)).body.results
        .map((p: { pk: number }) => p.pk)
        .filter((pk: number) => pk === first.pk || pk === second.pk);
    expect(await linked()).toEqual([]);

    expect((await patch(`${LIST}${app.slug}/`, { provider: first.pk })).body).toMatchObject({
      provider: first.pk,
      launch_url: RAC_LAUNCH_URL,
    });
    expect(await assigned(first.pk)).toEqual([app.slug, app.name]);
    expect(await linked()).toEqual([first.pk]);
    expect(await unlinked()).toEqual([second.pk]);

    expect((await patch(`${LIST}${app.slug}/`, { provider: second.pk })).body.provider).toBe(second.pk);
    expect(await assigned(first.pk)).toEqual([null, null]);
    expect(await assigned(second.pk)).toEqual([app.slug, app.name]);
    expect(await linked()).toEqual([second.pk]);

    const cleared = await patch(`${LIST}${app.slug}/`, { provider: null });
    expect(cleared.body).toEqual({ ...app, provider: null, provider_obj: null, launch_url: null });
    expect(await assigned(second.pk)).toEqual([null, null]);
    expect((await unlinked()).sort()).toEqual([first.pk, second.pk].sort());
  });

  it("a provider taken by another application is refused on PATCH and nothing changes", async () => {
    const provider = await makeProvider();
    await makeApplication({ provider: provider.pk });
    const other = await makeApplication();
    const reply = await patch(`${LIST}${other.slug}/`, { provider: provider.pk, name: "changed" });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ provider: ["Application with this provider already exists."] });
    expect((await get(`${LIST}${other.slug}/`)).body).toEqual(other);
  });

  it.each([
    [{ slug: "remote-desktops" }, { slug: ["Application with this slug already exists."] }],
    [{ slug: "a b" }, { slug: ["Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."] }],
    [{ name: "" }, { name: ["This field may not be blank."] }],
    [{ provider: 999999 }, { provider: ['Invalid pk "999999" - object does not exist.'] }],
    [{ provider: "x" }, { provider: ["Incorrect type. Expected pk value, received str."] }],
    [{ open_in_new_tab: "x" }, { open_in_new_tab: ["Must be a valid boolean."] }],
    [{ meta_launch_url: "ftp//broken" }, { meta_launch_url: ["Enter a valid URL."] }],
    [{ meta_description: null }, { meta_description: ["This field may not be null."] }],
    [{ meta_publisher: {} }, { meta_publisher: ["Not a valid string."] }],
    [{ policy_engine_mode: "none" }, { policy_engine_mode: ['"none" is not a valid choice.'] }],
    [{ group: [] }, { group: ["Not a valid string."] }],
  ])("PATCH %j -> 400 %j, application unchanged", async (input, expected) => {
    const app = await makeApplication();
    const reply = await patch(`${LIST}${app.slug}/`, { meta_publisher: "changed", ...input });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual(expected);
    expect((await get(`${LIST}${app.slug}/`)).body).toEqual(app);
  });

  it("DELETE answers 204, removes the application and frees its provider", async () => {
    const provider = await makeProvider();
    const app = await makeApplication({ provider: provider.pk });
    const reply = await del(`${LIST}${app.slug}/`);
    expect(reply.status).toBe(204);
    expect(reply.text).toBe("");
    expect((await get(`${LIST}${app.slug}/`)).status).toBe(404);
    expect((await get(`${PROVIDERS}${provider.pk}/`)).body).toMatchObject({
      assigned_application_slug: null,
      assigned_application_name: null,
    });
    expect((await post(LIST, { name: "again", slug: unique("again"), provider: provider.pk })).status).toBe(201);
  });

  it("deleting the provider leaves the application with provider null", async () => {
    const provider = await makeProvider();
    const app = await makeApplication({ provider: provider.pk });
    expect((await del(`${PROVIDERS}${provider.pk}/`)).status).toBe(204);
    expect((await get(`${LIST}${app.slug}/`)).body).toEqual({
      ...app,
      provider: null,
      provider_obj: null,
      launch_url: null,
    });
  });
});

describe("list", () => {
  const slugs = (reply: { body: { results: { slug: string }[] } }) => reply.body.results.map((a) => a.slug);

  it("searches name, slug, publisher, description and group; orders by name by default", async () => {
    const tag = unique("srch").replaceAll("-", "");
    const a = await makeApplication({ name: `B ${tag}` });
    const b = await makeApplication({ name: "A", slug: `${tag}-slug` });
    const c = await makeApplication({ name: "D", meta_publisher: `Pub ${tag.toUpperCase()}` });
    const d = await makeApplication({ name: "C", meta_description: `about ${tag}` });
    const e = await makeApplication({ name: "E", group: tag });
    expect(slugs(await get(`${LIST}?search=${tag}`))).toEqual([b.slug, a.slug, d.slug, c.slug, e.slug]);
    expect(slugs(await get(`${LIST}?search=${tag}&ordering=-name`))).toEqual([e.slug, c.slug, d.slug, a.slug, b.slug]);
    expect(slugs(await get(`${LIST}?search=${encodeURIComponent(`${tag} pub`)}`))).toEqual([c.slug]);
    const page = await get(`${LIST}?search=${tag}&page_size=2&page=3`);
    expect(page.body.pagination).toEqual({
      next: 0,
      previous: 2,
      count: 5,
      current: 3,
      total_pages: 3,
      start_index: 5,
      end_index: 5,
    });
    expect(slugs(page)).toEqual([e.slug]);
    expect(await get(`${LIST}?search=${tag}&page_size=2&page=4`)).toMatchObject({
      status: 404,
      body: { detail: "Invalid page." },
    });
  });

  it("filters on name, slug and group and orders by whitelisted fields", async () => {
    const tag = unique("flt");
    const a = await makeApplication({ name: `${tag} one`, group: `${tag}-g1`, meta_publisher: "b" });
    const b = await makeApplication({ name: `${tag} two`, group: `${tag}-g1`, meta_publisher: "a" });
    const c = await makeApplication({ name: `${tag} three`, group: `${tag}-g2`, meta_publisher: "c" });
    const found = async (query: string) => slugs(await get(`${LIST}?search=${tag}&${query}`));
    expect(await found(`name=${encodeURIComponent(`${tag} two`)}`)).toEqual([b.slug]);
    expect(await found(`slug=${c.slug}`)).toEqual([c.slug]);
    expect(await found(`group=${tag}-g1`)).toEqual([a.slug, b.slug]);
    expect(await found("ordering=meta_publisher")).toEqual([b.slug, a.slug, c.slug]);
    expect(await found("ordering=-group,name")).toEqual([c.slug, a.slug, b.slug]);
    expect(await found("ordering=slug")).toEqual([a.slug, b.slug, c.slug].sort());
  });

  it("a page of 100 applications with providers costs a constant number of D1 queries", async () => {
    const flow = (
      await post("/api/v3/flows/instances/", { name: "f", slug: unique("f"), title: "f", designation: "authorization" })
    ).body.pk;
    const statements = [];
    for (let i = 0; i < 100; i++) {
      const name = unique("bulk");
      statements.push(
        env.DB.prepare("INSERT INTO providers (name, authorization_flow) VALUES (?1, ?2)").bind(name, flow),
        env.DB.prepare(
          "INSERT INTO applications (uuid, name, slug, provider_id) " +
            "SELECT ?1, ?2, ?2, id FROM providers WHERE name = ?2",
        ).bind(crypto.randomUUID(), name),
      );
    }
    await env.DB.batch(statements);
    const one = await roundTrips(`${LIST}?page_size=1`);
    const hundred = await roundTrips(`${LIST}?page_size=100&search=bulk`);
    expect(hundred.body.results).toHaveLength(100);
    expect(
      hundred.body.results.every(
        (app: { provider_obj: { name: string } | null; name: string }) => app.provider_obj?.name === app.name,
      ),
    ).toBe(true);
    expect(hundred.queries).toBe(one.queries);
    expect(hundred.queries).toBeLessThanOrEqual(2);
  });
});

describe("permissions", () => {
  it("no grant: an empty list, 403 on create, 404 on objects", async () => {
    const user = await makeUser();
    const app = await makeApplication();
    const list = await get(LIST, { token: user.token });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      pagination: { next: 0, previous: 0, count: 0, current: 1, total_pages: 1, start_index: 0, end_index: 0 },
      results: [],
    });
    const before = await appCount();
    expect(await post(LIST, { name: "x", slug: unique("x") }, { token: user.token })).toMatchObject({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await appCount()).toBe(before);
    expect(await get(`${LIST}${app.slug}/`, { token: user.token })).toMatchObject({ status: 404, body: NOT_FOUND });
    expect((await put(`${LIST}${app.slug}/`, { name: "x", slug: app.slug }, { token: user.token })).status).toBe(404);
    expect((await patch(`${LIST}${app.slug}/`, { name: "x" }, { token: user.token })).status).toBe(404);
    expect((await del(`${LIST}${app.slug}/`, { token: user.token })).status).toBe(404);
    expect((await get(`${LIST}${app.slug}/`)).body).toEqual(app);
  });

  it("global grants: view sees all, add creates, change and delete need their own grants", async () => {
    const user = await makeUser();
    const app = await makeApplication();
    await grant(user.id, ["authentik_core.view_application"]);
    const list = await get(`${LIST}?page_size=1000`, { token: user.token });
    expect(list.body.pagination.count).toBe((await get(LIST)).body.pagination.count);
    expect(await get(`${LIST}${app.slug}/`, { token: user.token })).toMatchObject({ status: 200, body: app });
    expect(await patch(`${LIST}${app.slug}/`, { name: "x" }, { token: user.token })).toMatchObject({
      status: 403,
      body: FORBIDDEN,
    });
    expect(await del(`${LIST}${app.slug}/`, { token: user.token })).toMatchObject({ status: 403, body: FORBIDDEN });
    expect((await post(LIST, { name: "x", slug: unique("x") }, { token: user.token })).status).toBe(403);
    await grant(user.id, [
      "authentik_core.add_application",
      "authentik_core.change_application",
      "authentik_core.delete_application",
    ]);
    expect((await post(LIST, { name: "x", slug: unique("x") }, { token: user.token })).status).toBe(201);
    expect((await patch(`${LIST}${app.slug}/`, { name: "changed" }, { token: user.token })).body.name).toBe("changed");
    expect((await del(`${LIST}${app.slug}/`, { token: user.token })).status).toBe(204);
  });

  it("object grants: only that application is listed and changed", async () => {
    const user = await makeUser();
    const mine = await makeApplication();
    const other = await makeApplication();
    await grant(user.id, ["authentik_core.view_application", "authentik_core.change_application"], {
      model: MODEL,
      pk: mine.pk,
    });
    const list = await get(LIST, { token: user.token });
    expect(list.body.pagination.count).toBe(1);
    expect(list.body.results).toEqual([mine]);
    expect((await patch(`${LIST}${mine.slug}/`, { group: "mine" }, { token: user.token })).body.group).toBe("mine");
    expect((await get(`${LIST}${other.slug}/`, { token: user.token })).status).toBe(404);
    expect(await del(`${LIST}${mine.slug}/`, { token: user.token })).toMatchObject({ status: 403, body: FORBIDDEN });
    expect((await post(LIST, { name: "x", slug: unique("x") }, { token: user.token })).status).toBe(403);
  });

  it("a superuser other than akadmin may do everything", async () => {
    const root = await makeUser({ superuser: true });
    const provider = await makeProvider();
    const reply = await post(
      LIST,
      { name: "root", slug: unique("root"), provider: provider.pk },
      { token: root.token },
    );
    expect(reply.status).toBe(201);
    expect(
      (await patch(`${LIST}${reply.body.slug}/`, { provider: null }, { token: root.token })).body.provider,
    ).toBeNull();
    expect((await del(`${LIST}${reply.body.slug}/`, { token: root.token })).status).toBe(204);
  });
});
