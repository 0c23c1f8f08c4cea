-- wrk script: every request asks for a different enterprise code with a valid check digit
-- (prefix 13, which the registry simulator does not use), so every request is a cache
-- miss and a partner call; the partner answers "not found" (404).
local weights = {31, 29, 23, 19, 17, 13, 7, 5, 3}
local counter = 0
local threads = 0

-- Runs in the main state: gives each thread its own index (a global of that thread).
function setup(thread)
  threads = threads + 1
  thread:set("index", threads)
end

-- Runs in each thread: threads walk disjoint stretches of codes.
function init(args)
  counter = (index or 1) * 1000003
end

request = function()
  while true do
    counter = counter + 7919
    local base = string.format("13%07d", counter % 10000000)
    local sum = 0
    for i = 1, 9 do
      sum = sum + tonumber(base:sub(i, i)) * weights[i]
    end
    local check = 10 - sum % 11
    if check < 10 then
      return wrk.format("GET", "/v1/enterprises/" .. base .. check,
        { ["Authorization"] = "ApiKey demo-key" })
    end
  end
end
