import { describe, expect, it } from "vitest";
import { ApiError } from "../src/errors.ts";
import { pageRequest, paginate } from "../src/pagination.ts";
import { parseOrdering, searchTerms } from "../src/query.ts";

describe("pagination", () => {
  it("matches authentik's block for 250 rows, page 2", () => {
    expect(paginate(pageRequest("2", "100"), 250).pagination).toEqual({
      next: 3,
      previous: 1,
      count: 250,
      current: 2,
      total_pages: 3,
      start_index: 101,
      end_index: 200,
    });
  });

  it("answers an empty list on page 1", () => {
    expect(paginate(pageRequest(null, null), 0).pagination).toEqual({
      next: 0,
      previous: 0,
      count: 0,
      current: 1,
      total_pages: 1,
      start_index: 0,
      end_index: 0,
    });
  });

  it("falls back to 100 for bad page sizes and caps at 1000", () => {
    expect(pageRequest(null, "0").pageSize).toBe(100);
    expect(pageRequest(null, "abc").pageSize).toBe(100);
    expect(pageRequest(null, "-4").pageSize).toBe(100);
    expect(pageRequest(null, "5000").pageSize).toBe(1000);
  });

  it("refuses pages past the end and non-numeric pages", () => {
    expect(() => paginate(pageRequest("2", null), 10)).toThrow(ApiError);
    expect(() => pageRequest("abc", null)).toThrow("Invalid page.");
    expect(() => pageRequest("0", null)).toThrow("Invalid page.");
    expect(paginate(pageRequest("last", "10"), 25).page).toBe(3);
  });
});

describe("ordering and search", () => {
  it("keeps known fields only", () => {
    const fallback = [{ field: "name", descending: false }];
    expect(parseOrdering("-name,bogus,pk", ["name", "pk"], fallback)).toEqual([
      { field: "name", descending: true },
      { field: "pk", descending: false },
    ]);
    expect(parseOrdering("bogus", ["name"], fallback)).toEqual(fallback);
    expect(parseOrdering(null, ["name"], fallback)).toEqual(fallback);
  });

  it("splits search terms", () => {
    expect(searchTerms("  a  b,c ")).toEqual(["a", "b", "c"]);
    expect(searchTerms(null)).toEqual([]);
  });
});
