/** authentik's page-number pagination: `page` (1-based) and `page_size` (default 100). */
import * as v from "valibot";
import { errors } from "./errors.ts";

export const DEFAULT_PAGE_SIZE = 100;
/** An extension: authentik has no maximum. */
export const MAX_PAGE_SIZE = 1000;

export interface PageRequest {
  page: number;
  pageSize: number;
}

/** Invalid or < 1 page sizes fall back to the default; a non-numeric page is "Invalid page.". */
export function pageRequest(page: string | null, pageSize: string | null): PageRequest {
  const size = pageSize !== null && /^\s*\d+\s*$/.test(pageSize) ? Number(pageSize) : 0;
  let number = 1;
  if (page !== null && page !== "" && page !== "last") {
    // A page whose offset is no safe integer lies past the end of any list (and SQL could not take it).
    if (!/^\s*\d+\s*$/.test(page) || Number(page) < 1 || !Number.isSafeInteger(Number(page) * MAX_PAGE_SIZE))
      throw errors.invalidPage();
    number = Number(page);
  }
  return {
    page: page === "last" ? Number.POSITIVE_INFINITY : number,
    pageSize: size < 1 ? DEFAULT_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE),
  };
}

export const PaginationSchema = v.object({
  next: v.number(),
  previous: v.number(),
  count: v.number(),
  current: v.number(),
  total_pages: v.number(),
  start_index: v.number(),
  end_index: v.number(),
});
export type Pagination = v.InferOutput<typeof PaginationSchema>;

export interface Paginated<T> {
  pagination: Pagination;
  results: T[];
}

export const paginatedSchema = <T extends v.GenericSchema>(item: T) =>
  v.object({ pagination: PaginationSchema, results: v.array(item) });

/** Resolves a request against a total count: the page, its offset, and the pagination block. */
export function paginate(
  request: PageRequest,
  count: number,
): { page: number; offset: number; limit: number; pagination: Pagination } {
  const totalPages = Math.max(1, Math.ceil(count / request.pageSize));
  const page = request.page === Number.POSITIVE_INFINITY ? totalPages : request.page;
  if (page > totalPages) throw errors.invalidPage();
  const offset = (page - 1) * request.pageSize;
  const onPage = Math.min(request.pageSize, count - offset);
  return {
    page,
    offset,
    limit: request.pageSize,
    pagination: {
      next: page < totalPages ? page + 1 : 0,
      previous: page > 1 ? page - 1 : 0,
      count,
      current: page,
      total_pages: totalPages,
      start_index: count === 0 ? 0 : offset + 1,
      end_index: count === 0 ? 0 : offset + onPage,
    },
  };
}
