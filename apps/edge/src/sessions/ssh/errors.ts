/** Why an SSH session could not be opened or ended, in words a user can act on. */
export class SshError extends Error {
  constructor(
    message: string,
    /** True when the reason is the server's or the settings' (a 502 for the page), false for our own bugs. */
    readonly refused = true,
  ) {
    super(message);
    this.name = "SshError";
  }
}

/** A `private-key` that cannot be read or used. */
export class KeyError extends SshError {}
