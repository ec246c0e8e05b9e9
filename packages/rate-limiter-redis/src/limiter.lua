-- One decision of a RedisRateLimiter, atomic. The same algorithms as @cemaf/rate-limiter's
-- RateLimiter (sliding-window.ts, token-bucket.ts, fixed-window.ts, rate-limiter.ts), ported.
--
-- KEYS[1] hash: the permits taken (token bucket, fixed window), counts per owner's waiters
-- KEYS[2] list: waiters' reservations in arrival order, "slot cost owner seq"
-- KEYS[3] list: sliding-window log, oldest first, flat: time, count, time, count...
-- ARGV: op ('try' | 'enter' | 'cancel' | 'reset'), now ('' = server TIME), algorithm
-- ('s' | 't' | 'f'), maxCalls, timeWindow, burst, cost, maxWait ('' = none), maxQueue ('' = none),
-- owner, seq, grace (ms added to each key's TTL), deadline (server ms; '' = none)
-- Reply: { a, b, c, d, now, moved count, owner's moved waiters: seq, delay, seq, delay... }
local S, Q, L = KEYS[1], KEYS[2], KEYS[3]
local op, algorithm = ARGV[1], ARGV[3]
local now
if ARGV[2] == '' then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
else
  now = tonumber(ARGV[2])
end
local function num(x)
  return string.format('%.17g', x)
end
-- A call the client gave up on (storeTimeout) and that a client queued while Redis was away
-- arrives late: it must not take permits now.
if ARGV[13] ~= '' and now > tonumber(ARGV[13]) then return { -1, 0, '0', '0', num(now), 0 } end
local M, W, B = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local cost = tonumber(ARGV[7])
local maxWait = ARGV[8] == '' and math.huge or tonumber(ARGV[8])
local maxQueue = ARGV[9] == '' and math.huge or tonumber(ARGV[9])
local owner, seq, grace = ARGV[10], ARGV[11], tonumber(ARGV[12])


-- The algorithms. A state is what RateLimiter keeps per key; `nil` is a fresh key. `commit`
-- writes a take on the stored state, the others work on copies.
local A = {}
local written = false

if algorithm == 's' then
  -- State: { ov = overlay entries (flat), base = whether the stored log L lies under them }.
  local total = tonumber(redis.call('HGET', S, 'n') or '0')
  local function prune(time)
    while true do
      local head = redis.call('LRANGE', L, 0, 1)
      if #head == 0 or tonumber(head[1]) + W > time then return end
      redis.call('LTRIM', L, 2, -1)
      total = total - tonumber(head[2])
      written = true
    end
  end
  local function lastOf(state)
    local ov = state.ov
    if #ov > 0 then return ov[#ov - 1], true end
    if state.base then
      local last = redis.call('LRANGE', L, -2, -2)
      if #last > 0 then return tonumber(last[1]), false end
    end
    return nil, false
  end
  prune(now)
  A.load = function()
    return { ov = {}, base = true }
  end
  A.copy = function(state)
    local ov = {}
    for i = 1, #state.ov do ov[i] = state.ov[i] end
    return { ov = ov, base = state.base }
  end
  A.earliest = function(state, c, base)
    local sum = c
    local ov = state.ov
    for i = #ov - 1, 1, -2 do
      local t = ov[i]
      if t + W <= base then return base end
      sum = sum + ov[i + 1]
      if sum > M then return t + W end
    end
    if not state.base then return base end
    local stop = -1
    while true do
      local chunk = redis.call('LRANGE', L, stop - 127, stop)
      for i = #chunk - 1, 1, -2 do
        local t = tonumber(chunk[i])
        if t + W <= base then return base end
        sum = sum + tonumber(chunk[i + 1])
        if sum > M then return t + W end
      end
      if #chunk < 128 then return base end
      stop = stop - 128
    end
  end
  A.take = function(state, c, time)
    local recorded = math.ceil(time)
    local last, inOverlay = lastOf(state)
    local ov = state.ov
    if last ~= nil and last >= recorded then
      if inOverlay then ov[#ov] = ov[#ov] + c
      else ov[#ov + 1] = last; ov[#ov + 1] = c end
    else
      ov[#ov + 1] = recorded; ov[#ov + 1] = c
    end
    return state
  end
  A.commit = function(c, time)
    local recorded = math.ceil(time)
    prune(time)
    local last = redis.call('LRANGE', L, -2, -1)
    if #last > 0 and tonumber(last[1]) >= recorded then
      redis.call('LSET', L, -1, tonumber(last[2]) + c)
    else
      redis.call('RPUSH', L, recorded, c)
    end
    total = total + c
    written = true
  end
  A.remaining = function(_, time)
    prune(time)
    return M - total
  end
  A.fullAt = function(state)
    local last = lastOf(state)
    return last == nil and -math.huge or last + W
  end
  A.fresh = function()
    return total == 0
  end
  A.save = function()
    if written then redis.call('HSET', S, 'n', total) end
  end
  A.clear = function()
    redis.call('DEL', L)
    redis.call('HDEL', S, 'n')
    total = 0
  end
elseif algorithm == 't' then
  -- GCRA, as token-bucket.ts: `due` in ms x maxCalls, counted from the key's own origin so that
  -- server times (about 1.7e12 ms) times maxCalls stay exact.
  local capacity = B * W
  local stored = redis.call('HMGET', S, 'd', 'o')
  local due, origin = tonumber(stored[1]), tonumber(stored[2])
  if origin == nil then origin = math.floor(now) end
  A.load = function()
    return due
  end
  A.copy = function(state)
    return state
  end
  A.earliest = function(state, c, base)
    if state == nil then return base end
    return math.max(base, origin + (state + c * W - capacity) / M)
  end
  A.take = function(state, c, time)
    return math.max(state or -math.huge, (time - origin) * M) + c * W
  end
  A.commit = function(c, time)
    due = A.take(due, c, time)
    written = true
  end
  A.remaining = function(state, time)
    if state == nil then return B end
    return math.min(B, math.floor((capacity - state + (time - origin) * M) / W))
  end
  A.fullAt = function(state)
    return origin + state / M
  end
  A.fresh = function()
    return due == nil or origin + due / M <= now
  end
  A.save = function()
    if written and due ~= nil then redis.call('HSET', S, 'd', num(due), 'o', num(origin)) end
  end
  A.clear = function()
    due = nil
    origin = math.floor(now)
    redis.call('HDEL', S, 'd', 'o')
  end
else
  -- A window opens at a key's first permit and lasts W; the next opens at the first permit after.
  local stored = redis.call('HMGET', S, 'ws', 'wu')
  local window = stored[1] and { s = tonumber(stored[1]), u = tonumber(stored[2]) } or nil
  local function isOpen(state, time)
    return state ~= nil and time < state.s + W
  end
  A.load = function()
    return window
  end
  A.copy = function(state)
    return state and { s = state.s, u = state.u } or nil
  end
  A.earliest = function(state, c, base)
    if isOpen(state, base) and state.u + c > M then return state.s + W end
    return base
  end
  A.take = function(state, c, time)
    if isOpen(state, time) then state.u = state.u + c
    elseif state then state.s = time; state.u = c
    else return { s = time, u = c } end
    return state
  end
  A.commit = function(c, time)
    window = A.take(window, c, time)
    written = true
  end
  A.remaining = function(state, time)
    return isOpen(state, time) and M - state.u or M
  end
  A.fullAt = function(state)
    return state.s + W
  end
  A.fresh = function()
    return window == nil or window.s + W <= now
  end
  A.save = function()
    if written and window ~= nil then redis.call('HSET', S, 'ws', num(window.s), 'wu', window.u) end
  end
  A.clear = function()
    window = nil
    redis.call('HDEL', S, 'ws', 'wu')
  end
end

-- Waiters' reservations.
local function parse(entry)
  local slot, c, who, number = string.match(entry, '^(%S+) (%S+) (%S+) (%S+)$')
  return { slot = tonumber(slot), cost = tonumber(c), owner = who, seq = number }
end
local function format(entry)
  return num(entry.slot) .. ' ' .. entry.cost .. ' ' .. entry.owner .. ' ' .. entry.seq
end
local function countOwner(who, delta)
  redis.call('HINCRBY', S, 'q:' .. who, delta)
  if delta < 0 and tonumber(redis.call('HGET', S, 'q:' .. who)) <= 0 then redis.call('HDEL', S, 'q:' .. who) end
end

-- Waiters whose slot has come are admitted: their permits are taken at their slot.
while true do
  local first = redis.call('LINDEX', Q, 0)
  if not first then break end
  local entry = parse(first)
  if entry.slot > now then break end
  redis.call('LPOP', Q)
  countOwner(entry.owner, -1)
  A.commit(entry.cost, entry.slot)
end

local function loadQueue()
  local entries = {}
  for i, entry in ipairs(redis.call('LRANGE', Q, 0, -1)) do entries[i] = parse(entry) end
  return entries
end

-- The state after every reservation: what a newcomer queues behind.
local function tailOf(state, entries)
  local tail = A.copy(state)
  for _, entry in ipairs(entries) do tail = A.take(tail, entry.cost, entry.slot) end
  return tail
end

-- As RateLimiter's #delays: whether taking `c` now would push a waiter past its slot.
local function delays(state, entries, c)
  local tail = A.take(A.copy(state), c, now)
  local base = now
  for _, entry in ipairs(entries) do
    base = A.earliest(tail, entry.cost, base)
    if base > entry.slot then return true end
    tail = A.take(tail, entry.cost, base)
  end
  return false
end

-- As RateLimiter's #plan: each waiter of `owner`, in order, moves up to the first slot it can
-- have now (never later); other owners' waiters keep their slots (they sleep until them).
-- Returns the moved ones, flat: seq, delay. Waiters moved to now are admitted.
local function plan(state, entries)
  local moved = {}
  local tail = A.copy(state)
  local base = now
  local changed = false
  for _, entry in ipairs(entries) do
    local slot = entry.slot
    if entry.owner == owner then slot = math.min(slot, A.earliest(tail, entry.cost, base)) end
    tail = A.take(tail, entry.cost, slot)
    if slot < entry.slot then
      entry.slot = slot
      moved[#moved + 1] = entry.seq
      moved[#moved + 1] = num(slot - now)
      changed = true
    end
    base = slot
  end
  if changed then
    redis.call('DEL', Q)
    for _, entry in ipairs(entries) do
      if entry.slot <= now then
        countOwner(entry.owner, -1)
        A.commit(entry.cost, entry.slot)
      else
        redis.call('RPUSH', Q, format(entry))
      end
    end
  end
  return moved
end

-- Drops a key back to fresh; else keeps it only as long as it weighs on the limit.
local function finish(state, entries, reply)
  A.save()
  local queued = redis.call('LLEN', Q)
  if queued == 0 and A.fresh() then
    redis.call('DEL', S, L, Q)
    return reply
  end
  local tail = entries and tailOf(A.load(), entries) or tailOf(A.load(), loadQueue())
  local ttl = math.ceil(math.max(0, A.fullAt(tail) - now)) + grace
  redis.call('PEXPIRE', S, ttl)
  redis.call('PEXPIRE', L, ttl)
  redis.call('PEXPIRE', Q, ttl)
  return reply
end

local function withMoved(head, moved)
  head[5] = num(now)
  head[6] = #moved / 2
  for i = 1, #moved do head[6 + i] = moved[i] end
  return head
end

local state = A.load()

if op == 'try' then
  local queued = redis.call('LLEN', Q) > 0
  local entries = queued and loadQueue() or nil
  local spare = A.remaining(state, now)
  if queued then
    -- Binary search, as RateLimiter's #spare: the most permits that delay no waiter.
    local low, high = 0, spare
    while low < high do
      local middle = math.ceil((low + high) / 2)
      if delays(state, entries, middle) then high = middle - 1 else low = middle end
    end
    spare = low
  end
  if spare < 0 then spare = 0 end
  local allowed = cost <= spare
  local retryAfter = 0
  local moved = {}
  if not allowed then
    if queued then
      retryAfter = A.earliest(tailOf(state, entries), cost, entries[#entries].slot) - now
    else
      retryAfter = A.earliest(state, cost, now) - now
    end
  elseif cost > 0 then
    A.commit(cost, now)
    state = A.load()
    if queued then moved = plan(state, entries); entries = loadQueue() end
  end
  local last = queued and tailOf(state, entries) or state
  local resetAfter = 0
  if last ~= nil then resetAfter = math.max(0, A.fullAt(last) - now) end
  return finish(state, entries, withMoved({ allowed and 1 or 0, allowed and spare - cost or spare, num(retryAfter), num(resetAfter) }, moved))
end

if op == 'enter' then
  local last = redis.call('LINDEX', Q, -1)
  if not last and cost <= A.remaining(state, now) then
    A.commit(cost, now)
    return finish(state, {}, withMoved({ 0, 0, '0', '0' }, {}))
  end
  local slot
  local entries
  if last then
    entries = loadQueue()
    slot = A.earliest(tailOf(state, entries), cost, entries[#entries].slot)
  else
    entries = {}
    slot = A.earliest(state, cost, now)
  end
  local delay = slot - now
  if delay > maxWait then return finish(state, entries, withMoved({ 2, 0, num(delay), '0' }, {})) end
  if tonumber(redis.call('HGET', S, 'q:' .. owner) or '0') >= maxQueue then
    return finish(state, entries, withMoved({ 3, 0, num(delay), '0' }, {}))
  end
  local entry = { slot = slot, cost = cost, owner = owner, seq = seq }
  redis.call('RPUSH', Q, format(entry))
  countOwner(owner, 1)
  entries[#entries + 1] = entry
  return finish(state, entries, withMoved({ 1, 0, num(delay), '0' }, {}))
end

if op == 'cancel' then
  local entries = loadQueue()
  local kept = {}
  local found = false
  for _, entry in ipairs(entries) do
    if entry.owner == owner and entry.seq == seq then found = true else kept[#kept + 1] = entry end
  end
  local moved = {}
  if found then
    countOwner(owner, -1)
    redis.call('DEL', Q)
    for _, entry in ipairs(kept) do redis.call('RPUSH', Q, format(entry)) end
    moved = plan(state, kept)
  end
  return finish(state, nil, withMoved({ found and 1 or 0, 0, '0', '0' }, moved))
end

if op == 'reset' then
  A.clear()
  local moved = plan(A.load(), loadQueue())
  return finish(A.load(), nil, withMoved({ 1, 0, '0', '0' }, moved))
end

return redis.error_reply('ERR cemaf rate limiter: unknown op ' .. tostring(op))
