/** Outposts: which providers an outpost serves, and its configuration. */
import type { Outpost } from "@rac-edge/client";
import { client } from "../api.ts";
import { Crud } from "../components/Crud.tsx";
import type { Field } from "../components/Form.tsx";
import { choices } from "../components/useOptions.ts";

const FIELDS: Field[] = [
  { name: "name", label: "Name", required: true },
  { name: "type", label: "Type", kind: "select", options: choices(["rac"]), required: true },
  { name: "providers", label: "Provider ids (comma-separated)", kind: "list", required: true },
  { name: "config", label: "Configuration (JSON)", kind: "json" },
];

export function Outposts() {
  return (
    <Crud<Outpost>
      title="Outposts"
      singular="outpost"
      resource={client.outposts.instances}
      fields={FIELDS}
      pk={(row) => row.pk}
      name={(row) => row.name}
      defaults={{ type: "rac", config: {} }}
      columns={[
        { label: "Name", cell: (row) => row.name },
        { label: "Providers", cell: (row) => row.providers_obj.map((provider) => provider.name).join(", ") },
        { label: "Token", cell: (row) => row.token_identifier },
      ]}
    />
  );
}
