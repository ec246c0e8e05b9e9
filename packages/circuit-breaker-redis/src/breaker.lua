-- One shared circuit: every transition and every count, atomically, on one time scale.
--
-- KEYS: S, the circuit (a hash); T, its half-open trial leases (a sorted set: lease id -> expiry);
-- I, its isolation holds (a sorted set: hold id -> expiry). All three share a hash tag, so one
-- Redis Cluster slot.
-- ARGV: op, now ('' for the server's TIME), settings, channel, then the op's arguments.
--
-- The hash S: g generation (grows with every transition; outcomes and trials of an earlier
-- generation count nowhere), s state ('c', 'o', 'h'), u when an open circuit turns half-open,
-- k times opened in a row, n half-open trial successes, c the closed state's counts, x set while
-- isolated.
--
-- Every op answers { now, state } (and a third item for 'trial': 1 when a slot was granted). The
-- state, which is also what a transition publishes on the channel, reads
-- 'g s remaining streak successes taken next view':
-- remaining: ms until half-open ('o'); taken: trial slots held ('h'); next: ms until the first
-- trial lease or isolation hold expires, -1 if none; view: the closed state's counts (see view()).
local S, T, I = KEYS[1], KEYS[2], KEYS[3]
local op, channel = ARGV[1], ARGV[4]

local function num(x)
if x == math.floor(x) and x > -9e15 and x < 9e15 then return string.format('%d', x) end
return string.format('%.17g', x)
end

local now
if ARGV[2] == '' then
local time = redis.call('TIME')
now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
else
now = tonumber(ARGV[2])
end

-- mode: 'k' consecutive failures, 'w' failures within failureWindow, 'n' count window, 't' time
-- window. size: the window's calls, or its ms. lease: ms a trial slot or an isolation is held
-- without news from its process.
local mode, threshold, failureWindow, maxTrials, needed, size, minimumCalls, failureRate, slowRate, lease =
string.match(ARGV[3], '^(%S+) (%S+) (%S+) (%S+) (%S+) (%S+) (%S+) (%S+) (%S+) (%S+)$')
threshold, failureWindow, maxTrials, needed = tonumber(threshold), tonumber(failureWindow) or math.huge, tonumber(maxTrials), tonumber(needed)
size, minimumCalls, failureRate, slowRate, lease = tonumber(size), tonumber(minimumCalls), tonumber(failureRate), tonumber(slowRate), tonumber(lease)

local fields = redis.call('HMGET', S, 'g', 's', 'u', 'k', 'n', 'c', 'x')
local g, s, u, k, n, c = tonumber(fields[1]), fields[2], tonumber(fields[3]), tonumber(fields[4]) or 0, tonumber(fields[5]) or 0, fields[6] or ''
local x = fields[7] ~= '' and fields[7] or nil
local created = g == nil
if created then
-- A new circuit, or one Redis lost: generations start from the server's clock, so that they
-- still grow across a restart that lost the data.
local time = redis.call('TIME')
g, s, k, n, c = tonumber(time[1]) * 1000000 + tonumber(time[2]), 'c', 0, 0, ''
end

-- A transition: a new generation, whose trials start afresh; the channel hears of it.
local published = false
local function become(state)
g, s, n = g + 1, state, 0
published = true
redis.call('DEL', T)
end
local function openFor(ms, streak)
become('o')
u, k, c = now + ms, streak, ''
end
local function closeFresh()
become('c')
u, k, c = nil, 0, ''
end

-- Holds and leases whose process went quiet expire; the last hold's end closes the circuit.
redis.call('ZREMRANGEBYSCORE', I, '-inf', now)
redis.call('ZREMRANGEBYSCORE', T, '-inf', now)
local function holds()
return redis.call('ZCARD', I)
end
if x and holds() == 0 then
x = nil
closeFresh()
end
-- Open turns half-open at exactly u: the same generation, nobody told (each process knows u).
if s == 'o' and now >= u then
s, n = 'h', 0
end

local function count(text, pattern)
local _, found = string.gsub(text, pattern, '')
return found
end

-- The closed state's counts, as c holds them and as view() reports them:
-- 'k': the consecutive failures; 'w': the failure times (at most threshold, oldest first);
-- 'n': the last calls, one letter each (s success, f failure, S slow success, F slow failure);
-- 't': 'newest c f s c f s ...', ten buckets of size / 10 ms, bucket b at index b % 10.
local function tripped(calls, failures, slow)
return calls >= minimumCalls and (failures / calls >= failureRate or slow / calls >= slowRate)
end

local function timeBuckets()
local parts = {}
for part in string.gmatch(c, '%S+') do parts[#parts + 1] = tonumber(part) end
local buckets = { newest = parts[1] or -math.huge }
for i = 0, 9 do
buckets[i * 3 + 1] = parts[i * 3 + 2] or 0
buckets[i * 3 + 2] = parts[i * 3 + 3] or 0
buckets[i * 3 + 3] = parts[i * 3 + 4] or 0
end
return buckets
end
local function advance(buckets, bucket)
for next = math.max(buckets.newest + 1, bucket - 9), bucket do
local at = (next % 10) * 3
buckets[at + 1], buckets[at + 2], buckets[at + 3] = 0, 0, 0
end
if bucket > buckets.newest then buckets.newest = bucket end
end
local function totals(buckets)
local calls, failures, slow = 0, 0, 0
for i = 0, 9 do
calls = calls + buckets[i * 3 + 1]
failures = failures + buckets[i * 3 + 2]
slow = slow + buckets[i * 3 + 3]
end
return calls, failures, slow
end
local function storeBuckets(buckets)
local out = { buckets.newest == -math.huge and '-1e300' or num(buckets.newest) }
for i = 1, 30 do out[#out + 1] = num(buckets[i]) end
c = table.concat(out, ' ')
end

-- Counts a batch of outcomes reported by one process (see batch.ts for each mode's encoding);
-- returns whether they open the circuit.
local function record(batch)
if mode == 'k' then
local leading, longest, trailing, succeeded = string.match(batch, '^(%S+) (%S+) (%S+) (%S+)$')
leading, longest, trailing = tonumber(leading), tonumber(longest), tonumber(trailing)
local failures = tonumber(c) or 0
if failures + leading >= threshold or longest >= threshold or (succeeded == '1' and trailing >= threshold) then return true end
c = num(succeeded == '1' and trailing or failures + leading)
return false
elseif mode == 'w' then
local times = {}
for time in string.gmatch(c, '%S+') do times[#times + 1] = tonumber(time) end
for age in string.gmatch(batch, '%S+') do times[#times + 1] = now - tonumber(age) end
table.sort(times)
for i = threshold, #times do
if times[i] - times[i - threshold + 1] < failureWindow then return true end
end
local kept = {}
for i = math.max(1, #times - threshold + 1), #times do
if times[i] > now - failureWindow then kept[#kept + 1] = num(times[i]) end
end
c = table.concat(kept, ' ')
return false
elseif mode == 'n' then
local calls, failures, slow = #c, count(c, '[fF]'), count(c, '[SF]')
for kind, length in string.gmatch(batch, '(%a)(%d+)') do
length = math.min(tonumber(length), size)
local drop = calls + length - size
if drop > 0 then
local gone = string.sub(c, 1, drop)
c = string.sub(c, drop + 1)
calls, failures, slow = calls - drop, failures - count(gone, '[fF]'), slow - count(gone, '[SF]')
end
c = c .. string.rep(kind, length)
calls = calls + length
if kind == 'f' or kind == 'F' then failures = failures + length end
if kind == 'S' or kind == 'F' then slow = slow + length end
if tripped(calls, failures, slow) then return true end
end
return false
else
local buckets = timeBuckets()
for bucket, calls, failures, slow in string.gmatch(batch, '(%S+) (%S+) (%S+) (%S+)') do
bucket = tonumber(bucket)
if bucket > buckets.newest - 10 then
advance(buckets, bucket)
local at = (bucket % 10) * 3
buckets[at + 1] = buckets[at + 1] + tonumber(calls)
buckets[at + 2] = buckets[at + 2] + tonumber(failures)
buckets[at + 3] = buckets[at + 3] + tonumber(slow)
if tripped(totals(buckets)) then return true end
end
end
storeBuckets(buckets)
return false
end
end

-- What a process needs to judge its own outcomes before they are reported: 'k' the count,
-- 'w' the failures' ages, 'n' and 't' 'calls,failures,slow' in the window now.
local function view()
if s ~= 'c' or x then return '-' end
if mode == 'k' then return c == '' and '0' or c end
if mode == 'w' then
local ages = {}
for time in string.gmatch(c, '%S+') do
local age = now - tonumber(time)
if age < failureWindow then ages[#ages + 1] = num(age) end
end
return #ages == 0 and '-' or table.concat(ages, ',')
end
if mode == 'n' then return #c .. ',' .. count(c, '[fF]') .. ',' .. count(c, '[SF]') end
local buckets = timeBuckets()
advance(buckets, math.floor(now * 10 / size))
local calls, failures, slow = totals(buckets)
return num(calls) .. ',' .. num(failures) .. ',' .. num(slow)
end

local function first(set)
local earliest = redis.call('ZRANGE', set, 0, 0, 'WITHSCORES')
return earliest[2] and num(tonumber(earliest[2]) - now) or '-1'
end

local function state()
local taken = s == 'h' and not x and redis.call('ZCARD', T) or 0
local next = x and first(I) or (s == 'h' and first(T) or '-1')
return num(g) .. ' ' .. (x and 'i' or s) .. ' ' .. (s == 'o' and not x and num(u - now) or '0') .. ' ' .. k .. ' ' .. n .. ' ' .. taken .. ' ' .. next .. ' ' .. view()
end

-- Something a process may want to know without a transition: a trial slot was freed.
local function announce()
published = true
end

local granted = 0
if op == 'sync' then
if created and ARGV[5] ~= '' then
-- The circuit starts from a snapshot (initialState) when Redis has none.
local from, amount = string.match(ARGV[5], '^(%S+) (%S+)$')
amount = tonumber(amount)
if from == 'o' then openFor(amount, 1)
elseif from == 'h' then s, k, n = 'h', 1, amount
elseif mode == 'k' and amount > 0 then c = num(amount) end
end
elseif op == 'report' then
-- ARGV[5]: the generation the outcomes belong to; ARGV[6]: ms to open for; ARGV[7]: the batch.
if s == 'c' and not x and tonumber(ARGV[5]) == g and record(ARGV[7]) then openFor(tonumber(ARGV[6]), 1) end
elseif op == 'trial' then
-- ARGV[5]: the lease id.
if s == 'h' and not x and redis.call('ZCARD', T) < maxTrials then
redis.call('ZADD', T, now + lease, ARGV[5])
granted = 1
end
elseif op == 'end' then
-- ARGV[5]: the lease id; ARGV[6]: its generation; ARGV[7]: 's' success, 'f' failure, 'r' counts
-- as nothing; ARGV[8]: ms to open for, on a failure.
local held = redis.call('ZREM', T, ARGV[5]) == 1
if s == 'h' and not x and tonumber(ARGV[6]) == g then
local outcome = ARGV[7]
if outcome == 'f' then openFor(tonumber(ARGV[8]), k + 1)
elseif outcome == 's' then
n = n + 1
if n >= needed then closeFresh() else announce() end
elseif held then announce() end
end
elseif op == 'renew' then
-- ARGV[5...]: the lease and hold ids of one process, still running or held.
for i = 5, #ARGV do
redis.call('ZADD', T, 'XX', now + lease, ARGV[i])
redis.call('ZADD', I, 'XX', now + lease, ARGV[i])
end
elseif op == 'isolate' then
-- ARGV[5]: the hold id.
redis.call('ZADD', I, now + lease, ARGV[5])
if not x then
x = '1'
become(s)
end
elseif op == 'release' then
redis.call('ZREM', I, ARGV[5])
if x and holds() == 0 then
x = nil
closeFresh()
end
elseif op == 'reset' then
if not x then closeFresh() end
else
return redis.error_reply('ERR cemaf circuit breaker: unknown op ' .. tostring(op))
end

-- Kept a day past the end of any open period; a circuit nobody uses goes away by itself.
local ttl = math.ceil(math.max(0, (s == 'o' and u or now) - now)) + 86400000
redis.call('HSET', S, 'g', num(g), 's', s, 'u', u and num(u) or '', 'k', k, 'n', n, 'c', c, 'x', x or '')
redis.call('PEXPIRE', S, ttl)
if redis.call('EXISTS', T) == 1 then redis.call('PEXPIRE', T, ttl) end
if redis.call('EXISTS', I) == 1 then redis.call('PEXPIRE', I, ttl) end
local current = state()
if published then redis.call('PUBLISH', channel, current) end
return { num(now), current, granted }
