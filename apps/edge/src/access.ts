import { type Action, codename, errors, type ModelName } from "@rac-edge/core";
import type { Caller } from "./auth.ts";
import { type Grants, loadGrants, outpostGrants, withGrants } from "./repositories/permissions.ts";

/**
 * What one caller may do, by authentik codename: superusers everything, others their global
 * grants plus per-object grants. Grants come with the caller (read by the authentication query),
 * or are read once per request, on first need.
 */
export class Access {
  readonly caller: Caller;
  private readonly db: D1Database;
  private grants: Promise<Grants> | undefined;

  constructor(db: D1Database, caller: Caller) {
    this.db = db;
    this.caller = caller;
  }

  private load(): Promise<Grants> {
    this.grants ??= this.loadAll();
    return this.grants;
  }

  /** The user's grants; an outpost's token also sees its outpost and the providers it serves (authentik's grants). */
  private async loadAll(): Promise<Grants> {
    const own = this.caller.grants ?? (await loadGrants(this.db, this.caller.userId));
    return this.caller.outpostId === null ? own : withGrants(own, await outpostGrants(this.db, this.caller.outpostId));
  }

  /** The codenames held globally (superusers hold every one implicitly: an empty list for them). */
  async globalPermissions(): Promise<string[]> {
    if (this.caller.superuser) return [];
    return [...(await this.load())].filter(([, pks]) => pks.has("")).map(([perm]) => perm);
  }

  /** Holds the permission globally (object_pk ''). */
  async hasGlobal(perm: string): Promise<boolean> {
    if (this.caller.superuser) return true;
    return (await this.load()).get(perm)?.has("") ?? false;
  }

  /** Holds the permission globally or on this object. */
  async has(perm: string, objectPk: string | number): Promise<boolean> {
    if (this.caller.superuser) return true;
    const objects = (await this.load()).get(perm);
    return objects !== undefined && (objects.has("") || objects.has(String(objectPk)));
  }

  /** null: every object is visible; otherwise the pks of the objects granted one by one. */
  async visible(model: ModelName): Promise<string[] | null> {
    const perm = codename(model, "view");
    if (await this.hasGlobal(perm)) return null;
    return [...((await this.load()).get(perm) ?? [])].filter((pk) => pk !== "");
  }

  async require(model: ModelName, action: Action, objectPk?: string | number): Promise<void> {
    const perm = codename(model, action);
    const ok = objectPk === undefined ? await this.hasGlobal(perm) : await this.has(perm, objectPk);
    if (!ok) throw errors.forbidden();
  }

  /** Existing objects the caller cannot see answer 404, like authentik's filtered querysets. */
  async requireVisible(model: ModelName, objectPk: string | number): Promise<void> {
    if (!(await this.has(codename(model, "view"), objectPk))) throw errors.notFound();
  }

  requireSuperuser(): void {
    if (!this.caller.superuser) throw errors.forbidden();
  }
}
