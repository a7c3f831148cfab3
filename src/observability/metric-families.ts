/**
 * The metric families Mecha serves, with daprd 1.17's names, help texts, labels and buckets (recorded
 * from a running daprd: test/observability/fixtures/daprd-metric-families.json). `app_id` and
 * `namespace` are filled by the recorder; the other labels are given per observation, in this order.
 */
export interface FamilySpec {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  labels: readonly string[];
  /** Histograms: daprd's latency buckets (milliseconds, configurable) or its fixed byte-size buckets. */
  buckets?: 'latency' | 'size';
}

/** daprd's default latency buckets, in milliseconds (`spec.metrics.latencyDistributionBuckets` replaces them). */
export const DEFAULT_LATENCY_BUCKETS = [1, 2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 30, 40, 50, 65, 80, 100, 130, 160, 200, 250, 300, 400, 500, 650, 800, 1000, 2000, 5000, 10000, 20000, 50000, 100000];
export const SIZE_BUCKETS = [1024, 2048, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864, 268435456, 1073741824, 4294967296];

const c = (name: string, help: string, labels: readonly string[]): FamilySpec => ({ name, help, type: 'counter', labels });
const h = (name: string, help: string, labels: readonly string[], buckets: 'latency' | 'size' = 'latency'): FamilySpec => ({ name, help, type: 'histogram', labels, buckets });

const HTTP = ['app_id', 'method', 'path', 'status'];
const GRPC = ['app_id', 'grpc_server_method', 'grpc_server_status'];
const COMPONENT_OP = ['app_id', 'component', 'namespace', 'operation', 'success'];
const EGRESS = ['app_id', 'component', 'namespace', 'success', 'topic'];
const INGRESS = ['app_id', 'component', 'namespace', 'process_status', 'status', 'topic'];
const INPUT = ['app_id', 'component', 'namespace', 'success'];
const RESILIENCY = ['app_id', 'flow_direction', 'name', 'namespace', 'policy', 'status', 'target'];

