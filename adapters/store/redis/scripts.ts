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
