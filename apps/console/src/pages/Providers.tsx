/** RAC providers: the flow that authorizes a launch, how long tokens live, shared settings. */
import type { RacProvider } from "@rac-edge/client";
import { client } from "../api.ts";
import { Crud } from "../components/Crud.tsx";
import type { Field } from "../components/Form.tsx";
import { useOptions } from "../components/useOptions.ts";

export function Providers() {
  const flows = useOptions(async () =>
    (await client.flows.instances.list({ page_size: 1000 })).results.map((flow) => ({
      value: flow.pk,
      label: `${flow.name} (${flow.slug})`,
    })),
  );
  if (flows === null) return <p role="status">Loading…</p>;
  const fields: Field[] = [
    { name: "name", label: "Name", required: true },
    { name: "authorization_flow", label: "Authorization flow", kind: "select", options: flows, required: true },
    {
      name: "connection_expiry",
      label: "Connection expiry",
      help: "How long a connection token lives, as authentik writes it: hours=8, minutes=30;seconds=15.",
    },
    { name: "delete_token_on_disconnect", label: "Delete the token on disconnect", kind: "checkbox" },
    { name: "property_mappings", label: "Property mappings (ids, comma-separated)", kind: "list" },
    { name: "settings", label: "Settings (JSON)", kind: "json", help: "Secrets show as ******** and stay as stored." },
  ];
  return (
    <Crud<RacProvider>
      title="Providers"
      singular="provider"
      resource={client.providers.rac}
      fields={fields}
      pk={(row) => row.pk}
      name={(row) => row.name}
      defaults={{ connection_expiry: "hours=8", authorization_flow: flows[0]?.value ?? "", settings: {} }}
      columns={[
        { label: "Name", cell: (row) => row.name },
        { label: "Connection expiry", cell: (row) => row.connection_expiry },
        { label: "Application", cell: (row) => row.assigned_application_name ?? "—" },
      ]}
    />
  );
}
