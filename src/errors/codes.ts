import { GrpcCode } from './grpc-code.js';

/**
 * The one error catalogue: every Dapr error the sidecar can answer with, its wire code (`errorCode`),
 * HTTP status, gRPC status and, for the errors daprd reports in the rich model, the ErrorInfo reason.
 * One Dapr code can appear under several entries when daprd gives it different statuses by cause
 * (ERR_STATE_SAVE is 409 on an ETag mismatch, 400 on a malformed ETag, 500 otherwise).
 */
export interface ErrorKind {
  readonly code: string;
  readonly http: number;
  readonly grpc: GrpcCode;
  /** google.rpc.ErrorInfo reason; present only where daprd sends rich error details. */
  readonly reason?: string;
  /**
   * daprd's plain API errors: no details in the HTTP body, but over gRPC an ErrorInfo whose reason is
   * the code (the SDKs read it as the error code, e.g. the Python SDK's `DaprGrpcError.error_code()`).
   */
  readonly grpcErrorInfo?: true;
}

const kind = (code: string, http: number, grpc: GrpcCode, reason?: string): ErrorKind =>
  Object.freeze({ code, http, grpc, ...(reason ? { reason } : {}) });
const apiKind = (code: string, http: number, grpc: GrpcCode): ErrorKind => Object.freeze({ code, http, grpc, grpcErrorInfo: true });

