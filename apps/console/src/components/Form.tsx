/** A form for one API object: labelled controls, DRF's field errors next to their fields, progress while saving. */
import { isApiError } from "@rac-edge/client";
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

export interface Option {
  value: string;
  label: string;
}

export interface Field {
  name: string;
  label: string;
  kind?: "text" | "number" | "checkbox" | "select" | "json" | "password" | "list";
  options?: Option[];
  help?: string;
  required?: boolean;
}

export type Values = Record<string, string | boolean>;

/** The API object's values as the controls hold them (JSON pretty-printed, lists comma-separated). */
export function toValues(fields: Field[], object: Record<string, unknown>): Values {
  const values: Values = {};
  for (const field of fields) {
    const value = object[field.name];
    if (field.kind === "checkbox") values[field.name] = value === true;
    else if (field.kind === "json") values[field.name] = value === undefined ? "{}" : JSON.stringify(value, null, 2);
    else if (field.kind === "list") values[field.name] = Array.isArray(value) ? value.join(", ") : "";
    else if (field.kind === "password") values[field.name] = "";
    else values[field.name] = value === undefined || value === null ? "" : String(value);
  }
  return values;
}

/** The request body. JSON that does not parse is sent as the text, so the API's own error comes back inline. */
export function toBody(fields: Field[], values: Values): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.kind === "checkbox") body[field.name] = value === true;
    else if (field.kind === "number") body[field.name] = value === "" ? null : Number(value);
    else if (field.kind === "list") {
      body[field.name] = String(value ?? "")
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "");
    } else if (field.kind === "json") {
      try {
        body[field.name] = JSON.parse(String(value));
      } catch {
        body[field.name] = value;
      }
    } else if (value !== "" || field.required) body[field.name] = value;
  }
  return body;
}

type Errors = Record<string, string[]>;

/** DRF's 400 body as messages per field; anything else under `detail`. */
function fieldErrors(error: unknown): Errors {
  if (!isApiError(error)) return { detail: [String(error)] };
  if (typeof error.body.detail === "string") return { detail: [error.body.detail] };
  const out: Errors = {};
  for (const [field, messages] of Object.entries(error.body)) {
    out[field] = Array.isArray(messages) ? messages.map(String) : [JSON.stringify(messages)];
  }
  return out;
}

interface Props {
  id: string;
  title: string;
  fields: Field[];
  initial: Values;
  submitLabel: string;
  onSubmit: (values: Values) => Promise<unknown>;
  onCancel: () => void;
  /** Moves focus into the form when it opens (a keyboard user who pressed "Create" lands in it). */
  focusFirst?: boolean;
  children?: ComponentChildren;
}

export function Form({ id, title, fields, initial, submitLabel, onSubmit, onCancel, focusFirst, children }: Props) {
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (focusFirst) formRef.current?.querySelector<HTMLElement>("input, select, textarea")?.focus();
  }, []);
  const [values, setValues] = useState<Values>(initial);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const set = (name: string, value: string | boolean) => setValues({ ...values, [name]: value });

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      await onSubmit(values);
    } catch (error) {
      setErrors(fieldErrors(error));
    } finally {
      setBusy(false);
    }
  };

  const known = new Set(fields.map((field) => field.name));
  const general = Object.entries(errors).filter(([name]) => !known.has(name));
  return (
    <form ref={formRef} class="panel" aria-labelledby={`${id}-title`} onSubmit={submit} aria-busy={busy}>
      <h2 id={`${id}-title`}>{title}</h2>
      {general.length > 0 && (
        <div class="error" role="alert">
          {general.map(([name, messages]) => (
            <p key={name}>
              {name === "detail" || name === "non_field_errors" ? "" : `${name}: `}
              {messages.join(" ")}
            </p>
          ))}
        </div>
      )}
      {fields.map((field) => (
        <Control
          key={field.name}
          formId={id}
          field={field}
          value={values[field.name]}
          errors={errors[field.name]}
          onChange={(value) => set(field.name, value)}
        />
      ))}
      {children}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {submitLabel}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
        {busy && <progress aria-label="Saving" />}
      </div>
    </form>
  );
}

interface ControlProps {
  formId: string;
  field: Field;
  value: string | boolean | undefined;
  errors: string[] | undefined;
  onChange: (value: string | boolean) => void;
}

function Control({ formId, field, value, errors, onChange }: ControlProps) {
  const id = `${formId}-${field.name}`;
  const described = [field.help ? `${id}-help` : "", errors ? `${id}-error` : ""].filter(Boolean).join(" ");
  const common = {
    id,
    name: field.name,
    "aria-invalid": errors ? ("true" as const) : undefined,
    "aria-describedby": described || undefined,
  };
  const text = (event: Event) => onChange((event.currentTarget as HTMLInputElement).value);
  let control: JSX.Element;
  if (field.kind === "checkbox") {
    control = (
      <input
        {...common}
        type="checkbox"
        checked={value === true}
        onChange={(event) => onChange((event.currentTarget as HTMLInputElement).checked)}
      />
    );
  } else if (field.kind === "select") {
    control = (
      <select {...common} value={String(value ?? "")} onChange={text} required={field.required}>
        {!field.required && <option value="">—</option>}
        {(field.options ?? []).map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === "json") {
    control = <textarea {...common} rows={4} value={String(value ?? "")} onInput={text} spellcheck={false} />;
  } else {
    // One input element for three types (preact's typings split inputs by type).
    const type = (field.kind === "password" ? "password" : field.kind === "number" ? "number" : "text") as "text";
    const autocomplete = field.kind === "password" ? "new-password" : "off";
    control = (
      <input
        {...common}
        type={type}
        value={String(value ?? "")}
        onInput={text}
        required={field.required}
        autocomplete={autocomplete}
      />
    );
  }
  return (
    <div class={field.kind === "checkbox" ? "field check" : "field"}>
      <label for={id}>{field.label}</label>
      {control}
      {field.help && <small id={`${id}-help`}>{field.help}</small>}
      {errors && (
        <p class="field-error" id={`${id}-error`}>
          {errors.join(" ")}
        </p>
      )}
    </div>
  );
}
