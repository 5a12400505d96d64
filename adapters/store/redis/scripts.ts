// The server-side scripts that make counters atomic in Redis. ioredis runs them with EVALSHA and falls back to EVAL
// when the server answers NOSCRIPT (after a restart or SCRIPT FLUSH), which loads them again.

/** KEYS[1]; ARGV: by, ttlMs (0 = none). INCRBY, then a TTL if the counter has none yet. */
export const INCR_WITH_TTL = `
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = tonumber(ARGV[2])
if ttl > 0 and redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return v
`;

/**
 * KEYS: the counters; ARGV: amount, limit, ttlMs for each. All or nothing: when any counter would exceed its limit,
 * nothing changes and the reply is {0, failed index (0-based), current values...}; otherwise {1, -1, new values...}.
 * Under Redis Cluster every key must hash to one slot (use a {hash tag}).
 */
export const RESERVE = `
local vals = {}
for i = 1, #KEYS do vals[i] = tonumber(redis.call('GET', KEYS[i]) or '0') end
for i = 1, #KEYS do
  local b = (i - 1) * 3
  if vals[i] + tonumber(ARGV[b + 1]) > tonumber(ARGV[b + 2]) then
    local out = {0, i - 1}
    for j = 1, #vals do out[j + 2] = vals[j] end
    return out
  end
end
local out = {1, -1}
for i = 1, #KEYS do
  local b = (i - 1) * 3
  out[i + 2] = redis.call('INCRBY', KEYS[i], ARGV[b + 1])
  local ttl = tonumber(ARGV[b + 3])
  if ttl > 0 and redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return out
`;

/**
 * KEYS: the done marker when ARGV[3] is 1 (none when 0: the caller never reuses the id), then per counter: counter,
 * holds hash (id → amount), leases zset (id → lease end ms), held total. ARGV: id, leaseMs, 1|0 (marker), then per
 * counter: amount, limit, ttlMs (0 = none). Time is the server's (TIME), so every instance agrees on when a lease
 * ends. Expired leases are pruned first (at most 500 per counter per call).
 * Replies {2} settled already; {3, i} counter i (0-based) missing; {0, i, settled..., held...} over the limit;
 * {1, duplicate 0|1, settled..., held...} held.
 */
export const HOLD = `
local id = ARGV[1]
local lease = tonumber(ARGV[2])
local m = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if m == 1 and redis.call('EXISTS', KEYS[1]) == 1 then return {2} end
local n = (#KEYS - m) / 4
local settled, held, dup = {}, {}, 0
for i = 1, n do
  local c, h, z, tot = KEYS[m + i * 4 - 3], KEYS[m + i * 4 - 2], KEYS[m + i * 4 - 1], KEYS[m + i * 4]
  local s = redis.call('GET', c)
  if not s then return {3, i - 1} end
  settled[i] = tonumber(s)
  local gone = redis.call('ZRANGEBYSCORE', z, '-inf', now, 'LIMIT', 0, 500)
  if #gone > 0 then
    local amts = redis.call('HMGET', h, unpack(gone))
    local sum = 0
    for j = 1, #amts do sum = sum + tonumber(amts[j] or '0') end
    redis.call('HDEL', h, unpack(gone))
    redis.call('ZREM', z, unpack(gone))
    redis.call('DECRBY', tot, sum)
  end
  held[i] = tonumber(redis.call('GET', tot) or '0')
  if redis.call('HEXISTS', h, id) == 1 then dup = 1 end
end
local function reply(code, flag)
  local out = {code, flag}
  for i = 1, n do out[i + 2] = settled[i]; out[n + i + 2] = held[i] end
  return out
end
if dup == 1 then return reply(1, 1) end
for i = 1, n do
  local b = 3 + (i - 1) * 3
  if settled[i] + held[i] + tonumber(ARGV[b + 1]) > tonumber(ARGV[b + 2]) then return reply(0, i - 1) end
end
for i = 1, n do
  local h, z, tot = KEYS[m + i * 4 - 2], KEYS[m + i * 4 - 1], KEYS[m + i * 4]
  local b = 3 + (i - 1) * 3
  redis.call('HSET', h, id, ARGV[b + 1])
  redis.call('ZADD', z, now + lease, id)
  held[i] = redis.call('INCRBY', tot, ARGV[b + 1])
  local ttl = tonumber(ARGV[b + 3])
  if ttl > 0 then
    for _, k in ipairs({h, z, tot}) do redis.call('PEXPIRE', k, ttl + lease) end
  end
end
return reply(1, 0)
`;

/**
 * KEYS: the done marker when ARGV[3] is 1 (none when 0), then per counter the same four keys as HOLD. ARGV: id,
 * markerTtlMs (0 without a marker), 1|0 (marker), then per counter the actual amount. With a marker, once per id (SET
 * NX on it); without, every call applies (the caller settles its unique id once). The hold is removed and the amount
 * added in one step. A missing counter is not created (its owner initialises it from the ledger, which has this
 * amount): -1 in the reply. Replies {0} settled before, or {1, settled...}.
 */
export const SETTLE = `
local id = ARGV[1]
local m = tonumber(ARGV[3])
if m == 1 and not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[2]) then return {0} end
local n = (#KEYS - m) / 4
local out = {1}
for i = 1, n do
  local c, h, z, tot = KEYS[m + i * 4 - 3], KEYS[m + i * 4 - 2], KEYS[m + i * 4 - 1], KEYS[m + i * 4]
  local a = redis.call('HGET', h, id)
  if a then
    redis.call('HDEL', h, id)
    redis.call('ZREM', z, id)
    redis.call('DECRBY', tot, a)
  end
  if redis.call('EXISTS', c) == 1 then out[i + 1] = redis.call('INCRBY', c, ARGV[3 + i]) else out[i + 1] = -1 end
end
return out
`;

/**
 * KEYS: stream, marker. ARGV: maxLen, markerTtlMs, then field/value pairs. Appends once per marker (an audit record
 * id): a retried append within the marker's TTL changes nothing. Returns 1 when appended.
 */
export const XADD_ONCE = `
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) then
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', unpack(ARGV, 3))
  return 1
end
return 0
`;
