/** Users: create, set a password, deactivate (which also ends their sessions). */
import type { User } from "@rac-edge/client";
import { useState } from "preact/hooks";
import { client } from "../api.ts";
import { Crud } from "../components/Crud.tsx";
import { type Field, Form } from "../components/Form.tsx";
import { useNotice } from "../components/useNotice.tsx";
import { choices } from "../components/useOptions.ts";

const FIELDS: Field[] = [
  { name: "username", label: "Username", required: true },
  { name: "name", label: "Name", required: true },
  { name: "email", label: "Email" },
  {
    name: "type",
    label: "Type",
    kind: "select",
    required: true,
    options: choices(["internal", "external", "service_account", "internal_service_account"]),
  },
  { name: "is_active", label: "Active", kind: "checkbox" },
  { name: "is_superuser", label: "Superuser", kind: "checkbox" },
];

export function Users() {
  const [passwordFor, setPasswordFor] = useState<User | null>(null);
  const { line, setNotice, act } = useNotice();
  const toggle = (row: User, reload: () => void) =>
    act(() => client.core.users.partialUpdate(row.pk, { is_active: !row.is_active }), {
      pending: row.is_active ? "Deactivating…" : "Activating…",
      done: `${row.username} is ${row.is_active ? "deactivated" : "active"}.`,
      reload,
    });
  return (
    <>
      {line}
      {passwordFor && (
        <Form
          focusFirst
          key={passwordFor.pk}
          id="password"
          title={`Set the password of ${passwordFor.username}`}
          fields={[{ name: "password", label: "New password", kind: "password", required: true }]}
          initial={{ password: "" }}
          submitLabel="Set password"
          onCancel={() => setPasswordFor(null)}
          onSubmit={async (values) => {
            await client.core.users.setPassword(passwordFor.pk, { password: String(values.password) });
            setNotice(`Password of ${passwordFor.username} set.`);
            setPasswordFor(null);
          }}
        />
      )}
      <Crud<User>
        title="Users"
        singular="user"
        resource={client.core.users}
        fields={FIELDS}
        pk={(row) => row.pk}
        name={(row) => row.username}
        defaults={{ type: "internal", is_active: true }}
        columns={[
          { label: "Username", cell: (row) => row.username },
          { label: "Name", cell: (row) => row.name },
          { label: "Active", cell: (row) => (row.is_active ? "yes" : "no") },
          { label: "Superuser", cell: (row) => (row.is_superuser ? "yes" : "no") },
        ]}
        extra={(row, reload) => (
          <>
            <button
              type="button"
              class="secondary"
              aria-label={`Set password for ${row.username}`}
              onClick={() => setPasswordFor(row)}
            >
              Set password
            </button>
            <button
              type="button"
              class="secondary"
              aria-label={`${row.is_active ? "Deactivate" : "Activate"} ${row.username}`}
              onClick={() => toggle(row, reload)}
            >
              {row.is_active ? "Deactivate" : "Activate"}
            </button>
          </>
        )}
      />
    </>
  );
}
