/** API tokens: created here, their key shown once (the API answers 410 to a second look). */
import type { Token } from "@rac-edge/client";
import { useState } from "preact/hooks";
import { client, errorText } from "../api.ts";
import { type Field, Form, toBody } from "../components/Form.tsx";
import { ListPage } from "../components/ListPage.tsx";

const FIELDS: Field[] = [
  { name: "identifier", label: "Identifier", required: true, help: "Letters, numbers, underscores or hyphens." },
  { name: "description", label: "Description" },
  { name: "expiring", label: "Expires", kind: "checkbox" },
];

export function Tokens() {
  const [creating, setCreating] = useState(false);
  const [key, setKey] = useState<{ identifier: string; key: string } | null>(null);
  const [notice, setNotice] = useState("");
  const remove = async (row: Token, reload: () => void) => {
    if (!confirm(`Delete the token ${row.identifier}?`)) return;
    try {
      await client.core.tokens.destroy(row.identifier);
      setNotice(`Deleted the token ${row.identifier}.`);
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
      {key && (
        <section class="panel" aria-labelledby="key-title">
          <h2 id="key-title">The key of {key.identifier}</h2>
          <p>Copy it now: it is shown only once.</p>
          <label for="token-key">Key</label>
          <input id="token-key" readOnly value={key.key} onFocus={(event) => event.currentTarget.select()} />
          <button type="button" onClick={() => setKey(null)}>
            Done
          </button>
        </section>
      )}
      <ListPage<Token>
        title="API tokens"
        load={client.core.tokens.list}
        rowKey={(row) => row.identifier}
        toolbar={(reload) =>
          creating ? (
            <Form
              focusFirst
              id="token"
              title="New API token"
              fields={FIELDS}
              submitLabel="Create"
              initial={{ identifier: "", description: "", expiring: true }}
              onCancel={() => setCreating(false)}
              onSubmit={async (values) => {
                const token = await client.core.tokens.create({ ...toBody(FIELDS, values), intent: "api" } as never);
                setKey({ identifier: token.identifier, ...(await client.core.tokens.viewKey(token.identifier)) });
                setCreating(false);
                reload();
              }}
            />
          ) : (
            <p>
              <button type="button" onClick={() => setCreating(true)}>
                Create API token
              </button>
            </p>
          )
        }
        columns={[
          { label: "Identifier", cell: (row) => row.identifier },
          { label: "User", cell: (row) => row.user_obj.username },
          { label: "Description", cell: (row) => row.description },
          {
            label: "Expires",
            cell: (row) => (row.expiring && row.expires ? new Date(row.expires).toLocaleString() : "never"),
          },
        ]}
        actions={(row, reload) => (
          <button
            type="button"
            class="danger"
            aria-label={`Delete the token ${row.identifier}`}
            onClick={() => remove(row, reload)}
          >
            Delete
          </button>
        )}
      />
    </>
  );
}
