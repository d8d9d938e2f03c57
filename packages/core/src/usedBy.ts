import * as v from "valibot";

/** What deleting the target does to a referencing object (authentik's DeleteAction values). */
export const USED_BY_ACTIONS = ["cascade", "cascade_many", "set_null", "set_default"] as const;
export type UsedByAction = (typeof USED_BY_ACTIONS)[number];

/** One object pointing at the target of `used_by/`. */
export const UsedBySchema = v.object({
  app: v.string(),
  model_name: v.string(),
  pk: v.string(),
  name: v.string(),
  action: v.picklist(USED_BY_ACTIONS),
});
export type UsedBy = v.InferOutput<typeof UsedBySchema>;
