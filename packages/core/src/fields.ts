/**
 * Request field schemas that answer with Django REST framework's messages, so rac-edge's 400s read
 * exactly like authentik's. Every schema refuses null unless wrapped in `v.nullable`.
 */
import * as v from "valibot";
import { parseDuration } from "./duration.ts";
import type { FieldErrors } from "./errors.ts";

export const MESSAGES = {
  required: "This field is required.",
  null: "This field may not be null.",
  blank: "This field may not be blank.",
  string: "Not a valid string.",
  boolean: "Must be a valid boolean.",
  integer: "A valid integer is required.",
  dictionary: "Value must be a dictionary, and not have any duplicate keys.",
  /** DRF's ProhibitNullCharactersValidator, on every CharField. */
  nullCharacter: "Null characters are not allowed.",
  /** django-filter's answer to an unknown id in a model choice filter (`?provider=999`). */
  filterChoice: "Select a valid choice. That choice is not one of the available choices.",
} as const;

/** django-filter's answer to a value outside a choice filter's options (`?type=robot`). */
export const filterChoiceMessage = (value: string) =>
  `Select a valid choice. ${value} is not one of the available choices.`;

/** Python's name for a JSON value's type, as DRF prints it. */
export function pythonType(value: unknown): string {
  if (value === null) return "NoneType";
  if (Array.isArray(value)) return "list";
  switch (typeof value) {
    case "string":
      return "str";
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(value) ? "int" : "float";
    case "object":
      return "dict";
    default:
      return typeof value;
  }
}

const notNull = <T extends v.GenericSchema>(schema: T) => v.nonNullable(schema, MESSAGES.null);

/** DRF's CharField refuses NUL (PostgreSQL's text cannot hold it); so does every text field here. */
export const noNullCharacters = () => v.check<string, string>((value) => !value.includes("\0"), MESSAGES.nullCharacter);

/** A trimmed, non-blank string; numbers are accepted and turned into text, as DRF does. */
export const text = (maxLength = 255) =>
  v.pipe(
    notNull(v.union([v.string(), v.number()], MESSAGES.string)),
    v.transform((value) => String(value).trim()),
    noNullCharacters(),
    v.nonEmpty(MESSAGES.blank),
    v.maxLength(maxLength, `Ensure this field has no more than ${maxLength} characters.`),
  );

/** A string that may be empty (e.g. `expression`). */
export const optionalText = () =>
  v.pipe(
    notNull(v.union([v.string(), v.number()], MESSAGES.string)),
    v.transform((value) => String(value)),
    noNullCharacters(),
  );

const TRUE = new Set<unknown>([
  true,
  1,
  "1",
  "true",
  "True",
  "TRUE",
  "t",
  "T",
  "y",
  "Y",
  "yes",
  "Yes",
  "YES",
  "on",
  "On",
  "ON",
]);
const FALSE = new Set<unknown>([
  false,
  0,
  "0",
  "false",
  "False",
  "FALSE",
  "f",
  "F",
  "n",
  "N",
  "no",
  "No",
  "NO",
  "off",
  "Off",
  "OFF",
]);

/** DRF's BooleanField: true/false plus its accepted spellings. */
export const boolean = () =>
  v.pipe(
    notNull(v.unknown()),
    v.transform((value) => (TRUE.has(value) ? true : FALSE.has(value) ? false : value)),
    v.boolean(MESSAGES.boolean),
  );

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/** A 32-bit integer; integral numbers and numeric strings are accepted, as DRF does. */
export const int32 = () =>
  v.pipe(
    notNull(v.unknown()),
    v.transform((value) => (typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : value)),
    v.number(MESSAGES.integer),
    v.integer(MESSAGES.integer),
    v.minValue(INT_MIN, `Ensure this value is greater than or equal to ${INT_MIN}.`),
    v.maxValue(INT_MAX, `Ensure this value is less than or equal to ${INT_MAX}.`),
  );

export const choice = <const T extends readonly string[]>(options: T) =>
  notNull(v.picklist(options, (issue) => `"${String(issue.input)}" is not a valid choice.`));

