import type {
  PatchedRacPropertyMappingRequest,
  RacPropertyMapping,
  RacPropertyMappingRequest,
} from "../propertyMappings.ts";
import { resource } from "./descriptor.ts";

export const propertyMappings = resource<
  RacPropertyMapping,
  RacPropertyMappingRequest,
  PatchedRacPropertyMappingRequest
>()({
  model: "authentik_providers_rac.racpropertymapping",
  // The client's path; the 2024.6 tag's `/propertymappings/rac/` serves the same objects.
  path: "propertymappings/provider/rac/",
  aliases: ["propertymappings/rac/"],
  key: { name: "pm_uuid", kind: "uuid" },
  filters: { managed: { type: "string", repeatable: true }, name: { type: "string" } },
  ordering: ["pk", "name", "managed", "expression"],
  search: true,
  standard: ["list", "create", "retrieve", "update", "partialUpdate", "destroy", "usedBy"],
  operations: {},
});
