/** What test/node/sshd.ts hands the workerd side through the SSHD service binding. */
export interface SshFixture {
  port: number;
  user: string;
  password: string;
  /** The server's public host keys, `type base64` per line. */
  hostKeys: Record<string, string>;
  /** Client private keys by name, all authorized for the test user except `unauthorized`. */
  keys: Record<string, string>;
  passphrase: string;
  silentPort: number;
}
