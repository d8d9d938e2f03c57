/** Passphrase-protected OpenSSH private keys. */

import { KeyError } from "./errors";

export async function decryptOpenSshPrivate(
  cipher: string,
  kdf: string,
  _kdfOptions: Uint8Array,
  _secret: Uint8Array,
  _passphrase: string,
): Promise<Uint8Array> {
  throw new KeyError(`passphrase-protected OpenSSH keys (${cipher}, ${kdf}) are not supported yet`);
}
