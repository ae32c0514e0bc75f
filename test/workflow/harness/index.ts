/**
 * In-process n8n harness: runs workflows and polling triggers through the real n8n engine
 * (n8n-core 2.41 `WorkflowExecute` / `PollContext`), with no n8n server, no database and no network
 * beyond what the nodes under test open themselves.
 *
 * ## Running a workflow
 * ```ts
 * import { megaNodeTypes, runWorkflow, removeHarnessUserFolder } from '../workflow/harness';
 * import { MegaS4 } from '../../nodes/MegaS4/MegaS4.node';
 * import { MegaS4Api } from '../../credentials/MegaS4Api.credentials';
 * import { MakeStream } from '../workflow/harness/dummy-nodes/MakeStream';
 *
 * afterAll(() => removeHarnessUserFolder());
 *
 * const result = await runWorkflow({
 *   nodes: [
 *     { name: 'Make', type: 'n8n-nodes-mega.makeStream', parameters: { size: 8 * 1024 * 1024 } },
 *     { name: 'Upload', type: 'n8n-nodes-mega.megaS4', parameters: { resource: 'object', operation: 'upload', ... } },
 *   ],
 *   connections: { Make: { main: [[{ node: 'Upload', type: 'main', index: 0 }]] } },
 *   nodeTypes: megaNodeTypes(new MakeStream(), new MegaS4()),   // keys 'n8n-nodes-mega.<description.name>'
 *   credentials: { megaS4Api: { accessKeyId: '…', secretAccessKey: '…', endpoint: 'http://127.0.0.1:…' } },
 *   credentialTypes: [new MegaS4Api()],   // optional: makes httpRequestWithAuthentication apply its authenticate/preAuthentication
 *   binaryMode: 'filesystem',             // default; 'memory' = n8n 1.x default (base64 in the item, no binary id)
 * });
 * expect(result.error).toBeUndefined();    // the execution error (a node failed without continueOnFail)
 * result.output('Upload');                 // INodeExecutionData[] of run 0, output 0; output('X', 0, 1) = error output
 * result.run;                              // the raw IRun
 * ```
 * - Nodes may omit `id`, `typeVersion` (default: the type's newest), `position` and `parameters` (defaults are
 *   filled by the engine as in the editor). A node gets a credential reference for every credential type its
 *   description declares *and* the `credentials` map holds; `onError: 'continueRegularOutput'` is continueOnFail.
 * - The run starts at `startNode` (default: the first node without an incoming connection) with `input`
 *   (default one empty item). `staticData` seeds workflow static data.
 * - Credentials: `TestCredentialsHelper` returns a copy of the map entry; with the type in `credentialTypes` it
 *   fills missing fields with the properties' defaults, applies function or generic `authenticate`, and runs `preAuthentication` when the `expirable` field is empty
 *   or after a 401 (`result.credentialsHelper.preAuthenticationCalls` counts logins).
 *
 * ## Polling a trigger
 * ```ts
 * const first = await runPoll({ node: { parameters: { … } }, nodeType: new MegaTrigger(), credentials: { megaApi: { … } } });
 * first.emitted; first.items; first.nodeStaticData;              // poll() returned null -> emitted false, items []
 * const next = await runPoll({ …same, staticData: first.staticData });   // cursor carried over (JSON round trip, as n8n stores it)
 * // or: const poller = createPoller({ node, nodeType, credentials }); await poller.poll(); await poller.poll({ mode: 'manual' });
 * ```
 * Options: `mode` ('trigger' | 'manual'), `activation` (what getActivationMode() answers), `pollBudgetMs`.
 *
 * ## Binary storage
 * The first run initialises n8n's `BinaryDataService` once per process (per jest test file) in filesystem mode
 * under a temporary `N8N_USER_FOLDER` (`harnessUserFolder()`); `removeHarnessUserFolder()` deletes it, call it
 * in `afterAll`. `binaryMode` switches the engine per run; runs of different modes never overlap (the later one
 * waits), runs of the same mode may run concurrently.
 *
 * ## Test-only dummy nodes (`./dummy-nodes`)
 * `MakeStream` (random bytes via prepareBinaryData(stream), json `{ sha256, size }`), `ReadStream` (reads a
 * binary back as a stream when it has an id, else from base64; json `{ sha256, size, streamed, idPrefix, … }`),
 * `FailOnFlag`, `HttpProbe` (+ `HarnessSessionApi`, `HarnessGenericApi`), `CounterTrigger` (+ `HarnessCounterApi`).
 *
 * ## Memory
 * The harness is plain TypeScript (no jest globals), so a memory test runs a workflow inside a fresh child
 * process with `runInChild` (`test/support/run-in-child.ts`); `fixtures/stream-workflow.ts` is the example
 * (200 MiB Make -> Read in filesystem mode: ~35 MiB RSS growth on Node 20). Works on Node 20 and Node 24.
 * n8n's logger is silenced unless `N8N_LOG_LEVEL` is set.
 */
export { type BinaryMode, binaryDataService, harnessUserFolder, removeHarnessUserFolder, withBinaryMode } from './binary-data';
export { type CredentialMap, TestCredentialsHelper } from './credentials-helper';
export { megaNodeTypes, type NodeTypeMap, PACKAGE_TYPE_PREFIX, TestNodeTypes } from './node-types';
export { createPoller, type PollResult, runPoll, type RunPollOptions } from './run-poll';
export { runWorkflow, type RunWorkflowOptions, type WorkflowNode, type WorkflowRunResult } from './run-workflow';