/** The largest settings object accepted, serialized: nested copies of it must keep answers small. */
export const MAX_SETTINGS_BYTES = 64 * 1024;

/** UTF-8 length of a string, without TextEncoder (core declares no runtime globals). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** `settings`/`static_settings`: at most MAX_SETTINGS_BYTES as compact JSON. */
const settingsSize = <T>() =>
  v.check<T, string>(
    (value) => utf8Length(JSON.stringify(value) ?? "") <= MAX_SETTINGS_BYTES,
    `Ensure this value has at most ${MAX_SETTINGS_BYTES} bytes as JSON.`,
  );

/** Any JSON value but null (authentik's `settings` is a plain JSON field). */
export const json = () => notNull(v.unknown());

/** A settings value: any JSON value but null, capped at MAX_SETTINGS_BYTES. */
export const settingsJson = () => v.pipe(json(), settingsSize());

/** Whether a value is a JSON object (the check of `dictionary()`; the OpenAPI converter knows it by this). */
export const isDictionary = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A JSON object (`attributes`, `config`). Not valibot's record: it drops `__proto__`,
 * `constructor` and `prototype` keys, which are ordinary keys here and stored as sent.
 */
export const dictionary = () => notNull(v.custom<Record<string, unknown>>(isDictionary, MESSAGES.dictionary));

/** A settings object (property mappings' `static_settings`), capped at MAX_SETTINGS_BYTES. */
export const settingsDictionary = () => v.pipe(dictionary(), settingsSize());

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Canonical lower-case hyphenated form of a UUID, or null. */
export function normalizeUuid(value: string): string | null {
  const trimmed = value.trim();
  if (!UUID.test(trimmed)) return null;
  const hex = trimmed.replaceAll("-", "").toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const incorrectType = (issue: { input: unknown }) =>
  `Incorrect type. Expected pk value, received ${pythonType(issue.input)}.`;

/** A reference to an object keyed by UUID; existence is checked by the repository. */
export const uuidRef = () =>
  v.pipe(
    notNull(v.string(incorrectType)),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const uuid = normalizeUuid(dataset.value);
      if (uuid === null) {
        addIssue({ message: `“${dataset.value}” is not a valid UUID.` });
        return NEVER;
      }
      return uuid;
    }),
  );

/** A reference to an object keyed by integer; existence is checked by the repository. */
export const intRef = () =>
  v.pipe(
    notNull(v.unknown()),
    v.transform((value) => (typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value)),
    v.number(incorrectType),
    v.integer(incorrectType),
    v.safeInteger(incorrectType),
  );

/**
 * A reference that may be null; an empty string means null too, as DRF's relational fields read it
 * (`"authentication_flow": ""` unsets the flow).
 */
export const nullableRef = <T extends v.GenericSchema>(ref: T) =>
  v.pipe(
    v.unknown(),
    v.transform((value) => (value === "" ? null : value)),
    v.nullable(ref),
  );

/** A list (many-to-many ids). */
export const list = <T extends v.GenericSchema>(item: T) =>
  notNull(v.array(item, (issue) => `Expected a list of items but got type "${pythonType(issue.input)}".`));

/** `connection_expiry`: a non-blank duration string, stored trimmed. */
export const duration = () =>
  v.pipe(
    text(),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      try {
        parseDuration(dataset.value);
      } catch (error) {
        addIssue({ message: (error as Error).message });
      }
    }),
  );

/**
 * Turns valibot issues into authentik's field errors. A missing key reads "This field is
 * required."; nested paths report on their top-level field; input values are never echoed
 * except where authentik's own message does.
 */
export function toFieldErrors(issues: readonly v.BaseIssue<unknown>[]): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of issues) {
    const path = issue.path ?? [];
    const field = path.length > 0 ? String(path[0]!.key) : "non_field_errors";
    const last = path[path.length - 1];
    const message = last?.origin === "key" && path.length === 1 ? MESSAGES.required : issue.message;
    const messages = fields[field] ?? [];
    if (!messages.includes(message)) messages.push(message);
    fields[field] = messages;
  }
  return fields;
}
