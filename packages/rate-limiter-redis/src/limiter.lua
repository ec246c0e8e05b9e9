-- One decision of a RedisRateLimiter, atomic. The same algorithms as @cemaf/rate-limiter's
-- RateLimiter (sliding-window.ts, token-bucket.ts, fixed-window.ts, rate-limiter.ts), ported.
--
-- KEYS[1] string, the key's state, space separated: "ql n ht lt lc lx" (sliding window: waiters,
--   total, head time, tail time and count of the log, the keys' expiry), "ql d o ex fc" (token
--   bucket: waiters, due, origin, expiry, when a take last found the bucket full), "ql ws wu ex"
--   (fixed window: waiters, start, used, expiry); '-' is none
-- KEYS[2] list: waiters' reservations in arrival order, "slot cost owner seq"
-- KEYS[3] list: sliding-window log, oldest first, flat: time, count, time, count...
-- KEYS[4] hash: waiters per owner
-- ARGV: op ('try' | 'enter' | 'cancel' | 'reset' | 'refund'), now ('' = server TIME), cost, seq
--   (for 'refund': what 'enter' answered as the grant's token),
--   deadline (server ms; '' = none), and the limiter's settings, space separated: algorithm
--   ('s' | 't' | 'f'), maxCalls, timeWindow, burst, maxWait, maxQueue ('-' = none), owner, grace
--   (ms added to each key's TTL)
-- Reply: { a, b, c, d, now (server: seconds as TIME gives them; else the caller's ms), moved
--   count, owner's moved waiters: seq, delay, token (to give back a grant), seq, delay... }
-- Every redis.call and every closure costs in a script: the common decision (nobody waits) is
-- written out inline and costs TIME, GET, SET and, for the sliding window, one list write.
local S, Q, L, C = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local op = ARGV[1]
-- Number to text costs about a microsecond in a script: integers take the short way, and the
-- server's time goes back as TIME gave it.
local function num(x)
  if x == math.floor(x) and x > -9e15 and x < 9e15 then return string.format('%d', x) end
  return string.format('%.17g', x)
end
local now, clock
if ARGV[2] == '' then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
  clock = time[1] .. '.' .. string.sub('00000' .. time[2], -6)
else
  now = tonumber(ARGV[2])
  clock = ARGV[2]
end
-- A call the client gave up on (storeTimeout), that a client queued while Redis was away,
-- arrives late: it must not take permits now.
if ARGV[5] ~= '' and now > tonumber(ARGV[5]) then return { -1, 0, '0', '0', clock, 0 } end
local cost, seq = tonumber(ARGV[3]), ARGV[4]
local algorithm, M, W, B, maxWait, maxQueue, owner, grace =
  string.match(ARGV[6], '^(%S+) (%S+) (%S+) (%S+) (%S+) (%S+) (%S+) (%S+)$')
M, W, B, grace = tonumber(M), tonumber(W), tonumber(B), tonumber(grace)
maxWait = tonumber(maxWait) or math.huge
maxQueue = tonumber(maxQueue) or math.huge

local value = redis.call('GET', S)
local queued, f1, f2, f3, f4, f5 = 0, nil, nil, nil, nil, nil
if value then
  local q
  q, f1, f2, f3, f4, f5 = string.match(value, '^(%S+) (%S+) (%S+) ?(%S*) ?(%S*) ?(%S*)$')
  queued = tonumber(q)
elseif algorithm == 's' then
  -- The state expired: the log (which may live a little longer) is stale.
  redis.call('DEL', L)
end

-- The common case, inline: a decision on a key nobody waits for. It decides as the general code
-- below does. Keys get a TTL with a window to spare, renewed about once per window rather than
-- on every decision; the expiry is kept in the state (`lx`, or `ex` for the others).
if queued == 0 and (op == 'try' or op == 'enter') then
  local spare, slot, fullAt, state, expiry, expiryText, storedExpiry, listCreated
  -- What a grant by 'enter' needs to be given back if its caller left meanwhile.
  local token = '0'
  if algorithm == 's' then
    local total, head, tail, tailCount = tonumber(f1) or 0, tonumber(f2), tonumber(f3), tonumber(f4)
    expiry, expiryText = tonumber(f5), f5
    storedExpiry = expiry
    local headText, tailText, tailCountText = f2, f3, f4
    if head ~= nil and head + W <= now then
      local popped = 0
      while true do
        local chunk = redis.call('LRANGE', L, popped, popped + 127)
        local i = 1
        while i < #chunk and tonumber(chunk[i]) + W <= now do
          total = total - tonumber(chunk[i + 1])
          i = i + 2
        end
        popped = popped + i - 1
        if i < #chunk then head, headText = tonumber(chunk[i]), chunk[i]; break end
        if #chunk < 128 then
          head, tail, tailCount, total = nil, nil, nil, 0
          headText, tailText, tailCountText = nil, nil, nil
          break
        end
      end
      redis.call('LTRIM', L, popped, -1)
    end
    spare = M - total
    if cost > spare then
      -- The earliest time the cost fits: newest permits first, until they overflow.
      slot = now
      local sum = cost + (tailCount or 0)
      if tail ~= nil and tail + W > now then
        if sum > M then slot = tail + W
        else
          local stop, walking = -3, true
          while walking do
            local chunk = redis.call('LRANGE', L, stop - 127, stop)
            for i = #chunk - 1, 1, -2 do
              local t = tonumber(chunk[i])
              if t + W <= now then walking = false; break end
              sum = sum + tonumber(chunk[i + 1])
              if sum > M then slot = t + W; walking = false; break end
            end
            if #chunk < 128 then walking = false end
            stop = stop - 128
          end
        end
      end
    elseif cost > 0 then
      local recorded = math.ceil(now)
      if tail ~= nil and tail >= recorded then
        tailCount = tailCount + cost
        tailCountText = num(tailCount)
        redis.call('LSET', L, -1, tailCountText)
      else
        tail, tailCount, tailText, tailCountText = recorded, cost, num(recorded), ARGV[3]
        listCreated = redis.call('RPUSH', L, tailText, tailCountText) == 2
        if head == nil then head, headText = recorded, tailText end
      end
      total = total + cost
      token = tailText
    end
    if total > 0 then fullAt = tail + W end
    if slot ~= nil and op == 'enter' and slot - now <= maxWait and maxQueue > 0 then
      local recorded = math.ceil(slot)
      fullAt = math.max(fullAt or -math.huge, (tail ~= nil and tail >= recorded and tail or recorded) + W)
    end
    if fullAt ~= nil then
      if expiry == nil or expiry < fullAt then
        expiry = math.ceil(fullAt + W)
        expiryText = num(expiry)
        redis.call('PEXPIRE', L, expiry - math.floor(now) + grace)
      elseif listCreated then
        -- The trim emptied the list, so Redis deleted it: the one just pushed has no TTL yet.
        redis.call('PEXPIRE', L, expiry - math.floor(now) + grace)
      end
      state = num(total) .. ' ' .. (headText or '-') .. ' ' .. (tailText or '-') .. ' ' .. (tailCountText or '-') .. ' ' .. expiryText
    end
  elseif algorithm == 't' then
    local capacity = B * W
    local due, origin = tonumber(f1), tonumber(f2)
    local originText, fullText = f2, f4
    expiry, expiryText = tonumber(f3), f3
    storedExpiry = expiry
    if origin == nil or due == nil or origin + due / M <= now then
      due, origin = nil, math.floor(now)
      originText = num(origin)
    end
    spare = due == nil and B or math.min(B, math.floor((capacity - due + (now - origin) * M) / W))
    if cost > spare then
      slot = math.max(now, origin + (due + cost * W - capacity) / M)
    elseif cost > 0 then
      if due == nil or due < (now - origin) * M then
        -- A take that finds the bucket full: takes before it no longer weigh, so none of them
        -- can be given back.
        fullText = num(now)
        due = (now - origin) * M
      end
      due = due + cost * W
      if op == 'enter' then token = fullText == f4 and num(now) or fullText end
    end
    if due ~= nil then fullAt = origin + due / M end
    if slot ~= nil and op == 'enter' and slot - now <= maxWait and maxQueue > 0 then
      fullAt = origin + (math.max(due or -math.huge, (slot - origin) * M) + cost * W) / M
    end
    if fullAt ~= nil and (expiry == nil or expiry < fullAt) then
      expiry = math.ceil(fullAt + W)
      expiryText = num(expiry)
    end
    state = (due and num(due) or '-') .. ' ' .. originText .. ' ' .. (expiryText or '-') .. ' ' .. (fullText ~= '' and fullText or '-')
  else
    local start, used = tonumber(f1), tonumber(f2)
    local startText = f1
    if start ~= nil and now >= start + W then start, used = nil, nil end
    spare = start == nil and M or M - used
    if cost > spare then
      slot = start + W
    elseif cost > 0 then
      if start == nil then
        start, used, startText = now, cost, num(now)
        token = startText .. ' 1'
      else
        used = used + cost
        token = startText .. ' 0'
      end
    end
    if start ~= nil then
      fullAt = start + W
      -- A window's end never moves: its TTL is set when it opens.
      storedExpiry = tonumber(f3)
      expiry = storedExpiry
      if expiry == nil or expiry < fullAt then expiry = math.ceil(fullAt) end
    end
    if slot ~= nil and op == 'enter' and slot - now <= maxWait and maxQueue > 0 then
      fullAt = slot + W
      expiry = math.max(expiry or 0, math.ceil(fullAt))
    end
    expiryText = expiry and num(expiry) or '-'
    state = (startText or '-') .. ' ' .. (used and num(used) or '-') .. ' ' .. expiryText
  end
  if spare < 0 then spare = 0 end
  local reply
  local waits = 0
  if op == 'try' then
    local allowed = slot == nil
    reply = {
      allowed and 1 or 0,
      allowed and spare - cost or spare,
      allowed and '0' or num(slot - now),
      fullAt == nil and '0' or num(math.max(0, fullAt - now)),
    }
  elseif slot == nil then
    reply = { 0, 0, token, '0' }
  elseif slot - now > maxWait then
    reply = { 2, 0, num(slot - now), '0' }
  elseif maxQueue <= 0 then
    reply = { 3, 0, num(slot - now), '0' }
  else
    waits = 1
    reply = { 1, 0, num(slot - now), '0' }
  end
  if fullAt == nil or (fullAt <= now and waits == 0) then
    -- Back to a fresh key: nothing to keep.
    if value then redis.call('DEL', S, L) end
  else
    local ttl = math.max(1, expiry - math.floor(now) + grace)
    if value and storedExpiry == expiry then
      redis.call('SET', S, (waits == 1 and '1 ' or '0 ') .. state, 'KEEPTTL')
    else
      redis.call('SET', S, (waits == 1 and '1 ' or '0 ') .. state, 'PX', num(ttl))
    end
    if waits == 1 then
      redis.call('RPUSH', Q, num(slot) .. ' ' .. cost .. ' ' .. owner .. ' ' .. seq)
      redis.call('HSET', C, owner, 1)
      redis.call('PEXPIRE', Q, ttl)
      redis.call('PEXPIRE', C, ttl)
    end
  end
  reply[5] = clock
  reply[6] = 0
  return reply
end

-- The general case: waiters, cancels, resets. The algorithms, as RateLimiter keeps them: a state
-- is what it keeps per key (`nil` is a fresh key). `commit` takes permits on the stored state,
-- the others work on copies.
local A = {}

if algorithm == 's' then
  -- A state is { ov = overlay entries (flat), base = whether the stored log L lies under them }.
  local total, head, tail, tailCount = tonumber(f1) or 0, tonumber(f2), tonumber(f3), tonumber(f4)
  local function prune(time)
    if head == nil or head + W > time then return end
    local popped = 0
    while true do
      local chunk = redis.call('LRANGE', L, popped, popped + 127)
      local i = 1
      while i < #chunk and tonumber(chunk[i]) + W <= time do
        total = total - tonumber(chunk[i + 1])
        i = i + 2
      end
      popped = popped + i - 1
      if i < #chunk then head = tonumber(chunk[i]); break end
      if #chunk < 128 then head, tail, tailCount, total = nil, nil, nil, 0; break end
    end
    redis.call('LTRIM', L, popped, -1)
  end
  prune(now)
  local function lastOf(state)
    local ov = state.ov
    if #ov > 0 then return ov[#ov - 1], true end
    if state.base then return tail, false end
    return nil, false
  end
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
    if not state.base or tail == nil then return base end
    if tail + W <= base then return base end
    sum = sum + tailCount
    if sum > M then return tail + W end
    -- Newest first through the rest of the stored log.
    local stop = -3
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
    if tail ~= nil and tail >= recorded then
      tailCount = tailCount + c
      redis.call('LSET', L, -1, tailCount)
    else
      redis.call('RPUSH', L, recorded, c)
      tail, tailCount = recorded, c
      if head == nil then head = recorded end
    end
    total = total + c
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
  A.clear = function()
    redis.call('DEL', L)
    head, tail, tailCount, total = nil, nil, nil, 0
  end
  A.token = function()
    return num(tail)
  end
  -- Takes `c` permits back from the entry of the millisecond `token` (newest first), if it
  -- still counts.
  A.refund = function(c, token)
    local recorded = tonumber(token)
    if recorded == nil or head == nil or recorded < head or recorded > tail then return end
    local stop = -1
    while true do
      local chunk = redis.call('LRANGE', L, stop - 127, stop)
      for i = #chunk - 1, 1, -2 do
        local t = tonumber(chunk[i])
        if t == recorded then
          local left = math.max(0, tonumber(chunk[i + 1]) - c)
          total = total - (tonumber(chunk[i + 1]) - left)
          -- chunk[i + 1] sits at `stop - (#chunk - (i + 1))`, counted from the list's end.
          redis.call('LSET', L, stop - (#chunk - i - 1), left)
          if t == tail then tailCount = left end
          return
        end
        if t < recorded then return end
      end
      if #chunk < 128 then return end
      stop = stop - 128
    end
  end
  A.serialize = function(ttl)
    -- The log gets the state's TTL here; '-' for its expiry has the next decision renew both.
    redis.call('PEXPIRE', L, ttl)
    return total .. ' ' .. (head and num(head) or '-') .. ' ' .. (tail and num(tail) or '-') .. ' ' .. (tailCount or '-') .. ' -'
  end
elseif algorithm == 't' then
  -- GCRA, as token-bucket.ts: `due` in ms x maxCalls, counted from the key's own origin so that
  -- server times (about 1.7e12 ms) times maxCalls stay exact.
  local capacity = B * W
  local due, origin, full = tonumber(f1), tonumber(f2), tonumber(f4)
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
    if due == nil or due < (time - origin) * M then full = time end
    due = A.take(due, c, time)
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
  A.clear = function()
    due, full = nil, nil
    origin = math.floor(now)
  end
  A.serialize = function()
    return (due == nil and '- -' or num(due) .. ' ' .. num(origin)) .. ' - ' .. (full and num(full) or '-')
  end
  A.token = function()
    return num(now)
  end
  -- Gives back `c` tokens taken at `token`, unless a later take found the bucket full (then
  -- they no longer weigh).
  A.refund = function(c, token)
    local time = tonumber(token)
    if due == nil or time == nil or (full ~= nil and full > time) then return end
    due = due - c * W
  end
else
  -- A window opens at a key's first permit and lasts W; the next opens at the first permit after.
  local window = tonumber(f1) and { s = tonumber(f1), u = tonumber(f2) } or nil
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
  A.clear = function()
    window = nil
  end
  A.token = function()
    return num(window.s) .. (window.s == now and ' 1' or ' 0')
  end
  -- Gives back `c` permits to the window they were taken in, if it is still the current one; a
  -- window that they opened and that holds nothing else is gone.
  A.refund = function(c, token)
    local start, opened = string.match(token, '^(%S+) (%S+)$')
    if window == nil or tonumber(start) ~= window.s then return end
    window.u = window.u - c
    if window.u <= 0 and opened == '1' then window = nil end
  end
  A.serialize = function()
    return (window == nil and '- -' or num(window.s) .. ' ' .. window.u) .. ' -'
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
local function count(who, delta)
  if redis.call('HINCRBY', C, who, delta) <= 0 then redis.call('HDEL', C, who) end
end

-- Waiters whose slot has come are admitted: their permits are taken at their slot.
while queued > 0 do
  local entry = parse(redis.call('LINDEX', Q, 0))
  if entry.slot > now then break end
  redis.call('LPOP', Q)
  queued = queued - 1
  count(entry.owner, -1)
  A.commit(entry.cost, entry.slot)
end

local function loadQueue()
  local entries = {}
  if queued == 0 then return entries end
  for i, entry in ipairs(redis.call('LRANGE', Q, 0, -1)) do entries[i] = parse(entry) end
  return entries
end

-- Rewrites the queue (after waiters moved or left); waiters moved to now are admitted.
local function rewrite(entries)
  redis.call('DEL', Q)
  queued = 0
  for _, entry in ipairs(entries) do
    if entry.slot <= now then
      count(entry.owner, -1)
      A.commit(entry.cost, entry.slot)
      entry.token = A.token()
    else
      redis.call('RPUSH', Q, format(entry))
      queued = queued + 1
    end
  end
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
-- Returns the moved ones, flat: seq, delay, and for those admitted now the token that gives
-- their permits back (their caller may have left already).
local function plan(state, entries)
  local moved = {}
  local tail = A.copy(state)
  local base = now
  for _, entry in ipairs(entries) do
    local slot = entry.slot
    if entry.owner == owner then slot = math.min(slot, A.earliest(tail, entry.cost, base)) end
    tail = A.take(tail, entry.cost, slot)
    if slot < entry.slot then
      entry.slot = slot
      moved[#moved + 1] = entry
    end
    base = slot
  end
  if #moved == 0 then return {} end
  rewrite(entries)
  local flat = {}
  for _, entry in ipairs(moved) do
    flat[#flat + 1] = entry.seq
    flat[#flat + 1] = num(entry.slot - now)
    flat[#flat + 1] = entry.token or ''
  end
  return flat
end

-- Writes the state back; drops a key back to fresh, else keeps it as long as it weighs.
local function finish(reply, moved)
  if queued == 0 and A.fresh() then
    redis.call('DEL', S, L, Q, C)
  else
    local last = queued > 0 and tailOf(A.load(), loadQueue()) or A.load()
    local ttl = math.ceil(math.max(0, last == nil and 0 or A.fullAt(last) - now)) + grace + 1
    redis.call('SET', S, queued .. ' ' .. A.serialize(ttl), 'PX', ttl)
    if queued > 0 then
      redis.call('PEXPIRE', Q, ttl)
      redis.call('PEXPIRE', C, ttl)
    else
      redis.call('DEL', Q, C)
    end
  end
  reply[5] = clock
  reply[6] = #moved / 3
  for i = 1, #moved do reply[6 + i] = moved[i] end
  return reply
end

local state = A.load()

if op == 'try' then
  local entries = loadQueue()
  local spare = A.remaining(state, now)
  if queued > 0 then
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
    if queued > 0 then
      retryAfter = A.earliest(tailOf(state, entries), cost, entries[#entries].slot) - now
    else
      retryAfter = A.earliest(state, cost, now) - now
    end
  elseif cost > 0 then
    A.commit(cost, now)
    state = A.load()
    if queued > 0 then moved = plan(state, entries); entries = loadQueue() end
  end
  local last = queued > 0 and tailOf(state, entries) or state
  local resetAfter = 0
  if last ~= nil then resetAfter = math.max(0, A.fullAt(last) - now) end
  return finish({ allowed and 1 or 0, allowed and spare - cost or spare, num(retryAfter), num(resetAfter) }, moved)
end

if op == 'enter' then
  if queued == 0 and cost <= A.remaining(state, now) then
    A.commit(cost, now)
    return finish({ 0, 0, A.token(), '0' }, {})
  end
  local slot
  if queued > 0 then
    local entries = loadQueue()
    slot = A.earliest(tailOf(state, entries), cost, entries[#entries].slot)
  else
    slot = A.earliest(state, cost, now)
  end
  local delay = slot - now
  if delay > maxWait then return finish({ 2, 0, num(delay), '0' }, {}) end
  if tonumber(redis.call('HGET', C, owner) or '0') >= maxQueue then return finish({ 3, 0, num(delay), '0' }, {}) end
  redis.call('RPUSH', Q, format({ slot = slot, cost = cost, owner = owner, seq = seq }))
  queued = queued + 1
  count(owner, 1)
  return finish({ 1, 0, num(delay), '0' }, {})
end

if op == 'cancel' then
  local kept = {}
  local found = false
  for _, entry in ipairs(loadQueue()) do
    if entry.owner == owner and entry.seq == seq then found = true else kept[#kept + 1] = entry end
  end
  local moved = {}
  if found then
    count(owner, -1)
    rewrite(kept)
    moved = plan(state, kept)
  end
  return finish({ found and 1 or 0, 0, '0', '0' }, moved)
end

if op == 'refund' then
  -- A caller left while its grant was on its way: the permits go back, and this owner's
  -- waiters move up.
  A.refund(cost, seq)
  return finish({ 1, 0, '0', '0' }, plan(A.load(), loadQueue()))
end

if op == 'reset' then
  A.clear()
  return finish({ 1, 0, '0', '0' }, plan(A.load(), loadQueue()))
end

return redis.error_reply('ERR cemaf rate limiter: unknown op ' .. tostring(op))
