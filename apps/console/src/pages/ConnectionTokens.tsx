/** Live connection tokens: who holds one, for which endpoint, until when; revoking ends the session. */
import type { ConnectionToken } from "@rac-edge/client";
import { client } from "../api.ts";
import { ListPage } from "../components/ListPage.tsx";
import { useNotice } from "../components/useNotice.tsx";

const when = (iso: string | null) => (iso === null ? "never" : new Date(iso).toLocaleString());

export function ConnectionTokens() {
  const { line, act } = useNotice();
  const revoke = (row: ConnectionToken, reload: () => void) => {
    const connection = `${row.user.username}'s connection to ${row.endpoint_obj.name}`;
    return act(() => client.rac.connectionTokens.destroy(row.pk), {
      ask: `Revoke ${connection}?`,
      pending: "Revoking…",
      done: `Revoked ${connection}.`,
      reload,
    });
  };
  return (
    <>
      {line}
      <ListPage<ConnectionToken>
        title="Connection tokens"
        load={client.rac.connectionTokens.list}
        rowKey={(row) => row.pk}
        columns={[
          { label: "User", cell: (row) => row.user.username },
          { label: "Endpoint", cell: (row) => `${row.endpoint_obj.name} (${row.endpoint_obj.host})` },
          { label: "Provider", cell: (row) => row.provider_obj.name },
          {
            label: "Since",
            cell: (row) =>
              row.connected_at === null ? `launched ${when(row.created)}` : `connected ${when(row.connected_at)}`,
          },
          { label: "Expires", cell: (row) => when(row.expires) },
        ]}
        actions={(row, reload) => (
          <button
            type="button"
            class="danger"
            aria-label={`Revoke ${row.user.username} on ${row.endpoint_obj.name}`}
            onClick={() => revoke(row, reload)}
          >
            Revoke
          </button>
        )}
      />
    </>
  );
}
