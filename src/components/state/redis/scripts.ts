/**
 * One script serves set, delete and transactions, in daprd's storage format: each key is a hash with
 * `data`, an integer `version` (the ETag) and, after a first-write save, `first-write` = 0.
 *
 * KEYS[i] is operation i; ARGV holds ARGS_PER_OP values per operation:
 *   kind ("s" set | "d" delete), etag ("0" = none), data, first-write ("0" = yes), ttl ("" = leave as is).
 *
 * Every operation is first checked against the state the earlier ones would leave (so a batch touching
 * one key twice behaves as if run in order); only if all pass is anything written. Returns 0 on
 * success, else the 1-based index of the first refused operation, with nothing changed.
 *
 * The acceptance rules are daprd's: a write passes when the key has no version, or the ETag equals it,
 * or the key has no first-write marker and the ETag is "0"; a delete passes when there is no version,
 * the ETag equals it, or the ETag is "0". A key holding another type counts as absent and is replaced.
 */
export const ARGS_PER_OP = 5;

export const APPLY_SCRIPT = `
local n = #KEYS
local seen = {}

local function state(key)
  local s = seen[key]
  if s then return s end
  s = { version = false, fwr = false }
  if redis.call('TYPE', key).ok == 'hash' then
    s.version = redis.call('HGET', key, 'version')
    s.fwr = redis.call('HGET', key, 'first-write')
  end
  seen[key] = s
  return s
end

for i = 1, n do
  local b = (i - 1) * ${ARGS_PER_OP}
  local s = state(KEYS[i])
  local etag = ARGV[b + 2]
  local unversioned = (not s.version) or s.version == ''
  if ARGV[b + 1] == 'd' then
    if not (unversioned or s.version == etag or etag == '0') then return i end
    s.version = false
    s.fwr = false
  else
    if not (unversioned or s.version == etag or ((not s.fwr) and etag == '0')) then return i end
    s.version = tostring((tonumber(s.version) or 0) + 1)
    if ARGV[b + 4] == '0' then s.fwr = '0' end
  end
end

for i = 1, n do
  local b = (i - 1) * ${ARGS_PER_OP}
  local key = KEYS[i]
  if ARGV[b + 1] == 'd' then
    redis.call('DEL', key)
  else
    local t = redis.call('TYPE', key).ok
    if t ~= 'hash' and t ~= 'none' then redis.call('DEL', key) end
    redis.call('HSET', key, 'data', ARGV[b + 3])
    if ARGV[b + 4] == '0' then redis.call('HSET', key, 'first-write', 0) end
    redis.call('HINCRBY', key, 'version', 1)
    local ttl = ARGV[b + 5]
    if ttl ~= '' then
      if tonumber(ttl) > 0 then redis.call('EXPIRE', key, ttl) else redis.call('PERSIST', key) end
    end
  end
end
return 0
`;

export type ScriptOp =
  | { kind: 'set'; key: string; etag: string; data: Buffer; firstWrite: boolean; ttlInSeconds?: number }
  | { kind: 'delete'; key: string; etag: string };

/** Flattens operations into the script's `numkeys, ...KEYS, ...ARGV` argument list. */
export function scriptArgs(ops: readonly ScriptOp[]): Array<string | number | Buffer> {
  const keys = ops.map((op) => op.key);
  const argv = ops.flatMap((op): Array<string | Buffer> =>
    op.kind === 'delete'
      ? ['d', op.etag, '', '', '']
      : ['s', op.etag, op.data, op.firstWrite ? '0' : '1', ttlArg(op.ttlInSeconds)],
  );
  return [ops.length, ...keys, ...argv];
}

/** EXPIRE takes whole seconds: round a positive fraction up so it still expires rather than persists. */
function ttlArg(ttl: number | undefined): string {
  if (ttl === undefined || Number.isNaN(ttl)) return '';
  return ttl > 0 ? String(Math.ceil(ttl)) : '-1';
}
