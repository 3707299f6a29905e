-- (a) and (b): one fixed GET. BENCH_PATH is the path; BENCH_TOKEN_FILE, when set, names a file
-- whose one line is the bearer token (read here so the token never appears on a command line).
wrk.method = "GET"
wrk.path = os.getenv("BENCH_PATH")
local file = os.getenv("BENCH_TOKEN_FILE")
if file and file ~= "" then
   local f = assert(io.open(file, "r"))
   local token = f:read("*l")
   f:close()
   wrk.headers["Authorization"] = "Bearer " .. token
end
