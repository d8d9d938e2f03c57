import * as v from "valibot";
import { FLOW_DESIGNATIONS } from "./choices.ts";
import { choice, text } from "./fields.ts";

export const slug = () =>
  v.pipe(
    text(50),
    v.regex(/^[-a-zA-Z0-9_]+$/, "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."),
  );

/** authentik's flow background when none is uploaded. */
export const DEFAULT_FLOW_BACKGROUND = "/static/dist/assets/images/flow_background.jpg";

/**
 * A flow as authentik's client requires it. rac-edge's flows have no stages, policies, cache or
 * background of their own, so those read-only fields carry authentik's values for such a flow.
 */
export const FlowSchema = v.object({
  pk: v.string(),
  policybindingmodel_ptr_id: v.string(),
  name: v.string(),
  slug: v.string(),
  title: v.string(),
  designation: v.picklist(FLOW_DESIGNATIONS),
  background: v.string(),
  stages: v.array(v.string()),
  policies: v.array(v.string()),
  cache_count: v.number(),
  export_url: v.string(),
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
