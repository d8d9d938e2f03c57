/** The admin console: a hash-routed shell around one page per collection. */
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { client, signedOut, toSignIn } from "./api.ts";
import { ConnectionTokens } from "./pages/ConnectionTokens.tsx";
import { Endpoints } from "./pages/Endpoints.tsx";
import { Outposts } from "./pages/Outposts.tsx";
import { Permissions } from "./pages/Permissions.tsx";
import { PropertyMappings } from "./pages/PropertyMappings.tsx";
import { Providers } from "./pages/Providers.tsx";
import { Tokens } from "./pages/Tokens.tsx";
import { Users } from "./pages/Users.tsx";

const PAGES = [
  { path: "providers", label: "Providers", page: Providers },
  { path: "endpoints", label: "Endpoints", page: Endpoints },
  { path: "property-mappings", label: "Property mappings", page: PropertyMappings },
  { path: "connection-tokens", label: "Connection tokens", page: ConnectionTokens },
  { path: "users", label: "Users", page: Users },
  { path: "permissions", label: "Permissions", page: Permissions },
  { path: "outposts", label: "Outposts", page: Outposts },
  { path: "tokens", label: "API tokens", page: Tokens },
] as const;

const current = () => location.hash.replace(/^#\/?/, "") || "providers";

interface Me {
  user: { username: string; is_superuser: boolean };
}

function App() {
  const [path, setPath] = useState(current());
  const [me, setMe] = useState<Me | null>(null);
  const loaded = useRef(false);
  useEffect(() => {
    const onHash = () => setPath(current());
    addEventListener("hashchange", onHash);
    client.core.users
      .me()
      .then(setMe)
      .catch((error) => signedOut(error) && toSignIn());
    return () => removeEventListener("hashchange", onHash);
  }, []);
  useEffect(() => {
    const found = PAGES.find((page) => page.path === path);
    document.title = `${found?.label ?? "Not found"} · rac-edge admin`;
    // After a navigation (not on the first load) focus moves to the new page, as a full page load would reset it.
    if (loaded.current) document.getElementById("main")?.focus();
    loaded.current = true;
  }, [path]);
  const found = PAGES.find((page) => page.path === path);
  const Page = found?.page;
  return (
    <>
      {/* A button, not a link: the hash holds the page's route. */}
      <button type="button" class="skip" onClick={() => document.getElementById("main")?.focus()}>
        Skip to content
      </button>
      <header>
        <p class="brand">rac-edge admin</p>
        {me && (
          <form method="post" action="/if/logout/" class="signout">
            <span>Signed in as {me.user.username}</span>
            <input type="hidden" name="csrfmiddlewaretoken" value={csrf()} />
            <button type="submit" class="secondary">
              Sign out
            </button>
          </form>
        )}
      </header>
      <nav aria-label="Console">
        <ul>
          {PAGES.map((page) => (
            <li key={page.path}>
              <a href={`#/${page.path}`} aria-current={page.path === path ? "page" : undefined}>
                {page.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {Page ? <Page key={path} /> : <h1>No such page</h1>}
      </main>
    </>
  );
}

function csrf(): string {
  const match = /(?:^|;\s*)csrftoken=([^;]*)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]!) : "";
}

render(<App />, document.getElementById("app")!);
