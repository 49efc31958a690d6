-- wrk script: whole public plays, one connection per thread, each connection a player who
-- opens the campaign, starts a play, then for every question reads it and answers it the way the
-- page's script does (one request, the answered state comes back in place; the next question is
-- loaded in place too, the first one being the page the start leads to), then opens the results
-- page: 23 requests a play. A public visitor has no session (their forms' tokens come from the
-- player cookie); should a response set one (a message to show), it is sent from then on, as a
-- browser does. Counts completed plays and any unexpected status.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  slug = os.getenv("CAMPAIGN")
  track = os.getenv("TRACK")
  questions = tonumber(os.getenv("QUESTIONS") or "10")
  plays, bad, step = 0, 0, "campaign"
  seq = 0
  math.randomseed(os.time() + id * 7919)
end

local function new_player()
  seq = seq + 1
  player = string.format("bench-%d-%d-%d-xxxxxxxxxxxxxxxx", id, seq, math.random(1, 1e9))
  session = nil
end

local function cookie()
  local c = "xb_player=" .. player
  if session then c = c .. "; session=" .. session end
  return c
end

function request()
  if step == "campaign" then
    new_player()
    return wrk.format("GET", "/c/" .. slug, {["Cookie"] = cookie()})
  elseif step == "start" then
    return wrk.format("POST", "/c/" .. slug .. "/play", {["Cookie"] = cookie(),
      ["Content-Type"] = "application/x-www-form-urlencoded"}, "csrf_token=" .. csrf .. "&track=" .. track)
  elseif step == "question" then
    if position == 1 then  -- the play start's redirect loads the first question as a page
      return wrk.format("GET", play .. "/" .. position, {["Cookie"] = cookie()})
    end
    -- then the page's script loads each next question in place (the question alone)
    return wrk.format("GET", play .. "/" .. position, {["Cookie"] = cookie(), ["X-Requested-With"] = "fetch"})
  elseif step == "answer" then
    return wrk.format("POST", play .. "/" .. position, {["Cookie"] = cookie(),
      ["Content-Type"] = "application/x-www-form-urlencoded", ["X-Requested-With"] = "fetch"},
      "csrf_token=" .. csrf .. "&question=" .. question .. "&choice=0")
  else
    return wrk.format("GET", play .. "/result", {["Cookie"] = cookie()})
  end
end

local function fail()
  bad = bad + 1
  step = "campaign"
end

local function keep_session(headers)
  local set = headers["Set-Cookie"] or ""
  local value = set:match("session=([^;]+)")
  if value then session = value end
end

function response(status, headers, body)
  keep_session(headers)
  if step == "campaign" then
    csrf = body:match('name="csrf_token" type="hidden" value="([^"]+)"') or body:match('name="csrf_token" value="([^"]+)"')
    if status ~= 200 or not csrf then return fail() end
    step = "start"
  elseif step == "start" then
    local location = headers["Location"] or ""
    play = location:match("(/p/[^/]+)/1$")
    if status ~= 302 or not play then return fail() end
    position, step = 1, "question"
  elseif step == "question" then
    question = body:match('name="question" value="(%d+)"')
    csrf = body:match('class="answer%-form".-name="csrf_token" value="([^"]+)"')  -- the play's own token
    if status ~= 200 or not question or not csrf then return fail() end
    step = "answer"
  elseif step == "answer" then
    if status ~= 200 or not body:find('class="verdict', 1, true) then return fail() end
    if position < questions then position, step = position + 1, "question" else step = "result" end
  else
    if status ~= 200 then return fail() end
    plays = plays + 1
    step = "campaign"
  end
end

function done(summary, latency, requests)
  local total, bads = 0, 0
  for _, t in ipairs(threads) do
    total = total + t:get("plays")
    bads = bads + t:get("bad")
  end
  io.write(string.format("RESULT plays=%d failed_flows=%d\n", total, bads))
end
