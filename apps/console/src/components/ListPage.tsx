/** One collection: a searchable, paged table from the API, with create and per-row actions. */
import type { Paginated } from "@rac-edge/client";
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { errorText, signedOut, toSignIn } from "../api.ts";

export interface Column<T> {
  label: string;
  cell: (row: T) => ComponentChildren;
}

export interface ListProps<T> {
  title: string;
  load: (query: { page: number; page_size: number; search?: string }) => Promise<Paginated<T>>;
  columns: Column<T>[];
  /** The row's buttons; `reload` refreshes the page of rows after a change. */
  actions?: (row: T, reload: () => void) => ComponentChildren;
  /** Above the table: the create form or its button, given `reload`. */
  toolbar?: (reload: () => void) => ComponentChildren;
  rowKey: (row: T) => string;
}

const PAGE_SIZE = 20;

export function ListPage<T>({ title, load, columns, actions, toolbar, rowKey }: ListProps<T>) {
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState("");
  const [typed, setTyped] = useState("");
  const [data, setData] = useState<Paginated<T> | null>(null);
  const [error, setError] = useState("");
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const reload = () => setGeneration((n) => n + 1);

  useEffect(() => {
    let current = true;
    setLoading(true);
    load({ page, page_size: PAGE_SIZE, ...(search ? { search } : {}) })
      .then((result) => {
        if (!current) return;
        setData(result);
        setError("");
      })
      .catch((failure) => {
        if (signedOut(failure)) return toSignIn();
        if (current) setError(errorText(failure));
      })
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [page, search, generation]);

  const pagination = data?.pagination;
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      {toolbar?.(reload)}
      <search>
        <form
          class="search"
          onSubmit={(event) => {
            event.preventDefault();
            setPage(1);
            setSearch(typed.trim());
          }}
        >
          <label for="search">Search {title.toLowerCase()}</label>
          <input
            id="search"
            name="search"
            type="search"
            value={typed}
            onInput={(event) => setTyped((event.currentTarget as HTMLInputElement).value)}
          />
          <button type="submit">Search</button>
        </form>
      </search>
      <p class="status" role="status">
        {loading ? "Loading…" : pagination ? `${pagination.count} in all` : ""}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {data && (
        <table>
          <caption class="visually-hidden">{title}</caption>
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column.label} scope="col">
                  {column.label}
                </th>
              ))}
              {actions && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {data.results.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((column) => (
                  <td key={column.label}>{column.cell(row)}</td>
                ))}
                {actions && <td class="row-actions">{actions(row, reload)}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pagination && pagination.total_pages > 1 && (
        <nav class="pages" aria-label="Pages">
          <button type="button" disabled={pagination.previous === 0} onClick={() => setPage(pagination.previous)}>
            Previous page
          </button>
          <span>
            Page {pagination.current} of {pagination.total_pages}
          </span>
          <button type="button" disabled={pagination.next === 0} onClick={() => setPage(pagination.next)}>
            Next page
          </button>
        </nav>
      )}
    </section>
  );
}
