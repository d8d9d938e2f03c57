/** Live connection tokens: who holds one, for which endpoint, until when; revoking ends the session. */
import type { ConnectionToken } from "@rac-edge/client";
import { useState } from "preact/hooks";
import { client, errorText } from "../api.ts";
import { ListPage } from "../components/ListPage.tsx";

const when = (iso: string | null) => (iso === null ? "never" : new Date(iso).toLocaleString());

export function ConnectionTokens() {
  const [notice, setNotice] = useState("");
  const revoke = async (row: ConnectionToken, reload: () => void) => {
    if (!confirm(`Revoke ${row.user.username}'s connection to ${row.endpoint_obj.name}?`)) return;
    setNotice("Revoking…");
    try {
      await client.rac.connectionTokens.destroy(row.pk);
      setNotice(`Revoked ${row.user.username}'s connection to ${row.endpoint_obj.name}.`);
      reload();
    } catch (error) {
      setNotice(errorText(error));
    }
  };
  return (
    <>
      <p class="notice" role="status">
        {notice}
      </p>
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
