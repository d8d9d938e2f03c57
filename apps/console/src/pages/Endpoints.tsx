/** Endpoints: one remote machine each, behind a provider. */
import type { EffectiveSettings, Endpoint } from "@rac-edge/client";
import { useState } from "preact/hooks";
import { client, errorText } from "../api.ts";
import { Crud } from "../components/Crud.tsx";
import type { Field } from "../components/Form.tsx";
import { SettingsPreview } from "../components/SettingsPreview.tsx";
import { choices, useOptions } from "../components/useOptions.ts";

export function Endpoints() {
  const [preview, setPreview] = useState<{ name: string; settings: EffectiveSettings } | null>(null);
  const [notice, setNotice] = useState("");
  const showPreview = async (row: Endpoint) => {
    setNotice(`Loading the settings of ${row.name}…`);
    try {
      setPreview({ name: row.name, settings: await client.rac.endpoints.effectiveSettings(row.pk) });
      setNotice("");
    } catch (error) {
      setNotice(errorText(error));
    }
  };
  const providers = useOptions(async () =>
    (await client.providers.rac.list({ page_size: 1000 })).results.map((provider) => ({
      value: String(provider.pk),
      label: provider.name,
    })),
  );
  if (providers === null) return <p role="status">Loading…</p>;
  const fields: Field[] = [
    { name: "name", label: "Name", required: true },
    { name: "provider", label: "Provider", kind: "select", options: providers, required: true },
    { name: "protocol", label: "Protocol", kind: "select", options: choices(["vnc", "ssh", "rdp"]), required: true },
    { name: "host", label: "Host", help: "host or host:port", required: true },
    {
      name: "auth_mode",
      label: "Authentication mode",
      kind: "select",
      options: choices(["static", "prompt"]),
      required: true,
    },
    { name: "maximum_connections", label: "Maximum connections", kind: "number", help: "-1 for no limit" },
    { name: "property_mappings", label: "Property mappings (ids, comma-separated)", kind: "list" },
    { name: "settings", label: "Settings (JSON)", kind: "json", help: "Secrets show as ******** and stay as stored." },
  ];
  return (
    <>
      <p class="notice" role="status">
        {notice}
      </p>
      {preview && <SettingsPreview {...preview} onClose={() => setPreview(null)} />}
      <Crud<Endpoint>
        title="Endpoints"
        singular="endpoint"
        resource={client.rac.endpoints}
        fields={fields}
        pk={(row) => row.pk}
        name={(row) => row.name}
        defaults={{
          provider: providers[0]?.value ?? "",
          protocol: "vnc",
          auth_mode: "static",
          maximum_connections: -1,
          settings: {},
        }}
        columns={[
          { label: "Name", cell: (row) => row.name },
          { label: "Protocol", cell: (row) => row.protocol },
          { label: "Host", cell: (row) => row.host },
          { label: "Provider", cell: (row) => row.provider_obj.name },
        ]}
        extra={(row) => (
          <button
            type="button"
            class="secondary"
            aria-label={`Settings preview of ${row.name}`}
            onClick={() => showPreview(row)}
          >
            Settings preview
          </button>
        )}
      />
    </>
  );
}
