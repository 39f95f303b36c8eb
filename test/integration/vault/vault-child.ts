// Runs a vault in its own process so a test can kill -9 it. argv: dataDir. Prints one JSON line
// {url, tenantId, caPem} once listening, then serves until killed.
import { startVault } from '../../../src/vault/index.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: vault-child.ts DATA_DIR');
const vault = await startVault({ dataDir, principals: [{ clientId: 'writer', clientSecret: 'writer-secret' }] });
process.stdout.write(`${JSON.stringify({ url: vault.url, tenantId: vault.tenantId, caPem: vault.caPem })}\n`);
