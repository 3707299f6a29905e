-- (d): the flow B mint, POST /api/v1/spaces/demo/agents/support/embed-sessions with the demo API
-- key, read from the file BENCH_KEY_FILE (never on a command line). Each request makes a session.
wrk.method = "POST"
wrk.path = "/api/v1/spaces/demo/agents/support/embed-sessions"
local f = assert(io.open(os.getenv("BENCH_KEY_FILE"), "r"))
local key = f:read("*l")
f:close()
wrk.headers["Authorization"] = "Bearer " .. key
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"externalUserId":"bench-user","displayName":"Bench"}'
