-- One fixed request: method, body and headers come as arguments (see bench/wrk.py):
--   wrk ... -s request.lua URL -- METHOD BODY_FILE [Header: value]...
function init(args)
  wrk.method = args[1]
  local file = assert(io.open(args[2], "rb"))
  wrk.body = file:read("*a")
  file:close()
  for i = 3, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    wrk.headers[name] = value
  end
end
