import { Errors } from '../errors/codes.js';
import { SidecarError } from '../errors/sidecar-error.js';

/**
 * The building blocks Mecha does not serve (actors, jobs, conversation, crypto), answered
 * as daprd 1.17 answers them when it runs without placement, scheduler or those components, which is
 * what a Dapr app then expects. One table for both APIs: each family lists its HTTP routes and gRPC
 * RPCs; the transports decode the named inputs (path parameters, or the proto fields given by number)
 * and return the error `answer` builds.
 */

/** What a transport hands to `answer`: path parameters or proto string fields by name; `body` is parsed JSON (HTTP). */
export interface UnservedInput {
  fields: Record<string, string | undefined>;
  /** Field names the gRPC message carries at all (a message field may be present but empty). */
  present?: ReadonlySet<string>;
}

export interface UnservedContext {
  appId: string;
  /** daprd's self-hosted namespace is `default`. */
  namespace: string;
}

export interface UnservedHttpRoute {
  methods: Array<'GET' | 'POST' | 'PUT' | 'DELETE'>;
  /** fastify route patterns. */
  urls: string[];
  /** The body must parse as JSON first (`array`: a JSON array), as daprd decodes it before failing. */
  body?: 'json' | 'array';
  answer(input: UnservedInput, ctx: UnservedContext): SidecarError;
}

export interface UnservedRpc {
  name: string;
  /** Bidirectional streams answer after their first message. */
  bidi?: boolean;
  /** Proto string fields to decode: name → field numbers (a path into nested messages). */
  fields?: Record<string, number[]>;
  answer(input: UnservedInput, ctx: UnservedContext): SidecarError;
}

const noPlacement = () => new SidecarError(Errors.ActorNoPlacement, 'placement service is not configured');
const scheduler = (kind: (typeof Errors)['SchedulerScheduleJob'], message: string, ctx: UnservedContext) =>
  new SidecarError(kind, message, { metadata: { appID: ctx.appId, namespace: ctx.namespace } });
const schedulerOff = (verb: string, kind: (typeof Errors)['SchedulerScheduleJob']) => (_: UnservedInput, ctx: UnservedContext) =>
  scheduler(kind, `failed to ${verb} due to: scheduler clients are disabled`, ctx);
const noConversation = (i: UnservedInput) => new SidecarError(Errors.ConversationNotFound, `failed finding conversation component ${i.fields.name ?? ''}`);
const noCryptoProviders = () => new SidecarError(Errors.CryptoProvidersNotConfigured, 'crypto providers not configured');
const unimplemented = () => new SidecarError(Errors.ApiUnimplemented, 'this API is currently not implemented');

const ACTOR = '/v1.0/actors/:actorType/:actorId';

export const UNSERVED_HTTP: readonly UnservedHttpRoute[] = [
  { methods: ['GET'], urls: [`${ACTOR}/state/:key`], answer: noPlacement },
  { methods: ['POST', 'PUT'], urls: [`${ACTOR}/state`], body: 'array', answer: noPlacement },
  { methods: ['GET', 'POST', 'PUT', 'DELETE'], urls: [`${ACTOR}/method/:method`], answer: noPlacement },
  { methods: ['POST', 'PUT'], urls: [`${ACTOR}/reminders/:name`, `${ACTOR}/timers/:name`], body: 'json', answer: noPlacement },
  { methods: ['GET', 'DELETE'], urls: [`${ACTOR}/reminders/:name`], answer: noPlacement },
  { methods: ['DELETE'], urls: [`${ACTOR}/timers/:name`], answer: noPlacement },
  {
    methods: ['POST'],
    urls: ['/v1.0-alpha1/jobs/:name'],
    body: 'json',
    answer: (i, ctx) =>
      i.present?.has('schedule') || i.present?.has('dueTime')
        ? scheduler(Errors.SchedulerScheduleJob, 'failed to schedule job due to: scheduler clients are disabled', ctx)
        : scheduler(Errors.SchedulerScheduleEmpty, 'Schedule is empty', ctx),
  },
  { methods: ['GET'], urls: ['/v1.0-alpha1/jobs/:name'], answer: schedulerOff('get job', Errors.SchedulerGetJob) },
  { methods: ['DELETE'], urls: ['/v1.0-alpha1/jobs/:name'], answer: schedulerOff('delete job', Errors.SchedulerDeleteJob) },
  { methods: ['POST'], urls: ['/v1.0-alpha1/conversation/:name/converse', '/v1.0-alpha2/conversation/:name/converse'], body: 'json', answer: noConversation },
  { methods: ['PUT'], urls: ['/v1.0-alpha1/crypto/:component/encrypt', '/v1.0-alpha1/crypto/:component/decrypt'], answer: noCryptoProviders },
  {
    methods: ['POST'],
    urls: ['getkey', 'encrypt', 'decrypt', 'wrapkey', 'unwrapkey', 'sign', 'verify'].map((op) => `/v1.0-alpha1/subtlecrypto/:component/${op}`),
    answer: unimplemented,
  },
];

