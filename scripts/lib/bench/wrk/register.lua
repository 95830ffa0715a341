-- POST /v1/users/ with a new username on every request:
--   wrk ... -s register.lua URL -- PREFIX
-- Usernames are PREFIX .. "t" .. THREAD .. "n" .. COUNTER (^[a-z0-9_]{4,30}$ while PREFIX
-- stays short), unique across the threads of one run and, with a new PREFIX, across runs.
local threads = 0
local prefix = "bench"
local counter = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  prefix = args[1] .. "t" .. thread_number .. "n"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local name = prefix .. counter
  local body = string.format(
    '{"username": "%s", "password": "bench-password", "email": "%s@example.com"}', name, name)
  return wrk.format(nil, nil, nil, body)
end
