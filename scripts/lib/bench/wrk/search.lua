-- GET /v1/search?q=TERM, rotating through the terms given as arguments:
--   wrk ... -s search.lua URL -- TERM...
local terms = {}
local next_term = 0

function init(args)
  for i = 1, #args do
    terms[i] = args[i]
  end
end

function request()
  next_term = next_term % #terms + 1
  return wrk.format("GET", "/v1/search?q=" .. terms[next_term])
end