export const FAMILIES = {
  httpRequests: c('dapr_http_server_request_count', 'Count of HTTP requests processed by the server.', HTTP),
  httpResponses: c('dapr_http_server_response_count', 'The number of HTTP responses', HTTP),
  httpLatency: h('dapr_http_server_latency', 'HTTP request end-to-end latency in server.', HTTP),
  httpRequestBytes: h('dapr_http_server_request_bytes', 'HTTP request body size if set as ContentLength (uncompressed) in server.', ['app_id'], 'size'),
  httpResponseBytes: h('dapr_http_server_response_bytes', 'HTTP response body size (uncompressed) in server.', ['app_id'], 'size'),

  clientCompleted: c('dapr_http_client_completed_count', 'Count of completed requests', HTTP),
  clientLatency: h('dapr_http_client_roundtrip_latency', 'Time between first byte of request headers sent to last byte of response received, or terminal error', HTTP),
  clientSentBytes: h('dapr_http_client_sent_bytes', 'Total bytes sent in request body (not including headers)', HTTP, 'size'),
  clientReceivedBytes: h('dapr_http_client_received_bytes', 'Total bytes received in response bodies (not including headers but including error responses with bodies)', ['app_id'], 'size'),

  grpcCompleted: c('dapr_grpc_io_server_completed_rpcs', 'Distribution of bytes sent per RPC, by method.', GRPC),
  grpcLatency: h('dapr_grpc_io_server_server_latency', 'Time between first byte of request received to last byte of response sent, or terminal error.', GRPC),

  stateCount: c('dapr_component_state_count', 'The number of operations performed on the state component.', COMPONENT_OP),
  stateLatency: h('dapr_component_state_latencies', 'The latency of the response from the state component.', COMPONENT_OP),
  secretCount: c('dapr_component_secret_count', 'The number of operations performed on the secret component.', COMPONENT_OP),
  secretLatency: h('dapr_component_secret_latencies', 'The latency of the response from the secret component.', COMPONENT_OP),
  configurationCount: c('dapr_component_configuration_count', 'The number of operations performed on the configuration component.', COMPONENT_OP),
  configurationLatency: h('dapr_component_configuration_latencies', 'The latency of the response from the configuration component.', COMPONENT_OP),
  outputBindingCount: c('dapr_component_output_binding_count', 'The number of operations invoked on the output binding component.', COMPONENT_OP),
  outputBindingLatency: h('dapr_component_output_binding_latencies', 'The latency of the response from the output binding component.', COMPONENT_OP),
  inputBindingCount: c('dapr_component_input_binding_count', 'The number of incoming events arriving from the input binding component.', INPUT),
  inputBindingLatency: h('dapr_component_input_binding_latencies', 'The triggered app event processing latency.', INPUT),

  egressCount: c('dapr_component_pubsub_egress_count', 'The number of outgoing messages published to the pub/sub component.', EGRESS),
  egressLatency: h('dapr_component_pubsub_egress_latencies', 'The latency of the response from the pub/sub component.', EGRESS),
  bulkEgressCount: c('dapr_component_pubsub_egress_bulk_count', 'The number of bulk publish calls to the pub/sub component.', EGRESS),
  bulkEgressLatency: h('dapr_component_pubsub_egress_bulk_latencies', 'The latency of the response for the bulk publish call from the pub/sub component.', EGRESS),
  ingressCount: c('dapr_component_pubsub_ingress_count', 'The number of incoming messages arriving from the pub/sub component.', INGRESS),
  ingressLatency: h('dapr_component_pubsub_ingress_latencies', 'The consuming app event processing latency.', INGRESS),

  componentLoaded: c('dapr_runtime_component_loaded', 'The number of successfully loaded components.', ['app_id']),
  componentInit: c('dapr_runtime_component_init_total', 'The number of initialized components.', ['app_id', 'component']),
  componentInitFail: c('dapr_runtime_component_init_fail_total', 'The number of component initialization failures.', ['app_id', 'component', 'componentName', 'reason']),

  invokeReqSent: c('dapr_runtime_service_invocation_req_sent_total', 'The number of requests sent via service invocation.', ['app_id', 'dst_app_id', 'type']),
  invokeResRecv: c('dapr_runtime_service_invocation_res_recv_total', 'The number of responses received via service invocation.', ['app_id', 'src_app_id', 'status', 'type']),
  invokeResRecvLatency: h('dapr_runtime_service_invocation_res_recv_latency_ms', 'The latency of service invocation response.', ['app_id', 'src_app_id', 'status']),
  invokeReqRecv: c('dapr_runtime_service_invocation_req_recv_total', 'The number of requests received via service invocation.', ['app_id', 'src_app_id']),
  invokeResSent: c('dapr_runtime_service_invocation_res_sent_total', 'The number of responses sent via service invocation.', ['app_id', 'dst_app_id', 'status']),

  resiliencyLoaded: c('dapr_resiliency_loaded', 'Number of resiliency policies loaded.', ['app_id', 'name', 'namespace']),
  resiliencyCount: c('dapr_resiliency_count', 'Number of times a resiliency policyKey has been applied to a building block.', RESILIENCY),
  resiliencyActivations: c(
    'dapr_resiliency_activations_total',
    'Number of times a resiliency policyKey has been activated in a building block after a failure or after a state change.',
    RESILIENCY,
  ),

  // Mecha's own: payloads and calls that broke a Contract resource's schema (`point`: publish, delivery, binding, invocation, answer).
  contractViolations: c('mecha_contract_violations_total', 'Number of payloads and calls found breaking their contract, by enforcement point and action taken.', ['app_id', 'contract', 'point', 'action']),
  // Mecha's own: request bodies refused with 503 because the sidecar already held its budget of bodies being read.
  httpBodiesShed: c('mecha_http_server_bodies_shed_total', 'Number of HTTP API requests refused because the sidecar was already reading its budget of request bodies.', ['app_id']),
} as const satisfies Record<string, FamilySpec>;

export type FamilyKey = keyof typeof FAMILIES;