const ACTOR_RPCS = ['RegisterActorTimer', 'UnregisterActorTimer', 'RegisterActorReminder', 'UnregisterActorReminder', 'UnregisterActorRemindersByType',
  'ListActorReminders', 'GetActorState', 'GetActorReminder', 'ExecuteActorStateTransaction', 'InvokeActor'];
const SUBTLE_RPCS = ['GetKey', 'Encrypt', 'Decrypt', 'WrapKey', 'UnwrapKey', 'Sign', 'Verify'].map((op) => `Subtle${op}Alpha1`);
const nameIsEmpty = (ctx: UnservedContext) => scheduler(Errors.SchedulerJobNameEmpty, 'Name is empty', ctx);
const byName = (verb: string, kind: (typeof Errors)['SchedulerScheduleJob']) => (i: UnservedInput, ctx: UnservedContext) =>
  i.fields.name ? schedulerOff(verb, kind)(i, ctx) : nameIsEmpty(ctx);

/** RPCs daprd 1.17 does not define at all (the unsuffixed jobs RPCs…) are not listed: they reach the gRPC proxy, as in daprd. */
export const UNSERVED_RPCS: readonly UnservedRpc[] = [
  ...ACTOR_RPCS.map((name) => ({ name, answer: noPlacement })),
  {
    name: 'ScheduleJobAlpha1',
    fields: { job: [1], name: [1, 1], schedule: [1, 2], dueTime: [1, 4] },
    answer: (i, ctx) => {
      if (!i.present?.has('job')) return scheduler(Errors.SchedulerEmpty, 'Job is empty', ctx);
      if (!i.fields.name) return nameIsEmpty(ctx);
      if (!i.fields.schedule && !i.fields.dueTime) return scheduler(Errors.SchedulerScheduleEmpty, 'Schedule is empty', ctx);
      return scheduler(Errors.SchedulerScheduleJob, 'failed to schedule job due to: scheduler clients are disabled', ctx);
    },
  },
  { name: 'GetJobAlpha1', fields: { name: [1] }, answer: byName('get job', Errors.SchedulerGetJob) },
  { name: 'DeleteJobAlpha1', fields: { name: [1] }, answer: byName('delete job', Errors.SchedulerDeleteJob) },
  { name: 'DeleteJobsByPrefixAlpha1', answer: schedulerOff('delete job', Errors.SchedulerDeleteJob) },
  { name: 'ListJobsAlpha1', answer: schedulerOff('list jobs', Errors.SchedulerListJobs) },
  ...['ConverseAlpha1', 'ConverseAlpha2'].map((name) => ({ name, fields: { name: [1] }, answer: noConversation })),
  ...['EncryptAlpha1', 'DecryptAlpha1'].map((name) => ({
    name,
    bidi: true,
    fields: { options: [1], keyName: [1, 2], keyWrapAlgorithm: [1, 3] },
    answer: (i: UnservedInput) => {
      const invalid = (why: string) => new SidecarError(Errors.BadRequest, `invalid request: ${why}`);
      if (!i.present?.has('options')) return invalid('first message does not contain the required options');
      // Only encryption names its key in the options; decryption reads it from the ciphertext header.
      for (const required of name === 'EncryptAlpha1' ? ['keyName', 'keyWrapAlgorithm'] : []) {
        if (!i.fields[required]) return invalid(`missing property '${required}' in the options message`);
      }
      return noCryptoProviders();
    },
  })),
  ...SUBTLE_RPCS.map((name) => ({ name, answer: unimplemented })),
];
