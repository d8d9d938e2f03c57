/** RAC property mappings: static settings merged into a connection's settings. */
import type { RacPropertyMapping } from "@rac-edge/client";
import { client } from "../api.ts";
import { Crud } from "../components/Crud.tsx";
import type { Field } from "../components/Form.tsx";

const FIELDS: Field[] = [
  { name: "name", label: "Name", required: true },
  {
    name: "static_settings",
    label: "Static settings (JSON)",
    kind: "json",
    help: "Secrets show as ******** and stay as stored.",
  },
];

export function PropertyMappings() {
  return (
    <Crud<RacPropertyMapping>
      title="Property mappings"
      singular="property mapping"
      resource={client.propertyMappings.rac}
      fields={FIELDS}
      pk={(row) => row.pk}
      name={(row) => row.name}
      defaults={{ static_settings: {} }}
      columns={[
        { label: "Name", cell: (row) => row.name },
        { label: "Id", cell: (row) => <code>{row.pk}</code> },
        { label: "Managed", cell: (row) => row.managed ?? "—" },
      ]}
    />
  );
}
