/**
 * The cluster's Redis operations, each one Lua script, so each is atomic: a registration and a
 * message for the same id can never interleave (no message held after its peer took the held
 * ones, no two nodes granting one id). ioredis runs them by SHA and reloads them after a Redis
 * restart (NOSCRIPT).
 *
 * Presence value: `<node>\n<token hash>`. Held entry: `<node>\n<deadline ms>\n<message JSON>`.
 */

/** Finds the text before the first newline (`head`) and after it (`rest`). */
const SPLIT = `
local function split(v)
  local at = string.find(v, '\\n', 1, true)
  return string.sub(v, 1, at - 1), string.sub(v, at + 1)
end`;

/**
 * CLAIM: KEYS peer, held; ARGV node, token hash, ttl ms, exclusive ('1': a held id is never taken
 * over, even with the same token), channel prefix, peer id, node report prefix. An id whose holder
 * has no report any more (the node died) is free to take.
 * → {'taken', holder} | {'ok', previous holder or '', held entries...}
 */
export const CLAIM = `${SPLIT}
local v = redis.call('GET', KEYS[1])
local old = ''
if v then
  local node, hash = split(v)
  old = node
  local alive = redis.call('EXISTS', ARGV[7] .. node) == 1
  if node ~= ARGV[1] and alive and (hash ~= ARGV[2] or ARGV[4] == '1') then return {'taken', node} end
end
redis.call('SET', KEYS[1], ARGV[1] .. '\\n' .. ARGV[2], 'PX', ARGV[3])
if old ~= '' and old ~= ARGV[1] then redis.call('PUBLISH', ARGV[5] .. old, 'g' .. ARGV[6]) end
local result = {'ok', old}
local held = redis.call('LRANGE', KEYS[2], 0, -1)
if #held > 0 then
  redis.call('DEL', KEYS[2])
  for _, entry in ipairs(held) do table.insert(result, entry) end
end
return result`;

/** RELEASE: KEYS peer; ARGV presence value. Deletes the id only while this node still holds it. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * RENEW: KEYS peers...; ARGV node, ttl ms, token hashes... (one per key). Extends the ids this
 * node holds, restores the ones Redis lost (a restart), and returns the 1-based indexes of those
 * another node holds now (taken while Redis could not be asked).
 */
export const RENEW = `${SPLIT}
local lost = {}
for i, key in ipairs(KEYS) do
  local v = redis.call('GET', key)
  if not v then
    redis.call('SET', key, ARGV[1] .. '\\n' .. ARGV[i + 2], 'PX', ARGV[2])
  else
    local node = split(v)
    if node == ARGV[1] then redis.call('PEXPIRE', key, ARGV[2]) else table.insert(lost, i) end
  end
end
return lost`;

/**
 * ROUTE: KEYS peer, held; ARGV node, channel prefix, dst, message JSON, holdable ('1'), queue
 * limit, deadline ms, held ttl ms, not here ('1': this node has no socket for dst, so a
 * registration naming this node is treated as absent: the message is held, never sent back here),
 * node report prefix. A holder without a live report gets nothing published: a dead node's
 * subscription may linger in Redis until TCP keep-alive ends it, and would swallow the message.
 * → 'sent' (published to the node that holds dst) | 'self' (this node holds dst) | 'held' |
 *   'full' (held queue at its limit) | 'gone' (nowhere, and not a message to hold)
 */
export const ROUTE = `${SPLIT}
local v = redis.call('GET', KEYS[1])
if v then
  local node = split(v)
  if node == ARGV[1] then
    if ARGV[9] ~= '1' then return 'self' end
  elseif redis.call('EXISTS', ARGV[10] .. node) == 1 then
    if redis.call('PUBLISH', ARGV[2] .. node, 'm' .. ARGV[3] .. '\\n' .. ARGV[4]) > 0 then return 'sent' end
  end
end
if ARGV[5] ~= '1' then return 'gone' end
if redis.call('LLEN', KEYS[2]) >= tonumber(ARGV[6]) then return 'full' end
redis.call('RPUSH', KEYS[2], ARGV[1] .. '\\n' .. ARGV[7] .. '\\n' .. ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[8])
return 'held'`;

/**
 * EXPIRE_HELD: KEYS held; ARGV node, now ms. Takes this node's entries whose deadline passed and
 * returns their messages (the node answers their senders with EXPIRE); the others stay.
 */
export const EXPIRE_HELD = `
local all = redis.call('LRANGE', KEYS[1], 0, -1)
local out, keep = {}, {}
for _, e in ipairs(all) do
  local a = string.find(e, '\\n', 1, true)
  local b = string.find(e, '\\n', a + 1, true)
  if string.sub(e, 1, a - 1) == ARGV[1] and tonumber(string.sub(e, a + 1, b - 1)) <= tonumber(ARGV[2]) then
    table.insert(out, string.sub(e, b + 1))
  else
    table.insert(keep, e)
  end
end
if #out > 0 then
  local ttl = redis.call('PTTL', KEYS[1])
  redis.call('DEL', KEYS[1])
  -- In chunks: unpack() of thousands of values overflows Lua's stack.
  for i = 1, #keep, 1000 do
    redis.call('RPUSH', KEYS[1], unpack(keep, i, math.min(i + 999, #keep)))
  end
  if #keep > 0 and ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
end
return out`;

/** The message JSON of a held entry (after node and deadline). */
export function heldMessage(entry: string): string {
  const first = entry.indexOf('\n');
  return entry.slice(entry.indexOf('\n', first + 1) + 1);
}
