/** Passphrase-protected OpenSSH private keys: bcrypt_pbkdf, then AES-256 in CTR or GCM mode. */

import { bcryptPbkdf } from "./bcryptPbkdf";
import { KeyError } from "./errors";
import { own, SshReader, utf8 } from "./wire";

/** More rounds than this would let a stored key spend seconds of a Worker's CPU (ssh-keygen's default is 16). */
const MAX_ROUNDS = 64;

export async function decryptOpenSshPrivate(
  cipher: string,
  kdf: string,
  kdfOptions: Uint8Array,
  secret: Uint8Array,
  tag: Uint8Array,
  passphrase: string,
): Promise<Uint8Array> {
  if (kdf !== "bcrypt") throw new KeyError(`unsupported private key kdf ${kdf}`);
  if (cipher !== "aes256-ctr" && cipher !== "aes256-gcm@openssh.com") {
    throw new KeyError(`unsupported private key cipher ${cipher}: re-encrypt it with ssh-keygen -p -Z aes256-ctr`);
  }
  const options = new SshReader(kdfOptions);
  const salt = options.string();
  const rounds = options.uint32();
  if (rounds < 1 || rounds > MAX_ROUNDS)
    throw new KeyError(`the private key asks for ${rounds} kdf rounds (at most 64)`);
  const gcm = cipher === "aes256-gcm@openssh.com";
  const material = await bcryptPbkdf(utf8(passphrase), salt, gcm ? 44 : 48, rounds);
  const name = gcm ? "AES-GCM" : "AES-CTR";
  const key = await crypto.subtle.importKey("raw", own(material.subarray(0, 32)), { name }, false, ["decrypt"]);
  const iv = own(material.subarray(32));
  try {
    const algorithm = gcm ? { name, iv } : { name, counter: iv, length: 128 };
    const body = gcm ? new Uint8Array([...secret, ...tag]) : secret;
    return new Uint8Array(await crypto.subtle.decrypt(algorithm, key, own(body)));
  } catch {
    throw new KeyError("the passphrase does not decrypt the private key");
  }
}
