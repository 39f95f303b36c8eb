// What a first `projector vault serve` needs to be usable without reading docs (issue 12): a
// development principal when none is registered, a credentials file a shell can source, and a CA
// bundle that adds the vault's CA to the extra CAs the user already trusts instead of replacing them.
//
// The development principal's secret is written only to files under the data directory (mode
// 0600, like the state it protects), never to stdout or the logs: a CI job that starts the vault
// keeps its output, and the secret would outlive the run there.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { VaultPrincipal } from './index.ts';
import { readJsonFile } from './persistence.ts';

export const DEV_PRINCIPAL_FILE = 'dev-principal.json';
export const DEV_ENV_FILE = 'dev-principal.env';
export const DEV_CLIENT_ID = 'projector-dev';
export const CA_BUNDLE_FILE = 'ca-bundle.pem';

/**
 * The development principal kept in `<dataDir>/dev-principal.json` (created with a random 24-byte
 * secret on first use; `projector dev` keeps its own in the same place). May read and write every name.
 */
export function loadOrCreateDevPrincipal(dataDir: string): { principal: VaultPrincipal; created: boolean } {
  const file = join(dataDir, DEV_PRINCIPAL_FILE);
  // A file that does not parse is VaultDataFileError (readJsonFile): the CLI names it; it is not
  // replaced, since a client may hold the secret it records.
  const p = readJsonFile<{ clientId?: unknown; clientSecret?: unknown } | null>(file);
  if (p && typeof p.clientId === 'string' && typeof p.clientSecret === 'string') return { principal: { clientId: p.clientId, clientSecret: p.clientSecret }, created: false };
  const principal = { clientId: DEV_CLIENT_ID, clientSecret: randomBytes(24).toString('base64url') };
  writeFileSync(file, JSON.stringify(principal), { mode: 0o600 });
  return { principal, created: true };
}

/** Whether `<dataDir>` has a development principal file. */
export function hasDevPrincipal(dataDir: string): boolean {
  return existsSync(join(dataDir, DEV_PRINCIPAL_FILE));
}

/**
 * Writes `<dataDir>/dev-principal.env` (mode 0600): the AZURE_* variables the SDK's
 * EnvironmentCredential and `projector vault secret` read, plus NODE_EXTRA_CA_CERTS pointing at the
 * combined bundle. `set -a; . FILE; set +a` in a shell. Values are single-quoted for POSIX shells.
 * `writer` names the command in the file's first comment (default `projector vault serve`;
 * `projector dev` rewrites the file at each start, as its vault URL changes with the port).
 */
export function writeDevEnvFile(dataDir: string, v: { vaultUrl: string; tenantId: string; authorityHost: string; principal: VaultPrincipal; caBundleFile: string; writer?: string }): string {
  const file = join(dataDir, DEV_ENV_FILE);
  const lines = [
    `# Written by \`${v.writer ?? 'projector vault serve'}\` for its development principal. Keep it private (it holds a secret).`,
    `AZURE_KEYVAULT_URL=${shellQuote(v.vaultUrl)}`,
    `AZURE_TENANT_ID=${shellQuote(v.tenantId)}`,
    `AZURE_AUTHORITY_HOST=${shellQuote(v.authorityHost)}`,
    `AZURE_CLIENT_ID=${shellQuote(v.principal.clientId)}`,
    `AZURE_CLIENT_SECRET=${shellQuote(v.principal.clientSecret ?? '')}`,
    `NODE_EXTRA_CA_CERTS=${shellQuote(v.caBundleFile)}`,
  ];
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  // The mode option applies only when the file is created; one left readable by others is narrowed.
  chmodSync(file, 0o600);
  return file;
}

/**
 * Writes `<dataDir>/tls/ca-bundle.pem`: the certificates of the file `existingExtraCaFile` names
 * (the caller's NODE_EXTRA_CA_CERTS, if any and readable) followed by the vault's CA, so pointing
 * NODE_EXTRA_CA_CERTS at the bundle keeps every CA trusted before. A bundle written earlier (the
 * variable already points at it) is not nested: the vault's CA is taken out of what it held.
 * Returns the bundle's path and the file whose CAs were included (undefined when none).
 */
export function writeCombinedCaBundle(dataDir: string, caPem: string, existingExtraCaFile: string | undefined): { file: string; included?: string } {
  const file = join(dataDir, 'tls', CA_BUNDLE_FILE);
  let existing = '';
  let included: string | undefined;
  if (existingExtraCaFile) {
    try {
      existing = readFileSync(existingExtraCaFile, 'utf8').split(caPem.trim()).join('').trim();
      if (existing !== '') included = resolve(existingExtraCaFile);
    } catch {
      // An unreadable NODE_EXTRA_CA_CERTS: Node itself only warns and goes on; so does the bundle.
    }
  }
  writeFileSync(file, `${existing ? `${existing}\n` : ''}${caPem.trim()}\n`, { mode: 0o644 });
  return included ? { file, included } : { file };
}

function shellQuote(v: string): string {
  return `'${v.replaceAll("'", "'\\''")}'`;
}
