/** A collection the console creates, edits and deletes through the API: ListPage plus Form. */
import type { Paginated } from "@rac-edge/client";
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { type Field, Form, toBody, toValues } from "./Form.tsx";
import { type Column, ListPage } from "./ListPage.tsx";
import { useNotice } from "./useNotice.tsx";

interface Resource<T> {
  list(query: { page: number; page_size: number; search?: string }): Promise<Paginated<T>>;
  create(body: never): Promise<unknown>;
  partialUpdate(key: never, body: never): Promise<unknown>;
  destroy(key: never): Promise<unknown>;
}

interface Props<T> {
  title: string;
  singular: string;
  resource: Resource<T>;
  fields: Field[];
  columns: Column<T>[];
  pk: (row: T) => string | number;
  name: (row: T) => string;
  /** Defaults for a new object, before `toValues`. */
  defaults?: Record<string, unknown>;
  extra?: (row: T, reload: () => void) => ComponentChildren;
  /** False: rows are created and deleted here, never edited (API tokens). */
  editable?: boolean;
}

type Editing<T> = { mode: "new" } | { mode: "edit"; row: T } | null;

export function Crud<T>(props: Props<T>) {
  const { title, singular, resource, fields, columns, pk, name, defaults = {}, extra, editable = true } = props;
  const [editing, setEditing] = useState<Editing<T>>(null);
  const { line, setNotice, act } = useNotice();
  const form = (reload: () => void) => {
    if (editing === null) {
      return (
        <p>
          <button type="button" onClick={() => setEditing({ mode: "new" })}>
            Create {singular}
          </button>
        </p>
      );
    }
    const row = editing.mode === "edit" ? editing.row : null;
    const submit = async (values: Record<string, string | boolean>) => {
      const body = toBody(fields, values) as never;
      if (row === null) await resource.create(body);
      else await resource.partialUpdate(pk(row) as never, body);
      setNotice(`${row === null ? "Created" : "Saved"} ${singular}.`);
      setEditing(null);
      reload();
    };
    return (
      <Form
        focusFirst
        key={row === null ? "new" : String(pk(row))}
        id="edit"
        fields={fields}
        title={row === null ? `New ${singular}` : `Edit ${singular} ${name(row)}`}
        initial={toValues(fields, (row ?? defaults) as Record<string, unknown>)}
        submitLabel={row === null ? "Create" : "Save"}
        onSubmit={submit}
        onCancel={() => setEditing(null)}
      />
    );
  };
  const remove = (row: T, reload: () => void) =>
    act(() => resource.destroy(pk(row) as never), {
      ask: `Delete ${singular} ${name(row)}?`,
      done: `Deleted ${singular} ${name(row)}.`,
      reload,
    });
  return (
    <>
      {line}
      <ListPage<T>
        title={title}
        load={resource.list}
        columns={columns}
        rowKey={(row) => String(pk(row))}
        toolbar={form}
        actions={(row, reload) => (
          <>
            {editable && (
              <button
                type="button"
                class="secondary"
                aria-label={`Edit ${name(row)}`}
                onClick={() => setEditing({ mode: "edit", row })}
              >
                Edit
              </button>
            )}
            <button type="button" class="danger" aria-label={`Delete ${name(row)}`} onClick={() => remove(row, reload)}>
              Delete
            </button>
            {extra?.(row, reload)}
          </>
        )}
      />
    </>
  );
}
