-- PUT .../images with a new checksum for one of the repository's images on every request, so
-- that each one writes:
--   wrk ... -s rewrite.lua URL -- AUTHORIZATION IMAGE_ID...
-- Each thread walks the images from its own starting point; checksums are unique per thread
-- and request, so no two requests send the same one.
local threads = 0
local ids = {}
local counter = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  wrk.method = "PUT"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = args[1]
  for i = 2, #args do
    ids[#ids + 1] = args[i]
  end
end

function request()
  counter = counter + 1
  local id = ids[(thread_number * 37 + counter) % #ids + 1]
  local body = string.format('[{"id": "%s", "checksum": "sha256:%032x%032x"}]',
    id, thread_number, counter)
  return wrk.format(nil, nil, nil, body)
end
