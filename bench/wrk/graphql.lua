-- wrk script: POSTs one GraphQL request body over and over, and writes a JSON
-- summary for bench/report.py.
--   BODY_FILE  file holding the JSON request body; with several lines, one body per
--              line, sent in turn (shape dn: one KPI per line)
--   TOKEN      bearer token (optional)
--   WRK_OUT    where the summary goes
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
local bodies = {}
for line in wrk.body:gmatch("[^\n]+") do
  bodies[#bodies + 1] = line
end
if #bodies > 1 then
  local n = 0
  request = function()
    n = n + 1
    return wrk.format(nil, nil, nil, bodies[(n % #bodies) + 1])
  end
end
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  local out = assert(io.open(os.getenv("WRK_OUT"), "w"))
  out:write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "errors": %d, "bytes": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errors, summary.bytes))
  out:close()
end
