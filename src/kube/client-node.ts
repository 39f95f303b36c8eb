/**
 * The two values Projector takes from `@kubernetes/client-node`, imported from their own modules
 * rather than from the package's index.
 *
 * Why: the index (`dist/index.js`) loads everything the library offers — the generated typed API
 * (`dist/gen/`, ~1,000 modules), exec/attach/cp over WebSockets (ws, tar-fs), the informer, the
 * watcher — while the operator needs only `KubeConfig` (reading kubeconfig files, in-cluster
 * configuration, and the authentication of every request: tokens, token files, exec plugins,
 * client certificates, impersonation) and `ApiException` (the error shape `kube/errors.ts` maps).
 * The library has no `exports` map, so these deep paths are its public files; both classes are the
 * same objects the index re-exports (same module URL), so `instanceof` holds across the two paths.
 *
 * `KubeConfig`'s module (`dist/config.js`) still imports `dist/gen/index.js` for two names; see
 * `lean-client-node.ts` for how a process started by `bin/projector.mjs` avoids loading the rest.
 */
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
