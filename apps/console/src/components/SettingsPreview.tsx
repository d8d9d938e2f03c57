/** An endpoint's effective settings: what a connection would use now, each key with its source. */
import type { EffectiveSettings } from "@rac-edge/client";
import { useEffect, useRef } from "preact/hooks";

interface Props {
  name: string;
  settings: EffectiveSettings;
  onClose: () => void;
}

export function SettingsPreview({ name, settings, onClose }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  // Focus moves to the panel so a keyboard user lands on what they asked for.
  useEffect(() => heading.current?.focus(), [settings]);
  const keys = Object.keys(settings.settings).sort();
  return (
    <section class="panel" aria-labelledby="preview-title">
      <h2 id="preview-title" tabIndex={-1} ref={heading}>
        Effective settings of {name}
      </h2>
      <p>
        {settings.protocol}, {settings.auth_mode} authentication
        {settings.prompt.length > 0 && `; a launch prompts for ${settings.prompt.join(" and ")}`}.
      </p>
      <table>
        <caption>Settings a connection to {name} would use now</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Value</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key}>
              <th scope="row">{key}</th>
              <td>{settings.settings[key]!.value}</td>
              <td>{settings.settings[key]!.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={onClose}>
        Close preview
      </button>
    </section>
  );
}
