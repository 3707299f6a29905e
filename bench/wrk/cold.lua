-- (c): the protected GET with a token the server has never seen on every request (a cache miss:
-- full verification, then insertion). Tokens come from BENCH_COLD_FILE, lines BENCH_COLD_FIRST ..
-- BENCH_COLD_FIRST + BENCH_COLD_COUNT - 1, split between the wrk threads; a thread that runs out
-- starts its slice again (those requests are then warm) and done() reports how many times.
local threads = {}
local next_id = 0

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

function init(args)
   local first = tonumber(os.getenv("BENCH_COLD_FIRST"))
   local count = tonumber(os.getenv("BENCH_COLD_COUNT"))
   local per = math.floor(count / tonumber(os.getenv("BENCH_THREADS")))
   local from = first + id * per
   local to = from + per - 1
   tokens = {}
   local i = 0
   for line in io.lines(os.getenv("BENCH_COLD_FILE")) do
      if i >= from then
         tokens[#tokens + 1] = line
      end
      i = i + 1
      if i > to then
         break
      end
   end
   path = os.getenv("BENCH_PATH")
   n = 0
   wraps = 0
end

function request()
   n = n + 1
   if n > #tokens then
      n = 1
      wraps = wraps + 1
   end
   return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. tokens[n] })
end

function done(summary, latency, requests)
   local total = 0
   for _, thread in ipairs(threads) do
      total = total + (thread:get("wraps") or 0)
   end
   io.write(string.format("cold-token-slices-restarted: %d\n", total))
end
