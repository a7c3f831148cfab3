import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LockApi } from '../../core/lock-api.js';
import { field, isObject, malformed, parseJsonBody, typeName, type JsonObject } from './request.js';

type Req = FastifyRequest<{ Params: { storeName: string } }>;

/** `/v1.0-alpha1/lock/{store}` and `/unlock/{store}`: the lock core, answered as daprd answers. */
export function registerLockRoutes(app: FastifyInstance, lock: LockApi): void {
  app.post('/v1.0-alpha1/lock/:storeName', async (req: Req, reply) => {
    const body = lockBody(req.body);
    const success = await lock.tryLock({
      storeName: req.params.storeName,
      resourceId: text(body, 'resourceId', 'resource_id'),
      lockOwner: text(body, 'lockOwner', 'lock_owner'),
      expiryInSeconds: integer(body, 'expiryInSeconds', 'expiry_in_seconds'),
    });
    return reply.code(200).type('application/json').send(JSON.stringify({ success }));
  });

  app.post('/v1.0-alpha1/unlock/:storeName', async (req: Req, reply) => {
    const body = lockBody(req.body);
    const status = await lock.unlock({
      storeName: req.params.storeName,
      resourceId: text(body, 'resourceId', 'resource_id'),
      lockOwner: text(body, 'lockOwner', 'lock_owner'),
    });
    // The status is a number, as daprd writes it (enum numbers, zero included).
    return reply.code(200).type('application/json').send(JSON.stringify({ status }));
  });
}

function lockBody(raw: unknown): JsonObject {
  if (!Buffer.isBuffer(raw) || raw.length === 0) return {};
  const body = parseJsonBody(raw);
  if (!isObject(body)) throw malformed(`request body must be a JSON object, got ${typeName(body)}`);
  return body;
}

/** The JSON name or the proto field name, as protojson accepts both. */
function text(body: JsonObject, name: string, protoName: string): string {
  const v = field(body, name) ?? body[protoName];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw malformed(`${name} must be a string, got ${typeName(v)}`);
  return v;
}

const INT32_MAX = 2_147_483_647;

function integer(body: JsonObject, name: string, protoName: string): number {
  const v = field(body, name) ?? body[protoName];
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw malformed(`${name} must be a whole number, got ${JSON.stringify(v)}`);
  // An int32 in Dapr's proto: daprd refuses larger values rather than granting a lock for ever.
  if (n > INT32_MAX || n < -INT32_MAX - 1) throw malformed(`${name} must fit a 32-bit integer (at most ${INT32_MAX}), got ${JSON.stringify(v)}`);
  return n;
}
