// The rate limiter's server-side scripts (the contract is core/services/limit-store.ts): one EVALSHA admits a request
// against every rule at once, another reconciles it. A rate cell is a string "<level> <ms>" (units outstanding, and
// when that was written, both on the server's clock from TIME); a lease cell is a sorted set of holder ids scored by
// lease end. The level arithmetic is the memory store's (core/services/limit-store.ts: drained, rateState, waitFor).
// Under Redis Cluster every key of one call must hash to one slot: the limiter puts one {hash tag} in all its keys.

const EPS = '0.000001';

/** Shared head: the server's time in ms and the drained level of rate cell i (KEYS[i]). */
const LEVEL = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local function level(key, limit, period)
  local s = redis.call('GET', key)
  if not s then return 0 end
  local l, at = string.match(s, '^(%S+) (%S+)$')
  if not l then return 0 end
  local v = tonumber(l) - math.max(0, now - tonumber(at)) * limit / period
  if v < 0 then return 0 end
  return v
end
local function write(key, v, limit, period)
  if v <= ${EPS} then redis.call('DEL', key); return end
  redis.call('SET', key, string.format('%.17g %.17g', v, now), 'PX', math.ceil(v * period / limit) + 1000)
end
`;

/**
 * KEYS: the rate cells, then the lease cells. ARGV: id, leaseMs, number of rate cells, then cost, limit, periodMs per
 * rate cell, then limit per lease cell. Reply: {failed kind (0 none, 1 rate, 2 lease), failed index (0-based),
 * retryAfterMs, then remaining and resetMs per rate cell, then live leases per lease cell}; nothing is written unless
 * every cell admits.
 */
export const ADMIT = `${LEVEL}
local id, lease, nr = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local nl = #KEYS - nr
local lv, used = {}, {}
local fk, fi, retry = 0, -1, 0
for i = 1, nr do
  local b = 3 + (i - 1) * 3
  local cost, limit, period = tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3])
  lv[i] = level(KEYS[i], limit, period)
  if fk == 0 and lv[i] + cost > limit + ${EPS} then
    fk, fi = 1, i - 1
    if cost > limit then retry = -1 else retry = math.max(1, math.ceil((lv[i] + cost - limit) * period / limit)) end
  end
end
for j = 1, nl do
  local k = KEYS[nr + j]
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now)
  used[j] = redis.call('ZCARD', k)
  if fk == 0 and used[j] + 1 > tonumber(ARGV[3 + nr * 3 + j]) then fk, fi = 2, j - 1 end
end
if fk == 0 then
  for i = 1, nr do
    local b = 3 + (i - 1) * 3
    local cost, limit, period = tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3])
    if cost > 0 then
      lv[i] = lv[i] + cost
      write(KEYS[i], lv[i], limit, period)
    end
  end
  for j = 1, nl do
    local k = KEYS[nr + j]
    redis.call('ZADD', k, now + lease, id)
    redis.call('PEXPIRE', k, lease + 1000)
    used[j] = used[j] + 1
  end
end
local out = {fk, fi, retry}
for i = 1, nr do
  local b = 3 + (i - 1) * 3
  local limit, period = tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3])
  out[#out + 1] = math.max(0, math.floor(limit - lv[i] + ${EPS}))
  out[#out + 1] = math.ceil(lv[i] * period / limit)
end
for j = 1, nl do out[#out + 1] = used[j] end
return out
`;

/** KEYS: the rate cells, then the lease cells. ARGV: id, number of rate cells, then delta, limit, periodMs per rate cell. */
export const RECONCILE = `${LEVEL}
local id, nr = ARGV[1], tonumber(ARGV[2])
for i = 1, nr do
  local b = 2 + (i - 1) * 3
  local delta, limit, period = tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3])
  if delta ~= 0 then write(KEYS[i], level(KEYS[i], limit, period) + delta, limit, period) end
end
for j = nr + 1, #KEYS do redis.call('ZREM', KEYS[j], id) end
return 1
`;
