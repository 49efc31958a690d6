-- wrk script: replay prepared answers, each a distinct (play, question), so that every request is
-- a real first answer (grading + INSERT + COMMIT + the answered state), never a refused repeat;
-- posted as the page's script posts them (one request per answer).
-- Input file (REQUESTS env var): one request per line: path \t cookie header \t form body.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(os.getenv("THREADS"))
  items = {}
  local i = 0
  for line in io.lines(os.getenv("REQUESTS")) do
    if i % nthreads == id then
      local path, cookie, body = line:match("([^\t]*)\t([^\t]*)\t(.*)")
      path = (os.getenv("PREFIX") or "") .. path
      table.insert(items, wrk.format("POST", path, {
        ["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Requested-With"] = "fetch"}, body))
    end
    i = i + 1
  end
  position = 0
  wrapped = 0
  bad = 0
end

function request()
  position = position + 1
  if position > #items then position = 1; wrapped = wrapped + 1 end
  return items[position]
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end  -- the answered state, as the page's script gets it
end

function done(summary, latency, requests)
  local wraps, bads = 0, 0
  for _, t in ipairs(threads) do
    wraps = wraps + t:get("wrapped")
    bads = bads + t:get("bad")
  end
  io.write(string.format("RESULT answers_not_200=%d wrapped=%d\n", bads, wraps))
end