export const Errors = {
  // state
  StateStoreNotConfigured: kind('ERR_STATE_STORE_NOT_CONFIGURED', 500, GrpcCode.FAILED_PRECONDITION, 'DAPR_STATE_NOT_CONFIGURED'),
  StateStoreNotFound: kind('ERR_STATE_STORE_NOT_FOUND', 400, GrpcCode.INVALID_ARGUMENT, 'DAPR_STATE_NOT_FOUND'),
  StateIllegalKey: kind('ERR_MALFORMED_REQUEST', 400, GrpcCode.INVALID_ARGUMENT, 'DAPR_STATE_ILLEGAL_KEY'),
  StateGet: kind('ERR_STATE_GET', 500, GrpcCode.INTERNAL),
  StateBulkGet: kind('ERR_STATE_BULK_GET', 500, GrpcCode.INTERNAL),
  StateSave: apiKind('ERR_STATE_SAVE', 500, GrpcCode.INTERNAL),
  StateSaveETagMismatch: apiKind('ERR_STATE_SAVE', 409, GrpcCode.ABORTED),
  StateSaveETagInvalid: kind('ERR_STATE_SAVE', 400, GrpcCode.INVALID_ARGUMENT),
  StateDelete: kind('ERR_STATE_DELETE', 500, GrpcCode.INTERNAL),
  StateDeleteETagMismatch: apiKind('ERR_STATE_DELETE', 409, GrpcCode.ABORTED),
  StateDeleteETagInvalid: kind('ERR_STATE_DELETE', 400, GrpcCode.INVALID_ARGUMENT),
  StateBulkDelete: kind('ERR_STATE_BULK_DELETE', 500, GrpcCode.INTERNAL),
  StateBulkDeleteETagMismatch: apiKind('ERR_STATE_BULK_DELETE', 409, GrpcCode.ABORTED),
  StateBulkDeleteETagInvalid: kind('ERR_STATE_BULK_DELETE', 400, GrpcCode.INVALID_ARGUMENT),
  StateTransactionsNotSupported: kind('ERR_STATE_STORE_NOT_SUPPORTED', 500, GrpcCode.UNIMPLEMENTED, 'DAPR_STATE_TRANSACTIONS_NOT_SUPPORTED'),
  StateQueryNotSupported: kind('ERR_STATE_STORE_NOT_SUPPORTED', 500, GrpcCode.INTERNAL, 'DAPR_STATE_QUERYING_NOT_SUPPORTED'),
  StateOperationNotSupported: apiKind('ERR_NOT_SUPPORTED_STATE_OPERATION', 400, GrpcCode.UNIMPLEMENTED),
  StateTooManyTransactions: kind('ERR_STATE_STORE_TOO_MANY_TRANSACTIONS', 400, GrpcCode.INVALID_ARGUMENT, 'DAPR_STATE_TOO_MANY_TRANSACTIONS'),
  StateTransaction: kind('ERR_STATE_TRANSACTION', 500, GrpcCode.INTERNAL),
  StateQuery: kind('ERR_STATE_QUERY', 500, GrpcCode.INTERNAL, 'DAPR_STATE_QUERY_FAILED'),
  /** SQL the state SQL API (Mecha's own, `/v1.0-alpha1/state/{store}/sql`) cannot read or run: the caller's mistake. */
  StateQuerySql: kind('ERR_STATE_QUERY', 400, GrpcCode.INVALID_ARGUMENT, 'DAPR_STATE_QUERY_FAILED'),

  // pub/sub
  PubSubNotConfigured: kind('ERR_PUBSUB_NOT_CONFIGURED', 400, GrpcCode.FAILED_PRECONDITION, 'DAPR_PUBSUB_NOT_CONFIGURED'),
  PubSubEmpty: kind('ERR_PUBSUB_EMPTY', 404, GrpcCode.INVALID_ARGUMENT, 'DAPR_PUBSUB_NAME_EMPTY'),
  PubSubNotFound: kind('ERR_PUBSUB_NOT_FOUND', 404, GrpcCode.INVALID_ARGUMENT, 'DAPR_PUBSUB_NOT_FOUND'),
  PubSubTopicEmpty: kind('ERR_TOPIC_NAME_EMPTY', 404, GrpcCode.INVALID_ARGUMENT, 'DAPR_PUBSUB_TOPIC_NAME_EMPTY'),
  PubSubRequestMetadata: kind('ERR_PUBSUB_REQUEST_METADATA', 400, GrpcCode.INVALID_ARGUMENT, 'DAPR_PUBSUB_METADATA_DESERIALIZATION'),
  PubSubCloudEventCreation: kind('ERR_PUBSUB_CLOUD_EVENTS_SER', 500, GrpcCode.INVALID_ARGUMENT, 'DAPR_PUBSUB_CLOUD_EVENT_CREATION'),
  PubSubMarshalEvents: kind('ERR_PUBSUB_EVENTS_SER', 400, GrpcCode.INVALID_ARGUMENT, 'DAPR_PUBSUB_MARSHAL_EVENTS'),
  PubSubUnmarshalEvents: kind('ERR_PUBSUB_EVENTS_SER', 400, GrpcCode.INVALID_ARGUMENT, 'DAPR_PUBSUB_UNMARSHAL_EVENTS'),
  PubSubMarshalEnvelope: kind('ERR_PUBSUB_EVENTS_SER', 400, GrpcCode.INVALID_ARGUMENT, 'DAPR_PUBSUB_MARSHAL_ENVELOPE'),
  PubSubForbidden: kind('ERR_PUBSUB_FORBIDDEN', 403, GrpcCode.PERMISSION_DENIED, 'DAPR_PUBSUB_FORBIDDEN'),
  PubSubPublishMessage: kind('ERR_PUBSUB_PUBLISH_MESSAGE', 500, GrpcCode.INTERNAL, 'DAPR_PUBSUB_PUBLISH_MESSAGE'),

  // service invocation
  DirectInvokeNoAppId: kind('ERR_DIRECT_INVOKE', 404, GrpcCode.NOT_FOUND),
  DirectInvoke: kind('ERR_DIRECT_INVOKE', 500, GrpcCode.INTERNAL),
  DirectInvokeForbidden: kind('ERR_DIRECT_INVOKE', 403, GrpcCode.PERMISSION_DENIED),
  /** mTLS on: the calling sidecar's certificate proves no identity that may call (another trust domain, no SPIFFE id). */
  DirectInvokeUnauthenticated: kind('ERR_DIRECT_INVOKE', 401, GrpcCode.UNAUTHENTICATED),

  // bindings
  InvokeOutputBinding: apiKind('ERR_INVOKE_OUTPUT_BINDING', 500, GrpcCode.INTERNAL),

  // secrets
  SecretStoresNotConfigured: kind('ERR_SECRET_STORES_NOT_CONFIGURED', 500, GrpcCode.FAILED_PRECONDITION),
  SecretStoreNotFound: kind('ERR_SECRET_STORE_NOT_FOUND', 401, GrpcCode.INVALID_ARGUMENT),
  SecretPermissionDenied: kind('ERR_PERMISSION_DENIED', 403, GrpcCode.PERMISSION_DENIED),
  SecretGet: kind('ERR_SECRET_GET', 500, GrpcCode.INTERNAL),

  // configuration
  ConfigurationStoreNotConfigured: kind('ERR_CONFIGURATION_STORE_NOT_CONFIGURED', 500, GrpcCode.FAILED_PRECONDITION),
  ConfigurationStoreNotFound: apiKind('ERR_CONFIGURATION_STORE_NOT_FOUND', 400, GrpcCode.INVALID_ARGUMENT),
  ConfigurationGet: kind('ERR_CONFIGURATION_GET', 500, GrpcCode.INTERNAL),
  ConfigurationSubscribe: kind('ERR_CONFIGURATION_SUBSCRIBE', 500, GrpcCode.INTERNAL),
  ConfigurationUnsubscribe: kind('ERR_CONFIGURATION_UNSUBSCRIBE', 500, GrpcCode.INTERNAL),
  AppChannelNil: kind('ERR_APP_CHANNEL_NIL', 500, GrpcCode.INTERNAL),

  // routes (mecha.io/v1alpha1 Route): a webhook message the route could neither deliver nor dead-letter
  RouteMessageFailed: kind('ERR_ROUTE_MESSAGE_FAILED', 500, GrpcCode.INTERNAL),

  // distributed lock
  LockStoreNotConfigured: kind('ERR_LOCK_STORE_NOT_CONFIGURED', 500, GrpcCode.FAILED_PRECONDITION),
  LockStoreNotFound: kind('ERR_LOCK_STORE_NOT_FOUND', 400, GrpcCode.INVALID_ARGUMENT),
  TryLock: kind('ERR_TRY_LOCK', 500, GrpcCode.INTERNAL),
  Unlock: kind('ERR_UNLOCK', 500, GrpcCode.INTERNAL),

  // workflows (daprd's plain API errors: status and message, no details)
  WorkflowComponentMissing: kind('ERR_WORKFLOW_COMPONENT_MISSING', 400, GrpcCode.INVALID_ARGUMENT),
  WorkflowComponentNotFound: kind('ERR_WORKFLOW_COMPONENT_NOT_FOUND', 400, GrpcCode.INVALID_ARGUMENT),
  WorkflowNameMissing: kind('ERR_WORKFLOW_NAME_MISSING', 400, GrpcCode.INVALID_ARGUMENT),
  WorkflowInstanceIdMissing: kind('ERR_INSTANCE_ID_PROVIDED_MISSING', 400, GrpcCode.INVALID_ARGUMENT),
  WorkflowInstanceIdInvalid: kind('ERR_INSTANCE_ID_INVALID', 400, GrpcCode.INVALID_ARGUMENT),
  WorkflowInstanceIdTooLong: kind('ERR_INSTANCE_ID_TOO_LONG', 400, GrpcCode.INVALID_ARGUMENT),
  WorkflowInstanceNotFound: kind('ERR_INSTANCE_ID_NOT_FOUND', 404, GrpcCode.NOT_FOUND),
  WorkflowEventNameMissing: kind('ERR_WORKFLOW_EVENT_NAME_MISSING', 400, GrpcCode.INVALID_ARGUMENT),
  StartWorkflow: kind('ERR_START_WORKFLOW', 500, GrpcCode.INTERNAL),
  /** Mecha's: ASL workflows take JSON, so an input that is not JSON is the caller's fault. */
  StartWorkflowInput: kind('ERR_START_WORKFLOW', 400, GrpcCode.INVALID_ARGUMENT),
  GetWorkflow: kind('ERR_GET_WORKFLOW', 500, GrpcCode.INTERNAL),
  TerminateWorkflow: kind('ERR_TERMINATE_WORKFLOW', 500, GrpcCode.INTERNAL),
  PauseWorkflow: kind('ERR_PAUSE_WORKFLOW', 500, GrpcCode.INTERNAL),
  ResumeWorkflow: kind('ERR_RESUME_WORKFLOW', 500, GrpcCode.INTERNAL),
  PurgeWorkflow: kind('ERR_PURGE_WORKFLOW', 500, GrpcCode.INTERNAL),
  RaiseEventWorkflow: kind('ERR_RAISE_EVENT_WORKFLOW', 500, GrpcCode.INTERNAL),
  RaiseEventWorkflowData: kind('ERR_RAISE_EVENT_WORKFLOW', 400, GrpcCode.INVALID_ARGUMENT),

  // building blocks not served (core/unserved-apis.ts): daprd's answers without placement, scheduler or components
  ActorNoPlacement: kind('ERR_ACTOR_NO_PLACEMENT', 400, GrpcCode.UNAVAILABLE),
  SchedulerEmpty: kind('DAPR_SCHEDULER_EMPTY', 400, GrpcCode.INVALID_ARGUMENT, 'DAPR_SCHEDULER_EMPTY'),
  SchedulerJobNameEmpty: kind('DAPR_SCHEDULER_JOB_NAME_EMPTY', 400, GrpcCode.INVALID_ARGUMENT, 'DAPR_SCHEDULER_JOB_NAME_EMPTY'),
  SchedulerScheduleEmpty: kind('DAPR_SCHEDULER_SCHEDULE_EMPTY', 400, GrpcCode.INVALID_ARGUMENT, 'DAPR_SCHEDULER_SCHEDULE_EMPTY'),
  SchedulerScheduleJob: kind('DAPR_SCHEDULER_SCHEDULE_JOB', 500, GrpcCode.INTERNAL, 'DAPR_SCHEDULER_SCHEDULE_JOB'),
  SchedulerGetJob: kind('DAPR_SCHEDULER_GET_JOB', 500, GrpcCode.INTERNAL, 'DAPR_SCHEDULER_GET_JOB'),
  SchedulerDeleteJob: kind('DAPR_SCHEDULER_DELETE_JOB', 500, GrpcCode.INTERNAL, 'DAPR_SCHEDULER_DELETE_JOB'),
  SchedulerListJobs: kind('DAPR_SCHEDULER_LIST_JOBS', 500, GrpcCode.INTERNAL, 'DAPR_SCHEDULER_LIST_JOBS'),
  ConversationNotFound: kind('ERR_CONVERSATION_NOT_FOUND', 400, GrpcCode.INVALID_ARGUMENT),
  CryptoProvidersNotConfigured: kind('ERR_CRYPTO_PROVIDERS_NOT_CONFIGURED', 500, GrpcCode.INTERNAL),

  // contracts (Mecha's Contract resources): a payload or call outside the schema its contract gives
  ContractViolation: kind('ERR_CONTRACT_VIOLATION', 400, GrpcCode.INVALID_ARGUMENT, 'MECHA_CONTRACT_VIOLATION'),

  // health
  HealthNotReady: kind('ERR_HEALTH_NOT_READY', 500, GrpcCode.INTERNAL),
  HealthAppIdNotMatch: kind('ERR_HEALTH_APPID_NOT_MATCH', 500, GrpcCode.INTERNAL),
  OutboundHealthNotReady: kind('ERR_OUTBOUND_HEALTH_NOT_READY', 500, GrpcCode.INTERNAL),

  // common
  MalformedRequest: kind('ERR_MALFORMED_REQUEST', 400, GrpcCode.INVALID_ARGUMENT),
  BodyRead: kind('ERR_BODY_READ', 400, GrpcCode.INVALID_ARGUMENT),
  BadRequest: kind('ERR_BAD_REQUEST', 400, GrpcCode.INVALID_ARGUMENT),
  HeadersTooLarge: kind('ERR_BAD_REQUEST', 431, GrpcCode.RESOURCE_EXHAUSTED),
  RequestTooLarge: kind('ERR_BODY_READ', 413, GrpcCode.RESOURCE_EXHAUSTED),
  /** Mecha's load shedding: the sidecar already holds its budget of request bodies being read; retry later. */
  BodyBudgetExhausted: kind('ERR_BODY_READ', 503, GrpcCode.UNAVAILABLE),
  ApiUnimplemented: kind('ERR_API_UNIMPLEMENTED', 501, GrpcCode.UNIMPLEMENTED),
  Internal: kind('ERR_INTERNAL', 500, GrpcCode.INTERNAL),
  /** daprd's plain errors on a SubscribeTopicEventsAlpha1 stream's requests: UNKNOWN with the reason (gRPC only). */
  SubscribeStreamRequest: kind('ERR_BAD_REQUEST', 400, GrpcCode.UNKNOWN),
  /** daprd's gRPC proxy failures: UNKNOWN, "failed to proxy request: …" (only ever sent over gRPC). */
  GrpcProxy: kind('ERR_DIRECT_INVOKE', 500, GrpcCode.UNKNOWN),
} as const satisfies Record<string, ErrorKind>;

export type ErrorName = keyof typeof Errors;
