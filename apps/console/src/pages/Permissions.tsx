/** Grants and revokes permissions by codename for one user, globally or on one object. */
import { MODELS } from "@rac-edge/core";
import { useState } from "preact/hooks";
import { client } from "../api.ts";
import { type Field, Form, toBody, type Values } from "../components/Form.tsx";
import { choices, useOptions } from "../components/useOptions.ts";

export function Permissions() {
  const [notice, setNotice] = useState("");
  const [action, setAction] = useState<"assign" | "unassign">("assign");
  const choose = (next: typeof action) => () => setAction(next);
  const users = useOptions(async () =>
    (await client.core.users.list({ page_size: 1000 })).results.map((user) => ({
      value: String(user.pk),
      label: user.username,
    })),
  );
  if (users === null) return <p role="status">Loading…</p>;
  const fields: Field[] = [
    { name: "user", label: "User", kind: "select", options: users, required: true },
    {
      name: "permissions",
      label: "Codenames (comma-separated)",
      kind: "list",
      help: "For example authentik_providers_rac.view_endpoint, authentik_providers_rac.change_endpoint.",
    },
    {
      name: "model",
      label: "Model (for one object)",
      kind: "select",
      options: choices(MODELS),
      help: "Leave empty for a global grant.",
    },
    { name: "object_pk", label: "Object id (for one object)" },
  ];
  const submit = async (values: Values) => {
    const { user, ...body } = toBody(fields, values);
    if (body.model === "") body.model = null;
    if (body.object_pk === undefined) body.object_pk = null;
    if (action === "assign") await client.rbac.assign(Number(user), body as never);
    else await client.rbac.unassign(Number(user), body as never);
    setNotice(`${action === "assign" ? "Granted" : "Revoked"} ${(body.permissions as string[]).join(", ")}.`);
  };
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Permissions</h1>
      <p class="notice" role="status">
        {notice}
      </p>
      <fieldset class="choice">
        <legend>Action</legend>
        <label>
          <input type="radio" name="action" checked={action === "assign"} onChange={choose("assign")} /> Grant
        </label>
        <label>
          <input type="radio" name="action" checked={action === "unassign"} onChange={choose("unassign")} /> Revoke
        </label>
      </fieldset>
      <Form
        id="permissions"
        title={action === "assign" ? "Grant permissions" : "Revoke permissions"}
        fields={fields}
        initial={{ user: users[0]?.value ?? "", permissions: "", model: "", object_pk: "" }}
        submitLabel={action === "assign" ? "Grant" : "Revoke"}
        onSubmit={submit}
        onCancel={() => setNotice("")}
      />
    </section>
  );
}
