/** `/if/admin/`: only signed-in browsers get the console's files (the browser test covers what they show). */
import { describe, expect, it } from "vitest";
import { makeUser } from "../helpers.ts";
import { browse, setPasswordFor, signedIn } from "../signin/signinHelpers.ts";

describe("/if/admin/", () => {
  it("sends a browser without a session, or with an unknown one, to sign in and back", async () => {
    for (const browser of [{}, { session: "not-a-session" }]) {
      for (const path of ["/if/admin/", "/if/admin/console.js"]) {
        const response = await browse("GET", path, browser);
        expect(response.status).toBe(302);
        expect(response.headers.get("location")).toBe("/if/login/?next=%2Fif%2Fadmin%2F");
      }
    }
  });

  it("adds the trailing slash and refuses methods other than GET and HEAD without looking at the session", async () => {
    const bare = await browse("GET", "/if/admin", {});
    expect(bare.status).toBe(302);
    expect(bare.headers.get("location")).toBe("/if/admin/");
    const user = await makeUser();
    await setPasswordFor(user.id, "a-long-password");
    const browser = await signedIn(user.username, "a-long-password");
    for (const method of ["POST", "PUT", "DELETE"]) {
      const response = await browse(method, "/if/admin/", browser);
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("GET, HEAD");
    }
  });
});
