-- wrk script: each thread asks for its own share of the paths listed in a file, in turn.
--
--   wrk -tTHREADS ... -s rotate.lua URL -- PATHS_FILE THREADS [once]
--
-- The threads split the list, so in one pass every path is asked exactly once. With "once" each
-- thread stops after its share: no path is asked twice, and the summary line printed at the end
-- gives the wall time the pass took (wrk's own Requests/sec counts the whole -d duration).
local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *ts);
]]

local function now()
  local ts = ffi.new("bench_timespec")
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC, the same clock in every thread
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local threads, next_id = {}, 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  threads[#threads + 1] = thread
end

local mine, reserved, issued, answered, once = {}, 0, 0, 0, false

function init(args)
  local all = {}
  for line in io.lines(args[1]) do
    if line ~= "" then all[#all + 1] = line end
  end
  local thread_count = tonumber(args[2])
  once = args[3] == "once"
  for n, path in ipairs(all) do
    if (n - 1) % thread_count == id then mine[#mine + 1] = path end
  end
  -- A delay function, even one that returns 0, costs a timer per request, and a response
  -- function makes wrk parse every body: neither without "once".
  if not once then delay, response = nil, nil end
  -- wrk calls request() once in its first thread to check the script before the run starts.
  if id == 0 then issued = -1 end
  started = now()
end

function delay()
  -- wrk asks for the delay of a connection's next request before it asks for the request, and
  -- meanwhile other connections may ask too: a request is counted here, when it is promised.
  -- After its share, a thread in "once" mode sends nothing more and waits to be stopped.
  if once and reserved >= #mine then return 3600000 end
  reserved = reserved + 1
  return 0
end

function request()
  issued = issued + 1
  return wrk.format(nil, mine[(issued - 1) % #mine + 1])
end

function response(status, headers, body)
  answered = answered + 1
  if once and answered >= #mine then
    finished = now()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local first, last = nil, nil
  for _, thread in ipairs(threads) do
    local s, f = thread:get("started"), thread:get("finished")
    if s and (not first or s < first) then first = s end
    if not f then last = nil; break end
    if not last or f > last then last = f end
  end
  if first and last then
    io.write(string.format("rotation: requests=%d seconds=%.4f\n", summary.requests, last - first))
  end
end
