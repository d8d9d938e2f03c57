import * as v from "valibot";
import { choice, text } from "./fields.ts";

export const FLOW_DESIGNATIONS = ["authentication", "authorization", "invalidation", "enrollment", "unenrollment", "recovery", "stage_configuration"] as const;

export const slug = () => v.pipe(text(50), v.regex(/^[-a-zA-Z0-9_]+$/, "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."));

export const FlowSchema = v.object({
  pk: v.string(),
  name: v.string(),
  slug: v.string(),
  title: v.string(),
  designation: v.picklist(FLOW_DESIGNATIONS),
});
export type Flow = v.InferOutput<typeof FlowSchema>;

export const FlowRequestSchema = v.object({
  name: text(),
  slug: slug(),
  title: text(),
  designation: choice(FLOW_DESIGNATIONS),
});
export type FlowRequest = v.InferOutput<typeof FlowRequestSchema>;
export const PatchedFlowRequestSchema = v.partial(FlowRequestSchema);
