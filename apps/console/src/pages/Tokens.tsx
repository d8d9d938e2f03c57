/** API tokens: created here, their key shown once (the API answers 410 to a second look). */
import type { Token, TokenRequest } from "@rac-edge/client";
import { useState } from "preact/hooks";
import { client } from "../api.ts";
import { Crud } from "../components/Crud.tsx";
import type { Field } from "../components/Form.tsx";

const FIELDS: Field[] = [
  { name: "identifier", label: "Identifier", required: true, help: "Letters, numbers, underscores or hyphens." },
  { name: "description", label: "Description" },
  { name: "expiring", label: "Expires", kind: "checkbox" },
];

export function Tokens() {
  const [key, setKey] = useState<{ identifier: string; key: string } | null>(null);
  // Creating an API token here shows its key at once, the one time the API answers it.
  const tokens = {
    ...client.core.tokens,
    create: async (body: TokenRequest) => {
      const token = await client.core.tokens.create({ ...body, intent: "api" });
      setKey({ identifier: token.identifier, ...(await client.core.tokens.viewKey(token.identifier)) });
      return token;
    },
  };
  return (
    <>
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
      <Crud<Token>
        title="API tokens"
        singular="API token"
        resource={tokens}
        fields={FIELDS}
        pk={(row) => row.identifier}
        name={(row) => row.identifier}
        defaults={{ expiring: true }}
        editable={false}
        columns={[
          { label: "Identifier", cell: (row) => row.identifier },
          { label: "User", cell: (row) => row.user_obj.username },
          { label: "Description", cell: (row) => row.description },
          {
            label: "Expires",
            cell: (row) => (row.expiring && row.expires ? new Date(row.expires).toLocaleString() : "never"),
          },
        ]}
      />
    </>
  );
}
